// Writes a valid monthly list for the list-import figure of `make bench` (issue "Records and
// rules": list import of 1,000,000 worker rows against the sqlite3 shell's CSV .import):
//   DSKKAR00.DBF  the workshop's header row with the exact totals and the month's shares
//   DSKWOR00.DBF  N worker rows
//   rows.csv      the same N worker rows as CSV (UTF-8, no header line, DSKWOR00's columns
//                 in its order), the anchor's input
//   schema.sql    CREATE TABLE t(...) with DSKWOR00's columns (TEXT for C, INTEGER for N)
// The DBF pair is laid out as ListDisk v2.7's template (bench/README.md): dBase III, a
// 32-byte file header (language byte 0x7E, Windows-1256, at offset 29), 32-byte field
// descriptors, 0x0D, records that start with a space (live), and 0x1A at the end; text in
// Windows-1256 (ی as ي 0xED, ک as 0x98). The worker file keeps the template's widths. The
// header's totals do not fit the template's N5/N6/N12 once a list has a million workers,
// so those columns are widened to the digits they need (a reader takes the widths from the
// header; the template's width is kept whenever it suffices, as with N = 50).
//
// Every row passes tamin's checks: valid, distinct national ids (DOMAIN.md's check digit),
// distinct 8-digit insurance numbers, the month's days (all of them for 90% of workers),
// an insurable wage between days × the daily minimum and days × the ceiling in force on the
// month's first day (read from data/rules/wages.tsv and contributions.tsv), worker share =
// 7% of it rounded half up; the header's employer share 20% and unemployment 3% of the
// total, rate 23. The output is the same for the same arguments (a seeded generator).
//
//   node bench/gen_list.mjs [--rows N] [--out DIR] [--workshop CODE] [--year Y] [--month M]
//                           [--data DIR] [--seed S]
// Node 18 or later, no packages.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const opt = {
  rows: 1000000,
  out: path.join(ROOT, 'build', 'bench', 'list'),
  workshop: '1234567890',
  year: 1405,
  month: 7,
  data: path.join(ROOT, 'data'),
  seed: 1405,
};
for (let i = 2; i < process.argv.length; i += 2) {
  const k = process.argv[i].replace(/^--/, '');
  const v = process.argv[i + 1];
  if (!(k in opt) || v === undefined) {
    console.error(`gen_list: unknown or incomplete option ${process.argv[i]} (see the file's header)`);
    process.exit(2);
  }
  opt[k] = typeof opt[k] === 'number' ? Number(v) : v;
}
const N = opt.rows;
if (!Number.isInteger(N) || N < 1 || N > 99999999) throw new Error('--rows is 1 to 99,999,999');
if (!/^\d{10}$/.test(opt.workshop)) throw new Error('--workshop is 10 digits');
if (!(opt.month >= 1 && opt.month <= 12) || !(opt.year >= 1400 && opt.year <= 1479))
  throw new Error('--year 1400..1479, --month 1..12');

// ---- the rules of the month: the value in force is the last one started on or before it ----

function ruleValue(file, name, y, m) {
  const day = `${y}-${String(m).padStart(2, '0')}-01`;
  let best = null;
  for (const line of fs.readFileSync(path.join(opt.data, 'rules', file), 'utf8').split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const f = line.split('\t');
    if (f[0] === name && f[1] <= day && (!best || f[1] >= best.since)) best = { since: f[1], value: BigInt(f[3]) };
  }
  if (!best) throw new Error(`${file}: no ${name} in force on ${day}`);
  return best.value;
}
const MIN_DAILY = ruleValue('wages.tsv', 'wage.minimum.daily', opt.year, opt.month);
const CEIL_TIMES = ruleValue('contributions.tsv', 'contribution.ceiling.times', opt.year, opt.month);
const BP_INSURED = ruleValue('contributions.tsv', 'contribution.insured.bp', opt.year, opt.month);
const BP_EMPLOYER = ruleValue('contributions.tsv', 'contribution.employer.bp', opt.year, opt.month);
const BP_UNEMPLOYMENT = ruleValue('contributions.tsv', 'contribution.unemployment.bp', opt.year, opt.month);
const RATE = Number((BP_EMPLOYER + BP_UNEMPLOYMENT) / 100n); // DSK_RATE, 23
// amount × bp / 10000, to the nearest rial, halves up (rules_muldiv)
const share = (amount, bp) => (amount * bp + 5000n) / 10000n;
// Months 1-6 have 31 days, 7-11 30, Esfand 29 (30 in a leap year; 29 is always valid).
const MONTH_DAYS = opt.month <= 6 ? 31 : opt.month <= 11 ? 30 : 29;

// ---- Windows-1256: the bytes of the Persian letters used here ----

const CP1256 = {
  ا: 0xc7, آ: 0xc2, ب: 0xc8, پ: 0x81, ت: 0xca, ث: 0xcb, ج: 0xcc, چ: 0x8d, ح: 0xcd, خ: 0xce,
  د: 0xcf, ذ: 0xd0, ر: 0xd1, ز: 0xd2, ژ: 0x8e, س: 0xd3, ش: 0xd4, ص: 0xd5, ض: 0xd6, ط: 0xd8,
  ظ: 0xd9, ع: 0xda, غ: 0xdb, ف: 0xdd, ق: 0xde, ک: 0x98, گ: 0x90, ل: 0xe1, م: 0xe3, ن: 0xe4,
  و: 0xe6, ه: 0xe5, ی: 0xed, ئ: 0xc6, '\u200c': 0x9d, ' ': 0x20,
};
function cp1256(s) {
  const out = [];
  for (const ch of s) {
    if (ch < '\u0080') out.push(ch.charCodeAt(0));
    else if (ch in CP1256) out.push(CP1256[ch]);
    else throw new Error(`gen_list: no Windows-1256 byte for ${ch} in ${s}`);
  }
  return Buffer.from(out);
}

const MEN = ['علی', 'محمد', 'حسین', 'رضا', 'مهدی', 'امیر', 'حسن', 'سعید', 'مجید', 'جواد', 'کاظم',
  'بهروز', 'فرهاد', 'پرویز', 'داوود', 'یوسف', 'ابراهیم', 'اکبر', 'مرتضی', 'قاسم'];
const WOMEN = ['فاطمه', 'زهرا', 'مریم', 'زینب', 'معصومه', 'سمیه', 'نرگس', 'لیلا', 'شیرین', 'پروین',
  'مهسا', 'سارا', 'نگین', 'الهام', 'ژاله', 'طاهره', 'آزاده', 'گلناز', 'فرزانه', 'رقیه'];
const LAST = ['محمدی', 'حسینی', 'احمدی', 'رضایی', 'کریمی', 'موسوی', 'جعفری', 'صادقی', 'قاسمی',
  'رحیمی', 'کاظمی', 'نوری', 'طاهری', 'عباسی', 'یزدانی', 'شریفی', 'پورمحمد', 'گودرزی',
  'خسروی', 'زارع', 'عزیزی', 'بهرامی', 'فرهادی', 'اکبری', 'میرزایی', 'سلیمانی', 'چراغی',
  'ملک‌زاده', 'حیدری', 'نجفی'];
const PLACES = ['تهران', 'اصفهان', 'مشهد', 'شیراز', 'تبریز', 'کرمان', 'رشت', 'یزد'];
const JOBS = [['کارگر ساده', '931301'], ['جوشکار', '721201'], ['راننده', '832201'],
  ['نگهبان', '541401'], ['حسابدار', '331301'], ['تکنسین برق', '741101']];
const enc = (xs) => xs.map((s) => ({ s, b: cp1256(s) }));
const men = enc(MEN), women = enc(WOMEN), last = enc(LAST), places = enc(PLACES);
const jobs = JOBS.map(([t, c]) => ({ s: t, b: cp1256(t), code: c }));
const SEX = { m: { s: 'مرد', b: cp1256('مرد') }, f: { s: 'زن', b: cp1256('زن') } };
const IRANIAN = { s: 'ایرانی', b: cp1256('ایرانی') };

// ---- the two files' columns (list_file.c's writer spec: ListDisk v2.7's widths) ----

const WOR = [
  ['DSW_ID', 'C', 10], ['DSW_YY', 'N', 2], ['DSW_MM', 'N', 2], ['DSW_LISTNO', 'C', 12],
  ['DSW_ID1', 'C', 8], ['DSW_FNAME', 'C', 60], ['DSW_LNAME', 'C', 60], ['DSW_DNAME', 'C', 60],
  ['DSW_IDNO', 'C', 15], ['DSW_IDPLC', 'C', 30], ['DSW_IDATE', 'C', 8], ['DSW_BDATE', 'C', 8],
  ['DSW_SEX', 'C', 3], ['DSW_NAT', 'C', 10], ['DSW_OCP', 'C', 50], ['DSW_SDATE', 'C', 8],
  ['DSW_EDATE', 'C', 8], ['DSW_DD', 'N', 2], ['DSW_ROOZ', 'N', 12], ['DSW_MAH', 'N', 12],
  ['DSW_MAZ', 'N', 12], ['DSW_MASH', 'N', 12], ['DSW_TOTL', 'N', 12], ['DSW_BIME', 'N', 12],
  ['DSW_PRATE', 'N', 2], ['DSW_JOB', 'C', 6], ['PER_NATCOD', 'C', 10],
];
const KAR = [
  ['DSK_ID', 'C', 10], ['DSK_NAME', 'C', 30], ['DSK_FARM', 'C', 30], ['DSK_ADRS', 'C', 40],
  ['DSK_KIND', 'N', 1], ['DSK_YY', 'N', 2], ['DSK_MM', 'N', 2], ['DSK_LISTNO', 'C', 12],
  ['DSK_DISC', 'C', 30], ['DSK_NUM', 'N', 5], ['DSK_TDD', 'N', 6], ['DSK_TROOZ', 'N', 12],
  ['DSK_TMAH', 'N', 12], ['DSK_TMAZ', 'N', 12], ['DSK_TMASH', 'N', 12], ['DSK_TTOTL', 'N', 12],
  ['DSK_TBIME', 'N', 12], ['DSK_TKOSO', 'N', 12], ['DSK_BIC', 'N', 12], ['DSK_RATE', 'N', 5],
  ['DSK_PRATE', 'N', 2], ['DSK_BIMH', 'N', 12], ['MON_PYM', 'C', 3],
];

function layout(cols) {
  const at = {};
  let off = 1; // byte 0: the deletion flag
  for (const [name, type, width] of cols) {
    at[name] = { off, width, type };
    off += width;
  }
  return { cols, at, recordLen: off };
}

function dbfHeader(lay, nrecords) {
  const n = lay.cols.length;
  const h = Buffer.alloc(32 + 32 * n + 1);
  const now = new Date();
  h[0] = 0x03;
  h[1] = now.getUTCFullYear() - 1900;
  h[2] = now.getUTCMonth() + 1;
  h[3] = now.getUTCDate();
  h.writeUInt32LE(nrecords, 4);
  h.writeUInt16LE(h.length, 8);
  h.writeUInt16LE(lay.recordLen, 10);
  h[29] = 0x7e; // Windows-1256
  lay.cols.forEach(([name, type, width], i) => {
    const d = 32 + 32 * i;
    h.write(name, d, 'latin1');
    h[d + 11] = type.charCodeAt(0);
    h[d + 16] = width;
  });
  h[h.length - 1] = 0x0d;
  return h;
}

// Cells: rec is a record buffer filled with spaces; C left-aligned, N right-aligned.
function putText(rec, base, lay, name, bytes) {
  const f = lay.at[name];
  if (bytes.length > f.width) throw new Error(`${name}: ${bytes.length} bytes in ${f.width}`);
  bytes.copy(rec, base + f.off);
}
function putAscii(rec, base, lay, name, s) {
  const f = lay.at[name];
  s = String(s);
  if (s.length > f.width) throw new Error(`${name}: "${s}" in ${f.width}`);
  rec.write(s, base + f.off + (f.type === 'N' ? f.width - s.length : 0), 'latin1');
}

// ---- the rows ----

// mulberry32: small, seeded, the same rows every time
let seed = opt.seed >>> 0;
function rand() {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const randInt = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1)); // lo..hi

// A national id from nine digits and DOMAIN.md's check digit; i → nine digits is one to one
// (7919 is prime to 10^9), so the ids are distinct.
function nationalId(i) {
  for (let k = 0; ; k++) {
    const nine = String((i * 7919 + 12345 + k * 1000000007) % 1000000000).padStart(9, '0');
    let s = 0;
    for (let d = 0; d < 9; d++) s += Number(nine[d]) * (10 - d);
    const r = s % 11;
    const id = nine + String(r < 2 ? r : 11 - r);
    if (!/^(\d)\1{9}$/.test(id)) return id;
  }
}
const pad2 = (n) => String(n).padStart(2, '0');
const yy = pad2(opt.year % 100);

const lw = layout(WOR);
fs.mkdirSync(opt.out, { recursive: true });
const worPath = path.join(opt.out, 'DSKWOR00.DBF');
const karPath = path.join(opt.out, 'DSKKAR00.DBF');
const csvPath = path.join(opt.out, 'rows.csv');
const worFd = fs.openSync(worPath + '.tmp', 'w');
const csvFd = fs.openSync(csvPath + '.tmp', 'w');
fs.writeSync(worFd, dbfHeader(lw, N));

const sum = { days: 0n, daily: 0n, monthly: 0n, benefits: 0n, insurable: 0n, total: 0n, worker: 0n };
const CHUNK = 4096;
const buf = Buffer.alloc(CHUNK * lw.recordLen);
const csvQuote = (s) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
for (let start = 0; start < N; start += CHUNK) {
  const n = Math.min(CHUNK, N - start);
  buf.fill(0x20, 0, n * lw.recordLen);
  const lines = [];
  for (let j = 0; j < n; j++) {
    const i = start + j;
    const b = j * lw.recordLen;
    const male = rand() < 0.7;
    const first = pick(male ? men : women), lname = pick(last), father = pick(men);
    const place = pick(places), job = pick(jobs), sex = male ? SEX.m : SEX.f;
    const nid = nationalId(i);
    const insNo = String(10000000 + i); // 8 digits, distinct
    const idNo = String(randInt(1, 99999));
    const by = randInt(1340, 1385), bm = randInt(1, 12), bd = randInt(1, 29);
    const birth = `${by}${pad2(bm)}${pad2(bd)}`;
    const sy = randInt(1395, opt.year - 1);
    const startDate = `${sy}${pad2(randInt(1, 12))}${pad2(randInt(1, 29))}`;
    const days = BigInt(rand() < 0.9 ? MONTH_DAYS : randInt(1, MONTH_DAYS - 1));
    // daily wage: the minimum to three times it; benefits up to a month's minimum, of which
    // a part may be outside the contribution base; the insurable wage stays under the
    // ceiling (7 × the minimum) and over the minimum for the days worked
    const daily = MIN_DAILY + BigInt(Math.floor(rand() * 2 * Number(MIN_DAILY)));
    const monthly = daily * days;
    const benefits = BigInt(Math.floor(rand() * Number(MIN_DAILY) * Number(days)));
    const total = monthly + benefits;
    const notInsurable = rand() < 0.5 ? 0n : benefits / 4n;
    const insurable = total - notInsurable;
    if (insurable < MIN_DAILY * days || insurable > MIN_DAILY * CEIL_TIMES * days) throw new Error('wage out of bounds');
    const worker = share(insurable, BP_INSURED);
    sum.days += days;
    sum.daily += daily;
    sum.monthly += monthly;
    sum.benefits += benefits;
    sum.insurable += insurable;
    sum.total += total;
    sum.worker += worker;

    putAscii(buf, b, lw, 'DSW_ID', opt.workshop);
    putAscii(buf, b, lw, 'DSW_YY', yy);
    putAscii(buf, b, lw, 'DSW_MM', pad2(opt.month));
    putAscii(buf, b, lw, 'DSW_LISTNO', '01');
    putAscii(buf, b, lw, 'DSW_ID1', insNo);
    putText(buf, b, lw, 'DSW_FNAME', first.b);
    putText(buf, b, lw, 'DSW_LNAME', lname.b);
    putText(buf, b, lw, 'DSW_DNAME', father.b);
    putAscii(buf, b, lw, 'DSW_IDNO', idNo);
    putText(buf, b, lw, 'DSW_IDPLC', place.b);
    putAscii(buf, b, lw, 'DSW_BDATE', birth);
    putText(buf, b, lw, 'DSW_SEX', sex.b);
    putText(buf, b, lw, 'DSW_NAT', IRANIAN.b);
    putText(buf, b, lw, 'DSW_OCP', job.b);
    putAscii(buf, b, lw, 'DSW_SDATE', startDate);
    putAscii(buf, b, lw, 'DSW_DD', days);
    putAscii(buf, b, lw, 'DSW_ROOZ', daily);
    putAscii(buf, b, lw, 'DSW_MAH', monthly);
    putAscii(buf, b, lw, 'DSW_MAZ', benefits);
    putAscii(buf, b, lw, 'DSW_MASH', insurable);
    putAscii(buf, b, lw, 'DSW_TOTL', total);
    putAscii(buf, b, lw, 'DSW_BIME', worker);
    putAscii(buf, b, lw, 'DSW_PRATE', 0);
    putAscii(buf, b, lw, 'DSW_JOB', job.code);
    putAscii(buf, b, lw, 'PER_NATCOD', nid);
    // the same row as CSV, every column of DSKWOR00 in its order (blank dates empty)
    lines.push([opt.workshop, yy, pad2(opt.month), '01', insNo, first.s, lname.s, father.s, idNo,
      place.s, '', birth, sex.s, IRANIAN.s, job.s, startDate, '', days, daily, monthly, benefits,
      insurable, total, worker, 0, job.code, nid].map((v) => csvQuote(String(v))).join(','));
  }
  fs.writeSync(worFd, buf, 0, n * lw.recordLen);
  fs.writeSync(csvFd, lines.join('\n') + '\n');
}
fs.writeSync(worFd, Buffer.from([0x1a]));
fs.closeSync(worFd);
fs.closeSync(csvFd);

// ---- the header row: the exact sums and the list's shares ----

const employer = share(sum.insurable, BP_EMPLOYER);
const unemployment = share(sum.insurable, BP_UNEMPLOYMENT);
const header = {
  DSK_ID: opt.workshop, DSK_KIND: 0, DSK_YY: yy, DSK_MM: pad2(opt.month), DSK_LISTNO: '01',
  DSK_NUM: BigInt(N), DSK_TDD: sum.days, DSK_TROOZ: sum.daily, DSK_TMAH: sum.monthly,
  DSK_TMAZ: sum.benefits, DSK_TMASH: sum.insurable, DSK_TTOTL: sum.total, DSK_TBIME: sum.worker,
  DSK_TKOSO: employer, DSK_BIC: unemployment, DSK_RATE: RATE, DSK_PRATE: 0, DSK_BIMH: 0,
  MON_PYM: '000',
};
const widened = [];
const karCols = KAR.map(([name, type, width]) => {
  const need = type === 'N' ? String(header[name]).length : width;
  if (need > width) widened.push(`${name} N${width}→N${need}`);
  return [name, type, Math.max(width, need)];
});
const lk = layout(karCols);
const rec = Buffer.alloc(lk.recordLen, 0x20);
for (const [name, value] of Object.entries(header)) putAscii(rec, 0, lk, name, value);
putText(rec, 0, lk, 'DSK_NAME', cp1256('کارخانه نمونه'));
putText(rec, 0, lk, 'DSK_FARM', cp1256('شرکت صنایع نمونه'));
putText(rec, 0, lk, 'DSK_ADRS', cp1256('تهران خیابان آزادی'));
putText(rec, 0, lk, 'DSK_DISC', cp1256('فهرست ماهانه'));
fs.writeFileSync(karPath + '.tmp', Buffer.concat([dbfHeader(lk, 1), rec, Buffer.from([0x1a])]));

// the anchor's table: DSKWOR00's columns, TEXT for C and INTEGER for N, no index, no key
fs.writeFileSync(path.join(opt.out, 'schema.sql'),
  `CREATE TABLE t(${WOR.map(([n, t]) => `${n} ${t === 'N' ? 'INTEGER' : 'TEXT'}`).join(', ')});\n`);
for (const p of [worPath, karPath, csvPath]) fs.renameSync(p + '.tmp', p);
console.log(`gen_list: ${N} workers, workshop ${opt.workshop}, ${opt.year}/${pad2(opt.month)} in ${opt.out}` +
  ` (daily minimum ${MIN_DAILY}, insurable ${sum.insurable}, worker ${sum.worker}, employer ${employer},` +
  ` unemployment ${unemployment}, rate ${RATE})` + (widened.length ? `; header columns widened: ${widened.join(', ')}` : ''));
