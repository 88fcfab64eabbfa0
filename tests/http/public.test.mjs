// The public figures and the department accountability behind them:
// - GET /api/v1/public/figures answers without a session, and its whole reply carries no
//   national id, mobile, name, login or case number the database holds;
// - small groups are withheld: no published count is 1 to 9, and no withheld one can be
//   worked back from a total or a complement (received - answered in time);
// - GET /api/v1/stats/departments on a hand-made set of cases in a month of their own
//   (opened on given days with given dues, some answered late, one reopened, one solved
//   on the call) gives the counts worked out by hand; its Excel download the same;
// - bad parameters: 400 naming the field.
//
// The server's clock is the machine's: the hand-made cases are opened through the API and
// then moved, with SQL, into a Jalali month 18 months back that the demo leaves empty
// (as attachments.test.mjs and calls.test.mjs set what the API cannot).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { startDemo, assertError, assertNoSecrets, caseBody, cleanupTemp, freshNationalId, sql as sqlOn } from './harness.mjs';

const DAY = 86400;
let S, D, sql, sup, agent1, spPensions, svPensions, month, start;
const ids = {};
const days = {}; // Tehran days back -> YYYY-MM-DD
const callers = []; // the numbers that called

const ev = async (who, id, body) => {
  const r = await S.call('POST', `/api/v1/cases/${id}/events`, { token: who.token, body });
  assert.equal(r.status, 201, `${body.type}: ${r.text}`);
};
const open = async (topic) => {
  const r = await S.call('POST', '/api/v1/cases', { token: agent1.token, body: caseBody(freshNationalId(), { topic }) });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
};
/** Sets a case's times, in seconds after the month's start (null: none). */
const place = (id, { created, due, answered }) => {
  const t = (v) => (v === null || v === undefined ? 'NULL' : String(start + v));
  sql(`UPDATE cases SET created = ${t(created)}, resolution_due = ${t(due)}, answered_at = ${t(answered)} WHERE id = ${id}`);
};
const shift = (m, by) => {
  const [y, mm] = m.split('-').map(Number);
  const i = y * 12 + mm - 1 + by;
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
};

before(async () => {
  D = await startDemo({ people: 60, cases: 150, args: ['--rate-limit', '0'] });
  S = D.server;
  sql = (q) => sqlOn(D.db, q);
  [sup, agent1, spPensions, svPensions] = await Promise.all(['supervisor', 'agent1', 'sp_pensions', 'sv_pensions'].map((l) => S.login(l)));

  // the month: 18 Jalali months back, empty in the demo
  const now = await S.call('GET', '/api/v1/stats/departments', { token: sup.token });
  assert.equal(now.status, 200, now.text);
  assert.equal(now.json.months.length, 12);
  month = shift(now.json.months[11].month, -18);
  const before = await S.call('GET', `/api/v1/stats/departments?from=${month}&to=${month}`, { token: sup.token });
  assert.equal(before.status, 200, before.text);
  assert.equal(before.json.months[0].totals.received, 0, `the demo has cases in ${month}`);
  start = Date.parse(before.json.months[0].start) / 1000;

  // pensions: 13 cases received in the month
  ids.inTime = [];
  for (let i = 0; i < 6; i++) { // answered a day after opening, due in three
    const id = await open('pension_not_paid');
    await ev(agent1, id, { type: 'answer', text: 'پاسخ' });
    place(id, { created: 2 * DAY + i * 60, due: 5 * DAY, answered: 3 * DAY });
    ids.inTime.push(id);
  }
  ids.late = [];
  for (let i = 0; i < 3; i++) { // answered on day 8, due on day 5
    const id = await open('pension_not_paid');
    await ev(agent1, id, { type: 'answer', text: 'پاسخ دیرهنگام' });
    place(id, { created: 2 * DAY, due: 5 * DAY, answered: 8 * DAY });
    ids.late.push(id);
  }
  ids.overdue = [];
  for (let i = 0; i < 2; i++) { // still open, due on day 5: overdue at the month's end and ever since
    const id = await open('pension_not_paid');
    place(id, { created: 2 * DAY, due: 5 * DAY, answered: null });
    ids.overdue.push(id);
  }
  // answered, told, closed, reopened: open again with a new due far ahead
  ids.reopened = await open('pension_not_paid');
  await ev(agent1, ids.reopened, { type: 'answer', text: 'پاسخ' });
  await ev(agent1, ids.reopened, { type: 'report_back', method: 'call' });
  await ev(agent1, ids.reopened, { type: 'close' });
  await ev(agent1, ids.reopened, { type: 'reopen', text: 'حل نشد' });
  sql(`UPDATE cases SET created = ${start + 3 * DAY}, resolution_due = ${Math.floor(Date.now() / 1000) + 60 * DAY} WHERE id = ${ids.reopened}`);
  // solved on the call that opened it
  ids.onCall = await open('pension_not_paid');
  await ev(agent1, ids.onCall, { type: 'solve_on_call', text: 'پاسخ در همان تماس' });
  place(ids.onCall, { created: 4 * DAY, due: 7 * DAY, answered: 4 * DAY });

  // the phone line: 12 calls answered yesterday (Tehran), 3 the day before, all within
  // 20 s, posted before the public figures are first asked for (they are then kept 5 min)
  const pbx = await S.login('pbx');
  const lines = [];
  for (const [back, n] of [[1, 12], [2, 3]]) {
    const ymd = new Date(Date.now() + 12600e3 - back * 86400e3).toISOString().slice(0, 10);
    days[back] = ymd;
    const t0 = Math.floor(Date.parse(`${ymd}T10:00:00+03:30`) / 1000);
    for (let i = 0; i < n; i++) {
      const id = `pub-${t0}-${i}`;
      callers.push(`0912000${String(i).padStart(4, '0')}`);
      lines.push(`${t0 + i * 60}|${id}|1420|NONE|ENTERQUEUE||0912000${String(i).padStart(4, '0')}|1`,
        `${t0 + i * 60 + 5}|${id}|1420|SIP/8001|CONNECT|5|${id}.1|2`,
        `${t0 + i * 60 + 65}|${id}|1420|SIP/8001|COMPLETECALLER|5|60|1`);
    }
  }
  const post = await S.call('POST', '/api/v1/calls/events', { token: pbx.token, body: lines.join('\n') + '\n', headers: { 'content-type': 'text/plain' } });
  assert.ok(post.status === 200 || post.status === 201, post.text);

  // records: 4 cases, a small group, 3 answered in time and one open, not due yet
  ids.records = [];
  for (let i = 0; i < 4; i++) {
    const id = await open('record_objection');
    if (i < 3) await ev(agent1, id, { type: 'answer', text: 'پاسخ' });
    place(id, { created: 10 * DAY, due: 40 * DAY, answered: i < 3 ? 11 * DAY : null });
    ids.records.push(id);
  }
});

after(async () => {
  if (S) {
    assertNoSecrets(S);
    await S.stop();
  }
  cleanupTemp();
});

const row = (j, m, dep) => j.rows.find((r) => r.month === m && r.department === dep);

test('department accountability: each count of the hand-made month as worked out by hand', async () => {
  const next = shift(month, 1);
  const r = await S.call('GET', `/api/v1/stats/departments?from=${month}&to=${next}`, { token: sup.token });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.months.map((m) => m.month), [month, next]);
  const p = row(r.json, month, 'pensions');
  assert.deepEqual(
    { received: p.received, in_time: p.answered_in_time, late: p.answered_late, open: p.open, overdue: p.overdue, reopened: p.reopened, first: p.first_contact },
    { received: 13, in_time: 7, late: 3, open: 3, overdue: 2, reopened: 1, first: 1 }, JSON.stringify(p));
  assert.equal(p.in_time_share, 0.7);
  const rec = row(r.json, month, 'records');
  assert.deepEqual([rec.received, rec.answered_in_time, rec.answered_late, rec.open, rec.overdue], [4, 3, 0, 1, 0]);
  // the next month: nothing received, the two still open past due are overdue at its end
  const p2 = row(r.json, next, 'pensions');
  assert.deepEqual([p2.received, p2.answered_in_time, p2.overdue], [0, 0, 2]);
  assert.equal(p2.in_time_share, null);
  // the month's totals add up the departments
  assert.equal(r.json.months[0].totals.received, 17);
  assert.equal(r.json.months[0].totals.answered_in_time, 10);
  // Jalali months as 1405-01, in ASCII digits (JSON's numbers can be nothing else)
  for (const x of [...r.json.months, ...r.json.rows]) assert.match(x.month, /^[0-9]{4}-[0-9]{2}$/);
});

test('department accountability: a department\'s supervisor sees their own; the Excel file has the same counts', async () => {
  const mine = await S.call('GET', `/api/v1/stats/departments?from=${month}&to=${month}`, { token: svPensions.token });
  assert.equal(mine.status, 200, mine.text);
  assert.deepEqual([...new Set(mine.json.rows.map((r) => r.department))], ['pensions']);
  assertError(await S.call('GET', `/api/v1/stats/departments?department=records`, { token: svPensions.token }), 403, 'forbidden', 'department');
  assertError(await S.call('GET', '/api/v1/stats/departments', { token: spPensions.token }), 403, 'forbidden');
  assertError(await S.call('GET', '/api/v1/stats/departments'), 401);

  const x = await S.call('GET', `/api/v1/stats/departments.xlsx?from=${month}&to=${month}`, { token: sup.token });
  assert.equal(x.status, 200, x.text);
  assert.match(x.headers.get('content-type'), /spreadsheetml/);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(x.bytes);
  const ws = wb.worksheets[0];
  assert.equal(ws.views[0].rightToLeft, true);
  const rows = [];
  ws.eachRow((r, i) => { if (i > 1) rows.push(r.values.slice(1)); });
  const p = rows.find((r) => r[1] === 'pensions');
  assert.deepEqual(p.slice(0, 10), [month.replace('-', '/'), 'pensions', p[2], 13, 7, 3, 3, 2, 1, 1]);
});

test('department accountability: bad parameters are refused naming the field', async () => {
  const get = (q) => S.call('GET', `/api/v1/stats/departments?${q}`, { token: sup.token });
  assertError(await get('from=1405-13'), 400, 'invalid_field', 'from');
  assertError(await get('to=yesterday'), 400, 'invalid_field', 'to');
  assertError(await get('from=1405-06&to=1405-01'), 400, 'invalid_field', 'to');
  assertError(await get('from=1400-01&to=1405-01'), 400, 'invalid_field', 'from'); // over 36 months
  assertError(await get('department=nowhere'), 400, 'unknown_department', 'department');
  // a month in Persian digits, and a date, are read as months
  const fa = await get('from=۱۴۰۵/۰۱&to=1405-01-20');
  assert.equal(fa.status, 200, fa.text);
  assert.deepEqual(fa.json.months.map((m) => m.month), ['1405-01']);
});

/** The public reply, asked without any session. */
const pub = (q = '') => S.call('GET', `/api/v1/public/figures${q}`);

test('public figures: reachable without a session, and never a personal datum the database holds', async () => {
  const r = await pub('?days=90&months=24');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('set-cookie'), null);
  assert.equal(r.json.calls.length, 90);
  assert.equal(r.json.cases.length, 24);
  assert.deepEqual(r.json.eservices, { available: false, months: [] });
  const text = r.text;
  const list = (q) => sql(q).split('\n').map((s) => s.trim()).filter((s) => s.length > 0);
  const secrets = {
    national_id: list('SELECT national_id FROM people'),
    mobile: list('SELECT mobile FROM people WHERE mobile IS NOT NULL UNION SELECT mobile FROM cases WHERE mobile IS NOT NULL'),
    name: list("SELECT first_name || ' ' || last_name FROM people UNION SELECT last_name FROM people WHERE length(last_name) > 3 UNION SELECT name FROM users WHERE name <> ''"),
    login: list('SELECT login FROM users'),
    case_number: list('SELECT number FROM cases'),
    caller: callers,
  };
  for (const [kind, values] of Object.entries(secrets)) {
    assert.ok(values.length > 0, `the database has no ${kind}`);
    for (const v of values) assert.ok(!text.includes(v), `the public reply holds a ${kind}: ${v}`);
  }
  // the same with a mobile's other spellings and every digit set
  for (const m of secrets.mobile) assert.ok(!text.includes(m.replace(/^0/, '98')) && !text.includes(m.slice(1)), m);
  for (const c of r.json.calls) assert.match(c.day + c.jalali, /^[0-9-]{10}[0-9/]{10}$/);
});

test('public figures: a department with fewer than 10 cases in a month is withheld and cannot be worked back', async () => {
  const r = await pub('?months=24');
  assert.equal(r.status, 200, r.text);
  const m = r.json.cases.find((c) => c.month === month);
  assert.ok(m, `${month} is among the public months`);
  const rec = m.departments.find((d) => d.department === 'records');
  assert.equal(rec.received, null);
  assert.equal(rec.solved_in_time, null);
  assert.deepEqual(rec.suppressed, ['received', 'solved_in_time']);
  // the one other department with cases that month is withheld too, so that the total
  // does not give records' 4 back
  const pen = m.departments.find((d) => d.department === 'pensions');
  assert.deepEqual(pen.suppressed, ['received', 'solved_in_time']);
  assert.equal(m.total.received, 17);

  // every month: the rule holds whatever the data
  let withheldSeen = 0;
  for (const c of r.json.cases) {
    for (const key of ['received', 'solved_in_time']) {
      const cells = c.departments.map((d) => d[key]);
      for (const v of [...cells, c.total[key]]) assert.ok(v === null || v === 0 || v >= 10, `${c.month} ${key}: ${v}`);
      const hidden = cells.filter((v) => v === null).length;
      withheldSeen += hidden;
      if (c.total[key] !== null && hidden > 0) {
        const left = c.total[key] - cells.reduce((s, v) => s + (v ?? 0), 0);
        assert.ok(hidden >= 2 && left >= 10, `${c.month} ${key}: ${hidden} withheld cell(s) worth ${left} in all`);
      }
      for (const d of c.departments) assert.equal(d[key] === null, d.suppressed.includes(key));
    }
    for (const d of [...c.departments, c.total]) {
      if (d.received !== null && d.solved_in_time !== null) {
        const rest = d.received - d.solved_in_time;
        assert.ok(rest === 0 || rest >= 10, `${c.month} ${d.department ?? 'total'}: ${rest} not in time`);
      }
    }
  }
  assert.ok(withheldSeen > 0);
});

test('public figures: calls per day as the phone line counts them, a day of fewer than 10 withheld', async () => {
  const r = await pub('?days=3');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.calls.map((c) => c.day).slice(1), [days[2], days[1]]);
  const [, before, yesterday] = r.json.calls;
  // the supervisor's figures of the same days say what the calls were
  const fig = await S.call('GET', `/api/v1/calls/figures?from=${days[2]}&to=${days[1]}&by=day`, { token: sup.token });
  assert.equal(fig.status, 200, fig.text);
  assert.deepEqual(fig.json.map((f) => [f.period, f.answered]), [[days[2], 3], [days[1], 12]]);
  assert.deepEqual(yesterday, { day: days[1], jalali: yesterday.jalali, offered: 12, answered: 12, service_level: 1, suppressed: [] });
  assert.match(yesterday.jalali, /^14[0-9]{2}\/[0-9]{2}\/[0-9]{2}$/);
  assert.deepEqual(before, { day: days[2], jalali: before.jalali, offered: null, answered: null, service_level: null, suppressed: ['offered', 'answered', 'service_level'] });
  for (const c of r.json.calls) for (const k of ['offered', 'answered']) assert.ok(c[k] === null || c[k] === 0 || c[k] >= 10, JSON.stringify(c));
});

test('public figures: bad parameters are refused naming the field, with no session either', async () => {
  assertError(await pub('?days=0'), 400, 'invalid_field', 'days');
  assertError(await pub('?days=91'), 400, 'invalid_field', 'days');
  assertError(await pub('?days=x'), 400, 'invalid_field', 'days');
  assertError(await pub('?months=25'), 400, 'invalid_field', 'months');
  assertError(await pub('?months=-1'), 400, 'invalid_field', 'months');
  const r = await pub('?days=7&months=3');
  assert.equal(r.status, 200);
  assert.equal(r.json.calls.length, 7);
  assert.deepEqual(r.json.cases.map((c) => c.month).slice(-1), [r.json.cases.at(-1).month]);
  assert.equal(r.json.cases.length, 3);
  assertError(await S.call('POST', '/api/v1/public/figures', { body: {} }), 405);
});

test('public figures: asked over and over, computed once (the cache)', async () => {
  const first = await pub();
  const many = await Promise.all(Array.from({ length: 20 }, () => pub()));
  for (const r of many) {
    assert.equal(r.status, 200);
    assert.equal(r.json.generated_at, first.json.generated_at);
  }
});
