// The pulse (GET /api/v1/pulse/series and /movers, their .xlsx): a small demo's incident
// of data/demo/pulse_incidents.tsv (the pension-increase week in Khuzestan, province 05,
// over the last seven whole days) is found by the movers on their own, near the top, with
// its dates, where it came from and its cases; the series shows it beside its baseline;
// who may ask; every bad parameter a 400 naming it; tamin pulse refresh twice the same.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { startDemo, assertError, cleanupTemp, runCli } from './harness.mjs';

let S, D, sup, agent;
const PENSION_TOPICS = ['pension_increase', 'pension_not_paid'];
const DAY = 86400000;
const TEHRAN = 12600 * 1000;
// YYYY-MM-DD of the Tehran day `back` days before today
const tehranDay = (back) => new Date(Date.now() + TEHRAN - back * DAY).toISOString().slice(0, 10);

before(async () => {
  D = await startDemo({ people: 500, cases: 3000 });
  S = D.server;
  [sup, agent] = await Promise.all(['supervisor', 'agent1'].map((l) => S.login(l)));
});
after(async () => {
  await S?.stop();
  cleanupTemp();
});

const get = (p, who = sup) => S.call('GET', p, { token: who.token });

test('the movers find the pension-increase week in Khuzestan, near the top, with its dates, where and cases', async () => {
  const r = await get('/api/v1/pulse/movers');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.window, 'week');
  assert.equal(r.json.from, tehranDay(7));
  assert.equal(r.json.to, tehranDay(1));
  const rises = r.json.movers.filter((m) => m.direction === 'rise');
  const isIncident = (m) => m.source === 'case' &&
    ((m.dim === 'province' && m.key === '05') ||
     (m.dim === 'topic' && PENSION_TOPICS.includes(m.key) && m.where[0]?.province === '05'));
  const at = rises.findIndex(isIncident);
  assert.ok(at >= 0 && at < 3, `the incident among the first three rises: ${JSON.stringify(rises.slice(0, 5))}`);
  const m = rises[at];
  assert.ok(m.value > 2 * m.expected, `a rise of more than twice: ${m.value} vs ${m.expected}`);
  assert.ok(m.ratio > 2 && m.score >= 2);
  // since: about the incident's first day (with a few cases a day, a chance busy day just
  // before it may join: two days either side)
  assert.ok(m.since, 'since when');
  const since = Date.parse(m.since), first = Date.parse(tehranDay(7));
  assert.ok(Math.abs(since - first) <= 2 * DAY, `since ${m.since}, the incident began ${tehranDay(7)}`);
  // its cases: pension topics of people in province 05, created in the window
  assert.ok(m.examples.length >= 3, `examples: ${m.examples}`);
  for (const number of m.examples) {
    const c = await get(`/api/v1/cases?number=${number}`);
    assert.equal(c.status, 200, c.text);
    const k = c.json.items[0];
    assert.equal(k.number, number);
    if (m.dim === 'topic') assert.equal(k.topic, m.key);
    const created = Date.parse(k.created) + TEHRAN;
    assert.ok(created >= first && created < Date.parse(tehranDay(0)), `${number} created ${k.created}`);
  }
  // the topic's mover, if listed, says where: Khuzestan first
  const topic = r.json.movers.find((x) => x.source === 'case' && x.dim === 'topic' && PENSION_TOPICS.includes(x.key));
  if (topic) assert.equal(topic.where[0].province, '05');
  // a week before it nothing of the kind moved
  const before = await get(`/api/v1/pulse/movers?at=${tehranDay(8)}`);
  assert.equal(before.status, 200);
  assert.ok(!before.json.movers.some((x) => x.direction === 'rise' && isIncident(x)), before.text);
});

test('the series of province 05 shows the week above its baseline, flagged', async () => {
  const r = await get(`/api/v1/pulse/series?source=case&dim=province&key=05&by=day&from=${tehranDay(35)}&to=${tehranDay(1)}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.points.length, 35);
  assert.equal(r.json.name, 'خوزستان');
  const week = r.json.points.slice(-7), earlier = r.json.points.slice(0, 21);
  const sum = (a, f) => a.reduce((s, p) => s + f(p), 0);
  assert.ok(sum(week, (p) => p.value) > 2 * sum(week, (p) => p.expected), JSON.stringify(week));
  // day by day the demo's counts are small (a few a day): the week, taken as one, stands out
  assert.ok(sum(week, (p) => p.score) / Math.sqrt(7) > 3, JSON.stringify(week));
  assert.ok(earlier.every((p) => p.expected !== null), 'a baseline for every earlier day');
  for (const p of r.json.points) {
    assert.match(p.period, /^\d{4}-\d\d-\d\d 00:00$/);
    assert.equal(typeof p.value, 'number');
  }
  // by hour: 24 points a day, whose sum is the day's
  const h = await get(`/api/v1/pulse/series?source=case&dim=province&key=05&by=hour&from=${tehranDay(2)}&to=${tehranDay(2)}`);
  assert.equal(h.status, 200, h.text);
  assert.equal(h.json.points.length, 24);
  assert.equal(sum(h.json.points, (p) => p.value), r.json.points[r.json.points.length - 2].value);
});

test('every table downloads as Excel', async () => {
  for (const [p, rows] of [['/api/v1/pulse/movers.xlsx', null], [`/api/v1/pulse/series.xlsx?by=day&from=${tehranDay(9)}&to=${tehranDay(1)}`, 9]]) {
    const r = await get(p);
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type'), /spreadsheetml/);
    assert.match(r.headers.get('content-disposition'), /attachment; filename="tamin-pulse-/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.bytes);
    const sheet = wb.worksheets[0];
    if (rows !== null) assert.equal(sheet.rowCount, rows + 1);
    else {
      const json = await get('/api/v1/pulse/movers');
      assert.equal(sheet.rowCount, json.json.movers.length + 1);
    }
  }
});

test('only supervisors: others 403, no session 401', async () => {
  for (const p of ['/api/v1/pulse/movers', '/api/v1/pulse/series', '/api/v1/pulse/movers.xlsx']) {
    assert.equal((await get(p, agent)).status, 403);
    assert.equal((await S.call('GET', p)).status, 401);
  }
});

test('every bad parameter is a 400 naming it', async () => {
  const bad = [
    ['series?source=sms', 'source'], ['series?dim=city', 'dim'], ['series?dim=topic', 'key'],
    ['series?dim=topic&key=nope', 'key'], ['series?dim=province&key=99', 'key'], ['series?key=05', 'key'],
    ['series?by=minute', 'by'], ['series?from=2026-02-30', 'from'], ['series?from=yesterday', 'from'],
    ['series?to=1405/13/01', 'to'], ['series?from=2026-05-02&to=2026-05-01', 'to'],
    ['series?by=hour&from=2024-01-01&to=2026-01-01', 'to'], ['series?dim=branch&key=' + 'x'.repeat(101), 'key'],
    ['movers?window=month', 'window'], ['movers?at=2026-1-1', 'at'], ['movers?limit=0', 'limit'],
    ['movers?limit=51', 'limit'], ['movers?limit=ten', 'limit'], ['movers.xlsx?window=', 'window'],
  ];
  for (const [q, field] of bad) assertError(await get(`/api/v1/pulse/${q}`), 400, 'invalid_field', field);
  // Jalali days are days too
  const j = await get('/api/v1/pulse/movers?window=day&at=1405/09/10');
  assert.equal(j.status, 200, j.text);
  assert.equal(j.json.to, '2026-12-01');
});

test('tamin pulse refresh counts a range again and changes nothing the second time', async () => {
  const series = async () => (await get(`/api/v1/pulse/series?by=day&from=${tehranDay(20)}&to=${tehranDay(1)}`)).json.points.map((p) => p.value);
  const before = await series();
  for (let i = 0; i < 2; i++) {
    const r = runCli(['pulse', 'refresh', '--db', D.db, '--from', tehranDay(30), '--to', tehranDay(0)]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /"from":"\d{4}-\d\d-\d\d"/);
  }
  assert.deepEqual(await series(), before);
  const bad = runCli(['pulse', 'refresh', '--db', D.db, '--from', 'soon']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--from/);
});
