// The supervisor's figures and the case list behind each: a click on a figure opens the
// work queue with exactly the filters the server counted it with (docs/openapi.yaml,
// GET /stats/cases).
import { fa } from './text';

export interface Counts {
  open: number;
  overdue: number;
  waiting: number;
  reopened: number;
}

function query(params: Record<string, string | undefined>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) u.set(k, v);
  return u.toString();
}

/** The list query behind a figure: which cases a click on it shows. */
export function figureQuery(kind: keyof Counts, scope: { department?: string; topic?: string }): string {
  const f: Record<string, string | undefined> = { ...scope, sort: 'due' };
  if (kind === 'open') f.open = '1';
  if (kind === 'overdue') Object.assign(f, { open: '1', overdue: '1' });
  if (kind === 'waiting') f.status = 'waiting';
  if (kind === 'reopened') Object.assign(f, { open: '1', reopened: '1' });
  return `/queue?${query(f)}`;
}


/** The list query behind an outcome figure (docs/openapi.yaml, GET /stats/cases). */
export function outcomeQuery(kind: 'closed' | 'solved' | 'solved_in_time' | 'first_contact' | 'ever_reopened' | 'unreached' | 'repeat_7d',
  scope: { department?: string; topic?: string; handler?: string }): string {
  const f: Record<string, string | undefined> = { ...scope };
  if (kind === 'closed') f.status = 'closed';
  if (kind === 'solved') f.solved = '1';
  if (kind === 'solved_in_time') f.in_time = '1';
  if (kind === 'first_contact') f.first_contact = '1';
  if (kind === 'unreached') f.unreached = '1';
  if (kind === 'repeat_7d') f.repeated = '1';
  if (kind === 'ever_reopened') f.reopened = '1';
  return `/queue?${query(f)}`;
}

/** The chart's day labels from Jalali days (1405/09/01): month and day, with the year on
 * every label when the range crosses a Jalali year, so that no day is read in the wrong
 * one; in Persian digits. */
export function dayLabels(jalali: string[]): string[] {
  const years = new Set(jalali.map((d) => d.slice(0, 4)));
  return jalali.map((d) => fa(years.size > 1 ? d : d.slice(5)));
}

/** A share 0..1 as a Persian percentage («۸۷٫۵٪»), or a dash when there is none. */
export function percent(v: number | null | undefined): string {
  if (v === null || v === undefined) return '—';
  const p = Math.round(v * 1000) / 10;
  return `${fa(String(p).replace('.', '٫'))}٪`;
}

/** A number with up to one decimal in Persian digits («۴٫۲»). */
export function decimal(v: number | null | undefined): string {
  if (v === null || v === undefined) return '—';
  return fa(String(Math.round(v * 10) / 10).replace('.', '٫'));
}

const MONTH_NAMES = ['فروردین', 'اردیبهشت', 'خرداد', 'تیر', 'مرداد', 'شهریور', 'مهر', 'آبان', 'آذر', 'دی', 'بهمن', 'اسفند'];

/** A Jalali month as the API writes it ("1405-09") in words: «آذر ۱۴۰۵». */
export function monthLabel(m: string): string {
  const [y, mm] = m.split('-').map(Number);
  if (!y || !mm || mm < 1 || mm > 12) return fa(m);
  return `${MONTH_NAMES[mm - 1]} ${fa(y)}`;
}

/** A count of the public figures: Persian digits, or «*» when it is withheld (a small
 * group, docs/GUIDE.md#public-figures). */
export function publicCount(v: number | null | undefined): string {
  return v === null || v === undefined ? '*' : fa(v);
}
