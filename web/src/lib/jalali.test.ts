import { describe, expect, it } from 'vitest';
import { isJalaliLeap, jalaliDate, parseJalali, relative, showDay, showTime, toGregorian, toJalali } from './jalali';

describe('Jalali arithmetic', () => {
  it('knows Nowruz and Azar 1405', () => {
    expect(toJalali(2026, 3, 21)).toEqual([1405, 1, 1]);
    expect(toJalali(2026, 11, 22)).toEqual([1405, 9, 1]);
    expect(toGregorian(1405, 9, 1)).toEqual([2026, 11, 22]);
  });
  it('round-trips every day of 1399-1410', () => {
    let t = Date.UTC(2020, 2, 20);
    for (let i = 0; i < 12 * 366; i++, t += 86400000) {
      const d = new Date(t);
      const j = toJalali(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
      expect(toGregorian(...j)).toEqual([d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()]);
    }
  });
  it('knows leap years (1403 has Esfand 30, 1404 does not)', () => {
    expect(isJalaliLeap(1403)).toBe(true);
    expect(isJalaliLeap(1404)).toBe(false);
    expect(parseJalali('1403/12/30')).toBe('2025-03-20');
    expect(parseJalali('1404/12/30')).toBeNull();
  });
});

describe('display in Tehran time (UTC+03:30)', () => {
  it('shows the Tehran day, which may be the next Gregorian day', () => {
    expect(jalaliDate('2026-11-21T21:00:00Z')).toBe('1405/09/01');
    expect(showTime('2026-11-21T21:00:00Z')).toBe('۱۴۰۵/۰۹/۰۱ ۰۰:۳۰');
    expect(showDay('2026-11-22T08:00:00Z')).toBe('۱ آذر ۱۴۰۵');
    expect(showTime(null)).toBe('');
  });
  it('says how far a due date is', () => {
    const now = Date.parse('2026-11-22T08:00:00Z');
    expect(relative('2026-11-22T11:00:00Z', now)).toBe('۳ ساعت دیگر');
    expect(relative('2026-11-20T08:00:00Z', now)).toBe('۲ روز پیش');
  });
});

describe('parseJalali', () => {
  it('accepts / or - and refuses impossible dates', () => {
    expect(parseJalali('1405-9-1')).toBe('2026-11-22');
    expect(parseJalali('1405/07/31')).toBeNull();
    expect(parseJalali('1405/13/01')).toBeNull();
    expect(parseJalali('yesterday')).toBeNull();
  });
});
