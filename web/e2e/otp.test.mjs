// A pensioner logs in with a one-time code on a phone-sized page: national id and mobile
// in Persian digits, the code read from the SMS sink file (serve --sms-sink), a wrong code
// refused next to its field in Persian, the right one opens their page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { startApp, shot, toPersianDigits, sql } from './harness.mjs';
import { addUser } from '../../tests/http/harness.mjs';

const sink = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tamin-otp-e2e-')), 'sms.jsonl');
let app, nid, mobile;
before(async () => {
  app = await startApp({ people: 200, cases: 50, args: ['--sms-sink', sink] });
  // a pensioner with a mobile on record, given a citizen account (no password they know)
  const q = sql(app.db, 'SELECT p.national_id, p.mobile FROM pensioners pe'
    + ' JOIN people p ON p.id = pe.person_id WHERE p.mobile IS NOT NULL AND NOT EXISTS'
    + ' (SELECT 1 FROM users u WHERE u.person_id = p.id) LIMIT 1');
  [nid, mobile] = q.split('|');
  assert.match(nid ?? '', /^\d{10}$/, `a pensioner with a mobile: ${q}`);
  const r = addUser(app.db, { login: nid, role: 'citizen', nationalId: nid, name: 'مستمری‌بگیر', password: 'a-long-forgotten-passphrase-9' });
  assert.equal(r.status, 0, r.stderr);
});
after(async () => {
  await app?.stop();
  fs.rmSync(path.dirname(sink), { recursive: true, force: true });
});

async function codeFromSink() {
  for (let i = 0; i < 100; i++) {
    const lines = fs.existsSync(sink) ? fs.readFileSync(sink, 'utf8').trim().split('\n').filter(Boolean) : [];
    const mine = lines.map((l) => JSON.parse(l)).filter((m) => m.to === mobile);
    if (mine.length) return mine.at(-1).text.match(/\d{6}/)[0];
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('no SMS in the sink');
}

test('pensioner (phone): logs in with the code from the SMS, after a wrong one', async () => {
  const page = await app.page({ phone: true });
  await page.goto(`${app.url}/me`);
  await page.getByRole('tab', { name: 'شهروندان' }).click();
  await page.getByRole('button', { name: 'ورود با رمز یکبار مصرف' }).click();
  // a mobile that is no mobile: refused by the page, next to its field, nothing sent
  await page.getByLabel('کد ملی').fill(toPersianDigits(nid));
  await page.getByLabel('شماره همراه').fill('۰۲۱۱۲۳۴');
  await page.getByRole('button', { name: 'دریافت رمز' }).click();
  await page.locator('[data-field=mobile] .error').waitFor();
  assert.match(await page.locator('[data-field=mobile] .error').textContent(), /شماره همراه معتبر نیست/);
  await page.getByLabel('شماره همراه').fill(toPersianDigits(mobile));
  await page.getByRole('button', { name: 'دریافت رمز' }).click();
  const code = page.locator('input[name=code]');
  await code.waitFor();
  // labelled (its label's name grows by the error shown in it, so found by name after)
  assert.equal(await page.getByLabel('رمز یکبار مصرف', { exact: true }).count(), 1);
  assert.equal(await code.getAttribute('autocomplete'), 'one-time-code');
  assert.equal(await code.getAttribute('inputmode'), 'numeric');
  // the keyboard is where the code goes, and the countdown is in Persian digits
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'code');
  assert.match(await page.locator('#otp-clock').textContent(), /[۰-۲]:[۰-۵][۰-۹]/);
  assert.equal(await page.getByRole('button', { name: 'ارسال دوباره رمز' }).isDisabled(), true);
  const right = await codeFromSink();
  const wrong = right === '000000' ? '111111' : '000000';
  await code.fill(wrong);
  await page.keyboard.press('Enter');
  await page.locator('[data-field=code] .error').waitFor();
  assert.match(await page.locator('[data-field=code] .error').textContent(), /رمز درست نیست/);
  await shot(page, 'otp-code');
  await code.fill(toPersianDigits(right));
  await page.keyboard.press('Enter');
  await page.waitForSelector('header.top');
  assert.match(page.url(), /\/me$/);
  // nothing wider than the phone
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 390, `the page is ${wide} px wide`);
  await shot(page, 'otp-logged-in');
});
