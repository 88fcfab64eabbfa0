// The monthly list sent from the browser (POST /api/v1/lists with {"dbf":{"kar","wor"}}):
// the two dBase files as base64, refused here only where the server would refuse them too,
// and the server's answer in Persian: the stored list, or every problem by file, row and column.
import { ApiError, errorText } from './errors';
import { fa } from './text';

/** The route's body limit (docs/openapi.yaml: up to 8 MiB). */
export const MAX_BODY = 8 << 20;

/** Base64 of bytes. btoa takes a string of bytes, and String.fromCharCode takes a bounded
 *  number of arguments, so the bytes go in chunks of a multiple of 3 (no padding inside). */
export function base64(bytes: Uint8Array): string {
  const CHUNK = 3 << 13;
  let out = '';
  for (let i = 0; i < bytes.length; i += CHUNK)
    out += btoa(String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK) as unknown as number[]));
  return out;
}

/** The length of the JSON body that carries files of these sizes as base64. */
export const bodySize = (kar: number, wor: number) =>
  '{"dbf":{"kar":"","wor":""}}'.length + 4 * Math.ceil(kar / 3) + 4 * Math.ceil(wor / 3);

export type Slot = 'kar' | 'wor';
/** The field the API names for each file. */
export const FIELD: Record<Slot, string> = { kar: 'dbf.kar', wor: 'dbf.wor' };

/** An error found before sending: a code of PROBLEM below, under the field of one file
 *  (or of both: 'dbf'). */
export const refuse = (code: string, field: string) => new ApiError(0, code, '', field);

/** Checks one file's bytes as far as the server's dBase reader would refuse them anyway
 *  (shorter than a header and one field, or a header length outside the file): the code
 *  of the problem, or ''. It lets the page say which of the two files is wrong. */
export function dbfProblem(b: Uint8Array): string {
  if (!b.length) return 'file_empty';
  if (b.length < 65) return 'not_dbf';
  const headerLen = b[8] | (b[9] << 8);
  return headerLen < 65 || headerLen > b.length ? 'not_dbf' : '';
}

const PROBLEM: Record<string, string> = {
  file_missing: 'فایل را انتخاب کنید.',
  file_empty: 'این فایل خالی است.',
  not_dbf: 'این فایل dBase نیست؛ فایل DBF را همان‌گونه که نرم‌افزار لیست بیمه ساخته است انتخاب کنید.',
  file_unreadable: 'فایل خوانده نشد؛ اگر پس از انتخاب آن را تغییر داده‌اید، دوباره انتخابش کنید.',
  too_large: 'دو فایل روی هم از اندازهٔ مجاز یک ارسال (۸ مگابایت پس از کدگذاری، نزدیک ۶ مگابایت فایل) بزرگ‌ترند.',
  dbf_invalid: 'یکی از دو فایل dBase درستی نیست؛ DSKKAR00.DBF و DSKWOR00.DBF را همان‌گونه که نرم‌افزار لیست بیمه ساخته است بفرستید.',
  invalid_field: 'این فایل خوانده نشد؛ دوباره انتخابش کنید.',
};

/** Where to show an error of the upload and what it says: under one file's field
 *  ('dbf.kar', 'dbf.wor'), or under the form (any other field). */
export function uploadError(e: unknown): { field: string; text: string } {
  if (!(e instanceof ApiError)) return { field: '', text: errorText(e) };
  if (e.status === 413 || e.code === 'body_too_large') return { field: 'dbf', text: PROBLEM.too_large };
  const mine = PROBLEM[e.code];
  if (mine && (e.status === 0 || e.field.startsWith('dbf'))) return { field: e.field, text: mine };
  return { field: e.field, text: errorText(e) };
}

// ---- the answer ----

export interface StoredList {
  id: number;
  supersedes: number | null;
  workshop: string;
  year: number;
  month: number;
  list_no: string;
  rows: number;
  encoding: string;
  totals: {
    workers: number;
    insurable: number;
    worker_share: number;
    employer_share: number;
    unemployment: number;
    hard_job_share: number;
  };
}

export interface Problem {
  file: string;
  row: number;
  field: string;
  code: string;
  message: string;
  message_en: string;
}

/** The encodings the server reports, by their Persian names. */
export const ENCODING: Record<string, string> = {
  'windows-1256': 'ویندوز ۱۲۵۶ (Windows-1256)',
  'iran-system': 'ایران سیستم (Iran System)',
  'utf-8': 'یونی‌کد (UTF-8)',
};

export const FILE_LABEL: Record<string, string> = {
  DSKKAR00: 'فایل کارگاه',
  DSKWOR00: 'فایل بیمه‌شدگان',
};

/** The official template's columns by the names the employer's list software shows. */
const COLUMN: Record<string, string> = {
  DSK_ID: 'کد کارگاه', DSK_NAME: 'نام کارگاه', DSK_FARM: 'نام کارفرما', DSK_ADRS: 'نشانی کارگاه',
  DSK_KIND: 'نوع فهرست', DSK_YY: 'سال', DSK_MM: 'ماه', DSK_LISTNO: 'شماره فهرست', DSK_DISC: 'شرح فهرست',
  DSK_NUM: 'تعداد بیمه‌شدگان', DSK_TDD: 'جمع روزهای کارکرد', DSK_TROOZ: 'جمع دستمزد روزانه',
  DSK_TMAH: 'جمع دستمزد ماهانه', DSK_TMAZ: 'جمع مزایای مشمول', DSK_TMASH: 'جمع دستمزد و مزایای مشمول',
  DSK_TTOTL: 'جمع کل دستمزد و مزایا', DSK_TBIME: 'جمع سهم بیمه‌شده', DSK_TKOSO: 'جمع سهم کارفرما',
  DSK_BIC: 'جمع بیمه بیکاری', DSK_RATE: 'نرخ حق بیمه', DSK_PRATE: 'نرخ پورسانتاژ',
  DSK_BIMH: 'حق بیمه مشاغل سخت و زیان‌آور', MON_PYM: 'ردیف پیمان',
  DSW_ID: 'کد کارگاه', DSW_YY: 'سال', DSW_MM: 'ماه', DSW_LISTNO: 'شماره فهرست', DSW_ID1: 'شماره بیمه',
  DSW_FNAME: 'نام', DSW_LNAME: 'نام خانوادگی', DSW_DNAME: 'نام پدر', DSW_IDNO: 'شماره شناسنامه',
  DSW_IDPLC: 'محل صدور', DSW_IDATE: 'تاریخ صدور', DSW_BDATE: 'تاریخ تولد', DSW_SEX: 'جنسیت',
  DSW_NAT: 'ملیت', DSW_OCP: 'شغل', DSW_SDATE: 'تاریخ شروع کار', DSW_EDATE: 'تاریخ ترک کار',
  DSW_DD: 'روزهای کارکرد', DSW_ROOZ: 'دستمزد روزانه', DSW_MAH: 'دستمزد ماهانه', DSW_MAZ: 'مزایای مشمول',
  DSW_MASH: 'دستمزد و مزایای مشمول', DSW_TOTL: 'جمع کل دستمزد و مزایا', DSW_BIME: 'سهم بیمه‌شده',
  DSW_PRATE: 'نرخ پورسانتاژ', DSW_JOB: 'کد شغل', PER_NATCOD: 'کد ملی',
};

/** A file's size as people read it: bytes, kilobytes or megabytes, in Persian digits. */
export function fileSize(n: number): string {
  if (n < 1024) return `${fa(n)} بایت`;
  const [v, unit] = n < 1 << 20 ? [n / 1024, 'کیلوبایت'] : [n / (1 << 20), 'مگابایت'];
  return `${fa(v.toFixed(1).replace(/\.0$/, '')).replace('.', '٫')} ${unit}`;
}

/** The server's Persian message with Persian digits, but for those inside a Latin name
 *  (DSKKAR00, a column's code). */
export const faMessage = (s: string) => s.replace(/[A-Za-z_]\w*|[0-9]+/g, (m) => (m[0] <= '9' ? fa(m) : m));

/** One line of the problem table, as people read it. Row 0 is the file as a whole
 *  (a missing column, DSKKAR00 without its one row). */
export function problemRow(p: Problem): { file: string; row: string; column: string; code: string; message: string } {
  return {
    file: FILE_LABEL[p.file] || p.file || '—',
    row: p.row > 0 ? fa(p.row) : 'کل فایل',
    column: COLUMN[p.field] || '',
    code: p.field,
    message: p.message ? faMessage(p.message) : p.message_en,
  };
}

/** How many problems the server found: it lists up to 10,000 and counts the rest in its
 *  message ("the list is refused whole: N problem(s)"). */
export function problemCount(errors: Problem[], message: string): number {
  const m = /(\d+) problem/.exec(message);
  return Math.max(errors.length, m ? Number(m[1]) : 0);
}
