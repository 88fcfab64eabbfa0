// The phone line (src/calls/): the telephone system posts Asterisk's queue_log lines
// (POST /api/v1/calls/events, the telephony role); a line twice counts once, malformed
// lines are reported with their line numbers, lines in any order build the same calls, a
// caller is linked to the person with that mobile; the supervisor's figures
// (GET /api/v1/calls/figures) on a hand-made set whose answers are worked out below; and
// `tamin calls import` of a gzip file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { startDemo, assertError, assertNoSecrets, cleanupTemp, runCli, tempDir, newDb, sql as sqlOn } from './harness.mjs';

let S, D, T = {}, person;
const sql = (q) => sqlOn(D.db, q);

// 2026-03-01 10:00 in Tehran (UTC+03:30)
const T0 = Date.UTC(2026, 2, 1, 6, 30) / 1000;
const at = (s) => T0 + s;

// Six calls, worked by hand (sl 20 s, short 5 s):
//  A 1420: waits 8, talks 120 (SIP/8007)            answered, in service level
//  B 1420: waits 30, talks 60 (SIP/8007)            answered, not in service level
//  C 1420: hangs up after 3 s                       abandoned, short
//  D 1420: the queue's timeout after 300 s          abandoned (timeout), longest wait
//  E pensions, 11:01: presses 5 after 10 s          abandoned (key), not short
//  F pensions, 11:03: waits 5, talks 60 (SIP/8008)  answered, transferred
// and SIP/8009 pauses in 1420 at 10:00: 3 agents at work that day.
function lines(mobile) {
  return [
    `${at(150)}|B|1420|SIP/8007|COMPLETECALLER|30|60|2`, // B's end before its start
    `${at(0)}|A|1420|NONE|ENTERQUEUE||${mobile}|1|`,
    `${at(90)}|B|1420|SIP/8007|CONNECT|30|B2|3`,
    'not a queue_log line', // 4
    `${at(8)}|A|1420|SIP/8007|CONNECT|8|A2|2`,
    `${at(128)}|A|1420|SIP/8007|COMPLETEAGENT|8|120|1`,
    `${at(60)}|B|1420|NONE|ENTERQUEUE||09350000000|2|`,
    `${at(100)}|C|1420|NONE|ENTERQUEUE||09350000001|3|`,
    '2026-03-01 06:31:43.250000|C|1420|NONE|ABANDON|1|3|3||', // the data1..data5 form, T0+103
    `${at(200)}|D|1420|NONE|ENTERQUEUE||09350000002|1|`,
    `${at(500)}|D|1420|NONE|EXITWITHTIMEOUT|1|1|300`,
    `${at(3700)}|E|pensions|NONE|ENTERQUEUE||09350000003|1|`,
    `${at(3710)}|E|pensions|NONE|EXITWITHKEY|5|1|1|10`,
    `${at(3865)}|F|pensions|SIP/8008|BLINDTRANSFER|200|from-internal|5|60|1`,
    `${at(3805)}|F|pensions|SIP/8008|CONNECT|5|F2|1`,
    `${at(3800)}|F|pensions|NONE|ENTERQUEUE||09350000004|1|`,
    `${at(10)}|NONE|1420|SIP/8009|PAUSE|lunch`,
    `${at(20)}|X|1420|NONE|HANGUP|1`, // 18: no such event
    '',
    `1|Y|1420|NONE|ABANDON|1|1|1`, // 20: 1970
  ].join('\n') + '\n';
}

before(async () => {
  D = await startDemo({ people: 30, cases: 5, args: ['--rate-limit', '0'] });
  S = D.server;
  for (const l of ['pbx', 'supervisor', 'agent1', 'admin']) T[l] = (await S.login(l)).token;
  const [id, mobile] = sql(`SELECT id, mobile FROM people WHERE mobile IN
    (SELECT mobile FROM people GROUP BY mobile HAVING count(*) = 1) ORDER BY id LIMIT 1`).split('|');
  person = { id: Number(id), mobile };
});

after(async () => {
  if (S) {
    assertNoSecrets(S);
    await S.stop();
  }
  cleanupTemp();
});

const post = (login, body) => S.call('POST', '/api/v1/calls/events', {
  token: T[login], body, headers: { 'content-type': 'text/plain; charset=utf-8' },
});
const figures = (q, login = 'supervisor') => S.call('GET', `/api/v1/calls/figures?${q}`, { token: T[login] });

test('the telephone system posts its lines: counted, malformed ones named by line, a second time all duplicates', async () => {
  // the caller's number as the switch wrote it, +98 and spaces: the mobile on record
  const m = person.mobile;
  const body = lines(`+98 ${m.slice(1, 4)} ${m.slice(4, 7)} ${m.slice(7)}`);
  const r = await post('pbx', body);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, {
    lines: 19, events: 16, duplicates: 0, malformed: 3,
    malformed_lines: [{ line: 4, reason: 'too_few_fields' }, { line: 18, reason: 'unknown_event' },
      { line: 20, reason: 'impossible_time' }],
    calls: 6,
  });
  const again = await post('pbx', body);
  assert.equal(again.status, 200, again.text);
  assert.equal(again.json.events, 0);
  assert.equal(again.json.duplicates, 16);
  assert.equal(again.json.calls, 0);
  // the same lines in the file form (a trailing '|', no padding) are the same events
  const padded = await post('pbx', `${at(500)}|D|1420|NONE|EXITWITHTIMEOUT|1|1|300|||\n`);
  assert.equal(padded.json.duplicates, 1, padded.text);
  // the calls, built whatever the order; A linked to the person with that mobile
  const list = runCli(['calls', 'list', '--db', D.db, '--from', '2026-03-01', '--to', '2026-03-01']);
  assert.equal(list.status, 0, list.stderr);
  const calls = Object.fromEntries(JSON.parse(list.stdout).map((c) => [c.callid, c]));
  assert.deepEqual(Object.keys(calls).sort(), ['A', 'B', 'C', 'D', 'E', 'F']);
  assert.equal(calls.A.person_id, person.id);
  assert.equal(calls.C.person_id, null);
  const b = calls.B;
  assert.deepEqual([b.entered, b.connected, b.ended, b.wait_s, b.talk_s, b.outcome, b.agent, b.caller],
    [at(60), at(90), at(150), 30, 60, 'answered', 'SIP/8007', '09350000000']);
  assert.equal(calls.F.outcome, 'transfer');
  assert.equal(calls.D.outcome, 'timeout');
});

test('the figures of the hand-made day, by day, by hour and queue, with another service-level target', async () => {
  const day = await figures('from=2026-03-01&to=2026-03-01');
  assert.equal(day.status, 200, day.text);
  assert.deepEqual(day.json, [{
    period: '2026-03-01', queue: null, offered: 6, answered: 3, abandoned: 3, abandoned_short: 1,
    service_level: 0.3333, service_level_answered: 0.6667, asa_s: 14.3, aht_s: 80, longest_wait_s: 300, agents: 3,
  }]);
  const hours = await figures('from=2026-03-01&to=2026-03-01&by=hour&queue=1420');
  assert.equal(hours.status, 200, hours.text);
  assert.equal(hours.json.length, 24);
  assert.deepEqual(hours.json[10], {
    period: '2026-03-01 10:00', queue: '1420', offered: 4, answered: 2, abandoned: 2, abandoned_short: 1,
    service_level: 0.25, service_level_answered: 0.5, asa_s: 19, aht_s: 90, longest_wait_s: 300, agents: 2,
  });
  assert.deepEqual(hours.json[11], {
    period: '2026-03-01 11:00', queue: '1420', offered: 0, answered: 0, abandoned: 0, abandoned_short: 0,
    service_level: null, service_level_answered: null, asa_s: null, aht_s: null, longest_wait_s: null, agents: 0,
  });
  const q15 = await figures('from=2026-03-01&to=2026-03-01&by=15m&queue=pensions');
  assert.equal(q15.json.length, 96);
  assert.deepEqual([q15.json[44].period, q15.json[44].offered, q15.json[44].abandoned], ['2026-03-01 11:00', 2, 1]);
  const sl30 = await figures('from=2026-03-01&to=2026-03-01&sl_seconds=30&short_seconds=10');
  assert.deepEqual([sl30.json[0].service_level, sl30.json[0].service_level_answered, sl30.json[0].abandoned_short], [0.5, 1, 2]);
  const month = await figures('from=2026-02-15&to=2026-03-31&by=month');
  assert.deepEqual(month.json.map((r) => [r.period, r.offered]), [['2026-02-15', 0], ['2026-03-01', 6]]);
});

test('bad parameters: a 400 naming each', async () => {
  const cases = [
    ['to=2026-03-01', 'from'], ['from=2026-03-01', 'to'], ['from=2026-3-1&to=2026-03-01', 'from'],
    ['from=2026-02-30&to=2026-03-01', 'from'], ['from=2026-03-02&to=2026-03-01', 'to'],
    ['from=2026-03-01&to=2026-03-01&by=week', 'by'], ['from=2026-03-01&to=2026-03-01&sl_seconds=-1', 'sl_seconds'],
    ['from=2026-03-01&to=2026-03-01&sl_seconds=x', 'sl_seconds'], ['from=2026-03-01&to=2026-03-01&short_seconds=99999', 'short_seconds'],
    ['from=2026-03-01&to=2026-03-01&queue=', 'queue'], ['from=2020-01-01&to=2026-01-01&by=15m', 'to'],
  ];
  for (const [q, field] of cases) assertError(await figures(q), 400, undefined, field);
  assertError(await post('pbx', ''), 400, 'missing_field', 'body');
});

test('who may: only the telephone system posts, only the supervisor reads the figures', async () => {
  for (const who of ['agent1', 'supervisor', 'admin']) assertError(await post(who, `${at(1)}|NONE|NONE|NONE|QUEUESTART|\n`), 403, 'forbidden', '');
  for (const who of ['pbx', 'agent1', 'admin']) assertError(await figures('from=2026-03-01&to=2026-03-01', who), 403, 'forbidden', '');
  const anon = await S.call('GET', '/api/v1/calls/figures?from=2026-03-01&to=2026-03-01');
  assert.equal(anon.status, 401);
});

test('tamin calls import: a gzip file, its duplicates the second time, the figures on the command line', () => {
  const dir = tempDir();
  const db = newDb(dir, 'calls.db');
  const file = path.join(dir, 'queue_log.gz');
  fs.writeFileSync(file, zlib.gzipSync(lines('09350000009')));
  const first = runCli(['calls', 'import', '--db', db, file]);
  assert.equal(first.status, 0, first.stderr);
  const a = JSON.parse(first.stdout);
  assert.deepEqual([a.lines, a.events, a.duplicates, a.malformed, a.calls], [19, 16, 0, 3, 6]);
  assert.deepEqual(a.malformed_lines[0], { file, line: 4, reason: 'too_few_fields' });
  const second = JSON.parse(runCli(['calls', 'import', '--db', db, file]).stdout);
  assert.deepEqual([second.events, second.duplicates, second.calls], [0, 16, 0]);
  const f = runCli(['calls', 'figures', '--db', db, '--from', '2026-03-01', '--to', '2026-03-01']);
  assert.equal(f.status, 0, f.stderr);
  assert.equal(JSON.parse(f.stdout)[0].service_level, 0.3333);
  const bad = runCli(['calls', 'figures', '--db', db, '--from', '2026-03-01', '--to', '2026-03-01', '--by', 'year']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--by/);
  const missing = runCli(['calls', 'import', '--db', db, path.join(dir, 'nope.log')]);
  assert.equal(missing.status, 2);
});
