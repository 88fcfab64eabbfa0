import { describe, expect, it } from 'vitest';
import { conditionText } from './retire';

describe('conditionText', () => {
  it('says a met condition is met', () => {
    expect(conditionText({ code: 'age', met: true, missing_days: 0 }, '1405/09/01')).toBe('فراهم');
  });
  it('says the record is enough and the age is what is missing, not «۰ روز سابقه کم است»', () => {
    // found on screen: «سن با سابقه کمتر: ۰ روز سابقه کم است», a condition short of nothing
    const t = conditionText(
      { code: 'age_reduced', met: false, age: 60, age_on: '1412/03/10', missing_days: 0, earliest: '1412/03/10' },
      '1405/09/01',
    );
    expect(t).not.toMatch(/۰ روز/);
    expect(t).toBe('فراهم نیست: سابقه کافی است؛ سن ۶۰ سال در ۱۴۱۲/۰۳/۱۰ می‌رسد؛ با ادامه پرداخت از ۱۴۱۲/۰۳/۱۰');
  });
  it('says the days missing when the record is short, and the age too when it is not reached', () => {
    expect(conditionText({ code: 'any_age', met: false, age: null, missing_days: 1200, earliest: '1409/01/01' }, '1405/09/01'))
      .toBe('فراهم نیست: ۱۲۰۰ روز سابقه کم است؛ با ادامه پرداخت از ۱۴۰۹/۰۱/۰۱');
    expect(conditionText({ code: 'age', met: false, age: 62, age_on: '1420/01/01', missing_days: 30, earliest: null }, '1405/09/01'))
      .toBe('فراهم نیست: ۳۰ روز سابقه کم است؛ سن ۶۲ سال در ۱۴۲۰/۰۱/۰۱ می‌رسد؛ در ۶۰ سال آینده فراهم نمی‌شود');
  });
  it('does not speak of the age once it is reached', () => {
    expect(conditionText({ code: 'age', met: false, age: 60, age_on: '1400/01/01', missing_days: 10, earliest: '1405/10/01' }, '1405/09/01'))
      .toBe('فراهم نیست: ۱۰ روز سابقه کم است؛ با ادامه پرداخت از ۱۴۰۵/۱۰/۰۱');
  });
});
