// The phone line's figures at national scale for `make bench` (issue 13): a month of calls
// at 5,000,000 calls a year (13,700 a day, with the day's cycle, five queues, 150 agents;
// about 440,000 calls and 1,250,000 queue_log lines, a day more each side) imported with
// `tamin calls import`, then `tamin calls figures --by 15m` of that month (2,880 periods,
// every figure of issue 13) run 9 times; p50 of the whole command (process start, opening
// the database, the figures, the JSON printed). Anchor: the sqlite3 command counting the
// same month's calls by 15 minutes (offered, answered, abandoned, answered within 20 s)
// in a plain table of one row per call with an index on its entry time, also 9 times
// with its process start. Target: p50 < 50 ms.
// Prints "ROW<TAB>name<TAB>value<TAB>anchor<TAB>ratio<TAB>target<TAB>result" for run.sh.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = process.env.TAMIN_BIN || path.join(ROOT, 'build', 'tamin');
const RUN = process.env.RUN_DIR || fs.mkdtempSync(path.join(ROOT, 'build', 'calls-figures-bench-'));
const PER_YEAR = Number(process.env.CALLS_PER_YEAR || 5000000);
const RUNS = 9;
const row = (...f) => console.log(['ROW', ...f].join('\t'));

const dir = path.join(RUN, 'calls-figures');
if (!process.env.KEEP) fs.rmSync(dir, { recursive: true, force: true });
fs.mkdirSync(dir, { recursive: true });
const log = path.join(dir, 'queue_log');
const csv = path.join(dir, 'calls.csv');

// 2026-04-01 .. 2026-04-30 in Tehran (UTC+03:30), and a day each side
const DAY = 86400, TEHRAN = 12600;
const from = Date.UTC(2026, 3, 1) / 1000 - TEHRAN, to = Date.UTC(2026, 4, 1) / 1000 - TEHRAN;
const perDay = PER_YEAR / 365;
// the day's cycle: night low, late-morning peak (weights per hour, Tehran time)
const hourly = [2, 1, 1, 1, 1, 2, 4, 7, 10, 12, 13, 12, 10, 9, 9, 8, 7, 6, 5, 4, 4, 3, 3, 2];
const hsum = hourly.reduce((a, b) => a + b, 0);
const queues = ['1420', 'pensions', 'insured', 'employers', 'treatment'];
let seed = 1420;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const out = [], rows = [];
let calls = 0;
for (let day = from - DAY; day < to + DAY; day += DAY) {
  for (let h = 0; h < 24; h++) {
    const n = Math.round(perDay * hourly[h] / hsum);
    for (let i = 0; i < n; i++) {
      const t = day + h * 3600 + Math.floor(rnd() * 3600);
      const id = `${t}.${calls++}`;
      const q = queues[calls % 5];
      const agent = `SIP/${8000 + (calls % 150)}`;
      const wait = Math.floor(rnd() * rnd() * 60), talk = 60 + Math.floor(rnd() * 300);
      out.push(`${t}|${id}|${q}|NONE|ENTERQUEUE||0912${String(1000000 + (calls % 8999999)).padStart(7, '0')}|1`);
      if (rnd() < 0.05) {
        out.push(`${t + wait}|${id}|${q}|NONE|ABANDON|1|1|${wait}`);
        rows.push(`${t},${q},,${wait},,abandoned`);
      } else {
        out.push(`${t + wait}|${id}|${q}|${agent}|CONNECT|${wait}|${id}.1|2`);
        out.push(`${t + wait + talk}|${id}|${q}|${agent}|COMPLETECALLER|${wait}|${talk}|1`);
        rows.push(`${t},${q},${t + wait},${wait},${talk},answered`);
      }
    }
  }
}
fs.writeFileSync(log, out.join('\n') + '\n');
fs.writeFileSync(csv, rows.join('\n') + '\n');

const run = (cmd, args, opts = {}) => {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28, ...opts });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) { console.log(`calls figures bench: ${cmd} failed: ${r.stderr}`); process.exit(1); }
  return { ms, stdout: r.stdout };
};
const p50 = (v) => v.sort((a, b) => a - b)[Math.floor(v.length / 2)];

const db = path.join(dir, 'calls.db');
const imp = run(BIN, ['calls', 'import', '--db', db, log]);
const counts = JSON.parse(imp.stdout);
const mine = [];
let rowsOut;
for (let i = 0; i < RUNS; i++) {
  const r = run(BIN, ['calls', 'figures', '--db', db, '--from', '2026-04-01', '--to', '2026-04-30', '--by', '15m']);
  mine.push(r.ms);
  rowsOut = JSON.parse(r.stdout);
}
const offered = rowsOut.reduce((a, r) => a + r.offered, 0);

const sdb = path.join(dir, 'plain.db');
run('sqlite3', [sdb], {
  input: 'CREATE TABLE calls(entered INTEGER, queue TEXT, connected INTEGER, wait_s INTEGER, talk_s INTEGER, outcome TEXT);\n' +
    `.mode csv\n.import ${csv} calls\nCREATE INDEX calls_entered ON calls(entered);\n`,
});
const query = `SELECT (entered - ${from}) / 900 AS p, count(*), sum(outcome = 'answered'), sum(outcome = 'abandoned'), ` +
  `sum(outcome = 'answered' AND wait_s <= 20), max(wait_s) FROM calls WHERE entered >= ${from} AND entered < ${to} GROUP BY p;`;
const anchor = [];
let plainOffered = 0;
for (let i = 0; i < RUNS; i++) {
  const r = run('sqlite3', [sdb, query]);
  anchor.push(r.ms);
  plainOffered = r.stdout.trim().split('\n').reduce((a, l) => a + Number(l.split('|')[1]), 0);
}
const m = p50(mine), a = p50(anchor);
row('calls figures month/15m p50 ms', m.toFixed(1), a.toFixed(1), (m / a).toFixed(2), '<50', m < 50 && offered === plainOffered ? 'PASS' : 'MISS');
console.log(`NOTE   ${counts.events} events of ${counts.calls} calls imported in ${(imp.ms / 1000).toFixed(1)} s; the month: ${offered} calls offered in ${rowsOut.length} periods (sqlite3 counts ${plainOffered}); each run a whole command (process start, open, figures, JSON)`);
if (!process.env.KEEP) fs.rmSync(dir, { recursive: true, force: true });
