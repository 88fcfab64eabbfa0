// Papers anyone can verify, in the browser: a pensioner (phone-sized) downloads her pay
// slip of a month she types in Persian digits, and anyone without a login opens the page
// its code names (/verify/CODE) and sees it is genuine and what it said; a code with one
// symbol changed is "not genuine".
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startApp, login, shot, ascii, toPersianDigits, sql as sqlOn } from './harness.mjs';

let app, nid;
before(async () => {
  app = await startApp({ people: 60, cases: 20 });
  nid = app.citizens[0];
  const sql = (q) => sqlOn(app.db, q);
  sql(`INSERT INTO pensioners(person_id, type, start_year, start_month, amount, created)
       SELECT id, 'old_age', 1400, 1, 98765432, 0 FROM people WHERE national_id = '${nid}'`);
  sql(`INSERT INTO pension_payments(pensioner_id, year, month, amount)
       SELECT id, 1405, 8, 98765432 FROM pensioners WHERE person_id = (SELECT id FROM people WHERE national_id = '${nid}')`);
});
after(async () => {
  await app?.stop();
});

test('a pensioner downloads her pay slip; its code verifies on the public page', async () => {
  const page = await app.page({ phone: true });
  await login(app, page, toPersianDigits(nid), { citizen: true });
  await page.getByRole('link', { name: 'فیش و گواهی‌ها' }).click();
  await page.getByRole('heading', { name: 'فیش و گواهی‌های من' }).waitFor();
  // a month that is none is said as it is typed; then a real one
  await page.fill('input[name=month]', '۱۴۰۵/۱۳');
  await page.getByRole('alert').waitFor();
  assert.equal(await page.locator('a[data-kind=payslip]').count(), 0, 'no link for a month that is none');
  await page.fill('input[name=month]', '۱۴۰۵/۸');
  await shot(page, 'citizen-documents');
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= 390), true, 'the papers fit a phone');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('a[data-kind=payslip]').click(),
  ]);
  assert.match(download.suggestedFilename(), /^payslip-1405-08-[0-9A-Z]{16}\.pdf$/);
  const bytes = fs.readFileSync(await download.path());
  assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
  const code = download.suggestedFilename().slice(16, 32);

  // anyone, no login: the page the QR code points to
  const visitor = await app.page({ phone: true });
  await visitor.goto(`${app.url}/verify/${code.match(/.{4}/g).join('-')}`);
  const verdict = visitor.locator('.verdict.genuine');
  await verdict.waitFor();
  const text = await verdict.textContent();
  assert.match(text, /این سند اصل است/);
  assert.match(text, /فیش حقوقی مستمری/);
  assert.match(ascii(text), /98٬765٬432/);
  assert.ok(!ascii(text).includes(nid), 'the page shows no more than the paper: the id masked');
  assert.match(ascii(text), new RegExp(`\\*{6}${nid.slice(6)}`));
  await shot(visitor, 'verify-genuine');
  assert.equal(await visitor.evaluate(() => document.documentElement.scrollWidth <= 390), true, 'the verification fits a phone');
  // one symbol changed: not genuine, typed into the page's own form
  const altered = (code[0] === 'A' ? 'B' : 'A') + code.slice(1);
  await visitor.fill('input[name=code]', toPersianDigits(altered.toLowerCase()));
  await visitor.getByRole('button', { name: 'بررسی' }).click();
  await visitor.locator('.verdict.not-genuine').waitFor();
  assert.match(visitor.url(), new RegExp(`/verify/${altered.match(/.{4}/g).join('-')}$`));

  // her access log says she took a paper and someone verified it, in words
  await page.getByRole('link', { name: 'چه کسی پرونده‌ام را دید' }).click();
  await page.getByText('فیش یا گواهی گرفتید').first().waitFor();
  await page.getByText('کسی بدون ورود به سامانه').first().waitFor();
});

test('an employer whose workshop owes nothing downloads its debt clearance', async () => {
  const admin = await app.server.login('admin');
  const code = String(6200000000 + (process.pid % 100000));
  const w = await app.server.call('POST', '/api/v1/workshops', { token: admin.token, body: { code, name: 'کارگاه بی‌بدهی', employer_name: 'شرکت نمونه' } });
  assert.equal(w.status, 201, w.text);
  const l = await app.server.call('POST', `/api/v1/workshops/${code}/employers`, { token: admin.token, body: { login: 'emp1' } });
  assert.equal(l.status, 200, l.text);
  const page = await app.page();
  await login(app, page, 'emp1');
  const card = page.locator(`section[data-workshop="${code}"]`);
  await card.waitFor();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    card.getByRole('link', { name: 'دریافت مفاصاحساب (PDF)' }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^clearance-[0-9A-Z]{16}\.pdf$/);
  assert.equal(fs.readFileSync(await download.path()).subarray(0, 5).toString(), '%PDF-');
  // a workshop that owes says so instead of offering the paper
  const owing = page.locator('section[data-workshop]').filter({ hasText: 'مفاصاحساب پس از پرداخت همهٔ بدهی صادر می‌شود' });
  assert.ok(await owing.count() > 0);
});
