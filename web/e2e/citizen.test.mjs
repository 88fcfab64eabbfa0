// The citizen's window on a phone-sized screen, and the service-desk officer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, login, shot, ascii, toPersianDigits } from './harness.mjs';
import { toArabicDigits } from '../../tests/http/harness.mjs';

let app, caseId;
before(async () => {
  app = await startApp();
  // a case answered and reported back, so that the citizen can rate or reopen it
  const nid = app.citizens[2];
  const agent = await app.server.login('agent1');
  const sp = await app.server.login('sp_pensions');
  const c = await app.server.call('POST', '/api/v1/cases', {
    token: agent.token,
    body: { national_id: nid, channel: 'phone', topic: 'pension_not_paid', subject: 'مستمری آذر' },
  });
  assert.equal(c.status, 201, c.text);
  caseId = c.json.id;
  for (const [token, body] of [
    [sp.token, { type: 'start' }],
    [sp.token, { type: 'answer', text: 'مبلغ معوق در فیش دی پرداخت می‌شود.' }],
    [agent.token, { type: 'report_back', method: 'sms' }],
  ]) {
    const r = await app.server.call('POST', `/api/v1/cases/${caseId}/events`, { token, body });
    assert.equal(r.status, 201, r.text);
  }
});
after(async () => {
  await app?.stop();
});

test('citizen (phone): logs in with a Persian-digit national id, reads the answer, rates, reopens', async () => {
  const page = await app.page({ phone: true });
  await login(app, page, toPersianDigits(app.citizens[2]), { citizen: true });
  assert.match(page.url(), /\/me$/);
  await page.locator('table.cases tbody tr').first().waitFor();
  await shot(page, 'citizen-cases');
  await page.goto(`${app.url}/cases/${caseId}`);
  await page.locator('article.case[data-status=reported_back]').waitFor();
  assert.match(await page.locator('.timeline').textContent(), /فیش دی/);
  // the citizen does not see staff roles
  assert.doesNotMatch(await page.locator('.timeline').textContent(), /کارشناس واحد/);
  await page.locator('button[data-act=rate]').click();
  await page.locator('form[data-action=rate] input[value="4"]').check();
  await page.locator('form.action-form button[type=submit]').click();
  await page.locator('.timeline li[data-event=rate]').waitFor();
  await page.locator('button[data-act=reopen]').click();
  await page.fill('form[data-action=reopen] textarea', 'هنوز واریز نشده است');
  await page.locator('form.action-form button[type=submit]').click();
  await page.locator('article.case[data-status=in_progress]').waitFor();
  await shot(page, 'citizen-case');
});

test('citizen: a new request, refused first for a missing subject, then filed; the access log', async () => {
  const page = await app.page({ phone: true });
  await login(app, page, app.citizens[2], { citizen: true });
  await page.goto(`${app.url}/me/new`);
  await page.fill('input[name=topic_search]', 'وام');
  await page.keyboard.press('Enter');
  await page.fill('textarea[name=description]', 'درخواست وام ضروری داده‌ام و خبری نشده');
  await page.getByRole('button', { name: 'ثبت درخواست' }).click();
  await page.locator('[data-field=subject] .error').waitFor();
  assert.equal(await page.inputValue('textarea[name=description]'), 'درخواست وام ضروری داده‌ام و خبری نشده');
  await page.fill('input[name=subject]', 'پیگیری وام ضروری');
  await page.getByRole('button', { name: 'ثبت درخواست' }).click();
  await page.waitForURL(/\/cases\/\d+$/);
  await page.locator('article.case[data-status=new]').waitFor();

  await page.goto(`${app.url}/me/access-log`);
  const rows = page.locator('ul.access-log li');
  await rows.first().waitFor();
  const text = await page.locator('ul.access-log').textContent();
  assert.match(text, /کارشناس ۱۴۲۰/, 'the agent who read the record is listed');
  await shot(page, 'citizen-access-log-own');

  // my own insurance record and retirement, with how they were computed
  await page.goto(`${app.url}/me/record`);
  await page.locator('section.record [data-fact=record]').waitFor();
  await page.locator('section.record [data-fact=pension]').waitFor();
  assert.doesNotMatch(await page.locator('section.record').textContent(), /undefined|null|NaN/);
  await shot(page, 'citizen-record');
});

test('desk officer: files a case for a citizen by an Arabic-digit national id and gets the number to print', async () => {
  const page = await app.page();
  await login(app, page, 'desk1');
  assert.match(page.url(), /\/desk$/);
  await page.fill('input[name=national_id]', toArabicDigits(app.citizens[0]));
  await page.fill('input[name=topic_search]', 'سابقه');
  await page.keyboard.press('Enter');
  await page.fill('input[name=subject]', 'کسری سابقه سال ۱۳۹۸');
  await page.getByRole('button', { name: 'ثبت درخواست' }).click();
  const receipt = page.locator('.receipt');
  await receipt.waitFor();
  const number = ascii(await receipt.locator('.big-number').textContent());
  assert.match(number, /^14\d\d-\d{7}$/);
  assert.equal(await receipt.getByRole('button', { name: 'چاپ رسید' }).count(), 1);
  await shot(page, 'desk-receipt');
  // the number is the one the API knows
  const d = await app.server.login('desk1');
  const r = await app.server.call('GET', `/api/v1/cases?number=${number}`, { token: d.token });
  assert.equal(r.json.items[0].national_id, app.citizens[0]);
});
