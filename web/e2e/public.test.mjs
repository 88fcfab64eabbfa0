// /public without a login: the organisation's figures in Persian, right to left, with
// Persian digits, charts drawn, withheld counts shown as «*» and no personal datum of the
// database anywhere on the page; the supervisor's department accountability table and its
// Excel download.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, login, shot, ascii, sql as sqlOn } from './harness.mjs';

let app;
before(async () => {
  app = await startApp({ people: 80, cases: 300 });
});
after(async () => {
  await app?.stop();
});

test('public: the figures without a login, Persian and RTL, no personal data', async () => {
  const page = await app.page();
  await page.goto(`${app.url}/public`);
  const table = page.locator('table.public-cases');
  await table.waitFor();
  assert.equal(await page.locator('main.public').getAttribute('dir'), 'rtl');
  assert.equal(await page.locator('input[type=password]').count(), 0, 'no login form');
  const api = await (await page.request.get(`${app.url}/api/v1/public/figures?days=90&months=12`)).json();
  const last = api.cases.at(-1);
  // every department row as the API gave it, withheld counts as *
  for (const d of last.departments) {
    const cells = await page.locator(`tr[data-department="${d.department}"] td`).allTextContents();
    if (d.received === null) assert.equal(cells[1], '*');
    else assert.equal(Number(ascii(cells[1])), d.received);
    if (d.solved_in_time === null) assert.equal(cells[2], '*');
    else assert.equal(Number(ascii(cells[2])), d.solved_in_time);
  }
  assert.ok(last.departments.some((d) => d.received === null), 'the demo month has a small department withheld');
  await page.locator('canvas').first().waitFor();
  assert.equal(await page.locator('.chart').count(), 3);
  assert.match(await page.locator('[data-eservices=none]').textContent(), /هنوز/);
  const text = await page.locator('body').innerText();
  assert.doesNotMatch(text, /[0-9]/, 'every digit people read is Persian');
  // nothing the database knows of a person, a case or a staff member
  const sql = (q) => sqlOn(app.db, q).split('\n').filter(Boolean);
  const html = await page.content();
  for (const v of [...sql('SELECT national_id FROM people'), ...sql('SELECT number FROM cases'),
    ...sql("SELECT first_name || ' ' || last_name FROM people"), ...sql("SELECT name FROM users WHERE name <> ''")]) {
    assert.ok(!html.includes(v) && !text.includes(v), `the page shows ${v}`);
  }
  await shot(page, 'public');
});

test('public (390x844): the figures fit a phone', async () => {
  const page = await app.page({ phone: true });
  await page.goto(`${app.url}/public`);
  await page.locator('table.public-cases').waitFor();
  await page.locator('canvas').first().waitFor();
  const over = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(over <= 0, `the public page is ${over} px wider than the screen`);
  await shot(page, 'public-phone');
});

test('supervisor: department accountability by month, and its Excel file', async () => {
  const page = await app.page();
  await login(app, page, 'supervisor');
  const table = page.locator('table.accountability');
  await table.waitFor();
  const api = await (await page.request.get(`${app.url}/api/v1/stats/departments`)).json();
  const month = api.months.at(-1);
  const pens = api.rows.find((r) => r.month === month.month && r.department === 'pensions');
  const cell = (k) => table.locator(`tr[data-department=pensions] td[data-k=${k}]`).textContent();
  assert.equal(Number(ascii(await cell('received'))), pens.received);
  assert.equal(Number(ascii(await cell('overdue'))), pens.overdue);
  assert.equal(Number(ascii(await table.locator('tfoot td[data-k=received]').textContent())), month.totals.received);
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('a[data-export=departments]').click()]);
  assert.match(download.suggestedFilename(), /^tamin-departments-14\d\d-\d\d-14\d\d-\d\d\.xlsx$/);
  await shot(page, 'supervisor-accountability');
});
