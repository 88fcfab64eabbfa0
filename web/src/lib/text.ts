// What people type may use Persian (۰-۹), Arabic-Indic (٠-٩) or ASCII digits and the Arabic
// letters ي/ك/ى/ة; the API wants ASCII digits and Persian letters (the server normalises too,
// but a lookup decides its kind from the digits before it asks). What people read shows
// Persian digits; identifiers people type (logins, codes) are shown as typed.
//
// A run that reads left to right (a case number, a login, a code, a signed amount) is
// isolated wherever it stands in Persian text: without it the bidi algorithm lays
// «1405-0003578» out as «۰۰۰۳۵۷۸-۱۴۰۵», and a login beside Persian words swaps places with
// them. In JSX the run is <bdi dir="ltr"> (ltr, num, ident); in a plain string (a title,
// a confirm, a sentence joined in code) it is wrapped in the isolates LRI ... PDI (ltrText).
import { h, type ComponentChildren, type VNode } from 'preact';

const FA0 = 0x06f0;
const AR0 = 0x0660;

/** Digits of any set to ASCII; Arabic letter variants to Persian; zero-width and
 *  surrounding spaces trimmed. */
export function normalize(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c >= FA0 && c <= FA0 + 9) out += String.fromCharCode(48 + c - FA0);
    else if (c >= AR0 && c <= AR0 + 9) out += String.fromCharCode(48 + c - AR0);
    else if (ch === 'ي' || ch === 'ى') out += 'ی';
    else if (ch === 'ك') out += 'ک';
    else if (ch === 'ة') out += 'ه';
    else if (c === 0x200f || c === 0x200e || c === 0xfeff) continue;
    else out += ch;
  }
  return out.trim();
}

/** ASCII digits to Persian digits, for display. */
export function fa(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  return String(v).replace(/[0-9]/g, (d) => String.fromCharCode(FA0 + d.charCodeAt(0) - 48));
}

/** Iran's national id: 10 digits, the last a check digit. */
export function validNationalId(s: string): boolean {
  const id = normalize(s);
  if (!/^[0-9]{10}$/.test(id) || /^(\d)\1{9}$/.test(id)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(id[i]) * (10 - i);
  const r = sum % 11;
  const check = Number(id[9]);
  return r < 2 ? check === r : check === 11 - r;
}

export type LookupKind = 'national_id' | 'mobile' | 'number' | 'text';

/** What the agent's single search field was given: a national id (10 digits, which may
 *  start with 09), a mobile number (09xxxxxxxxx, 9xxxxxxxxx, +989..., 989...), a case number
 *  (1405-0001234 or 14050001234), or text. */
export function lookupKind(raw: string): { kind: LookupKind; value: string } {
  const s = normalize(raw).replace(/[\s]/g, '');
  if (/^[0-9]{10}$/.test(s)) {
    // ten digits are a national id, unless they fail its check and read as a mobile
    // without its leading 0
    if (!validNationalId(s) && s.startsWith('9')) return { kind: 'mobile', value: `0${s}` };
    return { kind: 'national_id', value: s };
  }
  const m = s.replace(/^(\+98|0098|98)(?=9[0-9]{9}$)/, '0');
  if (/^09[0-9]{9}$/.test(m)) return { kind: 'mobile', value: m };
  const n = s.match(/^(1[34][0-9]{2})[-/]?([0-9]{1,7})$/);
  if (n) return { kind: 'number', value: `${n[1]}-${n[2].padStart(7, '0')}` };
  return { kind: 'text', value: normalize(raw) };
}

/** Rials with thousands separators, in Persian digits. */
export const rials = (n: number) => fa(n.toLocaleString('en-US').replace(/,/g, '٬'));

/** Rials with thousands separators and a sign when negative, in Persian digits; isolated
 *  so that the sign stays before the number. */
export const signedRials = (n: number) =>
  n < 0 ? ltrText(`\u2212${rials(-n)}`) : rials(n);

const LRI = '\u2066';
const PDI = '\u2069';

/** A left-to-right run isolated for a plain string: LRI s PDI ('' stays ''). */
export function ltrText(s: string | number | null | undefined): string {
  if (s === null || s === undefined || s === '') return '';
  return `${LRI}${s}${PDI}`;
}

/** A left-to-right run isolated in JSX: <bdi dir="ltr">. */
export function ltr(children: ComponentChildren, cls?: string): VNode {
  return h('bdi', { dir: 'ltr', class: cls }, children);
}

/** A number people read (a case number, a national id, a phone, a year-month), in
 *  Persian digits, isolated: «۱۴۰۵-۰۰۰۳۵۷۸» in that order. */
export const num = (v: string | number | null | undefined) => ltr(fa(v), 'ltr-num');

/** An identifier as it was typed (a login, a workshop code, a topic code): Latin digits,
 *  isolated. */
export const ident = (v: string | null | undefined) => ltr(v ?? '', 'ltr-ident');

/** A call queue's name as queue_log writes it: a number (1420) in Persian digits, a word
 *  (pensions) as it is; isolated either way. */
export const queueName = (q: string | null | undefined) => (/^[0-9]+$/.test(q ?? '') ? num(q) : ident(q));

/** A decimal in Persian digits with the Persian decimal separator (U+066B), trailing zeros
 *  dropped: 1.5 → «۱٫۵», "1.500" → «۱٫۵», 2 → «۲». */
export function decimal(v: number | string): string {
  const [i, f = ''] = String(v).split('.');
  const frac = f.replace(/0+$/, '');
  return fa(frac ? `${i}\u066b${frac}` : i);
}

/** A sentence the server wrote with ASCII digits (a rule's step) as people read it: digits
 *  Persian, a decimal point between digits «٫» with its trailing zeros dropped
 *  («1.500» → «۱٫۵»), a percent sign «٪». Dates (1405/09/01) and times keep their
 *  separators. */
export function faText(s: string | null | undefined): string {
  if (!s) return '';
  return fa(
    s.replace(/(\d+)\.(\d+)/g, (_m, i: string, f: string) => {
      const frac = f.replace(/0+$/, '');
      return frac ? `${i}\u066b${frac}` : i;
    }).replace(/(\d)%/g, '$1\u066a'),
  );
}

/** A law reference in Persian alone: the rules' tables write «…، ماده ۷۶ (Social Security
 *  Law, Art. 76)», the English in parentheses for the API's English readers. */
export function lawRef(ref: string | null | undefined): string {
  if (!ref) return '';
  return faText(ref.replace(/\s*\([^()]*[A-Za-z][^()]*\)\s*$/, '').trim());
}
