import { describe, expect, it } from 'vitest';
import { checkField, checkForm, validSheba, type ServiceField } from './forms';

const f = (type: ServiceField['type'], extra: Partial<ServiceField> = {}): ServiceField =>
  ({ name: 'x', label: 'خانه', type, required: true, ...extra });

describe('a service form checked as the person types', () => {
  it('checks a Sheba by ISO 13616 (the same as the server), with spaces, lower case or without IR', () => {
    expect(validSheba('IR050170000000123456789012')).toBe(true);
    expect(validSheba('IR060170000000123456789012')).toBe(false);
    expect(checkField(f('sheba'), 'ir05 0170 0000 0012 3456 7890 12').value).toBe('IR050170000000123456789012');
    expect(checkField(f('sheba'), '۰۵۰۱۷۰۰۰۰۰۰۰۱۲۳۴۵۶۷۸۹۰۱۲').value).toBe('IR050170000000123456789012');
    expect(checkField(f('sheba'), 'IR12').error).toMatch(/«خانه» شماره شبای درستی نیست/);
  });
  it('takes Jalali months and dates in any digits, and refuses days a month lacks', () => {
    expect(checkField(f('month'), '۱۴۰۳/۷').value).toBe('1403/07');
    expect(checkField(f('month'), '1403/13').error).toBeTruthy();
    expect(checkField(f('date'), '۱۴۰۳/۱۲/۳۰').value).toBe('1403/12/30');
    expect(checkField(f('date'), '1404/12/30').error).toBeTruthy();
  });
  it('checks national ids, mobiles, amounts, numbers, choices and text length', () => {
    expect(checkField(f('national_id'), '۰۴۹۹۳۷۰۸۹۹').value).toBe('0499370899');
    expect(checkField(f('national_id'), '0499370898').error).toBeTruthy();
    expect(checkField(f('mobile'), '+98 912 123 4567').value).toBe('09121234567');
    expect(checkField(f('amount', { max: 1000 }), '۱٬۰۰۰').value).toBe('1000');
    expect(checkField(f('amount', { max: 1000 }), '1001').error).toBeTruthy();
    expect(checkField(f('number', { max: 31 }), '0').error).toBeTruthy();
    expect(checkField(f('choice', { options: [{ value: '12', label: '۱۲' }] }), '۱۲').value).toBe('12');
    expect(checkField(f('text', { max_length: 3 }), 'سلام').error).toMatch(/بیش از ۳ نویسه/);
  });
  it('names every required field left empty, and sends no attachment', () => {
    const fields = [f('month', { name: 'month' }), f('text', { name: 'note', required: false, max_length: 10 }),
      f('attachment', { name: 'scan' })];
    expect(checkForm(fields, { note: ' ' })).toEqual({ body: {}, errors: { month: '«خانه» را وارد کنید' } });
    expect(checkForm(fields, { month: '1403/7' })).toEqual({ body: { month: '1403/07' }, errors: {} });
  });
});
