import { describe, expect, it } from 'vitest';
import { fa, lookupKind, normalize, validNationalId } from './text';

describe('normalize', () => {
  it('turns Persian and Arabic-Indic digits into ASCII', () => {
    expect(normalize('۰۹۱۲۳۴۵۶۷۸۹')).toBe('09123456789');
    expect(normalize('٠٩١٢٣٤٥٦٧٨٩')).toBe('09123456789');
  });
  it('turns Arabic yeh and kaf into Persian and trims', () => {
    expect(normalize('  علي كريمي ')).toBe('علی کریمی');
  });
  it('drops direction marks pasted with numbers', () => {
    expect(normalize('\u200f۱۲۳')).toBe('123');
  });
});

describe('fa', () => {
  it('shows ASCII digits as Persian', () => {
    expect(fa('1405-0000012')).toBe('۱۴۰۵-۰۰۰۰۰۱۲');
    expect(fa(7)).toBe('۷');
    expect(fa(null)).toBe('');
  });
});

describe('validNationalId', () => {
  it('accepts ids whose check digit is right, in any digit set', () => {
    expect(validNationalId('0499370899')).toBe(true);
    expect(validNationalId('۰۴۹۹۳۷۰۸۹۹')).toBe(true);
  });
  it('refuses a wrong check digit, wrong length and repeated digits', () => {
    expect(validNationalId('0499370898')).toBe(false);
    expect(validNationalId('049937089')).toBe(false);
    expect(validNationalId('1111111111')).toBe(false);
    expect(validNationalId('abc')).toBe(false);
  });
});

describe('lookupKind', () => {
  it('tells a national id, a mobile, a case number and text apart', () => {
    expect(lookupKind('۰۴۹۹۳۷۰۸۹۹')).toEqual({ kind: 'national_id', value: '0499370899' });
    expect(lookupKind('0912 345 6789')).toEqual({ kind: 'mobile', value: '09123456789' });
    expect(lookupKind('+989123456789')).toEqual({ kind: 'mobile', value: '09123456789' });
    expect(lookupKind('۱۴۰۵-۱۲')).toEqual({ kind: 'number', value: '1405-0000012' });
    expect(lookupKind('14050000012')).toEqual({ kind: 'number', value: '1405-0000012' });
    expect(lookupKind('مستمري')).toEqual({ kind: 'text', value: 'مستمری' });
  });
  it('takes a national id that starts with 09 as a national id, not a mobile', () => {
    // found by the bench: such a caller was searched as text and "not found"
    expect(lookupKind('0939381443')).toEqual({ kind: 'national_id', value: '0939381443' });
    expect(lookupKind('۰۹۳۹۳۸۱۴۴۳')).toEqual({ kind: 'national_id', value: '0939381443' });
  });
  it('reads ten digits starting with 9 that fail the national id check as a mobile', () => {
    expect(validNationalId('9123456789')).toBe(false);
    expect(lookupKind('9123456789')).toEqual({ kind: 'mobile', value: '09123456789' });
  });
});
