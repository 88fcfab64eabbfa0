// `tamin calls follow`: a queue_log followed as Asterisk writes it. Only whole lines are
// read (a half-written last line waits for its newline); a rename-and-create rotation reads
// the old file to its end by its descriptor and the new one from its start; a file cut
// short (copytruncate) is read again from its start; a restart goes on from the position
// kept in the database, so no line is read twice (duplicates stay 0) and call_blocks holds
// exactly the distinct lines written.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BIN, runCli, tempDir, cleanupTemp, assertNoSanitizerReport, newDb, sql } from './harness.mjs';

after(cleanupTemp);

const T0 = Date.UTC(2026, 2, 1, 6, 30) / 1000;
let serial = 0;
/** n distinct queue_log lines (each a caller entering 1420), newline-ended. */
function fresh(n) {
  let s = '';
  for (let i = 0; i < n; i++, serial++)
    s += `${T0 + serial}|call${serial}|1420|NONE|ENTERQUEUE||0935${String(serial).padStart(7, '0')}|1|\n`;
  return s;
}
const count = (db) => Number(sql(db, 'SELECT COALESCE(sum(events), 0) FROM call_blocks'));

function once(db, file) {
  const r = runCli(['calls', 'follow', '--db', db, '--once', file]);
  assertNoSanitizerReport(r.stderr);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.duplicates, 0, 'a line read twice');
  return j;
}

test('--once: whole lines only; a partial last line is read when its newline comes', () => {
  const dir = tempDir();
  const db = newDb(dir, 'f.db'), file = path.join(dir, 'queue_log');
  const three = fresh(3), next = fresh(1), after1 = fresh(1);
  fs.writeFileSync(file, three + next.slice(0, 20));
  assert.equal(once(db, file).events, 3);
  assert.equal(count(db), 3);
  assert.equal(once(db, file).lines, 0, 'nothing new, nothing read');
  fs.appendFileSync(file, next.slice(20) + after1);
  const j = once(db, file);
  assert.deepEqual([j.lines, j.events, j.malformed], [2, 2, 0], 'the completed line whole');
  assert.equal(count(db), 5);
});

test('--once: rename-and-create rotation, copytruncate, a malformed line keeps its number', () => {
  const dir = tempDir();
  const db = newDb(dir, 'f.db'), file = path.join(dir, 'queue_log');
  fs.writeFileSync(file, fresh(4));
  once(db, file);
  // Asterisk writes more, and a last line without its newline, before the rename
  const tail = fresh(1);
  fs.appendFileSync(file, fresh(2) + 'garbage\n' + tail.slice(0, -1));
  fs.renameSync(file, file + '.1');
  fs.writeFileSync(file, fresh(3));
  let j = once(db, file);
  assert.deepEqual([j.events, j.malformed], [6, 1], 'the old file to its end, the new from 0');
  assert.equal(j.malformed_lines[0].line, 7, 'line numbers of the old file go on');
  assert.equal(count(db), 10);
  // copytruncate: the file emptied in place, then written again, shorter than before
  fs.truncateSync(file, 0);
  fs.appendFileSync(file, fresh(2));
  j = once(db, file);
  assert.equal(j.events, 2);
  assert.equal(count(db), 12);
  const kept = sql(db, 'SELECT pos, line FROM calls_follow');
  assert.equal(kept, `${fs.statSync(file).size}|2`);
});

test('following: lines as they come, rotation, truncation, SIGTERM, and a restart reads nothing twice', async () => {
  const dir = tempDir();
  const db = newDb(dir, 'f.db'), file = path.join(dir, 'queue_log');
  fs.writeFileSync(file, fresh(5));
  let written = 5;
  const start = () => {
    const p = spawn(BIN, ['calls', 'follow', '--db', db, '--interval', '0.05', file]);
    let out = '', err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    // 'close', not 'exit': the output may still be on its way when the process has exited
    const done = new Promise((res) => p.on('close', (code, signal) => res({ code, signal, out, err })));
    return { p, done: done.then((r) => ({ ...r, out, err })) };
  };
  const until = async (n) => {
    for (let i = 0; i < 400; i++) {
      try { if (count(db) === n) return; } catch { /* not made yet, or locked */ }
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.fail(`call_blocks never reached ${n} (has ${count(db)})`);
  };
  let f = start();
  await until(5);
  const half = fresh(1);
  fs.appendFileSync(file, fresh(3) + half.slice(0, 10));
  written += 3;
  await until(written);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(count(db), written, 'a half line is not read');
  fs.appendFileSync(file, half.slice(10));
  written += 1;
  await until(written);
  fs.renameSync(file, file + '.1');
  fs.writeFileSync(file, fresh(4));
  written += 4;
  await until(written);
  fs.appendFileSync(file + '.1', ''); // the old one is no longer written
  fs.truncateSync(file, 0);
  await new Promise((r) => setTimeout(r, 150));
  fs.appendFileSync(file, fresh(2));
  written += 2;
  await until(written);
  f.p.kill('SIGTERM');
  let r = await f.done;
  assertNoSanitizerReport(r.err);
  assert.deepEqual([r.code, r.signal], [0, null], r.err);
  let j = JSON.parse(r.out);
  assert.deepEqual([j.events, j.duplicates], [written, 0]);
  // stopped; lines written meanwhile are read by the next run, and nothing else
  fs.appendFileSync(file, fresh(3));
  written += 3;
  f = start();
  await until(written);
  f.p.kill('SIGINT');
  r = await f.done;
  assert.equal(r.code, 0, r.err);
  j = JSON.parse(r.out);
  assert.deepEqual([j.lines, j.events, j.duplicates], [3, 3, 0]);
  assert.equal(count(db), written);
});

test('killed (SIGKILL) while following: the next run goes on from the last commit, nothing twice', async () => {
  const dir = tempDir();
  const db = newDb(dir, 'f.db'), file = path.join(dir, 'queue_log');
  fs.writeFileSync(file, fresh(50));
  const p = spawn(BIN, ['calls', 'follow', '--db', db, '--interval', '0.02', file], { stdio: 'ignore' });
  for (let i = 0; i < 400; i++) {
    try { if (count(db) === 50) break; } catch { /* not made yet */ }
    await new Promise((r) => setTimeout(r, 25));
  }
  fs.appendFileSync(file, fresh(7));
  p.kill('SIGKILL');
  await new Promise((r) => p.on('exit', r));
  fs.appendFileSync(file, fresh(3));
  once(db, file); // asserts duplicates 0
  assert.equal(count(db), 60);
});

test('refused: a bad --interval, a missing file with --once', () => {
  const dir = tempDir();
  const db = newDb(dir, 'f.db');
  for (const v of ['0', 'soon', '9999', '-1']) {
    const r = runCli(['calls', 'follow', '--db', db, '--interval', v, path.join(dir, 'q')]);
    assert.equal(r.status, 2, v);
    assert.match(r.stderr, /--interval/);
  }
  const r = runCli(['calls', 'follow', '--db', db, '--once', path.join(dir, 'nope')]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /nope/);
});
