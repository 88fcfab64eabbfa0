// A request service's form (GET /api/v1/services: each field's type, label, whether it is
// required, its length or largest value), checked as the person types, the same way the
// server checks it again (src/services/services.c): a Persian message under the field, or
// the value as the server keeps it.
import { normalize, validNationalId } from './text';
import { isJalaliLeap } from './jalali';

export interface ServiceOption {
  value: string;
  label: string;
}
export interface ServiceField {
  name: string;
  label: string;
  type: 'text' | 'number' | 'amount' | 'month' | 'date' | 'national_id' | 'sheba' | 'mobile' | 'workshop' | 'choice' | 'attachment';
  required: boolean;
  max_length?: number;
  max?: number;
  options?: ServiceOption[];
}
export interface Service {
  code: string;
  title: string;
  description: string;
  audience: 'insured' | 'pensioner' | 'employer';
  kind: 'instant' | 'request';
  topic: string;
  path?: string;
  department?: string;
  department_name?: string;
  fields?: ServiceField[];
}

/** Persian digits for a number in a message. */
const faNum = (n: number | string) => String(n).replace(/[0-9]/g, (d) => String.fromCharCode(0x06f0 + Number(d)));

/** Spaces and dashes people type inside ids and numbers, dropped. */
const squeeze = (s: string) => normalize(s).replace(/[\s-]/g, '');

/** ISO 13616's check of an Iranian Sheba: IR and 24 digits, mod 97 of the rearranged number is 1. */
export function validSheba(s: string): boolean {
  if (!/^IR[0-9]{24}$/.test(s)) return false;
  const moved = s.slice(4) + '1827' + s.slice(2, 4); // I = 18, R = 27
  let rem = 0;
  for (const c of moved) rem = (rem * 10 + Number(c)) % 97;
  return rem === 1;
}

/** One field's check: {value} as the server keeps it, or {error} in Persian. An empty
 *  value is {value: ''} (the form decides whether it is required). */
export function checkField(f: ServiceField, raw: string): { value?: string; error?: string } {
  const typed = normalize(raw);
  if (!typed) return { value: '' };
  const bad = (msg: string) => ({ error: msg.replace('%s', `«${f.label}»`) });
  switch (f.type) {
    case 'text': {
      // people's words as typed, only trimmed (the server keeps them so)
      const t = raw.trim();
      return [...t].length > (f.max_length ?? 1000)
        ? bad(`%s بیش از ${faNum(f.max_length ?? 1000)} نویسه است`) : { value: t };
    }
    case 'number':
    case 'amount': {
      if (typed.includes('-')) return bad(f.type === 'amount' ? '%s باید مبلغی به ریال باشد' : '%s باید عدد باشد');
      const d = squeeze(typed).replace(/[,٬]/g, '');
      if (!/^[0-9]{1,18}$/.test(d)) return bad(f.type === 'amount' ? '%s باید مبلغی به ریال باشد' : '%s باید عدد باشد');
      const n = Number(d);
      if (n > (f.max ?? Number.MAX_SAFE_INTEGER) || (f.type === 'number' && n < 1))
        return bad(`%s باید از ۱ تا ${faNum(f.max ?? 0)} باشد`);
      return { value: String(n) };
    }
    case 'month': {
      const m = squeeze(typed).match(/^([0-9]{4})\/([0-9]{1,2})$/);
      if (!m || Number(m[1]) < 1300 || Number(m[1]) > 1500 || Number(m[2]) < 1 || Number(m[2]) > 12)
        return bad('%s ماهی مانند ۱۴۰۳/۰۷ است');
      return { value: `${m[1]}/${m[2].padStart(2, '0')}` };
    }
    case 'date': {
      const m = squeeze(typed).match(/^([0-9]{4})([/-]?)([0-9]{1,2})\2([0-9]{1,2})$/);
      if (m) {
        const [y, mo, d] = [Number(m[1]), Number(m[3]), Number(m[4])];
        const len = mo <= 6 ? 31 : mo <= 11 ? 30 : isJalaliLeap(y) ? 30 : 29;
        if (y >= 1300 && y <= 1500 && mo >= 1 && mo <= 12 && d >= 1 && d <= len)
          return { value: `${m[1]}/${String(mo).padStart(2, '0')}/${String(d).padStart(2, '0')}` };
      }
      return bad('%s تاریخی مانند ۱۴۰۳/۰۷/۱۵ است');
    }
    case 'national_id': {
      const d = squeeze(typed);
      return validNationalId(d) ? { value: d } : bad('%s کد ملی درستی نیست (۱۰ رقم با رقم کنترل)');
    }
    case 'sheba': {
      let s = squeeze(typed).toUpperCase();
      if (/^[0-9]/.test(s)) s = `IR${s}`;
      return validSheba(s) ? { value: s } : bad('%s شماره شبای درستی نیست: IR و ۲۴ رقم که رقم کنترلش بخواند');
    }
    case 'mobile': {
      const s = squeeze(typed).replace(/[()]/g, '').replace(/^(\+98|0098|98)(?=9[0-9]{9}$)/, '0').replace(/^(?=9[0-9]{9}$)/, '0');
      return /^09[0-9]{9}$/.test(s) ? { value: s } : bad('%s شماره همراهی مانند ۰۹۱۲۱۲۳۴۵۶۷ است');
    }
    case 'workshop': {
      const d = squeeze(typed);
      return /^[0-9]{10}$/.test(d) ? { value: d } : bad('%s کد کارگاهی ۱۰ رقمی است');
    }
    case 'choice':
      return f.options?.some((o) => o.value === typed) ? { value: typed } : bad('%s یکی از گزینه‌ها نیست');
    default:
      return { value: '' };
  }
}

/** The whole form: the body to send (only fields with a value; no attachment) and each
 *  field's error, required ones included. */
export function checkForm(fields: ServiceField[], typed: Record<string, string>):
  { body: Record<string, string>; errors: Record<string, string> } {
  const body: Record<string, string> = {};
  const errors: Record<string, string> = {};
  for (const f of fields) {
    if (f.type === 'attachment') continue;
    const r = checkField(f, typed[f.name] ?? '');
    if (r.error) errors[f.name] = r.error;
    else if (r.value) body[f.name] = r.value;
    else if (f.required) errors[f.name] = `«${f.label}» را وارد کنید`;
  }
  return { body, errors };
}
