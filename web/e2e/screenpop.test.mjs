// The screen pop: agent1 (telephone agent SIP/8001 in the demo) sits at the agent's page;
// the telephone system posts a caller entering the queue and being connected to SIP/8001;
// the page shows the caller's name, their open cases and the call, with nothing typed; a
// case opened then is linked to the call, and the case shows its call. A caller whose
// number is on no record is said so, with the number, and the search field waits for the
// national id.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, login, shot, toPersianDigits, sql as sqlOn } from './harness.mjs';

let app, person;
before(async () => {
  app = await startApp({ people: 60, cases: 150 });
  const sql = (q) => sqlOn(app.db, q);
  // a person with open cases whose mobile no one else has
  const [nid, first, last, mobile] = sql(`SELECT p.national_id, p.first_name, p.last_name, p.mobile
    FROM people p WHERE p.mobile IN (SELECT mobile FROM people GROUP BY mobile HAVING count(*) = 1)
    AND EXISTS (SELECT 1 FROM cases c WHERE c.person_id = p.id AND c.status <> 'closed')
    ORDER BY p.id LIMIT 1`).split('|');
  person = { nid, first, last, mobile };
  assert.match(nid, /^\d{10}$/);
});
after(async () => {
  await app?.stop();
});

const now = () => Math.floor(Date.now() / 1000);
async function ring(id, mobile) {
  const pbx = await app.server.login('pbx');
  const t = now();
  const r = await app.server.call('POST', '/api/v1/calls/events', {
    token: pbx.token,
    headers: { 'content-type': 'text/plain' },
    body: `${t - 4}|${id}|1420|NONE|ENTERQUEUE||${mobile}|1|\n${t}|${id}|1420|SIP/8001|CONNECT|4|${id}.b|2\n`,
  });
  assert.equal(r.status, 200, r.text);
}

test('a call connected to the agent shows the caller and their open cases with no typing; a case opened then is linked', async () => {
  const page = await app.page();
  await login(app, page, 'agent1');
  await page.goto(`${app.url}/agent`);
  await page.waitForSelector('html[data-live="on"]');
  await page.evaluate(() => { window.__stillHere = true; });
  const id = `${now()}.77`;
  const t0 = Date.now();
  await ring(id, person.mobile);
  const pop = page.locator(`.call-pop[data-callid="${id}"]`);
  await pop.waitFor({ timeout: 3000 });
  const took = Date.now() - t0;
  await pop.locator('.call-person').getByText(`${person.first} ${person.last}`).waitFor();
  // the caller's card as after a lookup: the name, the open cases
  const card = page.locator(`section.caller[data-national-id="${person.nid}"]`);
  await card.waitFor();
  assert.ok((await card.locator('h2').textContent()).includes(person.last));
  assert.ok((await card.textContent()).includes('پرونده‌های باز'));
  assert.ok(await card.locator('table.cases tr[data-case]').count() >= 1, 'the open cases are listed');
  assert.ok((await pop.textContent()).includes(toPersianDigits(person.mobile)), 'the number in Persian digits');
  assert.equal(await page.evaluate(() => window.__stillHere), true, 'no reload');
  assert.equal(await page.inputValue('input[name=q]'), person.nid, 'the search field shows who it is');
  await shot(page, 'screenpop-card');

  // a case opened while the call is on screen: linked to the call
  await page.keyboard.press('F4');
  const form = page.locator('form.new-case');
  await form.waitFor();
  await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'topic_search');
  await page.fill('input[name=topic_search]', 'مستمری');
  await page.keyboard.press('Enter');
  await page.fill('input[name=subject]', 'پرسش درباره واریز مستمری در تماس');
  await page.getByRole('button', { name: 'ثبت درخواست' }).click();
  await page.locator('article.case .case-head').waitFor();
  await pop.locator('[data-linked="1"]').waitFor();
  const caseView = page.locator('.case-calls');
  await caseView.locator(`[data-callid="${id}"]`).waitFor();
  assert.ok((await caseView.textContent()).includes('ثبت در تماس'));
  await shot(page, 'screenpop-linked');
  console.log(`# the caller's card showed ${took} ms after the CONNECT was posted`);
});

test('a number on no record: the pop says so with the number, and the search waits for the national id', async () => {
  const page = await app.page();
  await login(app, page, 'agent1');
  await page.goto(`${app.url}/agent`);
  await page.waitForSelector('html[data-live="on"]');
  const id = `${now()}.78`;
  await ring(id, '09129990011');
  const pop = page.locator(`.call-pop[data-callid="${id}"]`);
  await pop.locator('[data-card="not-found"]').waitFor({ timeout: 3000 });
  assert.ok((await pop.textContent()).includes(toPersianDigits('09129990011')));
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'q');
  // agent2 is no one's telephone agent here: nothing pops on their screen
  const other = await app.page();
  await login(app, other, 'agent2');
  await other.goto(`${app.url}/agent`);
  await other.waitForSelector('html[data-live="on"]');
  await ring(`${now()}.79`, person.mobile);
  await page.locator('.call-pop[data-callid$=".79"]').waitFor({ timeout: 3000 });
  assert.equal(await other.locator('.call-pop').count(), 0, 'another agent sees no pop');
  // the agent's page opened again during the call (its address without ?call=): the call on
  // their screen comes back by itself (GET /api/v1/me/call when the stream opens)
  await page.goto(`${app.url}/agent`);
  await page.locator('.call-pop[data-callid$=".79"]').waitFor({ timeout: 3000 });
  assert.equal(await other.locator('.call-pop').count(), 0);
});
