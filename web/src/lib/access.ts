// The access log in words: one row per staff member per contact (GET /me/access-log and
// GET /audit with group=contact), the actions' codes said as a person would.
import { showTime } from './jalali';
import { ROLE, label } from './labels';
import { fa } from './text';

export interface Contact {
  user: string | null;
  user_name: string | null;
  role: string;
  department: string | null;
  outcome: string;
  count: number;
  first_at: string;
  last_at: string;
  actions: string[];
  cases: string[];
  reasons: string[];
  national_id?: string | null;
}

/** What each action did, said to the person whose record it was. */
const DID: Record<string, (cases: string) => string> = {
  person_read: () => 'مشخصات شما را دید',
  call_read: () => 'هنگام تماس شما کارت شما را دید',
  case_list: () => 'فهرست پرونده‌های شما را دید',
  case_read: (c) => (c ? `پرونده ${c} را دید` : 'پرونده شما را دید'),
  case_create: (c) => (c ? `پرونده ${c} را برای شما ثبت کرد` : 'برای شما پرونده ثبت کرد'),
  case_event: (c) => (c ? `روی پرونده ${c} اقدام کرد` : 'روی پرونده شما اقدام کرد'),
  record_read: () => 'سوابق بیمه شما را دید',
  workshop_read: () => 'کارگاه شما را دید',
  // papers (documents): a citizen's own, and anyone's verification of one
  document_issue: () => 'فیش یا گواهی گرفتید',
  document_verify: () => 'اصالت فیش یا گواهی شما را استعلام کرد',
};

/** Logging in as the person by a one-time code (otp/): asked for, or refused. */
const OTP: Record<string, [string, string]> = {
  otp_start: ['برای ورود به حساب شما رمز یکبار مصرف خواست و رمز به شماره همراه شما پیامک شد',
    'برای ورود به حساب شما رمز یکبار مصرف خواست و پذیرفته نشد'],
  otp_verify: ['با رمز یکبار مصرف وارد حساب شما شد', 'کوشید با رمز یکبار مصرف وارد حساب شما شود و پذیرفته نشد'],
};

/** Left-to-right runs (case numbers) isolated inside Persian text. */
const ltr = (s: string) => `\u2066${fa(s)}\u2069`;

/** Who: the role and the name, or "another citizen" (not named to you). */
export function contactWho(g: Contact): string {
  // a citizen's papers are issued to themselves alone (GET /me/documents)
  if (g.role === 'citizen' && g.actions.length && g.actions.every((a) => a === 'document_issue')) return 'شما';
  if (g.role === 'citizen') return 'یک شهروند دیگر';
  // before logging in: a one-time code's attempts; without a login: a verification of a
  // paper (GET /verify/{code}); no one is named
  if (g.role === 'none')
    return g.actions.some((a) => a.startsWith('otp_')) ? 'کسی پیش از ورود به سامانه' : 'کسی بدون ورود به سامانه';
  const name = g.user_name || g.user || '';
  return `${label(ROLE, g.role)} ${name.match(/[A-Za-z]/) ? `\u2066${name}\u2069` : name}`.trim(); // a login keeps its digits
}

/** When: a call to 1420 when the contact began by identifying the caller. */
export function contactWhen(g: Contact): string {
  const during = g.actions.includes('person_read') || g.reasons.includes('caller lookup') ? 'هنگام تماس شما' : 'در';
  const first = showTime(g.first_at), last = showTime(g.last_at);
  return first === last ? `${during} ${first}` : `${during} ${first} تا ${last}`;
}

/** What was done, in words, the actions in the order of the codes. */
export function contactDid(g: Contact): string {
  if (g.actions.length && g.actions.every((a) => OTP[a]))
    return g.actions.map((a) => OTP[a][g.outcome === 'denied' ? 1 : 0]).join(' و ');
  const cases = g.cases.map(ltr).join('، ');
  const parts = g.actions.map((a) => (DID[a] ? DID[a](cases) : `کار «${a}» را انجام داد`));
  const said = parts.length > 1 ? `${parts.slice(0, -1).join('، ')} و ${parts[parts.length - 1]}` : parts[0] ?? '';
  return g.outcome === 'denied' ? `خواست ${said.replace(/ را دید$/, ' را ببیند')} و اجازه نیافت` : said;
}

/** The whole sentence: «کارشناس ۱۴۲۰ مریم احمدی هنگام تماس شما … پرونده … را دید (۵ بار)». */
export function contactSentence(g: Contact): string {
  return `${contactWho(g)} ${contactWhen(g)} ${contactDid(g)}${g.count > 1 ? ` (${fa(g.count)} بار)` : ''}.`;
}
