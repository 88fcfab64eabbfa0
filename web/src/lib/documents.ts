// Papers anyone can verify (GET /api/v1/me/documents/{kind}, /api/v1/verify/{code}): the
// code as people type it, the pay slip's month, and the words the paper uses.
import { normalize } from './text';

/** Crockford's base32, as the server draws codes (documents/code.c). */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A verification code as typed (any digits, any case, spaces and dashes, O for 0, I or L
 * for 1) in its groups, "7K2M-9QXD-4R8T-B3VN"; null when it cannot be one. */
export function readCode(raw: string): string | null {
  let out = '';
  for (let c of normalize(raw).toUpperCase()) {
    if (c === ' ' || c === '-') continue;
    if (c === 'O') c = '0';
    else if (c === 'I' || c === 'L') c = '1';
    if (!ALPHABET.includes(c) || out.length === 16) return null;
    out += c;
  }
  return out.length === 16 ? out.match(/.{4}/g)!.join('-') : null;
}

/** The pay slip's month as typed ("۱۴۰۵/۸", "1405-08") as the API takes it, "1405/08";
 * '' for none, null when it is not a month. */
export function readMonth(raw: string): string | null {
  const s = normalize(raw);
  if (!s) return '';
  const m = s.match(/^(\d{4})[/-](\d{1,2})$/);
  if (!m) return null;
  const y = Number(m[1]), mo = Number(m[2]);
  if (y < 1300 || y > 1500 || mo < 1 || mo > 12) return null;
  return `${m[1]}/${String(mo).padStart(2, '0')}`;
}

export const KIND_TITLE: Record<string, string> = {
  payslip: 'فیش حقوقی مستمری',
  history: 'گواهی سوابق بیمه',
  salary: 'گواهی حقوق مستمری',
  clearance: 'مفاصاحساب بدهی کارفرما',
};

export const PENSION_TYPE: Record<string, string> = {
  old_age: 'بازنشستگی',
  disability: 'از کارافتادگی',
  survivors: 'بازماندگان',
};
