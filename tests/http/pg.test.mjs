// The throw-away PostgreSQL cluster of make http-pg (pg.mjs), on its own: it starts on
// loopback only, keeps fsync on, makes separate databases that sql() reads as sqlite3
// prints, and leaves no server and no folder behind, whether the test process ends well,
// fails, or is killed. Runs on either store (it needs Debian's postgresql-15 only).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCluster, psql } from './pg.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));

// the live processes (zombies have no command line) whose command line names dir
function processesIn(dir) {
  const found = [];
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let cmd;
    try { cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch { continue; }
    if (cmd.includes(dir)) found.push(`${pid}: ${cmd.replace(/\0/g, ' ')}`);
  }
  return found;
}
const alive = (pid) => {
  try { process.kill(pid, 0); } catch (e) { return e.code === 'EPERM'; }
  // a zombie answers kill(0): it is dead when /proc says so
  try { return !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8')); } catch { return false; }
};
const postmasterPid = (dir) => Number(fs.readFileSync(path.join(dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
const connects = (host, port) => new Promise((resolve) => {
  const s = net.connect({ host, port }, () => { s.destroy(); resolve(true); });
  s.on('error', () => resolve(false));
});

test('a cluster on loopback: two separate databases, read as sqlite3 prints, durable, then gone', async () => {
  const c = startCluster();
  const pid = postmasterPid(c.dir);
  try {
    assert.ok(alive(pid), 'the server runs');
    const a = c.newDatabase('tamin.db'), b = c.newDatabase('tamin.db');
    assert.notEqual(a, b, 'each call is a new database');
    assert.match(a, new RegExp(`^postgres://tamin@127\\.0\\.0\\.1:${c.port}/tamin_\\d+$`));
    psql(a, "CREATE TABLE t (n bigint, s text); INSERT INTO t VALUES (1, 'یک'), (2, NULL), (3, 'a|b')");
    assert.equal(psql(a, 'SELECT n, s FROM t ORDER BY n'), '1|یک\n2|\n3|a|b', 'rows by newline, columns by |, NULL empty');
    assert.equal(psql(a, 'SELECT count(*) FROM t WHERE false'), '0');
    assert.throws(() => psql(b, 'SELECT n FROM t'), /relation "t" does not exist/, 'the second database is another');
    assert.throws(() => psql(a, "INSERT INTO t VALUES ('x')"), /invalid input syntax/, 'an error throws');
    // the durability a 201 promises is PostgreSQL's real one here
    assert.equal(psql(a, 'SHOW fsync'), 'on');
    assert.equal(psql(a, 'SHOW synchronous_commit'), 'on');
    assert.equal(psql(a, 'SHOW server_encoding'), 'UTF8');
    assert.equal(psql(a, 'SHOW listen_addresses'), '127.0.0.1');
    assert.ok(await connects('127.0.0.1', c.port), 'it answers on 127.0.0.1');
    assert.throws(() => c.createDatabase('x; DROP DATABASE postgres'), /not a plain database name/);
  } finally {
    c.stop();
  }
  assert.equal(alive(pid), false, 'the server stopped');
  assert.equal(fs.existsSync(c.dir), false, 'its folder is removed');
  assert.deepEqual(processesIn(c.dir), [], 'no process of the cluster is left');
  assert.equal(await connects('127.0.0.1', c.port), false, 'nothing answers on its port');
});

// A child node process starts a cluster, prints its folder and server's pid, then ends as
// told: it returns, throws, or waits to be killed.
function child(how) {
  const code = `
    import fs from 'node:fs';
    import path from 'node:path';
    import { startCluster } from ${JSON.stringify(path.join(HERE, 'pg.mjs'))};
    const c = startCluster();
    const pid = (${postmasterPid.toString()})(c.dir);
    console.log(JSON.stringify({ dir: c.dir, pid }));
    if (${JSON.stringify(how)} === 'throw') throw new Error('a failing test');
    if (${JSON.stringify(how)} === 'wait') setInterval(() => {}, 1000);
  `;
  const p = spawn(process.execPath, ['--input-type=module', '-e', code],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  p.stdout.on('data', (d) => { out += d; });
  p.stderr.on('data', (d) => { err += d; });
  const started = new Promise((resolve, reject) => {
    p.stdout.on('data', () => { const m = out.match(/^\{.*\}$/m); if (m) resolve(JSON.parse(m[0])); });
    // 'close', not 'exit': only then has all its output come
    p.on('close', () => { const m = out.match(/^\{.*\}$/m); if (m) resolve(JSON.parse(m[0])); else reject(new Error(`child: ${err}`)); });
  });
  const exited = new Promise((resolve) => p.on('close', (code_, signal) => resolve({ code: code_, signal, err })));
  return { p, started, exited };
}
// waits (a minute at most) until the server and every process of the folder (the guard's
// pg_ctl) have ended
async function allGone(pid, dir, ms = 60000) {
  const end = Date.now() + ms;
  while ((alive(pid) || processesIn(dir).length) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  return !alive(pid);
}

for (const how of ['return', 'throw']) {
  test(`a test process that ${how === 'return' ? 'ends well' : 'fails'} stops its cluster and removes its folder`, async () => {
    const c = child(how);
    const { dir, pid } = await c.started;
    const r = await c.exited;
    if (how === 'throw') assert.match(r.err, /a failing test/);
    else assert.equal(r.code, 0, r.err);
    assert.equal(alive(pid), false, 'the server stopped before the process ended');
    assert.equal(fs.existsSync(dir), false, 'the folder is removed');
    assert.deepEqual(processesIn(dir), []);
  });
}

test('a test process killed outright (SIGKILL) still has its server stopped', async () => {
  const c = child('wait');
  const { dir, pid } = await c.started;
  try {
    assert.ok(alive(pid));
    c.p.kill('SIGKILL');
    await c.exited;
    assert.ok(await allGone(pid, dir), 'the guard stopped the server once its parent was gone');
    assert.deepEqual(processesIn(dir), []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true }); // no exit handler ran to remove it
  }
});

test('the harness with TAMIN_STORE=postgres: newDb is a fresh database, sql reads it, --state-dir is its folder', async () => {
  const code = `
    import fs from 'node:fs';
    import * as h from ${JSON.stringify(path.join(HERE, 'harness.mjs'))};
    const dir = h.tempDir();
    const a = h.newDb(dir), b = h.newDb(dir, 'calls.db');
    const made = h.dbMade(a);
    h.sql(a, 'CREATE TABLE t (n bigint); INSERT INTO t VALUES (7), (8)');
    console.log(JSON.stringify({
      isPg: h.IS_PG, a, b, dir, made, madeAfter: h.dbMade(a), madeB: h.dbMade(b),
      rows: h.sql(a, 'SELECT n FROM t ORDER BY n'), path: h.sql(a, 'SHOW search_path'),
      state: h.stateDir(a), args: h.storeArgs(a), argsGiven: h.storeArgs(a, ['--state-dir', '/x']),
      attachments: h.attachmentsDir(a), clusterDir: h.pgCluster().dir,
    }));
    h.cleanupTemp();
  `;
  const p = spawn(process.execPath, ['--input-type=module', '-e', code], {
    stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TAMIN_STORE: 'postgres', TAMIN_KEEP_TMP: '' },
  });
  let out = '', err = '';
  p.stdout.on('data', (d) => { out += d; });
  p.stderr.on('data', (d) => { err += d; });
  const code_ = await new Promise((resolve) => p.on('exit', resolve));
  assert.equal(code_, 0, err);
  const r = JSON.parse(out);
  assert.equal(r.isPg, true);
  assert.match(r.a, /^postgres:\/\/tamin@127\.0\.0\.1:\d+\/tamin_1$/);
  assert.match(r.b, /^postgres:\/\/tamin@127\.0\.0\.1:\d+\/calls_1$/);
  assert.deepEqual([r.made, r.madeAfter, r.madeB], [false, true, false], 'an empty database is not yet made');
  assert.equal(r.rows, '7\n8');
  assert.match(r.path, /^public, ?journal$/, "the tests' SQL finds tables as tamin's connections do");
  assert.equal(r.state, r.dir, "the test's folder is the database's state folder");
  assert.deepEqual(r.args, ['--state-dir', r.dir]);
  assert.deepEqual(r.argsGiven, [], 'a --state-dir the test gives stands');
  assert.equal(r.attachments, path.join(r.dir, 'tamin-attachments'));
  assert.equal(fs.existsSync(r.clusterDir), false, 'the cluster is gone with its process');
  assert.deepEqual(processesIn(r.clusterDir), []);
});
