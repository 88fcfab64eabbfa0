// What a 390 px phone shows: the citizen's cases, the employer's workshops and the record,
// each without a page wider than the screen; case numbers, logins and codes read left to
// right inside the Persian text; the record month by month.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, login, shot, ascii } from './harness.mjs';

let app;
before(async () => {
  app = await startApp({ people: 60, cases: 150 });
  // a case of the citizen's own, so that the list has a row
  const agent = await app.server.login('agent1');
  const c = await app.server.call('POST', '/api/v1/cases', {
    token: agent.token,
    body: { national_id: app.citizens[0], channel: 'phone', topic: 'pension_not_paid', subject: 'مستمری آذر پرداخت نشده است' },
  });
  assert.equal(c.status, 201, c.text);
});
after(async () => {
  await app?.stop();
});

/** The page's width beyond the 390 px screen: 0 when nothing overflows. */
const overflow = (page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

test('citizen (390x844): the case list fits the screen, its number isolated left to right', async () => {
  const page = await app.page({ phone: true });
  await login(app, page, app.citizens[0], { citizen: true });
  const row = page.locator('.case-list [data-case]').first();
  await row.waitFor();
  await shot(page, 'phone-citizen-cases');
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= 390), true,
    `the citizen's list is ${await overflow(page)} px wider than the screen`);
  // the number is one left-to-right run: «۱۴۰۵-۰۰۰۰۱۵۱», not «۰۰۰۰۱۵۱-۱۴۰۵»
  const number = await row.getAttribute('data-case');
  const bdi = row.locator('bdi[dir=ltr]', { hasText: /^[۰-۹]{4}-[۰-۹]{7}$/ }).first();
  assert.equal(ascii(await bdi.textContent()), number);
});

test('citizen (390x844): the record month by month, fitting the screen', async () => {
  const page = await app.page({ phone: true });
  await login(app, page, app.citizens[0], { citizen: true });
  await page.goto(`${app.url}/me/record`);
  const table = page.locator('table.record-months');
  await table.waitFor();
  await shot(page, 'phone-citizen-record');
  const rows = await table.locator('tbody tr').count();
  assert.ok(rows > 0, 'the record has monthly rows');
  // each row: a Jalali month, a workshop code (isolated, as typed), days and wage in Persian digits
  const first = table.locator('tbody tr').first();
  assert.match(await first.locator('td').nth(0).textContent(), /(فروردین|اردیبهشت|خرداد|تیر|مرداد|شهریور|مهر|آبان|آذر|دی|بهمن|اسفند) [۰-۹]{4}/);
  assert.match(await first.locator('td').nth(2).textContent(), /^[۰-۹]+$/);
  assert.doesNotMatch(await table.textContent(), /[0-9]/, 'no ASCII digits in the table');
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= 390), true,
    `the record page is ${await overflow(page)} px wider than the screen`);
  // a condition whose record is enough but whose age is not reached says so
  const conditions = await page.locator('ul.conditions').textContent();
  assert.doesNotMatch(conditions, /[^۰-۹]۰ روز سابقه کم است/, conditions);
  // the steps: numbered in Persian digits, no decimal point between digits («۱٫۵», not «۱.۵۰۰»)
  for (const d of await page.locator('section.record details.steps').all()) await d.locator('summary').click();
  assert.equal(await page.locator('section.record details.steps ol').first().evaluate((ol) => getComputedStyle(ol).listStyleType), 'persian');
  assert.doesNotMatch(await page.locator('section.record').textContent(), /[۰-۹0-9]\.[۰-۹0-9]/);
  // law references in Persian only
  assert.doesNotMatch(await page.locator('section.record').textContent(), /Social Security|Art\.|Seventh Development/);
});

test('employer (390x844): the workshop and its lists fit the screen; the code reads as typed', async () => {
  const page = await app.page({ phone: true });
  await login(app, page, 'emp1');
  const card = page.locator('section[data-workshop]').first();
  await card.waitFor();
  await card.locator('table.lists, p.muted').first().waitFor();
  await shot(page, 'phone-employer');
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= 390), true,
    `the employer's page is ${await overflow(page)} px wider than the screen`);
  const code = await card.getAttribute('data-workshop');
  assert.equal(ascii(await card.locator('h3 bdi[dir=ltr]').first().textContent()), code);
});
