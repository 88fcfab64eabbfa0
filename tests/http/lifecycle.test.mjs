// Server lifecycle and durability: SIGTERM with requests in flight loses no acknowledged
// write and exits 0; the command line fails cleanly (non-zero, one line on stderr).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import {
  BIN, ROOT, createDemo, startServer, runCli, addUser, assertNoSanitizerReport, caseBody,
  cleanupTemp, tempDir, USER_PASSWORD, IS_PG, pgCluster, storeArgs,
} from './harness.mjs';

let demo;
before(() => { demo = createDemo(); });
after(() => cleanupTemp());

/** A POST on its own connection: `sent` resolves once the request is handed to the OS. */
function rawPost(port, p, token, body) {
  const data = Buffer.from(JSON.stringify(body));
  const req = http.request({
    host: '127.0.0.1', port, path: p, method: 'POST', agent: false,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': data.length },
  });
  const sent = new Promise((res) => { req.on('finish', res); req.on('error', res); });
  const done = new Promise((res) => {
    const t = setTimeout(() => { req.destroy(); res({ error: 'timeout' }); }, 30000);
    req.on('response', (resp) => {
      let text = '';
      resp.setEncoding('utf8');
      resp.on('data', (c) => { text += c; });
      resp.on('end', () => { clearTimeout(t); res({ status: resp.statusCode, text }); });
      resp.on('error', (e) => { clearTimeout(t); res({ error: e.code || e.message }); });
    });
    req.on('error', (e) => { clearTimeout(t); res({ error: e.code || e.message }); });
  });
  req.end(data);
  return { sent, done };
}

async function sigtermRound(server, token, n, delayMs) {
  const reqs = Array.from({ length: n }, (_, i) =>
    rawPost(server.port, '/api/v1/cases', token, caseBody(demo.citizens[i % 3], { subject: `درخواست شماره ${i}` })));
  await Promise.all(reqs.map((r) => r.sent));
  if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
  server.signal('SIGTERM');
  const results = await Promise.all(reqs.map((r) => r.done));
  await server.stop({ send: false }); // exit code 0, no sanitizer report
  return results;
}

test('SIGTERM with 50 POST /cases in flight: every 201 survives a restart, exit 0', async (t) => {
  let acked = [];
  const tally = {};
  for (const delay of [0, 5]) {
    const s = await startServer(demo.db);
    const { token } = await s.login('agent1');
    const results = await sigtermRound(s, token, 50, delay);
    for (const r of results) {
      const k = r.error ? `error:${r.error}` : String(r.status);
      tally[k] = (tally[k] || 0) + 1;
      if (r.status === undefined) continue;
      assert.equal(r.status, 201, `an answered request during shutdown must be a success: ${r.status} ${r.text}`);
      const j = JSON.parse(r.text);
      acked.push({ id: j.id, number: j.number, subject: j.subject });
    }
  }
  t.diagnostic(`outcomes over two rounds: ${JSON.stringify(tally)}`);
  assert.ok(acked.length > 0, 'no request was answered before the stop; the test proved nothing');
  assert.equal(new Set(acked.map((a) => a.id)).size, acked.length, 'ids are unique');
  assert.equal(new Set(acked.map((a) => a.number)).size, acked.length, 'numbers are unique');

  const s = await startServer(demo.db);
  try {
    const { token } = await s.login('supervisor');
    for (const a of acked) {
      const r = await s.call('GET', `/api/v1/cases/${a.id}`, { token });
      assert.equal(r.status, 200, `case ${a.id} (${a.number}) answered 201 but is gone after restart`);
      assert.equal(r.json.number, a.number);
      assert.equal(r.json.subject, a.subject);
      assert.deepEqual(r.json.events.map((e) => e.type), ['create']);
    }
    // the numbering goes on without reusing a number
    const { token: at } = await s.login('agent1');
    const c = await s.call('POST', '/api/v1/cases', { token: at, body: caseBody(demo.citizens[0]) });
    assert.equal(c.status, 201, c.text);
    assert.ok(!acked.some((a) => a.number === c.json.number));
  } finally {
    await s.stop();
  }
});

test('SIGINT also stops the server cleanly', async () => {
  const s = await startServer(demo.db);
  await s.login('agent1');
  await new Promise((r) => setTimeout(r, 200));
  s.signal('SIGINT');
  const r = await s.stop({ send: false });
  assert.match(r.stderr, /stopped cleanly/);
});

test('a second stop signal during shutdown does not kill the server (exit 0 every time)', async () => {
  // An operator presses Ctrl-C twice, or an init system repeats SIGTERM: the server is
  // already finishing in-flight requests and must still exit 0, not die by the signal.
  const outcomes = [];
  for (const [first, second] of [['SIGTERM', 'SIGTERM'], ['SIGINT', 'SIGTERM'], ['SIGTERM', 'SIGTERM'], ['SIGINT', 'SIGINT'], ['SIGTERM', 'SIGTERM']]) {
    const s = await startServer(demo.db);
    await s.login('agent1');
    s.signal(first);
    s.signal(second);
    const r = await s.exited;
    outcomes.push(`${first}+${second} → ${r.signal ? `killed by ${r.signal}` : `exit ${r.code}`}`);
    assertNoSanitizerReport(s.stderr, 'tamin serve');
  }
  assert.ok(outcomes.every((o) => o.endsWith('exit 0')), outcomes.join('; '));
});

/** Non-zero exit and exactly one line on stderr. */
function assertCliError(r, pattern, what) {
  assert.notEqual(r.status, 0, `${what}: exit status 0; stderr: ${r.stderr}`);
  assert.equal(r.signal, null, `${what}: killed by ${r.signal} (hung?); stderr: ${r.stderr}`);
  assertNoSanitizerReport(r.stderr, what);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `${what}: want one line on stderr, got:\n${r.stderr}`);
  assert.ok(lines[0].length > 0, `${what}: stderr is empty`);
  if (pattern) assert.match(lines[0], pattern, what);
}

test('CLI: unknown command or option → non-zero exit and one line on stderr', () => {
  assertCliError(runCli(['frobnicate']), /unknown command/, 'tamin frobnicate');
  assertCliError(runCli(['frobnicate', '--db', demo.db]), /frobnicate/, 'tamin frobnicate --db');
  assertCliError(runCli(['migrate', '--db', demo.db, '--bogus']), /--bogus/, 'unknown option');
  assertCliError(runCli(['migrate']), /--db/, 'migrate without --db');
  assertCliError(runCli(['migrate', '--db']), /--db/, '--db without a value');
  assertCliError(runCli(['user', 'remove', '--db', demo.db]), null, 'user remove');
  const none = runCli([]);
  assert.notEqual(none.status, 0, 'no command is an error');
  assert.match(none.stderr, /usage/);
  const help = runCli(['--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /tamin serve/);
  const m = runCli(['migrate', '--db', demo.db]);
  assert.equal(m.status, 0, m.stderr);
});

test('CLI: user add with a bad role (and other bad input) → non-zero', () => {
  const db = demo.db;
  const add = (args, input = USER_PASSWORD + '\n') => runCli(['user', 'add', '--db', db, ...args], { input });
  assertCliError(add(['--login', 'wizard1', '--role', 'wizard']), /role/, 'bad role');
  assertCliError(add(['--login', 'sp_x', '--role', 'specialist']), /department/, 'specialist without a department');
  assertCliError(add(['--login', 'sp_y', '--role', 'specialist', '--department', 'nope']), /department/, 'unknown department');
  assertCliError(add(['--login', 'c1', '--role', 'citizen', '--national-id', '1234567890']), /national id/, 'citizen with a bad national id');
  assertCliError(add(['--login', 'weak', '--role', 'agent'], 'short\n'), /password/, 'weak password');
  assertCliError(add(['--login', 'common', '--role', 'agent'], 'Password\n'), /common/, 'a common password');
  assertCliError(add(['--login', 'samename', '--role', 'agent'], 'SameName\n'), /login/, 'the login as its password');
  assertCliError(add(['--login', 'spaces', '--role', 'agent'], '        \n'), /spaces/, 'spaces alone');
  assertCliError(add(['--login', 'nopw', '--role', 'agent'], ''), /password/, 'no password on stdin');
  assertCliError(add(['--login', 'agent1', '--role', 'agent']), /agent1/, 'login taken');
  assertCliError(add(['--role', 'agent']), /login/, 'no --login');
  // none of them was created
  for (const l of ['wizard1', 'sp_x', 'sp_y', 'c1', 'weak', 'common', 'samename', 'spaces', 'nopw']) {
    const r = add(['--login', l, '--role', 'agent']);
    assert.equal(r.status, 0, `${l} should be free: ${r.stderr}`);
  }
  const ok = addUser(db, { login: 'New_Agent', role: 'agent', department: 'contact_center' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /new_agent/i);
  // demo refuses a database with users in it
  assertCliError(runCli(['demo', '--db', db, '--people', '5', '--cases', '5']), /users|empty/, 'demo on a used db');
});

test('CLI: serve with an invalid --listen or options → non-zero, no hang', () => {
  for (const listen of ['nonsense', '127.0.0.1', ':8080', '127.0.0.1:', '127.0.0.1:99999', '127.0.0.1:-1', '127.0.0.1:http', '999.1.1.1:0', 'no.such.host.invalid:0']) {
    assertCliError(runCli(['serve', '--db', demo.db, '--listen', listen, ...storeArgs(demo.db)], { timeout: 15000 }), null, `serve --listen ${listen}`);
  }
  assertCliError(runCli(['serve', '--db', demo.db, '--threads', '0'], { timeout: 15000 }), /threads/, '--threads 0');
  assertCliError(runCli(['serve', '--db', demo.db, '--rate-limit', '-1'], { timeout: 15000 }), /rate-limit/, '--rate-limit -1');
  assertCliError(runCli(['serve', '--db', demo.db, '--threads', 'many'], { timeout: 15000 }), /threads/, '--threads many');
  assertCliError(runCli(['serve', '--listen', '127.0.0.1:0'], { timeout: 15000 }), /--db/, 'serve without --db');
  const dir = tempDir();
  // a file in no folder; on PostgreSQL, a database the server does not have
  const missing = IS_PG ? pgCluster().url('no_such_database') : path.join(dir, 'no', 'such', 'dir', 'x.db');
  assertCliError(runCli(['serve', '--db', missing, '--listen', '127.0.0.1:0', ...storeArgs(missing)], { timeout: 15000 }), null, 'serve on an impossible db path');
  if (!IS_PG) assert.ok(!fs.existsSync(missing));
});

test('CLI: serve on an address another server already listens on → non-zero', async () => {
  const s = await startServer(demo.db);
  const other = createDemo();
  // Five tries: an early exit once crashed half the time (the sweeper's job outlived
  // its thread), so one try could pass by luck.
  for (let i = 0; i < 5; i++) {
    const proc = spawn(BIN, ['serve', '--db', other.db, '--listen', `127.0.0.1:${s.port}`, ...storeArgs(other.db)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    proc.stdout.on('data', (d) => { out += d; });
    proc.stderr.on('data', (d) => { err += d; });
    const outcome = await new Promise((res) => {
      const t = setTimeout(() => res('still running'), 5000);
      proc.on('exit', (code, signal) => { clearTimeout(t); res(code === null ? `killed by ${signal}` : code); });
      proc.stdout.on('data', () => { if (/listening/.test(out)) { clearTimeout(t); res('listening'); } });
    });
    if (outcome === 'listening' || outcome === 'still running') {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.on('exit', r));
    }
    if (!(typeof outcome === 'number' && outcome !== 0)) await s.stop();
    assert.ok(typeof outcome === 'number' && outcome !== 0,
      `a second server on port ${s.port} (another database!) did not fail: ${outcome}; stdout: ${out.trim()}`);
    assert.equal(err.trimEnd().split('\n').length, 1, `one line on stderr: ${err}`);
  }
  await s.stop();
});
