// `tamin demo`'s phone line (src/demo/calls.c): a year of queue_log lines imported through
// the real import, read back with `tamin calls figures` and `tamin calls list`: the service
// level near 99%, 48% more calls at the year's end than at its start, the Iranian week
// (Friday lowest, Thursday lighter), the day's cycle, Nowruz, callers linked to the demo
// people, and the incidents of data/demo/call_incidents.tsv where that file says.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDemo, cleanupTemp, runCli, sql } from './harness.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
let D;
const DAY = 86400000, TEHRAN = 12600000;
// the demo's last day (today in Tehran) and the day n days before it, YYYY-MM-DD
const today = new Date(Date.now() + TEHRAN).toISOString().slice(0, 10);
const ago = (n) => new Date(Date.parse(today) - n * DAY).toISOString().slice(0, 10);
const figures = (...args) => {
  const r = runCli(['calls', 'figures', '--db', D.db, ...args]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
};
const sum = (rows, k) => rows.reduce((a, r) => a + r[k], 0);
const weekday = (d) => new Date(`${d}T12:00:00Z`).getUTCDay(); // 5 Friday, 4 Thursday
const incidents = fs.readFileSync(path.join(ROOT, 'data/demo/call_incidents.tsv'), 'utf8')
  .split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split('\t'));

before(() => {
  D = createDemo({ people: 400, cases: 10, callsDays: 365, callsPerDay: 400 });
});
after(() => cleanupTemp());

test('the demo says what it wrote: a year of calls, every line imported', () => {
  const m = D.stdout.match(/calls: 365 days from \S+, (\d+) calls \((\d+) answered\), (\d+) queue_log lines/);
  assert.ok(m, D.stdout);
  assert.ok(Number(m[1]) > 100000, m[0]);
});

test('a year: service level near 99%, 48% more calls at its end, the week and the day', () => {
  const days = figures('--from', ago(364), '--to', today);
  const all = days.reduce((a, r) => ({ o: a.o + r.offered, s: a.s + r.offered * (r.service_level ?? 0) }), { o: 0, s: 0 });
  assert.ok(all.s / all.o > 0.975 && all.s / all.o < 0.995, `service level ${all.s / all.o}`);
  // workdays (Saturday .. Wednesday) of the first and last four weeks, holidays aside
  const workdays = (rows) => rows.filter((r) => weekday(r.period) !== 4 && weekday(r.period) !== 5)
    .map((r) => r.offered).sort((a, b) => a - b);
  const median = (v) => v[Math.floor(v.length / 2)];
  const growth = median(workdays(days.slice(-35, -1))) / median(workdays(days.slice(0, 28)));
  assert.ok(growth > 1.35 && growth < 1.62, `growth ${growth}`);
  const byDay = [0, 0, 0, 0, 0, 0, 0];
  for (const r of days.slice(-120, -1)) byDay[weekday(r.period)] += r.offered;
  assert.ok(byDay[5] < byDay[4] && byDay[4] < byDay[1], `week ${byDay}`);
  // Nowruz (1 Farvardin 1405 = 2026-03-21), when in the year: a holiday's few calls
  const nowruz = days.find((r) => r.period === '2026-03-21');
  if (nowruz) {
    const before = days.find((r) => r.period === '2026-03-16');
    assert.ok(nowruz.offered < before.offered * 0.5, `Nowruz ${nowruz.offered} vs ${before.offered}`);
  }
  const hours = figures('--from', ago(30), '--to', ago(2), '--by', 'hour');
  const perHour = Array(24).fill(0);
  for (const r of hours) perHour[Number(r.period.slice(11, 13))] += r.offered;
  const peak = perHour.indexOf(Math.max(...perHour));
  assert.ok(peak >= 9 && peak <= 11, `peak at ${peak}: ${perHour}`);
  assert.ok(perHour[3] < perHour[peak] / 10, `night ${perHour[3]} vs ${perHour[peak]}`);
  assert.ok(hours.every((r) => r.offered === 0 || r.agents > 0), 'agents at work whenever calls came');
});

test('the incidents are where data/demo/call_incidents.tsv puts them', () => {
  const abandon = incidents.find((r) => r[0] === 'abandon');
  const day = ago(Number(abandon[1]));
  const [bad] = figures('--from', day, '--to', day, '--queue', abandon[3]);
  const [usual] = figures('--from', ago(Number(abandon[1]) + 7), '--to', ago(Number(abandon[1]) + 7), '--queue', abandon[3]);
  assert.ok(bad.abandoned / bad.offered > 0.25, `abandoned ${bad.abandoned}/${bad.offered}`);
  assert.ok(usual.abandoned / usual.offered < 0.05, `usual ${usual.abandoned}/${usual.offered}`);
  // the pension-increase week: the province's people call the pensions queue three times as often
  const surge = incidents.find((r) => r[0] === 'surge' && r[4] !== '-');
  const start = Number(surge[1]), len = Number(surge[2]);
  const province = (from, to) => {
    const calls = JSON.parse(runCli(['calls', 'list', '--db', D.db, '--from', from, '--to', to]).stdout)
      .filter((c) => c.queue === surge[3] && c.person_id);
    const ids = [...new Set(calls.map((c) => c.person_id))].join(',');
    const provs = Object.fromEntries(sql(D.db, `SELECT id, province FROM people WHERE id IN (${ids})`)
      .split('\n').map((l) => l.split('|')));
    return calls.filter((c) => provs[c.person_id] === surge[4]).length;
  };
  const during = province(ago(start), ago(start - len + 1));
  const weekBefore = province(ago(start + 7), ago(start + 7 - len + 1));
  assert.ok(during > weekBefore * 2, `province ${surge[4]}: ${during} calls in the week, ${weekBefore} the week before`);
});

test('callers are the demo people: most calls link to a person', () => {
  const calls = JSON.parse(runCli(['calls', 'list', '--db', D.db, '--from', ago(3), '--to', ago(3)]).stdout);
  const linked = calls.filter((c) => c.person_id).length;
  assert.ok(calls.length > 100, `${calls.length} calls`);
  assert.ok(linked / calls.length > 0.6 && linked / calls.length < 0.9, `${linked} of ${calls.length} linked`);
  assert.ok(calls.every((c) => c.outcome === 'answered' ? /^SIP\/8\d{3}$/.test(c.agent) : true));
});
