// PostgreSQL past one server: reads on a streaming replica with read-your-writes, the
// database lost for a moment, and a database that stops answering (frozen). Runs with TAMIN_STORE=postgres (make http-pg); on SQLite
// there is neither a replica nor a server to lose, and the tests say so as they skip.
//
// The replica is the primary's files copied by pg_basebackup -R and started as a hot
// standby (tests/http/pg.mjs, standbyOf). The server reads there; one who wrote reads on
// the primary until the replica has replayed the write (its WAL position, store.h's
// db_wal_position), which the test forces by pausing the replica's replay.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { IS_PG, createDemo, startServer, pgCluster, caseBody, cleanupTemp } from './harness.mjs';
import { startCluster, psql } from './pg.mjs';

const SKIP = IS_PG ? false : 'needs PostgreSQL (TAMIN_STORE=postgres, make http-pg)';
let D, replica, replicaUrl, S, agent1, agent2; // agent2: the supervisor, who wrote nothing

before(async () => {
  if (SKIP) return;
  D = createDemo({ people: 40, cases: 20 });
  replica = startCluster({ standbyOf: pgCluster() });
  replicaUrl = replica.url(new URL(D.db).pathname.slice(1));
  S = await startServer(D.db, { args: ['--db-replica', replicaUrl] });
  agent1 = await S.login('agent1');
  agent2 = await S.login('supervisor'); // reads every case
});

after(async () => {
  if (S) await S.stop();
  if (replica) replica.stop();
  cleanupTemp();
});

// the replica's transactions in the demo's database: a read there counts one
const replicaReads = () => Number(psql(replicaUrl,
  'SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()'));
const onReplica = (q) => psql(replicaUrl, q);

test('reads go to the replica: it counts them, the primary\'s writes reach it', { skip: SKIP }, async () => {
  assert.equal(onReplica('SELECT pg_is_in_recovery()'), 't', 'the replica is a standby');
  // statistics are sent every second or so: wait for the count to move
  const before0 = replicaReads();
  for (let i = 0; i < 30; i++) {
    const r = await S.call('GET', '/api/v1/cases?limit=5', { token: agent2.token });
    assert.equal(r.status, 200, r.text);
  }
  let after0 = before0;
  for (let t = 0; t < 50 && after0 < before0 + 30; t++) {
    await new Promise((res) => setTimeout(res, 100));
    after0 = replicaReads();
  }
  assert.ok(after0 >= before0 + 30, `30 reads, the replica committed ${after0 - before0} transactions`);
});

test('read-your-writes: a case just opened is read back at once, also while the replica is held back', { skip: SKIP }, async () => {
  // replay paused: the replica stands still, the primary goes on
  onReplica('SELECT pg_wal_replay_pause()');
  try {
    const ids = [];
    for (let i = 0; i < 5; i++) {
      const c = await S.call('POST', '/api/v1/cases', { token: agent1.token, body: caseBody(D.citizens[0], { subject: `پرونده ${i}` }) });
      assert.equal(c.status, 201, c.text);
      ids.push(c.json.id);
      // the writer reads it back at once: on the primary, since the replica has not got it
      const g = await S.call('GET', `/api/v1/cases/${c.json.id}`, { token: agent1.token });
      assert.equal(g.status, 200, `case ${c.json.id} right after its 201: ${g.text}`);
      assert.equal(g.json.id, c.json.id);
    }
    // one who did not write reads on the replica, which does not have them yet
    const rows = onReplica(`SELECT count(*) FROM cases WHERE id IN (${ids.join(',')})`);
    assert.equal(rows, '0', 'the paused replica has none of the new cases');
    const other = await S.call('GET', `/api/v1/cases/${ids[0]}`, { token: agent2.token });
    // (an agent not allowed every case is told 403 for a case it cannot find, as for one
    // not theirs: the answer does not tell which ids exist)
    assert.ok([403, 404].includes(other.status), `agent2 reads the replica, which is behind: not there yet (${other.status})`);
    // the login of a new session, made on the primary, is known at once
    const agent3 = await S.login('sp_pensions');
    const me = await S.call('GET', '/api/v1/me', { token: agent3.token });
    assert.equal(me.status, 200, me.text);
    onReplica('SELECT pg_wal_replay_resume()');
    // once replayed, agent2 sees it too
    let seen = 0;
    for (let t = 0; t < 50 && seen !== 200; t++) {
      seen = (await S.call('GET', `/api/v1/cases/${ids[0]}`, { token: agent2.token })).status;
      if (seen !== 200) await new Promise((res) => setTimeout(res, 100));
    }
    assert.equal(seen, 200, 'the replica caught up');
  } finally {
    onReplica('SELECT pg_wal_replay_resume()');
  }
});

test('the database lost for a moment: 503 db_unavailable, then served again, nothing acknowledged lost', { skip: SKIP }, async () => {
  const made = [];
  const open = async (i) => {
    const c = await S.call('POST', '/api/v1/cases', { token: agent1.token, body: caseBody(D.citizens[1], { subject: `قطع ${i}` }) });
    if (c.status === 201) made.push(c.json.id);
    return c;
  };
  for (let i = 0; i < 3; i++) assert.equal((await open(i)).status, 201);
  replica.halt();
  pgCluster().halt();
  try {
    const w = await open(10);
    assert.equal(w.status, 503, `a write with the database gone: ${w.text}`);
    assert.equal(w.json.error.code, 'db_unavailable');
    const r = await S.call('GET', `/api/v1/cases/${made[0]}`, { token: agent2.token });
    assert.equal(r.status, 503, `a read with the database gone: ${r.text}`);
    assert.equal(r.json.error.code, 'db_unavailable');
  } finally {
    pgCluster().restart();
    replica.restart();
  }
  // the server finds the database again by itself (a reset at most once a second)
  let back = null;
  for (let t = 0; t < 60; t++) {
    back = await open(20 + t);
    if (back.status === 201) break;
    await new Promise((res) => setTimeout(res, 250));
  }
  assert.equal(back.status, 201, `writes again after the restart: ${back.text}`);
  let read = 0;
  for (let t = 0; t < 60 && read !== 200; t++) {
    read = (await S.call('GET', `/api/v1/cases/${made[0]}`, { token: agent2.token })).status;
    if (read !== 200) await new Promise((res) => setTimeout(res, 250));
  }
  assert.equal(read, 200, 'reads again after the restart');
  const kept = psql(D.db, `SELECT count(*) FROM cases WHERE id IN (${made.join(',')})`);
  assert.equal(Number(kept), made.length, 'every acknowledged case is there');
});

// Every process of a cluster (the postmaster, first in postmaster.pid, and its children).
function clusterPids(c) {
  const main = Number(fs.readFileSync(path.join(c.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
  const kids = spawnSync('pgrep', ['-P', String(main)], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean).map(Number);
  return [main, ...kids];
}

test('a database that stops answering without closing its connections (frozen): 503 after --db-timeout, served again once it answers', { skip: SKIP }, async () => {
  const S2 = await startServer(D.db, { args: ['--db-timeout', '2'] });
  try {
    const sup = await S2.login('supervisor');
    const id = Number(psql(D.db, 'SELECT min(id) FROM cases'));
    assert.equal((await S2.call('GET', `/api/v1/cases/${id}`, { token: sup.token })).status, 200);
    const pids = clusterPids(pgCluster());
    for (const p of pids) process.kill(p, 'SIGSTOP');
    let r, took;
    try {
      const t0 = Date.now();
      r = await S2.call('GET', `/api/v1/cases/${id}`, { token: sup.token, timeout: 30000 });
      took = Date.now() - t0;
    } finally {
      for (const p of pids) process.kill(p, 'SIGCONT');
    }
    assert.equal(r.status, 503, `a read while the server is frozen: ${r.text}`);
    assert.equal(r.json.error.code, 'db_unavailable');
    assert.ok(took >= 1500 && took < 15000, `answered after ${took} ms, the timeout being 2 s`);
    let back = 0;
    for (let t = 0; t < 60 && back !== 200; t++) {
      back = (await S2.call('GET', `/api/v1/cases/${id}`, { token: sup.token })).status;
      if (back !== 200) await new Promise((res) => setTimeout(res, 250));
    }
    assert.equal(back, 200, 'read again once the server answers');
  } finally {
    await S2.stop();
  }
});
