import { describe, expect, it } from 'vitest';
import { readCode, readMonth } from './documents';

describe('readCode', () => {
  it('reads a code as people type it', () => {
    expect(readCode('7K2M-9QXD-4R8T-B3VN')).toBe('7K2M-9QXD-4R8T-B3VN');
    expect(readCode(' ۷k۲m ۹qxd ۴r۸t b۳vn ')).toBe('7K2M-9QXD-4R8T-B3VN');
    expect(readCode('oooo-iiii-llll-0000')).toBe('0000-1111-1111-0000');
  });
  it('refuses what cannot be a code', () => {
    expect(readCode('7K2M-9QXD-4R8T-B3V')).toBeNull();
    expect(readCode('7K2M-9QXD-4R8T-B3VNN')).toBeNull();
    expect(readCode('7K2M-9QXD-4R8T-B3VU')).toBeNull();
    expect(readCode('')).toBeNull();
  });
});

describe('readMonth', () => {
  it('reads a Jalali month in any digits', () => {
    expect(readMonth('۱۴۰۵/۸')).toBe('1405/08');
    expect(readMonth('1404-12')).toBe('1404/12');
    expect(readMonth('  ')).toBe('');
  });
  it('refuses what is no month', () => {
    expect(readMonth('1404/13')).toBeNull();
    expect(readMonth('08/1405')).toBeNull();
    expect(readMonth('1405')).toBeNull();
  });
});
