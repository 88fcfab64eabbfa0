// A department specialist works the queue; the agent reports back and closes; supervisors see
// the figures and the list behind each one click away.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, login, shot, ascii } from './harness.mjs';

let app, caseId, caseNumber;
before(async () => {
  app = await startApp({ people: 300, cases: 1200 });
  const agent = await app.server.login('agent1');
  const r = await app.server.call('POST', '/api/v1/cases', {
    token: agent.token,
    body: { national_id: app.citizens[1], channel: 'phone', topic: 'pension_not_paid',
      subject: 'پرداخت نشدن مستمری مهر', description: 'شهروند می‌گوید مستمری مهر واریز نشده است' },
  });
  assert.equal(r.status, 201, r.text);
  caseId = r.json.id;
  caseNumber = r.json.number;
});
after(async () => {
  await app?.stop();
});

test('specialist: the queue by due date, page by page; take, start and answer a case', async () => {
  const page = await app.page();
  await login(app, page, 'sp_pensions');
  assert.match(page.url(), /\/queue$/);
  const rows = page.locator('table.cases tbody tr');
  await rows.first().waitFor();
  // the work queue: only what the department still has to do, overdue ones marked
  const badges = await page.locator('table.cases tbody .badge').allTextContents();
  assert.ok(badges.length > 0);
  for (const b of badges) assert.match(b, /جدید|ارجاع|در حال رسیدگی|در انتظار/, b);
  assert.ok(await page.locator('table.cases tr.overdue').count() > 0, 'overdue cases are marked');
  await shot(page, 'specialist-queue');
  // every status, a page at a time
  await page.selectOption('select[name=status]', 'all');
  await page.waitForURL(/all=1/);
  await page.waitForFunction(() => document.querySelectorAll('table.cases tbody tr').length === 25);
  await page.getByRole('button', { name: 'صفحه بعد' }).click();
  await page.waitForFunction(() => document.querySelectorAll('table.cases tbody tr').length > 25);
  await page.selectOption('select[name=status]', 'pending');

  // find the new case by its words, open it
  await page.fill('input[name=q]', 'مهر واریز');
  await page.keyboard.press('Enter');
  await page.locator(`tr[data-case="${caseNumber}"] a`).click();
  await page.waitForURL(new RegExp(`/cases/${caseId}$`));
  await page.locator('button[data-act=take]').click();
  await page.locator('article.case[data-status=assigned]').waitFor();
  await page.keyboard.press('Alt+s');
  await page.locator('article.case[data-status=in_progress]').waitFor();
  // buttons follow the state: no "start" once started, and no "report back" before an answer
  assert.equal(await page.locator('button[data-act=start]').count(), 0);
  assert.equal(await page.locator('button[data-act=report_back]').count(), 0);
  await page.locator('button[data-act=answer]').click();
  await page.fill('form[data-action=answer] textarea', 'مستمری با تأخیر بانکی روز ۵ آذر واریز شد.');
  await page.locator('form.action-form button[type=submit]').click();
  await page.locator('article.case[data-status=answered]').waitFor();
  assert.match(await page.locator('.timeline li[data-event=answer]').textContent(), /روز ۵ آذر/);
  await shot(page, 'specialist-case');
});

test('agent: a report back with no method is refused next to the field; then reported and closed', async () => {
  const page = await app.page();
  await login(app, page, 'agent1');
  await page.goto(`${app.url}/cases/${caseId}`);
  await page.locator('article.case[data-status=answered]').waitFor();
  await page.locator('button[data-act=report_back]').click();
  await page.fill('form[data-action=report_back] textarea', 'با شهروند تماس گرفتم');
  await page.locator('form.action-form button[type=submit]').click();
  await page.locator('[data-field=method] .error').waitFor();
  assert.equal(await page.inputValue('form[data-action=report_back] textarea'), 'با شهروند تماس گرفتم');
  await page.selectOption('select[name=method]', 'call');
  await page.locator('form.action-form button[type=submit]').click();
  await page.locator('article.case[data-status=reported_back]').waitFor();
  await page.keyboard.press('Alt+c');
  await page.locator('article.case[data-status=closed]').waitFor();
  const events = await page.locator('.timeline li').evaluateAll((l) => l.map((e) => e.getAttribute('data-event')));
  for (const e of ['create', 'assign', 'start', 'answer', 'report_back', 'close']) assert.ok(events.includes(e), `${e} in ${events}`);
});

test('supervisor: figures by department and topic, a chart, and the list behind a figure', async () => {
  const page = await app.page();
  await login(app, page, 'supervisor');
  assert.match(page.url(), /\/supervisor$/);
  const overdue = page.locator('a.tile[data-tile=overdue] .n');
  await overdue.waitFor();
  const n = Number(ascii(await overdue.textContent()));
  assert.ok(n > 0, 'the demo has overdue cases');
  await page.locator('.chart canvas').first().waitFor();
  assert.ok(await page.locator('table.figures:not(.outcomes):not(.people):not(.staffing)').count() === 2, 'by department and by topic');
  await shot(page, 'supervisor');

  await page.locator('a.tile[data-tile=overdue]').click();
  await page.waitForURL(/\/queue\?.*overdue=1/);
  const rows = page.locator('table.cases tbody tr');
  await rows.first().waitFor();
  assert.equal(await rows.count(), Math.min(n, 25));
  assert.equal(await page.locator('table.cases tbody tr.overdue').count(), await rows.count());
});

test('department supervisor: only their department, a topic figure opens its list', async () => {
  const page = await app.page();
  await login(app, page, 'sv_pensions');
  await page.locator('table.figures').first().waitFor();
  assert.equal(await page.locator('select[name=department]').count(), 0);
  const link = page.locator('table.figures a[data-figure^="open:"]').first();
  const want = Number(ascii(await link.textContent()));
  await link.click();
  await page.waitForURL(/\/queue\?.*topic=/);
  await page.locator('table.cases tbody tr').first().waitFor();
  assert.equal(await page.locator('table.cases tbody tr').count(), Math.min(want, 25));
});
