import { describe, expect, it } from 'vitest';
import { clock, codeOf, mobileOf } from './otp';

describe('mobileOf', () => {
  it('takes any digit set and the country code', () => {
    expect(mobileOf('۰۹۱۲ ۳۴۵ ۶۷۸۹')).toBe('09123456789');
    expect(mobileOf('+989123456789')).toBe('09123456789');
    expect(mobileOf('9123456789')).toBe('09123456789');
    expect(mobileOf('٠٩١٢-٣٤٥-٦٧٨٩')).toBe('09123456789');
  });
  it('refuses what is not a mobile', () => {
    expect(mobileOf('02112345678')).toBe('');
    expect(mobileOf('0912345678')).toBe('');
    expect(mobileOf('')).toBe('');
  });
});

describe('codeOf', () => {
  it('reads six digits typed in any set', () => {
    expect(codeOf('۱۲۳ ۴۵۶')).toBe('123456');
    expect(codeOf('123456')).toBe('123456');
  });
  it('refuses five or seven digits and letters', () => {
    expect(codeOf('12345')).toBe('');
    expect(codeOf('1234567')).toBe('');
    expect(codeOf('12a456')).toBe('');
  });
});

describe('clock', () => {
  it('shows minutes and seconds in Persian digits', () => {
    expect(clock(120)).toBe('۲:۰۰');
    expect(clock(65)).toBe('۱:۰۵');
    expect(clock(0.2)).toBe('۰:۰۱');
    expect(clock(-3)).toBe('۰:۰۰');
  });
});
