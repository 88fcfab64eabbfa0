import { describe, expect, it } from 'vitest';
import { expandCanned, filterCanned, insertAt, type Canned } from './canned';

const c = { person_name: 'علی رضایی', number: '1405-0000123', resolution_due: '2026-12-09T10:00:00Z' };
const now = new Date('2026-12-07T05:00:00Z'); // 16 Azar 1405 in Tehran

describe('expandCanned', () => {
  it('fills the name, the case number (Persian digits, isolated) and the Jalali dates', () => {
    expect(expandCanned('سلام {name}، پرونده {number} امروز {today} ثبت شد و تا {due} پاسخ می‌گیرد.', c, now))
      .toBe('سلام علی رضایی، پرونده \u2066۱۴۰۵-۰۰۰۰۱۲۳\u2069 امروز ۱۶ آذر ۱۴۰۵ ثبت شد و تا ۱۸ آذر ۱۴۰۵ پاسخ می‌گیرد.');
  });
  it('leaves unknown placeholders and other braces as typed', () => {
    expect(expandCanned('{nam} {Name} { name} {} {نام} {{name}}', c, now))
      .toBe('{nam} {Name} { name} {} {نام} {علی رضایی}');
  });
  it('leaves a placeholder the case cannot fill, so that the user sees it', () => {
    expect(expandCanned('تا {due}', { ...c, resolution_due: null }, now)).toBe('تا {due}');
  });
  it('keeps the words as typed and fills each occurrence', () => {
    expect(expandCanned('لطفاً {name}؛ تأخیر {name}', c, now)).toBe('لطفاً علی رضایی؛ تأخیر علی رضایی');
  });
  it('uses the Tehran day: 22:00 UTC is already tomorrow', () => {
    expect(expandCanned('{today}', c, new Date('2026-12-06T22:00:00Z'))).toBe('۱۶ آذر ۱۴۰۵');
  });
});

describe('insertAt', () => {
  it('replaces the selection and puts the cursor after the text', () => {
    expect(insertAt('abcdef', 2, 4, 'XY')).toEqual({ value: 'abXYef', cursor: 4 });
    expect(insertAt('', 0, 0, 'سلام')).toEqual({ value: 'سلام', cursor: 4 });
    expect(insertAt('ab', 9, 9, 'c')).toEqual({ value: 'abc', cursor: 3 });
  });
});

describe('filterCanned', () => {
  const items = [
    { id: 1, title: 'پیگیری مستمری', body: 'متن یک' },
    { id: 2, title: 'مدارک', body: 'مدارک لازم برای مستمری' },
  ] as Canned[];
  it('matches every word in title or body', () => {
    expect(filterCanned(items, 'مستمری').map((i) => i.id)).toEqual([1, 2]);
    expect(filterCanned(items, 'مدارک مستمری').map((i) => i.id)).toEqual([2]);
    expect(filterCanned(items, '  ').map((i) => i.id)).toEqual([1, 2]);
  });
});
