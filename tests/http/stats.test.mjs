// GET /api/v1/stats/cases: the supervisor's figures, each equal to the count of the list
// query behind it (docs/openapi.yaml, GET /api/v1/stats/cases); department scoping; who may
// ask; bad parameters. And the list filters that map the figures: reopened, open=0,
// closed_from/closed_to.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { startDemo, assertError, assertNoSecrets, caseBody, cleanupTemp, freshNationalId } from './harness.mjs';

let S, citizens, sup, svPensions, spPensions, agent1, onTheCall, backAgain;
const TEHRAN = 12600 * 1000; // +03:30 in ms

before(async () => {
  const d = await startDemo({ people: 80, cases: 260 });
  S = d.server;
  citizens = d.citizens;
  [sup, svPensions, spPensions, agent1] = await Promise.all(
    ['supervisor', 'sv_pensions', 'sp_pensions', 'agent1'].map((l) => S.login(l)));
  // The demo has no waiting and no reopened case: make some.
  const ev = async (who, id, body) => {
    const r = await S.call('POST', `/api/v1/cases/${id}/events`, { token: who.token, body });
    assert.equal(r.status, 201, `${body.type}: ${r.text}`);
  };
  for (let i = 0; i < 2; i++) {
    const r = await S.call('POST', '/api/v1/cases', { token: agent1.token, body: caseBody(freshNationalId()) });
    assert.equal(r.status, 201, r.text);
    await ev(spPensions, r.json.id, { type: 'start' });
    await ev(spPensions, r.json.id, { type: 'wait', on: 'citizen', text: 'مدارک لازم است' });
  }
  for (const topic of ['general_info', 'pension_not_paid']) {
    const r = await S.call('POST', '/api/v1/cases', { token: agent1.token, body: caseBody(citizens[1], { topic }) });
    assert.equal(r.status, 201, r.text);
    const id = r.json.id;
    await ev(agent1, id, { type: 'answer', text: 'پاسخ داده شد' });
    await ev(agent1, id, { type: 'report_back', method: 'call' });
    await ev(agent1, id, { type: 'close' });
    await ev(agent1, id, { type: 'reopen', text: 'مشکل حل نشد' });
  }
  // back again: citizens[1]'s general_info case above, then another on the same topic
  {
    const mine = (await S.call('GET', `/api/v1/cases?national_id=${citizens[1]}&topic=general_info`, { token: sup.token })).json.items;
    const other = (await S.call('GET', `/api/v1/cases?national_id=${citizens[1]}&topic=pension_not_paid`, { token: sup.token })).json.items;
    const r2 = await S.call('POST', '/api/v1/cases', { token: agent1.token, body: caseBody(citizens[1], { topic: 'general_info' }) });
    assert.equal(r2.status, 201, r2.text);
    backAgain = { first: Math.max(...mine.map((i) => i.id)), second: r2.json.id, other: Math.max(...other.map((i) => i.id)) };
  }
  // solved on the call: answered, told and closed by the agent who opened it, at once
  const r = await S.call('POST', '/api/v1/cases', { token: agent1.token, body: caseBody(citizens[2], { topic: 'general_info' }) });
  assert.equal(r.status, 201, r.text);
  onTheCall = r.json.id;
  await ev(agent1, onTheCall, { type: 'solve_on_call', text: 'پاسخ در همان تماس' });
});

after(async () => {
  if (S) {
    assertNoSecrets(S);
    await S.stop();
  }
  cleanupTemp();
});

const stats = (who, q = '') => S.call('GET', `/api/v1/stats/cases${q ? `?${q}` : ''}`, { token: who.token });

/** Every item of a list query, paged to the end. */
async function pageAll(who, q) {
  const all = [];
  let cursor = null;
  for (let pages = 0; pages < 500; pages++) {
    const r = await S.call('GET', `/api/v1/cases?${q}&limit=200${cursor ? `&cursor=${cursor}` : ''}`, { token: who.token });
    assert.equal(r.status, 200, `${q}: ${r.text}`);
    all.push(...r.json.items);
    if (r.json.next === null) return all;
    cursor = r.json.next;
  }
  throw new Error('paging does not end');
}
const count = async (who, q) => (await pageAll(who, q.replace(/^&+/, ''))).length;

/** The figures as docs/openapi.yaml maps them to list queries. */
const FIGURES = {
  open: 'open=1',
  overdue: 'open=1&overdue=1',
  waiting: 'status=waiting',
  reopened: 'open=1&reopened=1',
  closed: 'status=closed',
  created: 'x=1',
};

/** The figures computed from list items, as the server should. */
function tally(items) {
  const open = items.filter((i) => i.status !== 'closed');
  return {
    open: open.length,
    overdue: open.filter((i) => i.overdue).length,
    waiting: items.filter((i) => i.status === 'waiting').length,
    reopened: open.filter((i) => i.reopen_count > 0).length,
  };
}

test('totals equal the counts of their list queries', async () => {
  const r = await stats(sup);
  assert.equal(r.status, 200, r.text);
  const t = r.json.totals;
  for (const [k, q] of Object.entries(FIGURES)) assert.equal(t[k], await count(sup, q), `totals.${k} = count(${q})`);
  assert.ok(t.waiting >= 2 && t.reopened >= 2 && t.overdue > 0 && t.closed > 0, JSON.stringify(t));
  assert.equal(t.closed, await count(sup, 'open=0'));
  assert.equal(t.open + t.closed, t.created);
  assert.ok(!Number.isNaN(Date.parse(r.json.generated_at)));
});

test('by department and by topic equal the lists filtered by department and topic', async () => {
  const r = await stats(sup);
  assert.equal(r.status, 200);
  const all = await pageAll(sup, 'x=1');
  const depts = (await S.call('GET', '/api/v1/departments', { token: sup.token })).json.items;
  assert.deepEqual(r.json.by_department.map((d) => d.department), depts.map((d) => d.code), 'every department, zeros too');
  for (const d of r.json.by_department) {
    const want = tally(all.filter((i) => i.department === d.department));
    assert.deepEqual({ open: d.open, overdue: d.overdue, waiting: d.waiting, reopened: d.reopened }, want, d.department);
    assert.equal(d.name, depts.find((x) => x.code === d.department).name);
  }
  const topics = (await S.call('GET', '/api/v1/topics', { token: sup.token })).json.items;
  assert.equal(r.json.by_topic.length, topics.length, 'every topic when unscoped');
  for (const t of r.json.by_topic) {
    const want = tally(all.filter((i) => i.topic === t.topic));
    assert.deepEqual({ open: t.open, overdue: t.overdue, waiting: t.waiting, reopened: t.reopened }, want, t.topic);
    assert.equal(t.department, topics.find((x) => x.code === t.topic).department);
  }
  // the same through the list's own filters, combined
  const p = r.json.by_department.find((d) => d.department === 'pensions');
  assert.ok(p.open > 0 && p.waiting >= 2 && p.reopened >= 1, JSON.stringify(p));
  for (const k of ['open', 'overdue', 'waiting', 'reopened'])
    assert.equal(p[k], await count(sup, `department=pensions&${FIGURES[k]}`), `pensions ${k}`);
  const t = r.json.by_topic.find((x) => x.topic === 'pension_not_paid');
  for (const k of ['open', 'overdue', 'waiting', 'reopened'])
    assert.equal(t[k], await count(sup, `department=pensions&topic=pension_not_paid&${FIGURES[k]}`), `pension_not_paid ${k}`);
});

test('a topic and a date range narrow every figure as they narrow the list', async () => {
  const all = await pageAll(sup, 'x=1');
  const A = all[Math.floor(all.length * 0.6)].created;
  const B = all[Math.floor(all.length * 0.1)].created;
  for (const scope of [`from=${A}&to=${B}`, `from=${A}`, 'to=1405/06/01', 'topic=pension_not_paid',
    'topic=pension_not_paid&from=1405/01/01', 'department=pensions&topic=pension_not_paid&to=' + B]) {
    const r = await stats(sup, scope);
    assert.equal(r.status, 200, `${scope}: ${r.text}`);
    for (const [k, q] of Object.entries(FIGURES))
      assert.equal(r.json.totals[k], await count(sup, `${scope}&${q}`), `${scope}: totals.${k}`);
  }
  const one = await stats(sup, 'topic=pension_not_paid');
  assert.deepEqual(one.json.by_topic.map((t) => t.topic), ['pension_not_paid']);
});

function tehranDay(iso) {
  return new Date(Date.parse(iso) + TEHRAN).toISOString().slice(0, 10);
}

test('the series: one entry per Tehran day, created and closed as the lists count them', async () => {
  const r = await stats(sup, 'days=366');
  assert.equal(r.status, 200);
  const series = r.json.series;
  assert.equal(series.length, 366);
  assert.equal(series[series.length - 1].day, tehranDay(new Date().toISOString()), 'ends today in Tehran');
  for (let i = 1; i < series.length; i++)
    assert.equal(Date.parse(series[i].day) - Date.parse(series[i - 1].day), 86400000, 'consecutive days');
  for (const s of series) assert.match(s.jalali, /^1[34]\d\d\/\d\d\/\d\d$/);
  // created per day, from every case's creation time
  const all = await pageAll(sup, 'x=1');
  const byDay = new Map();
  for (const i of all) byDay.set(tehranDay(i.created), (byDay.get(tehranDay(i.created)) || 0) + 1);
  for (const s of series) assert.equal(s.created, byDay.get(s.day) || 0, `created on ${s.day}`);
  // closed per day: the list's closed_from/closed_to, with Jalali days (Tehran midnight)
  const closedDays = series.filter((s) => s.closed > 0);
  assert.ok(closedDays.length > 3);
  for (const s of [...closedDays.slice(0, 3), ...closedDays.slice(-3)]) {
    const next = series[series.indexOf(s) + 1];
    const to = next ? next.jalali : new Date(Date.parse(s.day) + 86400000 - TEHRAN).toISOString();
    assert.equal(s.closed, await count(sup, `closed_from=${s.jalali}&closed_to=${to}`), `closed on ${s.day}`);
    const items = await pageAll(sup, `closed_from=${s.jalali}&closed_to=${to}`);
    assert.ok(items.every((i) => i.status === 'closed'));
  }
  // (the demo dates some closings in the future, past the series' last day)
  const total = series.reduce((n, s) => n + s.closed, 0);
  const tomorrow = new Date(Date.parse(series[series.length - 1].day) + 86400000 - TEHRAN).toISOString();
  assert.equal(total, await count(sup, `closed_from=${series[0].jalali}&closed_to=${tomorrow}`));
  // the default is 30 days, and the series follows the scope
  const d = await stats(sup, 'department=pensions');
  assert.equal(d.json.series.length, 30);
  const pens = all.filter((i) => i.department === 'pensions');
  const last = d.json.series[29];
  assert.equal(last.created, pens.filter((i) => tehranDay(i.created) === last.day).length);
});

test('a department supervisor sees only that department', async () => {
  const r = await stats(svPensions);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.by_department.map((d) => d.department), ['pensions']);
  for (const [k, q] of Object.entries(FIGURES))
    assert.equal(r.json.totals[k], await count(svPensions, q), `sv_pensions totals.${k}`);
  const same = await stats(sup, 'department=pensions');
  assert.deepEqual(same.json.totals, r.json.totals);
  assert.deepEqual(same.json.by_topic, r.json.by_topic);
  assert.ok(r.json.by_topic.every((t) => t.department === 'pensions' || t.open > 0));
  const own = await stats(svPensions, 'department=pensions');
  assert.deepEqual(own.json.totals, r.json.totals);
  assertError(await stats(svPensions, 'department=records'), 403, 'forbidden', 'department');
  assertError(await stats(svPensions, 'department=nowhere'), 400, 'unknown_department', 'department');
});

test('only supervisors may see the figures', async () => {
  for (const login of ['sp_pensions', 'agent1', 'desk1', 'auditor', 'admin', citizens[0]]) {
    const who = await S.login(login);
    assertError(await stats(who), 403, 'forbidden');
  }
  assertError(await S.call('GET', '/api/v1/stats/cases'), 401, 'unauthenticated');
  assertError(await S.call('POST', '/api/v1/stats/cases', { token: sup.token, body: {} }), 405);
});

test('bad parameters are a 400 naming the field', async () => {
  for (const [q, field] of [
    ['days=0', 'days'], ['days=367', 'days'], ['days=abc', 'days'], ['days=', 'days'], ['days=7.5', 'days'],
    ['from=yesterday', 'from'], ['to=1405/13/01', 'to'], ['from=2026-02-30T00:00:00Z', 'from'],
    ['topic=nothing', 'topic'], ['department=nowhere', 'department'],
  ]) {
    const r = await stats(sup, q);
    assertError(r, 400, undefined, field);
  }
  for (const [q, field] of [['reopened=2', 'reopened'], ['open=yes', 'open'], ['closed_from=soon', 'closed_from'],
    ['closed_to=1405/00/01', 'closed_to']]) {
    assertError(await S.call('GET', `/api/v1/cases?${q}`, { token: sup.token }), 400, 'invalid_field', field);
  }
});

test('list filters combine: every item satisfies every filter', async () => {
  // the four-way combination is taken from an open overdue case of the demo, whichever
  // department and topic the generator gave it
  const od = (await pageAll(sup, 'open=1&overdue=1'))[0];
  assert.ok(od, 'the demo has an open overdue case');
  const checks = [
    ['open=1&reopened=1', (i) => i.status !== 'closed' && i.reopen_count > 0],
    ['reopened=0', (i) => i.reopen_count === 0],
    ['status=waiting&department=pensions', (i) => i.status === 'waiting' && i.department === 'pensions'],
    [`open=1&overdue=1&department=${od.department}&topic=${od.topic}`,
      (i) => i.status !== 'closed' && i.overdue && i.department === od.department && i.topic === od.topic],
    ['open=0', (i) => i.status === 'closed'],
  ];
  for (const [q, ok] of checks) {
    const items = await pageAll(sup, q);
    assert.ok(items.length > 0, `${q} finds something`);
    assert.ok(items.every(ok), q);
  }
  const both = await count(sup, 'reopened=1') + await count(sup, 'reopened=0');
  assert.equal(both, await count(sup, 'x=1'));
});

/** The outcome figures and the list queries behind them (docs/openapi.yaml). */
const OUTCOMES = {
  closed: 'status=closed',
  solved: 'solved=1',
  solved_in_time: 'in_time=1',
  first_contact: 'first_contact=1',
  unreached: 'unreached=1',
  repeat_7d: 'repeated=1',
  ever_reopened: 'reopened=1',
};

test('the outcomes equal the counts of their list queries, in every scope', async () => {
  for (const scope of ['', 'department=pensions', 'topic=general_info', 'department=contact_center&from=1405/01/01']) {
    const r = await stats(sup, scope);
    assert.equal(r.status, 200, r.text);
    const t = r.json.totals;
    for (const [k, q] of Object.entries(OUTCOMES))
      assert.equal(t[k], await count(sup, `${scope}&${q}`), `${scope}: totals.${k} = count(${q})`);
    for (let k = 1; k <= 5; k++)
      assert.equal(t.ratings[k - 1], await count(sup, `${scope}&rating=${k}`), `${scope}: ratings[${k}]`);
    assert.equal(t.rated, t.ratings.reduce((a, b) => a + b, 0));
    // the rest of each flag is the rest of the cases
    for (const f of ['solved', 'in_time', 'first_contact', 'unreached', 'repeated'])
      assert.equal(await count(sup, `${scope}&${f}=1`) + await count(sup, `${scope}&${f}=0`), t.created, `${scope}: ${f}`);
  }
  const t = (await stats(sup)).json.totals;
  assert.ok(t.solved >= t.closed && t.solved >= t.solved_in_time && t.solved_in_time > 0, JSON.stringify(t));
  assert.ok(t.first_contact >= 1 && t.ever_reopened >= 2 && t.rated > 0, JSON.stringify(t));
  const near = (a, b) => Math.abs(a - b) < 1e-4;
  assert.ok(near(t.solved_in_time_share, t.solved_in_time / t.solved));
  assert.ok(near(t.first_contact_share, t.first_contact / t.solved));
  assert.ok(near(t.reopen_rate, t.ever_reopened / t.resolved));
  assert.ok(near(t.first_time_7d_share, (t.created - t.repeat_7d) / t.created), JSON.stringify(t));
  // the same person back on the same topic within 7 days: the earlier case was not
  // resolved the first time; the later one (and the other topic's) still stand
  const repeated = await pageAll(sup, 'repeated=1');
  assert.ok(repeated.some((i) => i.id === backAgain.first), 'the first general_info case of citizens[1]');
  assert.ok(!repeated.some((i) => i.id === backAgain.second || i.id === backAgain.other), 'the later case and the other topic');
  const avg = t.ratings.reduce((n, c, i) => n + c * (i + 1), 0) / t.rated;
  assert.ok(near(t.rating_average, avg) && t.rating_average >= 1 && t.rating_average <= 5);
  // the case solved on the call is a first contact; a case closed a day later is not
  const fc = await pageAll(sup, 'first_contact=1');
  assert.ok(fc.some((i) => i.id === onTheCall), 'the case solved on the call');
  assert.ok(fc.every((i) => i.status === 'closed' || i.status === 'reported_back'));
  // an empty scope has no shares: null, not 0 or NaN
  const none = await stats(sup, 'from=1300/01/01&to=1300/01/02');
  assert.equal(none.json.totals.solved, 0);
  assert.equal(none.json.totals.solved_in_time_share, null);
  assert.equal(none.json.totals.rating_average, null);
  assert.equal(none.json.totals.reopen_rate, null);
  assert.deepEqual(none.json.by_person, []);
});

test('per person: handled, solved and solved in time are the counts of the lists by handler', async () => {
  const r = await stats(sup);
  const people = r.json.by_person;
  assert.ok(people.length > 2, JSON.stringify(people));
  assert.ok(people.every((p) => p.role !== 'citizen'));
  for (let i = 1; i < people.length; i++) assert.ok(people[i - 1].handled >= people[i].handled, 'most handled first');
  for (const p of people.slice(0, 4)) {
    assert.equal(p.handled, await count(sup, `handler=${p.user}`), `${p.user} handled`);
    assert.equal(p.solved, await count(sup, `handler=${p.user}&solved=1`), `${p.user} solved`);
    assert.equal(p.solved_in_time, await count(sup, `handler=${p.user}&in_time=1`), `${p.user} in time`);
    assert.ok(p.solved === 0 ? p.answer_seconds_average === null : p.answer_seconds_average >= 0);
  }
  const a1 = people.find((p) => p.user === 'agent1');
  assert.ok(a1 && a1.handled >= 3 && a1.name, JSON.stringify(a1));
  // a department's supervisor sees the people of that department's cases only
  const own = (await stats(svPensions)).json.by_person;
  for (const p of own) assert.equal(p.handled, await count(sup, `department=pensions&handler=${p.user}`));
  assertError(await S.call('GET', '/api/v1/cases?rating=6', { token: sup.token }), 400, 'invalid_field', 'rating');
  assertError(await S.call('GET', '/api/v1/cases?first_contact=yes', { token: sup.token }), 400, 'invalid_field', 'first_contact');
  assertError(await S.call('GET', '/api/v1/cases?in_time=2', { token: sup.token }), 400, 'invalid_field', 'in_time');
});

async function workbook(who, q = '') {
  const r = await S.call('GET', `/api/v1/stats/cases.xlsx${q ? `?${q}` : ''}`, { token: who.token, raw: true });
  return r;
}

test('the figures download as an Excel workbook: Persian headers, right-to-left, numbers as numbers', async () => {
  const r = await workbook(sup, 'days=7');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  assert.match(r.headers.get('content-disposition'), /^attachment; filename="tamin-figures-14\d\d-\d\d-\d\d\.xlsx"$/);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(r.bytes);
  assert.deepEqual(wb.worksheets.map((w) => w.name), ['کل', 'واحدها', 'موضوع‌ها', 'کارشناسان', 'روزها']);
  for (const ws of wb.worksheets) assert.equal(ws.views[0].rightToLeft, true, `${ws.name} is right-to-left`);
  const json = (await stats(sup, 'days=7')).json;
  const header = (ws) => ws.getRow(1).values.slice(1);
  const row = (ws, n) => ws.getRow(n).values.slice(1);
  // the totals
  const total = wb.getWorksheet('کل');
  assert.deepEqual(header(total).slice(0, 3), ['ایجادشده', 'باز', 'دیرکرد']);
  const h = header(total);
  const cell = (name) => row(total, 2)[h.indexOf(name)];
  assert.equal(cell('ایجادشده'), json.totals.created);
  assert.equal(cell('بسته'), json.totals.closed);
  assert.equal(cell('حل‌شده'), json.totals.solved);
  assert.equal(cell('حل در تماس اول'), json.totals.first_contact);
  assert.equal(typeof cell('باز'), 'number');
  assert.ok(Math.abs(cell('میانگین امتیاز') - json.totals.rating_average) < 1e-4, 'the average, 4 decimals in JSON');
  // by department: one row each, its code and Persian name, its figures
  const deps = wb.getWorksheet('واحدها');
  assert.deepEqual(header(deps).slice(0, 3), ['کد واحد', 'واحد', 'باز']);
  assert.equal(deps.rowCount - 1, json.by_department.length);
  json.by_department.forEach((d, i) => {
    const v = row(deps, i + 2);
    assert.deepEqual([v[0], v[1], v[2], v[6], v[7]], [d.department, d.name, d.open, d.closed, d.solved], d.department);
  });
  // per person and the days: minutes as numbers, days as dates and Jalali text
  const people = wb.getWorksheet('کارشناسان');
  assert.equal(people.rowCount - 1, json.by_person.length);
  assert.deepEqual(row(people, 2).slice(0, 4), [json.by_person[0].user, json.by_person[0].name, json.by_person[0].role, json.by_person[0].handled]);
  const days = wb.getWorksheet('روزها');
  assert.deepEqual(header(days), ['روز', 'تاریخ میلادی', 'ایجادشده', 'بسته‌شده']);
  assert.equal(days.rowCount - 1, 7);
  json.series.forEach((s, i) => {
    const v = row(days, i + 2);
    assert.equal(v[0], s.jalali);
    assert.ok(v[1] instanceof Date, 'a date cell');
    assert.equal(v[1].toISOString().slice(0, 10), s.day);
    assert.deepEqual([v[2], v[3]], [s.created, s.closed]);
  });
});

test('the workbook follows the scope, and refuses what the figures refuse', async () => {
  const r = await workbook(svPensions);
  assert.equal(r.status, 200);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(r.bytes);
  const deps = wb.getWorksheet('واحدها');
  assert.equal(deps.rowCount, 2);
  assert.equal(deps.getRow(2).values[1], 'pensions');
  assertError(await workbook(svPensions, 'department=records'), 403, 'forbidden', 'department');
  assertError(await workbook(sup, 'days=0'), 400, 'invalid_field', 'days');
  assertError(await workbook(sup, 'from=yesterday'), 400, undefined, 'from');
  assertError(await workbook(agent1), 403, 'forbidden');
  assertError(await S.call('GET', '/api/v1/stats/cases.xlsx'), 401, 'unauthenticated');
});
