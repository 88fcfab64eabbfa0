// The one-time code's login: what the person typed, checked before it is sent (the server
// checks again), and the countdown shown beside the code field.
import { fa, normalize } from './text';

/** A mobile as the API wants it (09xxxxxxxxx) from what was typed (any digit set, spaces,
 *  dashes, +98 or 0098), or '' when it is not an Iranian mobile. */
export function mobileOf(raw: string): string {
  const s = normalize(raw).replace(/[\s\-()]/g, '').replace(/^(\+98|0098|98)(?=9[0-9]{9}$)/, '0');
  if (/^9[0-9]{9}$/.test(s)) return `0${s}`;
  return /^09[0-9]{9}$/.test(s) ? s : '';
}

/** The code's 6 ASCII digits from what was typed or pasted (any digit set, spaces), or ''. */
export function codeOf(raw: string): string {
  const s = normalize(raw).replace(/\s/g, '');
  return /^[0-9]{6}$/.test(s) ? s : '';
}

/** Seconds left as m:ss in Persian digits (۱:۰۵), never below ۰:۰۰. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  return fa(`${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`);
}
