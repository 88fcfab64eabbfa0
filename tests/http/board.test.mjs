// The live wallboard (GET /api/v1/calls/board, pushed as `event: board` on supervisors'
// streams) from the lines the telephone system posts, and next week's staffing
// (GET /api/v1/calls/staffing/forecast and its .xlsx) on a hand-made history whose answer
// is worked out below.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemo, assertError, cleanupTemp, startServer } from './harness.mjs';

let S, D;
const T = {};
const NOW = Math.floor(Date.now() / 1000);
// today's figures need the lines on one Tehran day (midnight is 20:30 UTC)
const NEAR_MIDNIGHT = ((NOW + 12600) % 86400) < 600;

const post = (body) => S.call('POST', '/api/v1/calls/events', { token: T.pbx, body, headers: { 'content-type': 'text/plain' } });
const board = async () => {
  const r = await S.call('GET', '/api/v1/calls/board', { token: T.supervisor });
  assert.equal(r.status, 200, r.text);
  return r.json;
};
const q = (b, name) => b.queues.find((x) => x.queue === name);
const a = (b, name) => b.agents.find((x) => x.agent === name);

/** A stream's events as they come: {events, waitFor, close}. */
async function openStream(token) {
  const abort = new AbortController();
  const res = await fetch(`${S.url}/api/v1/stream`, { headers: { authorization: `Bearer ${token}` }, signal: abort.signal });
  assert.equal(res.status, 200);
  const s = { events: [], waiters: [] };
  let buf = '';
  const dec = new TextDecoder();
  (async () => {
    try {
      for await (const chunk of res.body) {
        buf += dec.decode(chunk, { stream: true });
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const ev = { event: 'message', data: '' };
          for (const line of block.split('\n')) {
            const m = line.match(/^(event|data): ?(.*)$/);
            if (m) ev[m[1]] = m[1] === 'data' ? ev.data + m[2] : m[2];
          }
          if (!ev.data) continue;
          try { ev.json = JSON.parse(ev.data); } catch { /* not JSON */ }
          s.events.push(ev);
          s.waiters = s.waiters.filter((w) => (w.pred(ev) ? (w.resolve(ev), false) : true));
        }
      }
    } catch { /* closed */ }
  })();
  s.waitFor = (pred, ms, what) => new Promise((resolve, reject) => {
    const e = s.events.find(pred);
    if (e) return resolve(e);
    const t = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
    s.waiters.push({ pred, resolve: (x) => { clearTimeout(t); resolve(x); } });
  });
  s.close = () => abort.abort();
  return s;
}

before(async () => {
  D = await startDemo({ people: 20, cases: 5, args: ['--rate-limit', '0'] });
  S = D.server;
  for (const l of ['pbx', 'supervisor', 'agent1']) T[l] = (await S.login(l)).token;
});

after(async () => {
  await S?.stop();
  cleanupTemp();
});

// The story, N = now:
//  SIP/8101 and SIP/8102 join pensions, SIP/8103 joins records and pauses for lunch;
//  A enters pensions at N-100, answered by SIP/8101 after 5 s (on the line);
//  B enters pensions at N-80 and still waits: past the queue's 60 s alert (queues.tsv);
//  C enters records at N-10; D enters treatment at N-50 and hangs up after 10 s.
const n = (s) => NOW + s;
const STORY = [
  `${n(-300)}|REALTIME|pensions|SIP/8101|ADDMEMBER|`,
  `${n(-300)}|REALTIME|pensions|SIP/8102|ADDMEMBER|`,
  `${n(-300)}|REALTIME|records|SIP/8103|ADDMEMBER|`,
  `${n(-200)}|NONE|records|SIP/8103|PAUSE|ناهار`,
  `${n(-100)}|A1|pensions|NONE|ENTERQUEUE||09121112233|1`,
  `${n(-95)}|A1|pensions|SIP/8101|CONNECT|5|A2|1`,
  `${n(-80)}|B1|pensions|NONE|ENTERQUEUE||09121112244|2`,
  `${n(-50)}|D1|treatment|NONE|ENTERQUEUE||09121112255|1`,
  `${n(-40)}|D1|treatment|NONE|ABANDON|1|1|10`,
  `${n(-10)}|C1|records|NONE|ENTERQUEUE||09121112266|1`,
];

test('the board at start: the queues of queues.tsv with their titles and alerts, nobody waiting', async () => {
  const b = await board();
  assert.equal(b.queues.length, 6);
  assert.deepEqual(q(b, 'pensions'), {
    ...q(b, 'pensions'), title: 'مستمری و بازنشستگی', alert_s: 60, waiting: 0, longest_wait_s: null, alert: false,
  });
  assert.equal(q(b, 'employers').alert_s, 90);
  assert.equal(b.ringing_known, false);
  assert.deepEqual(b.alerts, []);
});

test('events posted by the telephone system make the board: waiting, longest wait, alert, agents, today', async () => {
  // posted out of order, and twice: the same board
  const r = await post([...STORY].reverse().join('\n') + '\n');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.events, STORY.length);
  assert.equal((await post(STORY.join('\n') + '\n')).json.duplicates, STORY.length);
  const b = await board();
  const p = q(b, 'pensions');
  assert.equal(p.waiting, 1); // B
  assert.ok(p.longest_wait_s >= 80 && p.longest_wait_s < 120, `longest ${p.longest_wait_s}`);
  assert.equal(p.alert, true);
  assert.deepEqual(p.agents, { logged_off: 0, available: 1, on_call: 1, paused: 0 });
  assert.deepEqual(b.alerts.map((x) => [x.queue, x.alert_s]), [['pensions', 60]]);
  assert.equal(q(b, 'records').waiting, 1);
  assert.equal(q(b, 'records').alert, false);
  assert.equal(q(b, 'records').agents.paused, 1);
  assert.equal(b.totals.waiting, 2);
  assert.deepEqual([a(b, 'SIP/8101').state, a(b, 'SIP/8101').queue], ['on_call', 'pensions']);
  assert.equal(a(b, 'SIP/8102').state, 'available');
  assert.deepEqual([a(b, 'SIP/8103').state, a(b, 'SIP/8103').reason], ['paused', 'ناهار']);
  if (!NEAR_MIDNIGHT) {
    const t = q(b, 'treatment').today;
    assert.deepEqual([t.offered, t.answered, t.abandoned, t.abandoned_short], [1, 0, 1, 0]);
    assert.equal(t.service_level, 0);
    assert.deepEqual([b.today.offered, b.today.answered, b.today.abandoned], [4, 1, 1]);
    assert.equal(b.today.service_level, 0.25); // A answered in 5 s, of 4 offered
    assert.equal(b.today.queue, null);
  }
  // no caller's number or call id on the wall
  const text = JSON.stringify(b);
  assert.doesNotMatch(text, /0912111|A1|B1/);
});

test('a call ends: the agent is free again; an older line changes nothing', async () => {
  assert.equal((await post(`${n(-3)}|A1|pensions|SIP/8101|COMPLETECALLER|5|92|1\n`)).status, 200);
  assert.equal(a(await board(), 'SIP/8101').state, 'available');
  // a CONNECT of SIP/8101 older than its end, read late
  assert.equal((await post(`${n(-60)}|E1|pensions|SIP/8101|CONNECT|1|E2|1\n`)).status, 200);
  assert.equal(a(await board(), 'SIP/8101').state, 'available');
});

test('the board is pushed each second to supervisors, never to agents, only when it changed', async () => {
  const sup = await openStream(T.supervisor);
  const agent = await openStream(T.agent1);
  const first = await sup.waitFor((e) => e.event === 'board', 3000, 'a board event');
  assert.equal(first.json.queues.length, 6);
  assert.equal(first.json.at, undefined); // an unchanged board is the same bytes
  const waiting = first.json.totals.waiting;
  await post(`${NOW}|F1|general|NONE|ENTERQUEUE||09121112277|1\n`);
  const next = await sup.waitFor((e) => e.event === 'board' && e.json.totals.waiting === waiting + 1, 3000,
    'a board with one more caller waiting');
  assert.equal(q(next.json, 'general').waiting, 1);
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(agent.events.filter((e) => e.event === 'board').length, 0, 'an agent heard the board');
  sup.close();
  agent.close();
});

test('the board only for supervisors', async () => {
  assertError(await S.call('GET', '/api/v1/calls/board', { token: T.agent1 }), 403);
  assertError(await S.call('GET', '/api/v1/calls/board', { token: T.pbx }), 403);
  assertError(await S.call('GET', '/api/v1/calls/board'), 401);
});

test('a restarted server builds the board again from the last day of stored events', async () => {
  await S.stop();
  S = await startServer(D.db, { args: ['--rate-limit', '0'] });
  T.supervisor = (await S.login('supervisor')).token;
  T.pbx = (await S.login('pbx')).token;
  const b = await board();
  assert.equal(q(b, 'pensions').waiting, 1);
  assert.equal(q(b, 'general').waiting, 1);
  assert.deepEqual([a(b, 'SIP/8103').state, a(b, 'SIP/8103').reason], ['paused', 'ناهار']);
  assert.equal(a(b, 'SIP/8101').state, 'available');
});

test('an unchanged board is not pushed again', async () => {
  // every caller leaves: nothing on the board moves with the clock any more
  const t = Math.floor(Date.now() / 1000);
  await post([`${t}|B1|pensions|NONE|ABANDON|1|2|${t - n(-80)}`, `${t}|C1|records|NONE|ABANDON|1|1|${t - n(-10)}`,
    `${t}|F1|general|NONE|EXITWITHTIMEOUT|1|1|${t - NOW}`].join('\n') + '\n');
  const sup = await openStream(T.supervisor);
  const first = await sup.waitFor((e) => e.event === 'board', 3000, 'a board event');
  assert.equal(first.json.totals.waiting, 0);
  await new Promise((r) => setTimeout(r, 2500));
  assert.equal(sup.events.filter((e) => e.event === 'board').length, 1, 'the same board pushed twice');
  sup.close();
});

// ---- staffing forecast ----
//
// History before Saturday 2026-03-07 (Tehran), 4 whole weeks:
//   Saturdays 10:00-10:30: 1, 2, 3, 4 calls (oldest first); Sundays 12:00-12:30: 2, 4, 6, 8.
// Each call waits 5 s and talks 180 s: AHT 180. The weekly totals 3, 6, 9, 12 lie on a line
// that reads 15 at the target week over 7.5 at the history's middle: trend 2. So Saturday
// 10:00 forecasts 2.5 x 2 = 5 calls (0.5 Erlang: 2 agents for 80% in 20 s) and Sunday 12:00
// 5 x 2 = 10 (1 Erlang: 3 agents); every other interval 0 calls and 0 agents.
const tehran = (y, m, d, hh, mm) => Date.UTC(y, m - 1, d, hh, mm) / 1000 - 12600;

test('the forecast of a hand-made history', async () => {
  const lines = [];
  let id = 0;
  const calls = (t, k) => {
    for (let i = 0; i < k; i++) {
      const s = t + i * 60, c = `H${++id}`;
      lines.push(`${s}|${c}|pensions|NONE|ENTERQUEUE||0912000${id}|1`,
        `${s + 5}|${c}|pensions|SIP/8201|CONNECT|5|${c}b|1`,
        `${s + 185}|${c}|pensions|SIP/8201|COMPLETEAGENT|5|180|1`);
    }
  };
  [[7, 1], [14, 2], [21, 3], [28, 4]].forEach(([back, k]) => {
    const day = new Date(Date.UTC(2026, 2, 7) - back * 86400000);
    calls(tehran(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), 10, 0), 5 - k);
    calls(tehran(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate() + 1, 12, 0), 2 * (5 - k));
  });
  const r = await post(lines.join('\n') + '\n');
  assert.equal(r.json.calls, 30, r.text);
  const f = await S.call('GET', '/api/v1/calls/staffing/forecast?from=2026-03-07', { token: T.supervisor });
  assert.equal(f.status, 200, f.text);
  const j = f.json;
  assert.deepEqual([j.from, j.to, j.interval_s, j.weeks, j.weeks_used], ['2026-03-07', '2026-03-13', 1800, 4, 4]);
  assert.deepEqual([j.history_from, j.history_to], ['2026-02-07', '2026-03-06']);
  assert.deepEqual([j.trend, j.aht_s, j.aht_source, j.target_sl, j.target_s], [2, 180, 'history', 0.8, 20]);
  assert.equal(j.days.length, 7);
  assert.ok(j.days.every((d) => d.intervals.length === 48));
  const at = (d, start) => j.days[d].intervals.find((x) => x.start === start);
  assert.deepEqual([at(0, '2026-03-07 10:00').calls, at(0, '2026-03-07 10:00').agents], [5, 2]);
  assert.deepEqual([at(1, '2026-03-08 12:00').calls, at(1, '2026-03-08 12:00').agents], [10, 3]);
  assert.ok(at(1, '2026-03-08 12:00').service_level >= 0.8);
  assert.deepEqual([at(0, '2026-03-07 10:30').calls, at(0, '2026-03-07 10:30').agents], [0, 0]);
  assert.deepEqual([j.days[0].calls, j.days[1].calls, j.days[2].calls, j.calls, j.peak_agents], [5, 10, 0, 15, 3]);

  // two weeks of history draw the same line: the same answer
  const two = (await S.call('GET', '/api/v1/calls/staffing/forecast?from=2026-03-07&weeks=2', { token: T.supervisor })).json;
  assert.deepEqual([two.weeks_used, two.days[0].calls, two.days[1].calls], [2, 5, 10]);
  // a longer handle time asked: 5 calls of 360 s in half an hour are 1 Erlang, 3 agents
  const long = (await S.call('GET', '/api/v1/calls/staffing/forecast?from=2026-03-07&aht_s=360', { token: T.supervisor })).json;
  assert.equal(long.aht_source, 'given');
  assert.equal(long.days[0].intervals.find((x) => x.start === '2026-03-07 10:00').agents, 3);
  // by the hour: the same 5 calls in an hour are half an Erlang, 2 agents
  const hourly = (await S.call('GET', '/api/v1/calls/staffing/forecast?from=2026-03-07&interval_s=3600', { token: T.supervisor })).json;
  const hour = hourly.days[0].intervals.find((x) => x.start === '2026-03-07 10:00');
  assert.deepEqual([hourly.days[0].intervals.length, hour.calls, hour.agents], [24, 5, 2]);
  // a queue with no history: nothing to staff, the default handle time said as such
  const none = (await S.call('GET', '/api/v1/calls/staffing/forecast?from=2026-03-07&queue=general', { token: T.supervisor })).json;
  assert.deepEqual([none.calls, none.weeks_used, none.aht_source], [0, 0, 'default']);

  // official holidays: 1404/11/22 (2026-02-11) in the history, 1404/12/20 (2026-03-11) in the week
  assert.equal(j.holidays_left_out, 1);
  assert.deepEqual(j.days.map((d) => d.holiday), [false, false, false, false, true, false, false]);

  const x = await S.call('GET', '/api/v1/calls/staffing/forecast.xlsx?from=2026-03-07', { token: T.supervisor });
  assert.equal(x.status, 200);
  assert.match(x.headers.get('content-type'), /spreadsheetml/);
  assert.match(x.headers.get('content-disposition'), /tamin-staffing-2026-03-07\.xlsx/);
  assert.equal(x.bytes.subarray(0, 2).toString(), 'PK');
});

// A holiday in the history is left out. employers, Wednesdays 09:00: 40 calls on the
// holiday 2026-02-11, 3 on each of the next three; Tuesdays 09:00: 2 each week. The weeks
// compare on the weekdays that were a holiday in none of them (Tuesday: 2, 2, 2, 2, no
// trend), Wednesday's mean is of its three working weeks: 3. Without the holiday it would
// be (40 + 3 + 3 + 3) / 4 and a falling trend.
test('the forecast leaves a holiday of the history out', async () => {
  const lines = [];
  let id = 0;
  const calls = (d, k) => {
    const t0 = tehran(2026, 2, d, 9, 0);
    for (let i = 0; i < k; i++) {
      const s = t0 + i * 20, c = `W${++id}`;
      lines.push(`${s}|${c}|employers|NONE|ENTERQUEUE||0912|1`, `${s + 2}|${c}|employers|SIP/8202|CONNECT|2|${c}b|1`,
        `${s + 122}|${c}|employers|SIP/8202|COMPLETEAGENT|2|120|1`);
    }
  };
  calls(11, 40); calls(18, 3); calls(25, 3); calls(32, 3); // 32 February: 4 March
  calls(10, 2); calls(17, 2); calls(24, 2); calls(31, 2);
  assert.equal((await post(lines.join('\n') + '\n')).json.calls, 57);
  const j = (await S.call('GET', '/api/v1/calls/staffing/forecast?from=2026-03-07&queue=employers', { token: T.supervisor })).json;
  assert.deepEqual([j.weeks_used, j.trend, j.aht_s], [4, 1, 120]);
  const at = (d, start) => j.days[d].intervals.find((x) => x.start === start).calls;
  assert.equal(at(3, '2026-03-10 09:00'), 2);
  assert.equal(at(4, '2026-03-11 09:00'), 3);
  assert.equal(j.days[4].holiday, true);
});

test('the forecast without a date is next week, from Saturday', async () => {
  const j = (await S.call('GET', '/api/v1/calls/staffing/forecast', { token: T.supervisor })).json;
  const from = new Date(`${j.from}T00:00:00Z`);
  assert.equal(from.getUTCDay(), 6); // a Saturday
  const today = new Date((NOW + 12600) * 1000);
  const days = (from - Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate())) / 86400000;
  assert.ok(days >= 1 && days <= 7, `${j.from} is ${days} days away`);
});

test('the forecast refuses bad parameters naming the field', async () => {
  const bad = {
    'from=2026-13-01': 'from', 'from=yesterday': 'from', 'weeks=0': 'weeks', 'weeks=13': 'weeks',
    'weeks=2.5': 'weeks', 'interval_s=1000': 'interval_s', 'interval_s=-1800': 'interval_s',
    'target_sl=1': 'target_sl', 'target_sl=0': 'target_sl', 'target_s=0': 'target_s',
    'aht_s=abc': 'aht_s', 'aht_s=1e3': 'aht_s', 'queue=': 'queue',
  };
  for (const [query, field] of Object.entries(bad)) {
    for (const path of ['/api/v1/calls/staffing/forecast', '/api/v1/calls/staffing/forecast.xlsx'])
      assertError(await S.call('GET', `${path}?${query}`, { token: T.supervisor }), 400, undefined, field);
  }
  assertError(await S.call('GET', '/api/v1/calls/staffing/forecast', { token: T.agent1 }), 403);
});
