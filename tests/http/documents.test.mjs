// Documents anyone can verify: a pensioner built here (a person, a pension, its payments, a
// month in a workshop's list) gets their pay slip, salary certificate and insurance history
// as JSON and as PDF (its text read back by poppler's pdftotext, a page rendered by
// pdftoppm and compared to a reference image); an employer's debt clearance only when the
// workshop owes nothing; the verification of a genuine, an altered and an unknown code;
// another's paper refused and audited; bad input refused by field.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  ROOT, createDemo, addUser, startServer, assertError, cleanupTemp, makeNationalId, tempDir,
  toPersianDigits, USER_PASSWORD, IS_PG, sql as sqlOn,
} from './harness.mjs';

const NID = makeNationalId('987650012'); // fixed: the reference image shows its last four digits
const PUBLIC = 'https://tamin.example';
const VERIFY_LIMIT = 60;
const REFERENCE = path.join(ROOT, 'tests', 'http', 'fixtures', 'documents', 'salary.pgm');
let S, D, sql, me, admin, emp, W; // W: a workshop with no debt, emp1 acting for it

const fa = (s) => toPersianDigits(s);
/** 1234567 as the paper writes it: Persian digits, U+066C between thousands */
const money = (n) => fa(Number(n).toLocaleString('en-US')).replace(/,/g, '\u066c');
/** The PDF's text as poppler reads it, without bidi controls, white space or colons:
 * words in logical order, compared whole. Poppler splits some Arabic words at a glyph gap
 * and puts a label's colon after a left-to-right value that follows it, so its spaces and
 * colons say nothing about the paper (the rendered page below shows where they are). */
function pdfText(bytes) {
  const dir = tempDir('tamin-pdf-');
  const f = path.join(dir, 'd.pdf');
  fs.writeFileSync(f, bytes);
  const t = execFileSync('pdftotext', ['-enc', 'UTF-8', f, '-'], { encoding: 'utf8' });
  return t.replace(/[\u200e\u200f\u202a-\u202e\u2066-\u2069\s:]/g, '');
}
const squeeze = (s) => s.replace(/[\u2066-\u2069\s:]/g, '');
const get = (who, p) => S.call('GET', p, { token: who?.token });

before(async () => {
  D = createDemo({ people: 40, cases: 10 });
  sql = (q) => sqlOn(D.db, q);
  // the pensioner: a person, an old-age pension since 1399/07, three payments
  sql(`INSERT INTO people(national_id, first_name, last_name, gender, birth_date, created)
       VALUES ('${NID}', 'مریم', 'کاظمی', 'f', '1960-03-21', 0)`);
  sql(`INSERT INTO pensioners(person_id, type, start_year, start_month, amount, created)
       SELECT id, 'old_age', 1399, 7, 123456789, 0 FROM people WHERE national_id = '${NID}'`);
  for (const [y, m, a] of [[1405, 6, 111111111], [1405, 7, 123456789], [1405, 8, 123456789]])
    sql(`INSERT INTO pension_payments(pensioner_id, year, month, amount)
         SELECT id, ${y}, ${m}, ${a} FROM pensioners WHERE person_id = (SELECT id FROM people WHERE national_id = '${NID}')`);
  assert.equal(addUser(D.db, { login: 'maryam', role: 'citizen', nationalId: NID }).status, 0);
  S = await startServer(D.db, { args: ['--public-url', `${PUBLIC}/`, '--verify-limit', String(VERIFY_LIMIT), '--rate-limit', '0'] });
  me = await S.login('maryam', USER_PASSWORD);
  admin = await S.login('admin');
  emp = await S.login('emp1');
  // a workshop that owes nothing yet, emp1 acting for it; her two months in its list
  W = String(6100000000 + (process.pid % 100000));
  assert.equal((await S.call('POST', '/api/v1/workshops', { token: admin.token, body: { code: W, name: 'کارگاه نور', employer_name: 'شرکت نور' } })).status, 201);
  assert.equal((await S.call('POST', `/api/v1/workshops/${W}/employers`, { token: admin.token, body: { login: 'emp1' } })).status, 200);
});
after(async () => {
  if (S) await S.stop();
  cleanupTemp();
});

/** A list of month m of 1405 for workshop W: the pensioner's row with a wage. */
function list(m, wage) {
  const share = Math.round(wage * 0.07);
  return {
    header: {
      workshop: W, year: 1405, month: m, list_no: '1', workers: 1, days: 30, daily_wages: Math.round(wage / 30),
      monthly_wages: wage, benefits: 0, insurable: wage, total: wage, worker_share: share,
      employer_share: Math.round(wage * 0.2), unemployment: Math.round(wage * 0.03), hard_job_share: 0, rate: 23,
    },
    rows: [{
      national_id: NID, insurance_no: '12345678', first_name: 'مریم', last_name: 'کاظمی', birth_date: '1339/01/01',
      sex: 'f', days: 30, daily_wage: Math.round(wage / 30), monthly_wage: wage, benefits: 0, insurable: wage,
      total: wage, worker_share: share,
    }],
  };
}

test('the pay slip: the latest month, or the month asked for in any digits; JSON and a PDF whose text says the same and whose code verifies', async () => {
  const j = await get(me, '/api/v1/me/documents/payslip?format=json');
  assert.equal(j.status, 200, j.text);
  assert.equal(j.json.kind, 'payslip');
  assert.match(j.json.code, /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
  assert.equal(j.json.verify_url, `${PUBLIC}/verify/${j.json.code}`);
  const c = j.json.content;
  assert.equal(c.month, '1405/08');
  assert.deepEqual(c.items, [{ item: 'pension', amount: 123456789 }]);
  assert.equal(c.total, 123456789);
  assert.deepEqual(c.person, { name: 'مریم کاظمی', national_id: `******${NID.slice(6)}` });
  assert.ok(!JSON.stringify(j.json).includes(NID), 'the whole national id is not on the paper');
  const m6 = await get(me, `/api/v1/me/documents/payslip?format=json&month=${encodeURIComponent(fa('1405/6'))}`);
  assert.equal(m6.status, 200, m6.text);
  assert.equal(m6.json.content.month, '1405/06');
  assert.equal(m6.json.content.total, 111111111);
  assert.notEqual(m6.json.code, j.json.code);
  // the PDF of the same paper: the same code, the text in logical order
  const p = await get(me, '/api/v1/me/documents/payslip');
  assert.equal(p.status, 200, p.text);
  assert.equal(p.headers.get('content-type'), 'application/pdf');
  assert.match(p.headers.get('content-disposition'), new RegExp(`payslip-1405-08-${j.json.code.replace(/-/g, '')}\\.pdf`));
  assert.equal(p.bytes.subarray(0, 5).toString(), '%PDF-');
  const t = pdfText(p.bytes);
  for (const words of ['سازمان تأمین اجتماعی', 'فیش حقوقی مستمری', 'نام و نام خانوادگی: مریم کاظمی',
    'نوع مستمری: بازنشستگی', `ماه پرداخت:${fa('1405/08')}`, 'مستمری ماهانه', money(123456789),
    'جمع خالص پرداختی', `کد تصدیق:${j.json.code}`, `${PUBLIC}/verify/${j.json.code}`])
    assert.ok(t.includes(squeeze(words)), `the PDF's text has «${words}»: ${t.slice(0, 400)}`);
  assert.ok(t.indexOf(squeeze('سازمان تأمین اجتماعی')) < t.indexOf(squeeze('جمع خالص پرداختی')), 'read top to bottom');
  // verified: exactly what the paper said
  const v = await S.call('GET', `/api/v1/verify/${j.json.code}`);
  assert.equal(v.status, 200, v.text);
  assert.equal(v.json.genuine, true);
  assert.deepEqual(v.json.content, c);
  // one row for the paper however often it is asked the same day
  assert.equal(sql(`SELECT count(*) FROM documents WHERE code = '${j.json.code.replace(/-/g, '')}'`), '1');
  assert.equal(sql("SELECT count(*) FROM documents WHERE kind = 'payslip'"), '2');
});

test('the salary certificate and the insurance history, from the pension and the lists', async () => {
  const s = await get(me, '/api/v1/me/documents/salary?format=json');
  assert.equal(s.status, 200, s.text);
  assert.deepEqual(
    { type: s.json.content.pension_type, since: s.json.content.since, amount: s.json.content.amount },
    { type: 'old_age', since: '1399/07', amount: 123456789 });
  const sp = await get(me, '/api/v1/me/documents/salary');
  const st = pdfText(sp.bytes);
  for (const words of ['گواهی حقوق مستمری', `برقراری از:${fa('1399/07')}`, `مستمری ماهانه:${money(123456789)} ریال`, s.json.code])
    assert.ok(st.includes(squeeze(words)), `the salary certificate has «${words}»: ${st.slice(0, 400)}`);
  // no record yet: the history says so by field
  assertError(await get(me, '/api/v1/me/documents/history?format=json'), 404, 'not_found', 'kind');
  for (const [m, wage] of [[5, 300000000], [6, 330000000]]) {
    const r = await S.call('POST', '/api/v1/lists', { token: admin.token, body: list(m, wage) });
    assert.equal(r.status, 201, r.text);
  }
  const h = await get(me, '/api/v1/me/documents/history?format=json');
  assert.equal(h.status, 200, h.text);
  assert.deepEqual(h.json.content.rows, [{
    year: 1405, workshop: W, workshop_name: 'کارگاه نور', months: 2, days: 60, wages: 630000000,
  }]);
  assert.equal(h.json.content.totals.days, 60);
  assert.equal(h.json.content.totals.months, 2);
  const hp = await get(me, '/api/v1/me/documents/history');
  const ht = pdfText(hp.bytes);
  for (const words of ['گواهی سوابق بیمه', 'کارگاه نور', fa(W), money(630000000), h.json.code])
    assert.ok(ht.includes(squeeze(words)), `the history has «${words}»: ${ht.slice(0, 500)}`);
});

test('a page of the salary certificate looks as the reference does (the issue date and the code masked)', async (t) => {
  // the paper's body (name, id, pension, the sentence) is fixed by this test; the date at
  // the top and the code with its QR code at the foot change with each run, and are left out
  const code = sql(`SELECT code FROM documents WHERE kind = 'salary' ORDER BY id DESC LIMIT 1`);
  const content = sql(`SELECT content FROM documents WHERE code = '${code}'`);
  assert.ok(content.includes('"amount":123456789'));
  {
    const p = await get(me, '/api/v1/me/documents/salary');
    const dir = tempDir('tamin-ppm-');
    fs.writeFileSync(path.join(dir, 's.pdf'), p.bytes);
    execFileSync('pdftoppm', ['-r', '40', '-gray', '-f', '1', '-l', '1', path.join(dir, 's.pdf'), path.join(dir, 'p')]);
    const file = fs.readdirSync(dir).find((f) => f.endsWith('.pgm'));
    const page = readPgm(fs.readFileSync(path.join(dir, file)));
    if (process.env.TAMIN_UPDATE_REFERENCE) {
      fs.mkdirSync(path.dirname(REFERENCE), { recursive: true });
      fs.writeFileSync(REFERENCE, fs.readFileSync(path.join(dir, file)));
    }
    const ref = readPgm(fs.readFileSync(REFERENCE));
    assert.deepEqual([page.w, page.h], [ref.w, ref.h], 'an A4 page at 40 dpi');
    // rows from below the date to above the footer's rule
    const from = Math.round(page.h * 0.14), to = Math.round(page.h * 0.80);
    let sum = 0, far = 0, ink = 0;
    for (let y = from; y < to; y++) {
      for (let x = 0; x < page.w; x++) {
        const a = page.px[y * page.w + x], b = ref.px[y * ref.w + x];
        sum += Math.abs(a - b);
        if (Math.abs(a - b) > 96) far++;
        if (a < 128) ink++;
      }
    }
    const n = (to - from) * page.w;
    assert.ok(ink > n * 0.005, 'the page has text on it');
    t.diagnostic(`mean difference ${(sum / n).toFixed(3)}, ${far} of ${n} pixels far off`);
    // the same packages render the same pixels; a word more or less moves dozens
    assert.ok(sum / n < 0.5 && far < 12, `the page differs from the reference: mean ${(sum / n).toFixed(2)}, ${far} pixels far off`);
  }
});

function readPgm(b) {
  // P5 width height maxval, one byte a pixel
  const head = b.toString('latin1', 0, 64).match(/^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/);
  assert.ok(head, 'a binary PGM');
  return { w: Number(head[1]), h: Number(head[2]), px: b.subarray(head[0].length) };
}

test('a debt clearance only for a workshop that owes nothing: 409 naming the debt otherwise', async () => {
  // the lists of the test before made W owe
  const owed = await get(emp, `/api/v1/workshops/${W}/documents/clearance?format=json`);
  const e = assertError(owed, 409, 'debt_outstanding', 'debt');
  const debt = (await get(admin, `/api/v1/workshops/${W}`)).json.account.debt;
  assert.ok(debt > 0);
  assert.match(e.message, new RegExp(`owes ${debt} rials`));
  const pay = await S.call('POST', `/api/v1/workshops/${W}/payments`, { token: admin.token, body: { amount: debt } });
  assert.equal(pay.status, 201, pay.text);
  const ok = await get(emp, `/api/v1/workshops/${fa(W)}/documents/clearance?format=json`);
  assert.equal(ok.status, 200, ok.text);
  assert.deepEqual(ok.json.content.workshop, { code: W, name: 'کارگاه نور', employer_name: 'شرکت نور' });
  assert.equal(ok.json.content.debt, 0);
  assert.equal(ok.json.content.paid, debt);
  const pdf = await get(admin, `/api/v1/workshops/${W}/documents/clearance`);
  assert.equal(pdf.status, 200);
  const t = pdfText(pdf.bytes);
  for (const words of ['مفاصاحساب بدهی کارفرما', 'کارگاه نور', 'شرکت نور', ok.json.code])
    assert.ok(t.includes(squeeze(words)), `the clearance has «${words}»`);
  assert.equal((await S.call('GET', `/api/v1/verify/${ok.json.code}`)).json.content.debt, 0);
});

test('verification: any digits, case, spaces and dashes; an altered code, an unknown one and a row changed behind the store alike "not genuine", each audited', async () => {
  const j = (await get(me, '/api/v1/me/documents/salary?format=json')).json;
  const typed = fa(j.code.toLowerCase().replace(/-/g, ' '));
  const v = await S.call('GET', `/api/v1/verify/${encodeURIComponent(typed)}`);
  assert.equal(v.status, 200, v.text);
  assert.equal(v.json.code, j.code);
  // what the verification shows is what the paper shows: no national id in full, no ids
  assert.ok(!v.text.includes(NID));
  assert.deepEqual(Object.keys(v.json).sort(), ['code', 'content', 'genuine', 'issued_at', 'kind']);
  const flip = (c, i) => c.slice(0, i) + (c[i] === 'A' ? 'B' : 'A') + c.slice(i + 1);
  const altered = await S.call('GET', `/api/v1/verify/${flip(j.code, 3)}`);
  const unknown = await S.call('GET', '/api/v1/verify/0000-0000-0000-0000');
  assertError(altered, 404, 'not_genuine', 'code');
  assert.equal(altered.json.genuine, false);
  assert.equal(altered.text, unknown.text, 'no oracle: an altered code and an unknown one get the same answer');
  // a row edited in the database no longer matches its digest
  const code = j.code.replace(/-/g, '');
  sql(IS_PG ? 'DROP TRIGGER documents_no_update ON documents' : 'DROP TRIGGER documents_no_update');
  sql(`UPDATE documents SET content = replace(content, '123456789', '923456789') WHERE code = '${code}'`);
  const forged = await S.call('GET', `/api/v1/verify/${j.code}`);
  assert.equal(forged.status, 404);
  assert.equal(forged.text, unknown.text);
  assert.match(S.stderr, /does not match its digest/);
  // bad input: not a code at all
  assertError(await S.call('GET', '/api/v1/verify/ABC'), 400, 'invalid_field', 'code');
  assertError(await S.call('GET', `/api/v1/verify/${j.code}U`), 400, 'invalid_field', 'code');
  // every verification is on the log: the pensioner sees her paper was verified
  const auditor = await S.login('auditor');
  const rows = (await get(auditor, '/api/v1/audit?limit=200')).json.items.filter((r) => r.action === 'document_verify');
  assert.ok(rows.some((r) => r.outcome === 'denied' && r.reason.includes('unknown code 0000000000000000')));
  assert.ok(rows.some((r) => r.outcome === 'denied' && r.reason.includes(`altered document ${code}`)));
  const log = (await get(me, '/api/v1/me/access-log?limit=100')).json.items;
  assert.ok(log.some((r) => r.action === 'document_verify' && r.outcome === 'allowed'));
  assert.ok(log.some((r) => r.action === 'document_issue' && r.reason.startsWith('payslip')), 'her own papers are in her access log');
});

test('another\'s paper is refused and audited; bad input is refused by field', async () => {
  const other = sql(`SELECT code FROM workshops WHERE code <> '${W}' AND id NOT IN (SELECT workshop_id FROM workshop_users wu JOIN users u ON u.id = wu.user_id WHERE u.login = 'emp1') LIMIT 1`);
  assertError(await get(emp, `/api/v1/workshops/${other}/documents/clearance`), 403, 'forbidden', 'code');
  assert.equal((await get(me, `/api/v1/workshops/${W}/documents/clearance`)).status, 403, 'a citizen is no employer');
  const auditor = await S.login('auditor');
  const denied = (await get(auditor, '/api/v1/audit?user=emp1&limit=50')).json.items
    .filter((r) => r.action === 'document_issue' && r.outcome === 'denied');
  assert.ok(denied.some((r) => r.reason === `clearance ${other}`), JSON.stringify(denied));
  assertError(await get(me, '/api/v1/me/documents/payslip?month=1405/13'), 400, 'invalid_field', 'month');
  assertError(await get(me, '/api/v1/me/documents/payslip?month=05/1405'), 400, 'invalid_field', 'month');
  assertError(await get(me, '/api/v1/me/documents/payslip?month=1400/01'), 404, 'not_found', 'month');
  assertError(await get(me, '/api/v1/me/documents/salary?month=1405/01'), 400, 'invalid_field', 'month');
  assertError(await get(me, '/api/v1/me/documents/payslip?format=docx'), 400, 'invalid_field', 'format');
  assertError(await get(me, '/api/v1/me/documents/passport'), 400, 'invalid_field', 'kind');
  assertError(await get(me, '/api/v1/me/documents/clearance'), 400, 'invalid_field', 'kind');
  assertError(await get(emp, '/api/v1/workshops/12/documents/clearance'), 400, 'invalid_field', 'code');
  // a citizen with no pension: the pensioner's papers are not hers
  const young = await S.login(D.citizens[0]);
  assertError(await get(young, '/api/v1/me/documents/payslip'), 404, 'not_found', 'kind');
});

test('papers rendered side by side on the server\'s threads are each whole', async () => {
  const kinds = ['payslip', 'salary', 'history', 'payslip', 'salary', 'history'];
  const all = await Promise.all(kinds.map((k) => get(me, `/api/v1/me/documents/${k}`)));
  for (const [i, r] of all.entries()) {
    assert.equal(r.status, 200, `${kinds[i]}: ${r.text.slice(0, 200)}`);
    const t = pdfText(r.bytes);
    assert.ok(t.includes(squeeze('سازمان تأمین اجتماعی')) && t.includes('کدتصدیق'), `${kinds[i]} is whole`);
  }
});

test('verifications are limited per address: 429 with Retry-After past the limit', async () => {
  let r;
  for (let i = 0; i <= VERIFY_LIMIT; i++) {
    r = await S.call('GET', '/api/v1/verify/0000-0000-0000-0001');
    if (r.status === 429) break;
  }
  assertError(r, 429, 'too_many_requests', 'code');
  assert.equal(r.headers.get('retry-after'), '60');
});

test('the demo has a pensioner\'s own account (make run): it logs in and gets its latest pay slip', async () => {
  const m = D.stdout.match(/(\d{10}) +a pensioner/);
  assert.ok(m, `the demo names its pensioner: ${D.stdout}`);
  assert.equal(sql(`SELECT count(*) FROM pensioners pe JOIN people p ON p.id = pe.person_id WHERE p.national_id = '${m[1]}'`), '1');
  const t = await S.login(m[1]); // the demo's password
  const r = await S.call('GET', '/api/v1/me/documents/payslip?format=json', { token: t.token });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.content.person.national_id, `******${m[1].slice(-4)}`);
  assert.ok(r.json.content.total > 0);
});
