// What the record page says of a retirement condition that is not met. The rules report
// the days of record missing and the age the condition needs (with the day it is reached):
// a condition whose record is enough but whose age is not reached has 0 days missing, and
// «۰ روز سابقه کم است» read as a record short of nothing, yet not met.
import { faText } from './text';

export interface Condition {
  code: string;
  met: boolean;
  age?: number | null;
  age_on?: string | null; // Jalali, 1405/09/01
  missing_days: number;
  earliest?: string | null;
}

/** The condition's state in Persian: «فراهم», or what is missing (days, age) and when it
 *  would be met. on: the date asked about (Jalali, 1405/09/01). */
export function conditionText(c: Condition, on: string): string {
  if (c.met) return 'فراهم';
  const parts: string[] = [];
  if (c.missing_days > 0) parts.push(`${c.missing_days} روز سابقه کم است`);
  else parts.push('سابقه کافی است');
  if (c.age && c.age_on && c.age_on > on) parts.push(`سن ${c.age} سال در ${c.age_on} می‌رسد`);
  parts.push(c.earliest ? `با ادامه پرداخت از ${c.earliest}` : 'در ۶۰ سال آینده فراهم نمی‌شود');
  return faText(`فراهم نیست: ${parts.join('؛ ')}`);
}
