// The queue_log import figure for `make bench` (issue 13): `tamin calls import` of
// 1,000,000 generated queue_log lines (a call: ENTERQUEUE, CONNECT, COMPLETECALLER or
// COMPLETEAGENT; about a tenth ABANDON after ENTERQUEUE) against `sqlite3 .import` of the
// same lines into a table of one text column (the lines stored, nothing parsed or keyed),
// each timed once on a fresh database. Target: >= 1,000,000 lines/s and >= 3x sqlite3.
// Prints "ROW<TAB>name<TAB>value<TAB>anchor<TAB>ratio<TAB>target<TAB>result" for run.sh.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = process.env.TAMIN_BIN || path.join(ROOT, 'build', 'tamin');
const RUN = process.env.RUN_DIR || fs.mkdtempSync(path.join(ROOT, 'build', 'calls-bench-'));
const LINES = Number(process.env.CALLS_LINES || 1000000);
const row = (...f) => console.log(['ROW', ...f].join('\t'));

const dir = path.join(RUN, 'calls');
fs.rmSync(dir, { recursive: true, force: true });
fs.mkdirSync(dir, { recursive: true });
const log = path.join(dir, 'queue_log');
// the lines: calls two seconds apart from 2026-03-21 (Nowruz 1405), each its events
const out = [];
let t = 1774060000, n = 0, call = 0;
while (n < LINES) {
  const id = `${t}.${call++}`;
  const agent = `SIP/${8000 + (call % 120)}`;
  const wait = call % 37, talk = 60 + (call % 400);
  out.push(`${t}|${id}|1420|NONE|ENTERQUEUE||0912${String(1000000 + (call % 8999999)).padStart(7, '0')}|1`);
  if (call % 10 === 0) {
    out.push(`${t + wait}|${id}|1420|NONE|ABANDON|1|1|${wait}`);
    n += 2;
  } else {
    out.push(`${t + wait}|${id}|1420|${agent}|CONNECT|${wait}|${id}.1|2`);
    out.push(`${t + wait + talk}|${id}|1420|${agent}|${call % 2 ? 'COMPLETECALLER' : 'COMPLETEAGENT'}|${wait}|${talk}|1`);
    n += 3;
  }
  t += 2;
}
fs.writeFileSync(log, out.slice(0, LINES).join('\n') + '\n');
const time = (cmd, args, opts = {}) => {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) { console.log(`calls bench: ${cmd} failed: ${r.stderr}`); process.exit(1); }
  return { s, stdout: r.stdout };
};
const db = path.join(dir, 'calls.db');
const mine = time(BIN, ['calls', 'import', '--db', db, log]);
const counts = JSON.parse(mine.stdout);
const sdb = path.join(dir, 'plain.db');
const anchor = time('sqlite3', [sdb], {
  input: `CREATE TABLE lines(line TEXT);\n.separator "\\037" "\\n"\n.import ${log} lines\n`,
});
const mineRate = LINES / mine.s, sqliteRate = LINES / anchor.s, ratio = mineRate / sqliteRate;
row('queue_log import lines/s', mineRate.toFixed(0), sqliteRate.toFixed(0), ratio.toFixed(2), '>=1e6, ratio>=3',
  mineRate >= 1e6 && ratio >= 3 ? 'PASS' : 'MISS');
console.log(`NOTE   ${LINES} lines (${counts.events} events, ${counts.calls} calls, ${counts.malformed} malformed): tamin ${mine.s.toFixed(2)} s; sqlite3 .import of the same lines into one text column ${anchor.s.toFixed(2)} s`);
fs.rmSync(dir, { recursive: true, force: true });
