// The supervisor's wallboard (/wall): the telephone system's lines become tiles, and a
// caller who waits past the queue's limit turns the tile into an alert said in words; a
// new caller appears within seconds from the live stream, without a reload. And next
// week's staffing on the supervisor's page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, login, shot, ascii } from './harness.mjs';

let app, pbx;
before(async () => {
  app = await startApp({ people: 40, cases: 40 });
  pbx = (await app.server.login('pbx')).token;
});
after(async () => {
  await app?.stop();
});

const post = (lines) => app.server.call('POST', '/api/v1/calls/events', {
  token: pbx, body: lines.join('\n') + '\n', headers: { 'content-type': 'text/plain' },
});

test('supervisor: the wallboard shows the queues, the agents and the alert, and follows the stream', async () => {
  const now = Math.floor(Date.now() / 1000);
  const r = await post([
    `${now - 300}|REALTIME|pensions|SIP/8101|ADDMEMBER|`,
    `${now - 300}|REALTIME|records|SIP/8102|ADDMEMBER|`,
    `${now - 200}|NONE|records|SIP/8102|PAUSE|آموزش`,
    `${now - 90}|W1|pensions|NONE|ENTERQUEUE||09120000001|1`,
    `${now - 20}|W2|pensions|NONE|ENTERQUEUE||09120000002|2`,
  ]);
  assert.equal(r.status, 200, r.text);
  const page = await app.page();
  await login(app, page, 'supervisor');
  await page.locator('a[data-link=wall]').click();
  const tile = page.locator('section.wall-tile[data-queue=pensions]');
  await tile.waitFor();
  assert.equal(await page.locator('html').getAttribute('dir'), 'rtl');
  assert.match(await tile.locator('h3').textContent(), /مستمری و بازنشستگی/);
  assert.equal(ascii(await tile.locator('[data-figure=waiting]').textContent()), '2');
  // past the 60 s of pensions: a class for the colour, and a sentence for the words
  assert.match(await tile.getAttribute('class'), /over/);
  const alert = await tile.locator('[role=alert]').textContent();
  assert.match(alert, /هشدار/);
  assert.match(alert, /از سقف\s*\u2066?۱:۰۰/);
  assert.doesNotMatch(await page.locator('.wall').textContent(), /[0-9]{2}:[0-9]{2}|0912/); // Persian digits, no caller
  // the agents by state, the pause with its reason
  const paused = page.locator('[data-agents=paused] li[data-agent="SIP/8102"]');
  assert.match(await paused.textContent(), /آموزش/);
  await page.locator('[data-agents=available] li[data-agent="SIP/8101"]').waitFor();
  await shot(page, 'wall');

  // a caller enters records: the tile follows from the stream within seconds, no reload
  const records = page.locator('section.wall-tile[data-queue=records] [data-figure=waiting]');
  assert.equal(ascii(await records.textContent()), '0');
  await post([`${Math.floor(Date.now() / 1000)}|W3|records|NONE|ENTERQUEUE||09120000003|1`]);
  await page.waitForFunction(
    () => document.querySelector('section.wall-tile[data-queue=records] [data-figure=waiting]')?.textContent === '۱',
    null, { timeout: 4000 });
  // answered: SIP/8101 on a call, one fewer waiting
  await post([`${Math.floor(Date.now() / 1000)}|W1|pensions|SIP/8101|CONNECT|92|W1b|1`]);
  await page.locator('[data-agents=on_call] li[data-agent="SIP/8101"]').waitFor({ timeout: 4000 });
  await page.waitForFunction(
    () => document.querySelector('section.wall-tile[data-queue=pensions] [data-figure=waiting]')?.textContent === '۱',
    null, { timeout: 4000 });
});

test('supervisor: next week\'s staffing, a day at a time, in Persian digits', async () => {
  // two calls in this half hour on this weekday in each of the last 3 weeks: next week's
  // same weekday and half hour forecasts 2 (flat: no trend), with 1 agent (default 180 s)
  const now = Math.floor(Date.now() / 1000), local = now + 12600;
  const slot = local - (local % 1800) - 12600; // this half hour's start, UTC
  const weekday = (Math.floor(local / 86400) + 5) % 7; // Saturday 0
  const hhmm = new Date((slot + 12600) * 1000).toISOString().slice(11, 16);
  const lines = [];
  for (let k = 1; k <= 3; k++)
    for (let i = 0; i < 2; i++) {
      const t = slot - k * 7 * 86400 + 60 + i * 60, c = `S${k}${i}`;
      lines.push(`${t}|${c}|general|NONE|ENTERQUEUE||0912|1`, `${t + 4}|${c}|general|SIP/8301|CONNECT|4|${c}b|1`,
        `${t + 184}|${c}|general|SIP/8301|COMPLETEAGENT|4|180|1`);
    }
  assert.equal((await post(lines)).status, 200);
  const page = await app.page();
  await login(app, page, 'supervisor');
  const summary = page.locator('[data-forecast-summary]');
  await summary.waitFor();
  assert.match(await summary.textContent(), /۳ هفته سابقه/);
  const tabs = page.locator('[data-staffing] button[role=tab]');
  assert.equal(await tabs.count(), 7);
  await tabs.nth(weekday).click();
  assert.equal(await tabs.nth(weekday).getAttribute('aria-selected'), 'true');
  const row = page.locator('[data-staffing] tr[data-interval$="' + hhmm + '"]');
  await row.waitFor();
  const cells = await row.locator('td').allTextContents();
  assert.equal(ascii(cells[0]).replace(/[\u2066-\u2069]/g, ''), hhmm);
  assert.deepEqual(cells.slice(1, 3), ['۲', '۱']);
  assert.doesNotMatch(cells.join(' '), /[0-9]/);
  await page.locator('[data-staffing] .chart canvas').waitFor();
  await shot(page, 'staffing');
  assert.match(await page.locator('a[data-export=staffing]').getAttribute('href'), /forecast\.xlsx\?weeks=4/);
});
