// The e-services on a phone-sized screen: an insured person objects to a missing month (the
// form, checked as typed, then the scanned page on the case) and sees the case; a pensioner
// opens an instant service; an employer sees the workshop's debt and asks for a clearance
// certificate. axe-core (web/node_modules, injected into the page) finds no serious or
// critical violation on the citizen's and the employer's pages nor on any form page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { startApp, login, shot, ascii, toPersianDigits, sql as sqlOn } from './harness.mjs';
import { addUser, tempDir, USER_PASSWORD } from '../../tests/http/harness.mjs';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
let app, w1, pensionerNid;
const sql = (q) => sqlOn(app.db, q);

before(async () => {
  app = await startApp({ people: 120, cases: 50 });
  w1 = sql("SELECT w.code FROM workshops w JOIN workshop_users wu ON wu.workshop_id = w.id JOIN users u ON u.id = wu.user_id WHERE u.login = 'emp1'");
  pensionerNid = sql(`SELECT p.national_id FROM pensioners x JOIN people p ON p.id = x.person_id WHERE p.national_id NOT IN ('${app.citizens.join("','")}') LIMIT 1`);
  assert.equal(addUser(app.db, { login: 'pens_e2e', role: 'citizen', nationalId: pensionerNid }).status, 0);
});
after(async () => {
  await app?.stop();
});

/** axe-core's serious and critical violations on the page as it is now. */
async function axe(page, what) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const res = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  });
  assert.deepEqual(res, [], `${what}: axe-core finds serious or critical violations`);
}

test('insured (phone): objects to a missing month with a scanned page, then sees the case', async () => {
  const page = await app.page({ phone: true, bypassCSP: true });
  await login(app, page, app.citizens[0], { citizen: true });
  await page.locator('.service-list li[data-service=missing_records] a').waitFor();
  assert.equal(await page.getAttribute('html', 'lang'), 'fa');
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  await axe(page, 'the citizen\'s page');
  // no pensioner's service for one who is not a pensioner
  assert.equal(await page.locator('.service-list li[data-service=loan]').count(), 0);
  await page.locator('.service-list li[data-service=missing_records] a').click(); // one click from home
  const form = page.locator('form.service-form[data-service=missing_records]');
  await form.waitFor();
  await axe(page, 'the form');
  // checked as typed: a month that is none, a Persian message under the field
  await page.fill('#f-month', '۱۴۰۳/۱۳');
  await page.locator('#f-workshop').focus();
  const note = page.locator('#f-month-note');
  assert.match(await note.textContent(), /ماهی مانند/);
  assert.equal(await page.getAttribute('#f-month', 'aria-invalid'), 'true');
  assert.equal(await page.getAttribute('#f-month', 'aria-describedby'), 'f-month-note');
  await axe(page, 'the form with an error');
  await page.fill('#f-month', '۱۴۰۳/۷');
  await page.fill('#f-workshop', toPersianDigits(w1));
  await page.fill('#f-days', '۲۰');
  assert.equal(await page.getAttribute('#f-month', 'aria-invalid'), 'false');
  await page.locator('form.service-form button[type=submit]').click();
  const opened = page.locator('[data-opened]');
  await opened.waitFor();
  const caseId = await opened.getAttribute('data-opened');
  assert.match(await opened.textContent(), /امور بیمه‌شدگان/);
  await shot(page, 'service-missing-records');
  await page.locator('[data-opened] a.button').click();
  await page.locator('section.attachments').waitFor();
  const scan = path.join(tempDir('tamin-e2e-scan-'), 'فیش مهر.png');
  fs.writeFileSync(scan, Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(2000, 3)]));
  await page.setInputFiles('section.attachments input[type=file]', scan);
  await page.locator('button[data-act=attach]').click();
  await page.locator('.attachment-list li a').waitFor();
  assert.match(page.url(), new RegExp(`/cases/${caseId}$`));
  assert.match(await page.locator('article.case').textContent(), /اعتراض به سابقه ناقص/);
  assert.equal(sql(`SELECT count(*) FROM attachments WHERE case_id = ${caseId}`), '1');
  // the records department answers; the citizen reads it on the same page
  const sp = await app.server.login('sp_records');
  for (const body of [{ type: 'start' }, { type: 'answer', text: 'ماه مهر ۱۴۰۳ به سابقه شما افزوده شد.' }]) {
    const r = await app.server.call('POST', `/api/v1/cases/${caseId}/events`, { token: sp.token, body });
    assert.equal(r.status, 201, r.text);
  }
  await page.reload();
  await page.locator('.timeline').waitFor();
  assert.match(await page.locator('.timeline').textContent(), /به سابقه شما افزوده شد/);
});

test('a form keeps what was typed when the server refuses it, the message under the field it names', async () => {
  const page = await app.page({ phone: true, bypassCSP: true });
  await login(app, page, 'emp1');
  const w2 = sql(`SELECT code FROM workshops WHERE code <> '${w1}' LIMIT 1`);
  await page.goto(`${app.url}/services/debt_objection`);
  await page.locator('form.service-form').waitFor();
  // well formed, so the browser sends it; not the employer's, so the server refuses it
  await page.fill('#f-workshop', w2);
  await page.fill('#f-national_id', app.citizens[2]);
  await page.fill('#f-from_month', '1404/01');
  await page.fill('#f-to_month', '۱۴۰۴/۰۳');
  await page.fill('#f-reason', 'بدهی را پرداخت کرده‌ایم');
  await page.locator('form.service-form button[type=submit]').click();
  const note = page.locator('#f-workshop-note[role=alert]');
  await note.waitFor();
  assert.match(await note.textContent(), /کارگاه‌های شما نیست/);
  assert.equal(await page.getAttribute('#f-workshop', 'aria-invalid'), 'true');
  assert.equal(await page.inputValue('#f-reason'), 'بدهی را پرداخت کرده‌ایم');
  assert.equal(await page.inputValue('#f-to_month'), '۱۴۰۴/۰۳');
  assert.equal(await page.locator('[data-opened]').count(), 0);
});

test('pensioner (phone): opens an instant service and reads the answer in Persian', async () => {
  const page = await app.page({ phone: true, bypassCSP: true });
  await login(app, page, 'pens_e2e', { password: USER_PASSWORD });
  const link = page.locator('.service-list li[data-service=pension] a');
  await link.waitFor();
  await axe(page, 'the pensioner\'s page');
  await link.click();
  const answer = page.locator('[data-answer=pension]');
  await answer.waitFor();
  const amount = Number(sql(`SELECT x.amount FROM pensioners x JOIN people p ON p.id = x.person_id WHERE p.national_id = '${pensionerNid}'`));
  assert.match(ascii(await answer.textContent()), new RegExp(amount.toLocaleString('en-US').replace(/,/g, '٬')));
  await axe(page, 'an instant answer');
  await shot(page, 'service-pension');
});

test('employer (phone): sees the workshop\'s debt and asks for a clearance certificate', async () => {
  const page = await app.page({ phone: true, bypassCSP: true });
  await login(app, page, 'emp1');
  const debt = page.locator('.service-list li[data-service=workshop_debt] a');
  await debt.waitFor();
  await axe(page, 'the employer\'s page');
  await debt.click();
  const answer = page.locator('[data-answer=workshop_debt]');
  await answer.waitFor();
  const shown = Number(await answer.locator('[data-debt]').getAttribute('data-debt'));
  const r = await app.server.call('GET', `/api/v1/workshops/${w1}`, { token: (await app.server.login('emp1')).token });
  assert.equal(shown, r.json.account.debt);
  await page.locator('a[href^="/services/debt_clearance"]').click();
  const form = page.locator('form.service-form[data-service=debt_clearance]');
  await form.waitFor();
  assert.equal(await page.inputValue('#f-workshop'), w1, 'the workshop carried over');
  await axe(page, 'the clearance form');
  await page.fill('#f-national_id', toPersianDigits(app.citizens[2]));
  await page.selectOption('#f-purpose', 'transfer');
  await page.locator('form.service-form button[type=submit]').click();
  const opened = page.locator('[data-opened]');
  await opened.waitFor();
  assert.match(await opened.textContent(), /درآمد حق بیمه/);
  const id = await opened.getAttribute('data-opened');
  assert.equal(sql(`SELECT service FROM service_requests WHERE case_id = ${id}`), 'debt_clearance');
  await shot(page, 'service-clearance');
});

test('the public figures show the e-services\' uses per month once there are some', async () => {
  const page = await app.page({ phone: true });
  await page.goto(`${app.url}/public`);
  const row = page.locator('[data-eservices=months] tbody tr').last();
  await row.waitFor();
  const uses = Number(sql("SELECT count(*) FROM service_uses WHERE outcome <> 'refused'"));
  assert.ok(uses > 0);
  // fewer than 10 are withheld (*), as every small count of the public figures
  assert.equal(ascii(await row.locator('td').last().textContent()), uses < 10 ? '*' : String(uses));
});
