// Canned answers: a department's ready texts (GET /api/v1/canned), inserted into the case
// view's reply, answer and note fields. Their placeholders are filled here from the case
// at hand; the server refuses any placeholder but these four when a text is written, and
// one this code cannot fill (a case with no due date) is left as typed for the user to see.
import { showDay } from './jalali';
import { fa } from './text';

export interface Canned {
  id: number;
  department: string | null;
  department_name: string | null;
  title: string;
  body: string;
  updated: string;
}

/** What a canned answer's placeholders are filled from. */
export interface CannedCase {
  person_name: string;
  number: string;
  resolution_due: string | null;
}

// a left-to-right run inside Persian text, isolated so that «۱۴۰۵-۰۰۰۰۱۲۳» is not reversed
const ltr = (s: string) => `\u2066${s}\u2069`;

/** The body with {name}, {number}, {today} and {due} filled from the case (Persian digits,
 *  Jalali dates in Tehran); any other brace, or a value the case lacks, left as typed. */
export function expandCanned(body: string, c: CannedCase, now: Date = new Date()): string {
  const values: Record<string, string> = {
    name: c.person_name || '',
    number: c.number ? ltr(fa(c.number)) : '',
    today: showDay(now.toISOString()),
    due: c.resolution_due ? showDay(c.resolution_due) : '',
  };
  return body.replace(/\{([^{}\s]{1,32})\}/g, (all, key: string) => values[key] || all);
}

/** Inserts text into a field's value at the selection [start, end): the new value and
 *  where the cursor goes (after the text). */
export function insertAt(value: string, start: number, end: number, text: string): { value: string; cursor: number } {
  const a = Math.max(0, Math.min(start, value.length));
  const b = Math.max(a, Math.min(end, value.length));
  return { value: value.slice(0, a) + text + value.slice(b), cursor: a + text.length };
}

/** The answers whose title or body holds every word typed (any digits, any spacing). */
export function filterCanned(items: Canned[], query: string): Canned[] {
  const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean);
  return items.filter((i) => {
    const hay = `${i.title} ${i.body}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}
