// A person's insurance record over HTTP: the history the stored lists make (demo careers),
// eligibility and the pension estimate with their steps, who may read them, and the audit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startDemo, assertError, assertNoSecrets, cleanupTemp, toPersianDigits, makeNationalId, runCli, tempDir,
  caseBody, newDb, sql as sqlOn,
} from './harness.mjs';

/** The national id check: nine digits weighted 10..2, and the check digit. */
const isNationalId = (s) => {
  if (!/^\d{10}$/.test(s)) return false;
  const sum = [...s.slice(0, 9)].reduce((a, d, i) => a + Number(d) * (10 - i), 0) % 11;
  return Number(s[9]) === (sum < 2 ? sum : 11 - sum);
};

let S, D, citizen, other, agent, sp, auditor, admin, emp;

before(async () => {
  D = await startDemo({ people: 120, cases: 100 });
  S = D.server;
  citizen = await S.login(D.citizens[0]);
  other = await S.login(D.citizens[1]);
  agent = await S.login('agent1');
  sp = await S.login('sp_pensions');
  auditor = await S.login('auditor');
  admin = await S.login('admin');
  emp = await S.login('emp1');
});

after(async () => {
  if (S) {
    assertNoSecrets(S);
    await S.stop();
  }
  cleanupTemp();
});

const get = (who, path) => S.call('GET', path, { token: who.token });
const sql = (q) => sqlOn(D.db, q);

test('a citizen reads their own history: months, totals and steps agree with the lists', async () => {
  const nid = D.citizens[0];
  const r = await get(citizen, `/api/v1/people/${nid}/history`);
  assert.equal(r.status, 200, r.text);
  const h = r.json.history;
  assert.ok(h.months.length > 0, 'the demo gave the citizen a career');
  // every month's days, summed, are the record
  const sum = h.months.reduce((a, m) => a + m.days, 0);
  assert.equal(h.record.total_days, sum);
  assert.equal(h.record.years * 360 + h.record.months * 30 + h.record.days, sum);
  // and they are the rows stored for the person
  const stored = Number(sql(`SELECT sum(days) FROM record_entries WHERE national_id = ${Number(nid)}`));
  assert.equal(sum, stored);
  assert.ok(h.credited.total_days >= h.record.total_days, 'hard work only adds');
  assert.ok(h.steps.length > 0 && h.steps.every((s) => s.fa && s.en), 'steps in Persian and English');
  assert.ok(h.steps.some((s) => s.reference), 'with their legal references');
  // Persian digits in the path, and a Jalali or Gregorian date
  assert.equal((await get(citizen, `/api/v1/people/${toPersianDigits(nid)}/history?date=1405/09/01`)).status, 200);
  const g = await get(citizen, `/api/v1/people/${nid}/history?date=2026-11-22`);
  assert.equal(g.json.date, '1405/09/01');
});

test('the history lists a year month by month, workshop by workshop, with the workshop\'s name', async () => {
  const nid = D.citizens[0];
  const r = await get(citizen, `/api/v1/people/${nid}/history`);
  assert.equal(r.status, 200, r.text);
  const { history: h, entries, entries_year: year } = r.json;
  // without year=: the last year on record
  assert.equal(year, Number(h.months.at(-1).month.slice(0, 4)));
  assert.ok(entries.length > 0);
  for (const e of entries) {
    assert.match(e.month, new RegExp(`^${year}/(0[1-9]|1[0-2])$`));
    assert.ok(Number.isInteger(e.days) && e.days >= 0 && e.days <= 31, JSON.stringify(e));
    assert.ok(Number.isInteger(e.wage) && e.wage >= 0);
    assert.equal(typeof e.hard_job, 'boolean');
  }
  // the demo's workshops are on record: each entry names its workshop
  assert.ok(entries.every((e) => /^\d{10}$/.test(e.workshop) && e.workshop_name), JSON.stringify(entries[0]));
  // the entries of each month add up to the month of the summary (all workshops together)
  for (const m of h.months.filter((x) => x.month.startsWith(`${year}/`))) {
    const of = entries.filter((e) => e.month === m.month);
    // (a month's days are capped at its length in the summary: two workshops may add up to more)
    assert.ok(of.reduce((a, e) => a + e.days, 0) >= m.days, m.month);
    assert.equal(of.reduce((a, e) => a + e.wage, 0), m.wage, m.month);
  }
  // any other year, by year=; one with nothing on record is empty
  const first = Number(h.months[0].month.slice(0, 4));
  const y1 = await get(citizen, `/api/v1/people/${nid}/history?year=${first}`);
  assert.equal(y1.json.entries_year, first);
  assert.ok(y1.json.entries.length > 0 && y1.json.entries.every((e) => e.month.startsWith(`${first}/`)));
  const none = await get(citizen, `/api/v1/people/${nid}/history?year=1300`);
  assert.deepEqual(none.json.entries, []);
  for (const bad of ['14O4', '99', '1501', '1404.5', '', '1404&year=1403x', '۱۴۰۴x']) {
    assertError(await get(citizen, `/api/v1/people/${nid}/history?year=${encodeURIComponent(bad)}`), 400, 'invalid_field', 'year');
  }
});

test('eligibility and the pension estimate say what they found and why', async () => {
  const nid = D.citizens[0];
  const el = await get(citizen, `/api/v1/people/${nid}/eligibility?date=1405/09/01`);
  assert.equal(el.status, 200, el.text);
  const e = el.json.eligibility;
  assert.equal(typeof e.eligible, 'boolean');
  assert.ok(e.conditions.length >= 5);
  for (const c of e.conditions) assert.equal(typeof c.met, 'boolean');
  if (e.eligible) assert.ok(e.conditions.some((c) => c.met));
  else assert.ok(e.conditions.every((c) => !c.met || c.applies === false));
  assert.ok(e.steps.length > 0);
  const p = await get(citizen, `/api/v1/people/${nid}/pension-estimate?date=1405/09/01`);
  assert.equal(p.status, 200, p.text);
  const x = p.json.pension;
  assert.equal(x.amount, Math.max(x.formula, x.floor));
  assert.ok(x.months_used > 0 && x.months_used <= 24);
  assert.ok(x.counted_days <= 35 * 360, 'at most 35 years count');
  assert.ok(x.steps.some((s) => s.reference && /77/.test(s.reference)), 'Article 77 is cited');
});

test('the pension estimate is reduced exactly when the condition met is the reduced one', async () => {
  const nids = sql('SELECT national_id FROM people ORDER BY id LIMIT 60').split('\n');
  const seen = { full: 0, reduced: 0 };
  for (const nid of nids) {
    const el = await get(sp, `/api/v1/people/${nid}/eligibility?date=1405/09/01`);
    if (el.status !== 200) continue; // a person without a birth date or a sex on record
    const p = await get(sp, `/api/v1/people/${nid}/pension-estimate?date=1405/09/01`);
    if (p.status !== 200) continue; // no wages to average
    const e = el.json.eligibility;
    assert.equal(p.json.eligible, e.eligible, nid);
    assert.equal(p.json.reduced, e.reduced, `${nid}: eligible by ${e.condition}`);
    if (e.eligible) seen[e.reduced ? 'reduced' : 'full']++;
  }
  assert.ok(seen.full > 0, 'no one in the demo is eligible to a full pension');
});

test('who may read a record', async () => {
  const nid = D.citizens[0];
  assertError(await get(other, `/api/v1/people/${nid}/history`), 403, 'forbidden', 'national_id');
  // an agent must identify the caller first; then may read
  assertError(await get(agent, `/api/v1/people/${nid}/eligibility`), 403, 'forbidden', 'national_id');
  assert.equal((await get(agent, `/api/v1/people/${nid}`)).status, 200);
  assert.equal((await get(agent, `/api/v1/people/${nid}/eligibility`)).status, 200);
  assert.equal((await get(sp, `/api/v1/people/${nid}/pension-estimate`)).status, 200);
  for (const who of [auditor, admin, emp]) assertError(await get(who, `/api/v1/people/${nid}/history`), 403, 'forbidden');
  assertError(await S.call('GET', `/api/v1/people/${nid}/history`), 401, 'unauthenticated');
  // the citizen sees who read the record, and that a refused read was refused
  const log = await get(citizen, '/api/v1/me/access-log');
  const reads = log.json.items.filter((a) => a.action === 'record_read');
  assert.ok(reads.some((a) => a.user === 'agent1' && a.outcome === 'allowed'));
  assert.ok(reads.some((a) => a.user === 'agent1' && a.outcome === 'denied'));
  assert.ok(reads.some((a) => a.user === 'sp_pensions'));
  // a role the route does not admit at all is refused before the handler: audited too
  for (const who of ['auditor', 'admin', 'emp1'])
    assert.ok(reads.some((a) => a.user === who && a.outcome === 'denied'), `${who}'s refused read is not in the log`);
  const all = await get(auditor, `/api/v1/audit?national_id=${nid}&limit=200`);
  assert.ok(all.json.items.some((a) => a.user === 'emp1' && a.action === 'record_read' && a.outcome === 'denied'));
});

test('an agent who opened a case for a caller may read their record without a second lookup', async () => {
  const agent2 = await S.login('agent2');
  const nid = D.citizens[2];
  assertError(await get(agent2, `/api/v1/people/${nid}/history`), 403, 'forbidden', 'national_id');
  const c = await S.call('POST', '/api/v1/cases', { token: agent2.token, body: caseBody(nid) });
  assert.equal(c.status, 201, c.text);
  const r = await get(agent2, `/api/v1/people/${nid}/history`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.national_id, nid);
});

test('a refused read of the audit log or the accounts is itself audited', async () => {
  assertError(await get(agent, '/api/v1/audit'), 403, 'forbidden');
  assertError(await get(sp, '/api/v1/users'), 403, 'forbidden');
  const log = await get(auditor, '/api/v1/audit?limit=200');
  assert.ok(log.json.items.some((a) => a.user === 'agent1' && a.action === 'audit_read' && a.outcome === 'denied'));
  assert.ok(log.json.items.some((a) => a.user === 'sp_pensions' && a.action === 'user_list' && a.outcome === 'denied'));
});

// Issue 11's missing test (b): the person sees each staff read of their history and of their
// pension, and who made it by name (the login is the account's, the name the person's).
test('a staff read of the history and of the pension is in the person\'s access log, by name', async () => {
  const log = async () => (await get(citizen, '/api/v1/me/access-log?limit=200')).json.items;
  const seen = new Set((await log()).map((i) => i.id));
  const me = (await get(sp, '/api/v1/me')).json;
  assert.ok(me.name && me.name !== me.login, `sp_pensions has a name of its own: ${JSON.stringify(me)}`);
  assert.equal((await get(sp, `/api/v1/people/${D.citizens[0]}/history`)).status, 200);
  assert.equal((await get(sp, `/api/v1/people/${D.citizens[0]}/pension`)).status, 200);
  const fresh = (await log()).filter((i) => !seen.has(i.id));
  for (const reason of ['insurance history', 'pension']) {
    const rows = fresh.filter((i) => i.action === 'record_read' && i.reason === reason);
    assert.equal(rows.length, 1, `one read of the ${reason}: ${JSON.stringify(fresh)}`);
    assert.equal(rows[0].user_name, me.name, `the ${reason} read is named by the staff member's name`);
    assert.equal(rows[0].user, 'sp_pensions');
    assert.equal(rows[0].role, 'specialist');
    assert.equal(rows[0].outcome, 'allowed');
  }
});

// Issue 11, defect 5: the refusal was decided after the lookup, so a citizen got 403 for
// someone on record and 404 for a valid id that is not, unaudited: which ids are on
// record could be read off the status. One who may not read a record now gets the same
// refusal either way, audited; only those who may read any record learn of a 404.
test('a record not yours: the same audited refusal whether or not the id is on record', async () => {
  const missing = makeNationalId(987124);
  const unidentified = D.citizens[2]; // on record; agent1 never identified them
  const same = async (who, path, what) => {
    const onRecord = await get(who, `/api/v1/people/${path(D.citizens[0])}`);
    const off = await get(who, `/api/v1/people/${path(missing)}`);
    assertError(onRecord, 403, 'forbidden', 'national_id');
    assert.equal(off.status, onRecord.status, `${what}: ${off.status} ${off.text}`);
    assert.equal(off.text, onRecord.text, `${what}: the two refusals differ`);
  };
  for (const p of ['history', 'eligibility', 'pension-estimate', 'pension'])
    await same(other, (nid) => `${nid}/${p}`, `another citizen, ${p}`);
  const a = await get(agent, `/api/v1/people/${unidentified}/history`);
  const b = await get(agent, `/api/v1/people/${missing}/history`);
  assertError(a, 403, 'forbidden', 'national_id');
  assert.equal(b.text, a.text, 'an agent who identified no one: the same refusal');
  assertError(await get(sp, `/api/v1/people/${missing}/history`), 404, 'not_found', 'national_id');
  // every refusal is in the audit log; one for an id not on record names the id
  const log = await get(auditor, `/api/v1/audit?user=${D.citizens[1]}&limit=100`);
  assert.equal(log.status, 200, log.text);
  const denied = log.json.items.filter((i) => i.action === 'record_read' && i.outcome === 'denied');
  for (const reason of ['insurance history', 'retirement eligibility', 'pension estimate', 'pension']) {
    assert.ok(denied.some((i) => i.national_id === D.citizens[0] && i.reason === reason),
      `no denied ${reason} of ${D.citizens[0]}: ${JSON.stringify(denied)}`);
    assert.ok(denied.some((i) => i.national_id === null && i.reason.startsWith(reason) && i.reason.includes(missing)),
      `no denied ${reason} of ${missing} (not on record): ${JSON.stringify(denied)}`);
  }
  const byAgent = (await get(auditor, '/api/v1/audit?user=agent1&limit=100')).json.items;
  assert.ok(byAgent.some((i) => i.outcome === 'denied' && i.national_id === null && i.reason.includes(missing)),
    'the agent\'s refusal for an id not on record is audited');
});

test('bad national ids and dates are refused by field', async () => {
  const nid = D.citizens[0];
  const bad = nid.slice(0, 9) + String((Number(nid[9]) + 1) % 10);
  assertError(await get(sp, `/api/v1/people/${bad}/history`), 400, 'invalid_national_id', 'national_id');
  assertError(await get(sp, `/api/v1/people/${makeNationalId(987123)}/history`), 404, 'not_found', 'national_id');
  for (const d of ['2026-13-01', '2026-02-30', '1405/13/01', '1404/12/30', 'tomorrow', '2026-11-22T00:00:00Z', '']) {
    assertError(await get(sp, `/api/v1/people/${nid}/eligibility?date=${encodeURIComponent(d)}`), 400, 'invalid_field', 'date');
  }
});

test('tamin rules answers from the data alone, and says what is wrong on the command line', () => {
  const v = runCli(['rules', 'value', 'contribution.insured.bp', '1405/09/01']);
  assert.equal(v.status, 0, v.stderr);
  const j = JSON.parse(v.stdout);
  assert.equal(j.value, 700);
  assert.match(j.reference, /28/);
  const c = runCli(['rules', 'contribution', '1405/08', '30', '200000000']);
  assert.equal(c.status, 0, c.stderr);
  assert.equal(JSON.parse(c.stdout).worker, 14000000, '7% of 200,000,000 rials');
  const bad = runCli(['rules', 'value', 'no.such.thing']);
  assert.notEqual(bad.status, 0);
  assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
});

test('tamin demo --scale national: 30-year careers among other entries, and pensioners, in key order', () => {
  const db = newDb(tempDir('tamin-national-'), 'n.db');
  const r = runCli(['demo', '--db', db, '--people', '10', '--cases', '0', '--records', '0', '--calls-days', '0',
    '--scale', 'national', '--sample', '40', '--filler', '7200', '--pensioners', '300']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /national scale: 40 people with 30-year careers among 7200 record entries; 300 pensioners/);
  const q = (s) => sqlOn(db, s);
  assert.equal(q('SELECT count(*) FROM record_entries'), String(40 * 360 + 7200));
  assert.equal(q('SELECT count(*) FROM pensioners WHERE granted IS NOT NULL'), '300');
  // every sampled person: a month in each of the 360 months to 1405/07, in a valid national id
  const nid = q("SELECT national_id FROM people WHERE first_name = 'نمونه' ORDER BY national_id LIMIT 1");
  assert.ok(isNationalId(nid), nid);
  assert.equal(q(`SELECT count(*) || ' ' || min(year * 100 + month) || ' ' || max(year * 100 + month) FROM record_entries WHERE national_id = ${Number(nid)}`), '360 137508 140507');
  // the years to 1404 are closed (work_months), 1405's seven months open (open_months)
  assert.equal(q('SELECT count(*) || \' \' || max(year) FROM record_years'), '30 1404');
  assert.equal(q('SELECT year * 100 + month FROM open_periods ORDER BY year, month').split('\n').join(','), '140501,140502,140503,140504,140505,140506,140507');
  assert.equal(q('SELECT count(*) FROM open_months WHERE year <> 1405'), '0');
  assert.equal(q('SELECT count(*) FROM work_months WHERE year = 1405'), '0');
  // a bad scale is one line on stderr
  const bad = runCli(['demo', '--db', newDb(tempDir('tamin-national-'), 'n2.db'), '--scale', 'city']);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /--scale is national/);
});
