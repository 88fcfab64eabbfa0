// Live queues: a specialist's queue takes a case assigned to them while they look at it,
// without a reload, and lets it go when it is transferred away (GET /api/v1/stream).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, login, shot, toPersianDigits } from './harness.mjs';

let app;
before(async () => {
  app = await startApp({ people: 100, cases: 200 });
});
after(async () => {
  await app?.stop();
});

test("specialist: the queue shows a case the agent assigns to them, and drops it when it is transferred, without a reload", async () => {
  const page = await app.page();
  await login(app, page, 'sp_pensions');
  await page.goto(`${app.url}/queue?assignee=me`);
  await page.waitForSelector('.case-list');
  await page.waitForSelector('html[data-live="on"]'); // the stream is open
  // a reload would lose this
  await page.evaluate(() => { window.__stillHere = true; });
  const agent = await app.server.login('agent1');
  const c = await app.server.call('POST', '/api/v1/cases', {
    token: agent.token,
    body: { national_id: app.citizens[0], channel: 'phone', topic: 'pension_not_paid', subject: 'مستمری آبان واریز نشده' },
  });
  assert.equal(c.status, 201, c.text);
  const row = page.locator(`table.cases tr[data-case="${c.json.number}"]`);
  assert.equal(await row.count(), 0, 'the case is not theirs yet');
  const t0 = Date.now();
  const r = await app.server.call('POST', `/api/v1/cases/${c.json.id}/events`, {
    token: agent.token, body: { type: 'assign', assignee: 'sp_pensions' },
  });
  assert.equal(r.status, 201, r.text);
  await row.waitFor({ timeout: 3000 });
  const took = Date.now() - t0;
  assert.equal(await page.evaluate(() => window.__stillHere), true, 'the page was reloaded');
  // the banner says it in Persian, the number in Persian digits
  const banner = page.locator('.live-banner');
  await banner.getByText('به شما ارجاع شد').waitFor();
  assert.ok((await banner.textContent()).includes(toPersianDigits(c.json.number)));
  await shot(page, 'live-queue-assigned');

  // transferred to another department: it leaves the queue at once
  const tr = await app.server.call('POST', `/api/v1/cases/${c.json.id}/events`, {
    token: agent.token, body: { type: 'assign', department: 'records' },
  });
  assert.equal(tr.status, 201, tr.text);
  await row.waitFor({ state: 'detached', timeout: 3000 });
  await banner.getByText('از کارتابل شما خارج شد').waitFor();
  assert.equal(await page.evaluate(() => window.__stillHere), true);
  console.log(`# the assigned case showed in the queue ${took} ms after the assignment`);
});

test('the case page says so when the case is transferred away while it is open', async () => {
  const page = await app.page();
  await login(app, page, 'sp_pensions');
  const agent = await app.server.login('agent1');
  const c = await app.server.call('POST', '/api/v1/cases', {
    token: agent.token,
    body: { national_id: app.citizens[1], channel: 'phone', topic: 'pension_not_paid', subject: 'پرسش درباره مستمری' },
  });
  assert.equal(c.status, 201, c.text);
  await app.server.call('POST', `/api/v1/cases/${c.json.id}/events`, {
    token: agent.token, body: { type: 'assign', assignee: 'sp_pensions' },
  });
  await page.goto(`${app.url}/cases/${c.json.id}`);
  await page.waitForSelector('article.case');
  await page.waitForSelector('html[data-live="on"]');
  await app.server.call('POST', `/api/v1/cases/${c.json.id}/events`, {
    token: agent.token, body: { type: 'assign', department: 'records' },
  });
  // (records' case now: the pensions specialist may no longer read it, and the page says why)
  await page.locator('.case-head .notice').waitFor({ timeout: 3000 });
});
