import { describe, expect, it } from 'vitest';
import {
  decimal, fa, faText, ident, lawRef, lookupKind, ltrText, normalize, num, queueName, signedRials, validNationalId,
} from './text';

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

describe('isolating left-to-right runs', () => {
  it('wraps a plain string in LRI ... PDI, and leaves nothing as nothing', () => {
    expect(ltrText('agent1')).toBe('\u2066agent1\u2069');
    expect(ltrText('')).toBe('');
    expect(ltrText(null)).toBe('');
  });
  it('makes a case number one isolated run of Persian digits, in its order', () => {
    const v = num('1405-0003578');
    expect(v.type).toBe('bdi');
    expect((v.props as any).dir).toBe('ltr');
    // the characters in logical order: the year first; the isolate keeps it first on screen
    expect((v.props as any).children).toBe('۱۴۰۵-۰۰۰۳۵۷۸');
  });
  it('shows a login or a code as typed, Latin digits and all, isolated', () => {
    const v = ident('agent1');
    expect(v.type).toBe('bdi');
    expect((v.props as any).dir).toBe('ltr');
    expect((v.props as any).children).toBe('agent1');
  });
  it('shows a call queue named by a number in Persian digits, one named by a word as it is', () => {
    expect((queueName('1420').props as any).children).toBe('۱۴۲۰');
    expect((queueName('pensions').props as any).children).toBe('pensions');
  });
  it('keeps the sign of a negative amount before it', () => {
    expect(signedRials(-1500)).toBe('\u2066\u2212۱٬۵۰۰\u2069');
    expect(signedRials(1500)).toBe('۱٬۵۰۰');
  });
});

describe('decimals and the rules\' sentences', () => {
  it('writes one and a half «۱٫۵», not «۱.۵۰۰»', () => {
    expect(decimal(1.5)).toBe('۱٫۵');
    expect(decimal('1.500')).toBe('۱٫۵');
    expect(decimal(2)).toBe('۲');
    expect(decimal('2.000')).toBe('۲');
  });
  it('turns a step\'s ASCII digits and decimal points Persian, dates kept', () => {
    expect(faText('سال 1402: 200 روز کار سخت، هر روز 1.500 روز: 100 روز سابقه افزوده.'))
      .toBe('سال ۱۴۰۲: ۲۰۰ روز کار سخت، هر روز ۱٫۵ روز: ۱۰۰ روز سابقه افزوده.');
    expect(faText('از 1405/09/01، نرخ 7.50%')).toBe('از ۱۴۰۵/۰۹/۰۱، نرخ ۷٫۵٪');
  });
  it('shows a law reference in Persian, without its English gloss', () => {
    expect(lawRef('قانون تأمین اجتماعی، ماده ۷۶ (Social Security Law, Art. 76)')).toBe('قانون تأمین اجتماعی، ماده ۷۶');
    expect(lawRef('مصوبه شورای عالی کار ۱۴۰۲، ماده ۴۱ قانون کار (Supreme Labour Council 1402; Labour Law Art. 41)'))
      .toBe('مصوبه شورای عالی کار ۱۴۰۲، ماده ۴۱ قانون کار');
    expect(lawRef('ماده 28 (تبصره 1)')).toBe('ماده ۲۸ (تبصره ۱)'); // a Persian parenthesis stays
    expect(lawRef(null)).toBe('');
  });
});
