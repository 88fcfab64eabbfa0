// Jalali (Solar Hijri) dates for display and input. The arithmetic is the 33-year-cycle
// algorithm used by the server (src/base/jalali.c), valid for 1178-3177 AP. Times are shown
// in Tehran time, which has been UTC+03:30 all year since 1401 (daylight saving ended).
import { fa } from './text';

const TEHRAN_OFFSET_MIN = 210;

function div(a: number, b: number) {
  return Math.floor(a / b);
}

/** Gregorian y/m/d (m 1-12) to Jalali [jy, jm, jd]. */
export function toJalali(gy: number, gm: number, gd: number): [number, number, number] {
  const gdm = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
  const gy2 = gm > 2 ? gy + 1 : gy;
  let days =
    355666 + 365 * gy + div(gy2 + 3, 4) - div(gy2 + 99, 100) + div(gy2 + 399, 400) + gd + gdm[gm - 1];
  let jy = -1595 + 33 * div(days, 12053);
  days %= 12053;
  jy += 4 * div(days, 1461);
  days %= 1461;
  if (days > 365) {
    jy += div(days - 1, 365);
    days = (days - 1) % 365;
  }
  const jm = days < 186 ? 1 + div(days, 31) : 7 + div(days - 186, 30);
  const jd = 1 + (days < 186 ? days % 31 : (days - 186) % 30);
  return [jy, jm, jd];
}

/** Jalali jy/jm/jd to Gregorian [gy, gm, gd]. */
export function toGregorian(jy: number, jm: number, jd: number): [number, number, number] {
  jy += 1595;
  let days = -355668 + 365 * jy + div(jy, 33) * 8 + div((jy % 33) + 3, 4) + jd +
    (jm < 7 ? (jm - 1) * 31 : (jm - 7) * 30 + 186);
  let gy = 400 * div(days, 146097);
  days %= 146097;
  if (days > 36524) {
    gy += 100 * div(--days, 36524);
    days %= 36524;
    if (days >= 365) days++;
  }
  gy += 4 * div(days, 1461);
  days %= 1461;
  if (days > 365) {
    gy += div(days - 1, 365);
    days = (days - 1) % 365;
  }
  let gd = days + 1;
  const leap = (gy % 4 === 0 && gy % 100 !== 0) || gy % 400 === 0;
  const sal = [0, 31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  let gm = 0;
  for (gm = 1; gm <= 12 && gd > sal[gm]; gm++) gd -= sal[gm];
  return [gy, gm, gd];
}

export function isJalaliLeap(jy: number): boolean {
  // a year is leap when the next Nowruz is 366 days after this one
  const [a, b, c] = toGregorian(jy, 1, 1);
  const [d, e, f] = toGregorian(jy + 1, 1, 1);
  return (Date.UTC(d, e - 1, f) - Date.UTC(a, b - 1, c)) / 86400000 === 366;
}

export const MONTHS = ['فروردین', 'اردیبهشت', 'خرداد', 'تیر', 'مرداد', 'شهریور', 'مهر', 'آبان',
  'آذر', 'دی', 'بهمن', 'اسفند'];

const pad = (n: number) => String(n).padStart(2, '0');

function tehran(iso: string | Date): Date | null {
  const t = typeof iso === 'string' ? Date.parse(iso) : iso.getTime();
  if (Number.isNaN(t)) return null;
  return new Date(t + TEHRAN_OFFSET_MIN * 60000);
}

/** "1405/09/01" (ASCII) for an ISO time or a Date, in Tehran. */
export function jalaliDate(iso: string | Date): string {
  const d = tehran(iso);
  if (!d) return '';
  const [y, m, day] = toJalali(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
  return `${y}/${pad(m)}/${pad(day)}`;
}

/** "۱۴۰۵/۰۹/۰۱ ۱۵:۵۳" for people to read; '' for null. */
export function showTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = tehran(iso);
  if (!d) return '';
  return fa(`${jalaliDate(iso)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`);
}

/** "۱ آذر ۱۴۰۵" */
export function showDay(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = tehran(iso);
  if (!d) return '';
  const [y, m, day] = toJalali(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
  return fa(`${day} ${MONTHS[m - 1]} ${y}`);
}

/** Parses a typed Jalali date (any digits, / or - separators) to ISO "YYYY-MM-DD"
 *  (Gregorian), or null if it is not a real Jalali date. */
export function parseJalali(raw: string): string | null {
  const m = raw.match(/^\s*([0-9]{4})[/-]([0-9]{1,2})[/-]([0-9]{1,2})\s*$/);
  if (!m) return null;
  const [jy, jm, jd] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (jy < 1300 || jy > 1500 || jm < 1 || jm > 12 || jd < 1) return null;
  const len = jm <= 6 ? 31 : jm <= 11 ? 30 : isJalaliLeap(jy) ? 30 : 29;
  if (jd > len) return null;
  const [gy, gm, gd] = toGregorian(jy, jm, jd);
  return `${gy}-${pad(gm)}-${pad(gd)}`;
}

/** "in 3 hours" / "2 days ago" in Persian, relative to now. */
export function relative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const diff = t - now;
  const a = Math.abs(diff) / 60000;
  const [n, unit] = a < 60 ? [Math.round(a), 'دقیقه'] : a < 1440 ? [Math.round(a / 60), 'ساعت']
    : [Math.round(a / 1440), 'روز'];
  return fa(`${n} ${unit} ${diff >= 0 ? 'دیگر' : 'پیش'}`);
}
