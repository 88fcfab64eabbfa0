// (f) failover: tamin on a three-node PostgreSQL cluster managed by Patroni, the leader
// killed under load. On loopback: one etcd, three Patroni-managed PostgreSQL 15 instances
// (synchronous_mode: a commit is acknowledged once a second node has it), each in a
// temporary folder on free ports; the tamin database made through the leader, `tamin
// migrate` and `tamin demo` on the three-host URL (target_session_attrs=read-write), and
// `tamin serve` on it. Clients create cases; mid-load the leader's Patroni and PostgreSQL
// (the postmaster and every backend) get SIGKILL, as a lost host would. Patroni promotes the
// synchronous standby; tamin must find it by itself (libpq tries the URL's hosts in turn
// for a read-write one when the backend resets its lost connection), answering 503
// db_unavailable meanwhile. Checked: a new leader, writes acknowledged again, every case
// acknowledged (201) before or after the kill on the new primary with its number and
// subject, no 500 nor any status but 201 and 503, the server alive throughout.
// Everything is stopped and the temporary folders removed at the end, also on failure.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { envInt, logger, percentile, row, sleep, startServer, tamin, workDir } from './lib.mjs';

const PART = 'f';
const PG_BIN = process.env.TAMIN_PG_BIN || process.env.PG_BIN || '/usr/lib/postgresql/15/bin';
const CLIENTS = envInt('SOAK_FAILOVER_CLIENTS', 4);
const BEFORE = envInt('SOAK_FAILOVER_BEFORE', 8); // seconds of load before the kill
const AFTER = envInt('SOAK_FAILOVER_AFTER', 8); // seconds of load once writes succeed again
const LIMIT = envInt('SOAK_FAILOVER_LIMIT', 120); // the longest gap the part waits for
// Patroni's timing: the leader key lives TTL seconds without a renewal; a replica takes
// over once it expired. The defaults (30/10/10) are a production's; the soak's are short
// so that the gap is measured in seconds, not half a minute.
const TTL = envInt('SOAK_FAILOVER_TTL', 10);
// SIGKILL (a host lost: its connections reset) or SIGSTOP (a host hung: nothing answers)
const SIGNAL = process.env.SOAK_FAILOVER_SIGNAL || 'SIGKILL';
const MEASURE = envInt('SOAK_FAILOVER_MEASURE', 5); // seconds of load with synchronous_mode on, then off; 0: not measured
const LOOP_WAIT = 2;
const RETRY_TIMEOUT = 4;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

// PostgreSQL refuses to run as root: a root run starts Patroni (and so PostgreSQL) as the
// `postgres` user of Debian's package, as tests/http/pg.mjs does.
function pgUser() {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  const name = process.env.TAMIN_PG_USER || 'postgres';
  const id = (flag) => {
    const r = spawnSync('id', [flag, name], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`failover: running as root, and there is no user ${name} to run PostgreSQL as`);
    return Number(r.stdout.trim());
  };
  return { name, uid: id('-u'), gid: id('-g') };
}

function cleanEnv(extra = {}) {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('PG') || k.startsWith('PATRONI') || k.startsWith('ETCD')) delete env[k];
  return { ...env, PGCONNECT_TIMEOUT: '5', ...extra };
}

function psql(url, query) {
  const r = spawnSync('psql', ['-X', '-q', '-A', '-t', '-F', '|', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', query],
    { encoding: 'utf8', env: cleanEnv(), maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`psql: ${r.stderr.trim()} (${query.slice(0, 200)})`);
  return r.stdout.trim();
}

async function getJson(url, timeout = 2000) {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(timeout) });
    const text = await r.text();
    return { status: r.status, json: text ? JSON.parse(text) : null };
  } catch { return null; }
}

/** The cluster as some node that answers sees it: Patroni's GET /cluster. */
async function clusterView(nodes) {
  for (const n of nodes) {
    if (n.killed) continue;
    const r = await getJson(`http://127.0.0.1:${n.api}/cluster`);
    if (r && r.status === 200 && r.json && Array.isArray(r.json.members)) return r.json;
  }
  return null;
}

/** The leader that is running and answers 200 on its own GET /primary (Patroni's health
 * check for the read-write node), or null. */
async function leader(nodes) {
  for (const n of nodes) {
    if (n.killed) continue;
    const r = await getJson(`http://127.0.0.1:${n.api}/primary`);
    if (r && r.status === 200) return n;
  }
  return null;
}

// A node's YAML: what README's "Failover: three nodes with Patroni" shows, with loopback
// ports, trust on loopback (a throw-away cluster, as pg.mjs's) and short timings.
function patroniYaml(n, { etcdPort, dir }) {
  return `scope: tamin-soak
namespace: /tamin/
name: ${n.name}
log:
  level: INFO
restapi:
  listen: 127.0.0.1:${n.api}
  connect_address: 127.0.0.1:${n.api}
etcd3:
  hosts: 127.0.0.1:${etcdPort}
bootstrap:
  dcs:
    ttl: ${TTL}
    loop_wait: ${LOOP_WAIT}
    retry_timeout: ${RETRY_TIMEOUT}
    maximum_lag_on_failover: 1048576
    synchronous_mode: true
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        max_connections: 200
        shared_buffers: 32MB
        max_wal_size: 256MB
        wal_log_hints: 'on'
        TimeZone: UTC
        jit: 'off'
  initdb:
  - encoding: UTF8
  - locale: C
  - data-checksums
  pg_hba:
  - local all all trust
  - host replication replicator 127.0.0.1/32 trust
  - host all all 127.0.0.1/32 trust
postgresql:
  listen: 127.0.0.1:${n.pg}
  connect_address: 127.0.0.1:${n.pg}
  data_dir: ${path.join(dir, n.name, 'data')}
  bin_dir: ${PG_BIN}
  pgpass: ${path.join(dir, n.name, 'pgpass')}
  authentication:
    superuser:
      username: postgres
      password: soak-superuser
    replication:
      username: replicator
      password: soak-replicator
    rewind:
      username: rewinder
      password: soak-rewinder
  parameters:
    unix_socket_directories: '${path.join(dir, n.name)}'
`;
}

/** Turns Patroni's synchronous_mode on or off (PATCH /config on the leader) and waits
 * until the leader's synchronous_standby_names says so. */
async function setSyncMode(nodes, on, log) {
  const l = await leader(nodes);
  if (!l) throw new Error('no leader to configure');
  const r = await fetch(`http://127.0.0.1:${l.api}/config`, {
    method: 'PATCH', body: JSON.stringify({ synchronous_mode: on }), headers: { 'content-type': 'application/json' },
    signal: AbortSignal.timeout(10000),
  });
  await r.text();
  if (r.status !== 200) throw new Error(`PATCH /config: ${r.status}`);
  for (const t0 = Date.now(); ; await sleep(200)) {
    const ssn = psql(`postgres://postgres@127.0.0.1:${l.pg}/postgres`, 'SHOW synchronous_standby_names');
    if ((ssn !== '') === on) { log(`synchronous_mode ${on}: synchronous_standby_names = '${ssn}'`); return; }
    if (Date.now() - t0 > 60000) throw new Error(`synchronous_mode ${on}: synchronous_standby_names still '${ssn}'`);
  }
}

/** The postmaster's pid from its data folder, or null. */
function postmasterPid(n) {
  try {
    const pid = Number(fs.readFileSync(path.join(n.data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return pid > 0 ? pid : null;
  } catch { return null; }
}

/** The children of pid, from /proc. */
function childrenOf(pid) {
  const out = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const st = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(e));
    } catch { /* gone */ }
  }
  return out;
}

const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };

/** SIGKILL to a node's Patroni, its postmaster and every child of the postmaster at once:
 * the host gone, its TCP connections reset by the kernel. SIGSTOP instead: a hung host
 * (the kernel still accepts connections and acknowledges data, nothing answers). The pids. */
function killNode(n, sig = 'SIGKILL') {
  const pm = postmasterPid(n);
  const pids = [n.proc.pid, ...(pm && alive(pm) ? [pm, ...childrenOf(pm)] : [])];
  for (const p of pids) { try { process.kill(p, sig); } catch { /* gone */ } }
  n.killed = true;
  n.stopped = sig === 'SIGSTOP' ? pids : null;
  return pids;
}

export async function run() {
  const dir = workDir('failover');
  const log0 = logger('failover', dir);
  const tStart = Date.now();
  const log = (...a) => log0(`[${((Date.now() - tStart) / 1000).toFixed(1)} s]`, ...a);
  const rows = [];

  const missing = [['etcd', 'etcd-server'], ['patroni', 'patroni'], [path.join(PG_BIN, 'postgres'), 'postgresql-15'], ['psql', 'postgresql-client-15']]
    .filter(([b]) => spawnSync('sh', ['-c', `command -v "$0"`, b]).status !== 0).map(([, p]) => p);
  if (missing.length) {
    return [row(PART, 'cluster', 'the three-node cluster', `not installed: ${missing.join(', ')} (scripts/deps-soak.sh installs them)`, false)];
  }

  const user = pgUser();
  const as = user ? { uid: user.uid, gid: user.gid } : {};
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tamin-failover-'));
  if (user) fs.chownSync(tmp, user.uid, user.gid);
  const version = (cmd, args) => (spawnSync(cmd, args, { encoding: 'utf8' }).stdout || '').match(/\d+\.\d+(\.\d+)?/)?.[0] || '?';
  const versions = `etcd ${version('etcd', ['--version'])}, Patroni ${version('patroni', ['--version'])}, PostgreSQL ${version(path.join(PG_BIN, 'postgres'), ['--version'])}`;
  log(`${versions}; temporary folder ${tmp}`);

  let etcd = null;
  const nodes = [];
  let S = null;
  // however the soak ends, no postmaster outlives it (Patroni starts it in a session of its
  // own, so it is no child the soak's exit hook knows)
  const onExit = () => {
    for (const n of nodes) {
      for (const p of n.stopped || []) { try { process.kill(p, 'SIGKILL'); } catch { /* gone */ } }
      const pm = postmasterPid(n);
      for (const p of [n.proc && n.proc.pid, pm].filter(Boolean)) { try { process.kill(p, 'SIGKILL'); } catch { /* gone */ } }
    }
    if (etcd) { try { etcd.kill('SIGKILL'); } catch { /* gone */ } }
  };
  process.on('exit', onExit);

  try {
    // ---- etcd ----
    const etcdPort = await freePort(), peerPort = await freePort();
    const etcdDir = path.join(tmp, 'etcd');
    fs.mkdirSync(etcdDir);
    if (user) fs.chownSync(etcdDir, user.uid, user.gid);
    const etcdLog = fs.openSync(path.join(dir, 'etcd.log'), 'a');
    etcd = spawn('etcd', ['--name', 'soak', '--data-dir', path.join(etcdDir, 'data'),
      '--listen-client-urls', `http://127.0.0.1:${etcdPort}`, '--advertise-client-urls', `http://127.0.0.1:${etcdPort}`,
      '--listen-peer-urls', `http://127.0.0.1:${peerPort}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peerPort}`,
      '--initial-cluster', `soak=http://127.0.0.1:${peerPort}`, '--initial-cluster-state', 'new',
      '--enable-v2=false'],
    { ...as, cwd: etcdDir, env: cleanEnv(), stdio: ['ignore', etcdLog, etcdLog] });
    fs.closeSync(etcdLog);
    for (let i = 0; ; i++) {
      const h = await getJson(`http://127.0.0.1:${etcdPort}/health`);
      if (h && h.json && String(h.json.health) === 'true') break;
      if (etcd.exitCode !== null || i > 300) throw new Error(`etcd did not start; see ${path.join(dir, 'etcd.log')}`);
      await sleep(100);
    }
    log(`etcd on 127.0.0.1:${etcdPort}`);

    // ---- three Patroni nodes ----
    for (let i = 1; i <= 3; i++) {
      const n = { name: `node${i}`, pg: await freePort(), api: await freePort(), killed: false };
      const nd = path.join(tmp, n.name);
      fs.mkdirSync(nd, { mode: 0o700 });
      if (user) fs.chownSync(nd, user.uid, user.gid);
      n.data = path.join(nd, 'data');
      n.yaml = path.join(nd, 'patroni.yml');
      fs.writeFileSync(n.yaml, patroniYaml(n, { etcdPort, dir: tmp }));
      fs.copyFileSync(n.yaml, path.join(dir, `${n.name}.yml`));
      if (user) fs.chownSync(n.yaml, user.uid, user.gid);
      n.log = path.join(dir, `${n.name}.log`);
      const fd = fs.openSync(n.log, 'a');
      n.proc = spawn('patroni', [n.yaml], { ...as, cwd: nd, env: cleanEnv({ HOME: nd }), stdio: ['ignore', fd, fd], detached: true });
      fs.closeSync(fd);
      nodes.push(n);
      log(`${n.name}: PostgreSQL on 127.0.0.1:${n.pg}, Patroni's REST API on 127.0.0.1:${n.api}`);
      // the first node bootstraps the cluster alone; the others then clone it
      if (i === 1) {
        for (let t = 0; !(await leader(nodes)); t++) {
          if (n.proc.exitCode !== null || t > 600) throw new Error(`no leader; see ${n.log}`);
          await sleep(200);
        }
      }
    }

    // a leader, two replicas streaming, one of them the synchronous standby
    const t0 = Date.now();
    let view = null;
    for (;;) {
      view = await clusterView(nodes);
      const ms = view ? view.members : [];
      if (ms.length === 3 && ms.every((m) => m.state === 'running' || m.state === 'streaming')
        && ms.some((m) => m.role === 'leader') && ms.some((m) => m.role === 'sync_standby')) break;
      if (Date.now() - t0 > 180000) throw new Error(`the cluster did not come up: ${JSON.stringify(view)}`);
      await sleep(300);
    }
    const first = await leader(nodes);
    const syncName = view.members.find((m) => m.role === 'sync_standby').name;
    log(`leader ${first.name}, synchronous standby ${syncName}, up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const ssn = psql(`postgres://postgres@127.0.0.1:${first.pg}/postgres`, 'SHOW synchronous_standby_names');
    rows.push(row(PART, 'cluster', 'one etcd, three Patroni nodes (synchronous_mode) on loopback',
      `${versions}; leader ${first.name}, sync standby ${syncName} (synchronous_standby_names = ${ssn})`, true));

    // ---- the tamin database, through the leader ----
    const admin = `postgres://postgres@127.0.0.1:${first.pg}/postgres`;
    psql(admin, 'CREATE ROLE tamin LOGIN');
    psql(admin, 'CREATE DATABASE tamin OWNER tamin');
    const url = `postgres://tamin@${nodes.map((n) => `127.0.0.1:${n.pg}`).join(',')}/tamin?target_session_attrs=read-write`;
    log(`tamin's URL: ${url}`);
    for (const args of [['migrate', '--db', url], ['demo', '--db', url, '--people', '60', '--cases', '50']]) {
      const r = tamin(args, { timeout: 300000 });
      if (r.status !== 0) throw new Error(`tamin ${args[0]}: ${r.stderr}`);
    }
    const people = psql(`postgres://tamin@127.0.0.1:${first.pg}/tamin`, 'SELECT national_id FROM people ORDER BY id LIMIT 50').split('\n');
    const stateDir = path.join(dir, 'state');
    fs.mkdirSync(stateDir);
    S = await startServer(url, { args: ['--state-dir', stateDir, '--rate-limit', '0'], log: path.join(dir, 'serve.log') });
    const agent = await S.login('agent1');
    log(`tamin serve on ${S.url} (pid ${S.pid}); ${CLIENTS} clients creating cases`);

    // ---- the load ----
    const acked = new Map(); // case id -> {number, subject, at}
    const statuses = {}; // status (or the network error) -> count
    const codes503 = {};
    let stop = false, seq = 0, killAt = null, firstAfter = null, promotedAt = null;
    const examples = {};
    const oks = []; // [time, ms] of every 201
    const client = async (w) => {
      while (!stop) {
        const subject = `failover w${w} n${++seq}`;
        const sent = Date.now();
        let r;
        try {
          r = await S.call('POST', '/api/v1/cases', {
            token: agent.token,
            body: { national_id: people[seq % people.length], channel: 'phone', topic: 'pension_not_paid', subject },
            timeout: 30000,
          });
        } catch (e) {
          const k = `network: ${e.cause?.code || e.name}`;
          statuses[k] = (statuses[k] || 0) + 1;
          await sleep(100);
          continue;
        }
        statuses[r.status] = (statuses[r.status] || 0) + 1;
        const now = Date.now();
        if (r.status === 201) {
          oks.push([now, now - sent]);
          // a request sent before the kill may be answered just after it (committed before)
          const after = killAt !== null && sent >= killAt;
          acked.set(r.json.id, { number: r.json.number, subject, after });
          if (after && firstAfter === null) firstAfter = now;
        } else {
          if (r.status === 503) { const c = r.json?.error?.code || '?'; codes503[c] = (codes503[c] || 0) + 1; }
          if (!examples[r.status]) { examples[r.status] = r.text.slice(0, 300); log(`first ${r.status}: ${examples[r.status]}`); }
          await sleep(50); // a client that retries, not a spin
        }
      }
    };
    const clients = Array.from({ length: CLIENTS }, (_, w) => client(w));

    // what synchronous replication costs: the same load with synchronous_mode on, then off
    // (Patroni's dynamic configuration, PATCH /config), then on again before the kill
    if (MEASURE > 0) {
      const cost = {};
      for (const mode of [true, false, true]) {
        await setSyncMode(nodes, mode, log);
        if (cost[mode]) break; // on again: the kill comes with it on
        await sleep(1000);
        const t1 = Date.now();
        await sleep(MEASURE * 1000);
        const w = oks.filter(([t]) => t >= t1 && t < t1 + MEASURE * 1000).map(([, ms]) => ms);
        cost[mode] = { rate: w.length / MEASURE, p50: Math.round(percentile(w, 50) ?? 0), p99: Math.round(percentile(w, 99) ?? 0) };
        log(`synchronous_mode ${mode}: ${cost[mode].rate.toFixed(0)} cases/s, p50 ${cost[mode].p50} ms, p99 ${cost[mode].p99} ms`);
      }
      const f = (c) => `${c.rate.toFixed(0)} cases/s, p50 ${c.p50} ms, p99 ${c.p99} ms`;
      rows.push(row(PART, 'sync-cost', `${CLIENTS} clients creating cases for ${MEASURE} s with synchronous_mode on, then off`,
        `on: ${f(cost.true)}; off: ${f(cost.false)} (one machine: the standby's fsync, no network)`, cost.true.rate > 0 && cost.false.rate > 0));
    }

    await sleep(BEFORE * 1000);
    const old = await leader(nodes);
    if (!old) throw new Error('no leader before the kill');
    const beforeKill = acked.size;
    killAt = Date.now();
    const killed = killNode(old, SIGNAL);
    log(`${SIGNAL} to ${old.name} (Patroni and PostgreSQL, ${killed.length} processes) after ${beforeKill} cases acknowledged`);

    // a new leader, and writes acknowledged again
    let promoted = null;
    while (Date.now() - killAt < LIMIT * 1000 && (firstAfter === null || promoted === null)) {
      if (!promoted) {
        const l = await leader(nodes);
        if (l && l !== old) { promoted = l; promotedAt = Date.now(); log(`${l.name} promoted ${((promotedAt - killAt) / 1000).toFixed(1)} s after the kill`); }
      }
      if (!S.alive) break;
      await sleep(100);
    }
    if (firstAfter !== null) {
      log(`first 201 after the kill: ${((firstAfter - killAt) / 1000).toFixed(1)} s`);
      await sleep(AFTER * 1000);
    }
    stop = true;
    await Promise.all(clients);
    const afterKill = [...acked.values()].filter((c) => c.after).length;
    log(`load stopped: ${acked.size} cases acknowledged (${afterKill} after the kill); replies ${JSON.stringify(statuses)}`);

    rows.push(row(PART, 'promoted', `${SIGNAL} to the leader's Patroni and PostgreSQL mid-load (${old.name})`,
      promoted ? `${promoted.name} (the sync standby was ${syncName}) leader ${((promotedAt - killAt) / 1000).toFixed(1)} s after the kill (ttl ${TTL} s)`
        : `no new leader within ${LIMIT} s`, !!promoted));
    const gap = firstAfter === null ? null : (firstAfter - killAt) / 1000;
    rows.push(row(PART, 'follows', 'tamin serve on the three-host URL finds the new primary by itself',
      gap === null ? `no write acknowledged within ${LIMIT} s of the kill${S.alive ? '' : ' (tamin serve died)'}`
        : `gap ${gap.toFixed(1)} s from the kill to the first 201 of a request sent after it (${promotedAt === null ? 'no promotion seen' : `${((firstAfter - promotedAt) / 1000).toFixed(1)} s after the promotion was seen`}); ${afterKill} cases acknowledged after it`,
      gap !== null && S.alive));
    const n503 = statuses[503] || 0, n500 = Object.entries(statuses).filter(([k]) => /^5\d\d$/.test(k) && k !== '503').reduce((a, [, v]) => a + v, 0);
    const other = Object.entries(statuses).filter(([k]) => k !== '201' && k !== '503');
    rows.push(row(PART, 'replies', 'every reply during the load is 201 or 503 db_unavailable',
      `${statuses[201] || 0} x 201, ${n503} x 503 (${Object.entries(codes503).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'})`
        + `${other.length ? `; other: ${other.map(([k, v]) => `${k} x ${v}`).join(', ')}` : ''}; ${n500} other 5xx`,
      other.length === 0 && Object.keys(codes503).every((k) => k === 'db_unavailable')));

    // ---- none lost: every acknowledged case on the new primary ----
    const primary = await leader(nodes);
    const ids = [...acked.keys()];
    const found = new Map();
    if (primary && ids.length) {
      const out = psql(`postgres://tamin@127.0.0.1:${primary.pg}/tamin`,
        `SELECT id, number, subject FROM cases WHERE id IN (${ids.map(Number).filter(Number.isSafeInteger).join(',')})`);
      for (const line of out ? out.split('\n') : []) {
        const [id, number, ...subj] = line.split('|');
        found.set(Number(id), { number, subject: subj.join('|') });
      }
    }
    const lost = [], wrong = [];
    for (const [id, c] of acked) {
      const f = found.get(Number(id));
      if (!f) lost.push(id);
      else if (String(f.number) !== String(c.number) || f.subject !== c.subject) wrong.push(id);
    }
    // and over HTTP: the last case acknowledged before the kill reads back through tamin
    const lastBeforeId = [...acked.entries()].filter(([, c]) => !c.after).map(([id]) => id).pop();
    const read = lastBeforeId !== undefined && S.alive ? await S.call('GET', `/api/v1/cases/${lastBeforeId}`, { token: agent.token }).catch(() => null) : null;
    log(`on ${primary ? primary.name : '?'}: ${found.size} of ${acked.size} found; lost ${lost.length}, differing ${wrong.length}; case ${lastBeforeId} read ${read ? read.status : 'failed'}`);
    rows.push(row(PART, 'none-lost', 'every case acknowledged (201) is on the new primary with its number and subject',
      `${acked.size} acknowledged (${acked.size - afterKill} sent before the kill), lost ${lost.length}${lost.length ? ` (${lost.slice(0, 10).join(', ')})` : ''}`
        + `${wrong.length ? `, differing ${wrong.length}` : ''}; the last before the kill read over HTTP: ${read ? read.status : 'no reply'}`,
      !!primary && acked.size > 0 && lost.length === 0 && wrong.length === 0 && !!read && read.status === 200));

    // the third node follows the new leader and becomes its synchronous standby (until it
    // does, Patroni's synchronous_mode, not strict, lets the new primary commit alone)
    let resynced = null, after = null;
    for (const t1 = Date.now(); Date.now() - t1 < 60000; await sleep(500)) {
      after = await clusterView(nodes);
      if (after && after.members.some((m) => m.role === 'sync_standby' && m.state !== 'stopped')) { resynced = (Date.now() - killAt) / 1000; break; }
    }
    if (after) log(`cluster after: ${after.members.map((m) => `${m.name} ${m.role} ${m.state}`).join(', ')}`
      + `; a synchronous standby again ${resynced === null ? 'not within 60 s' : `${resynced.toFixed(1)} s after the kill`}`);
    rows.push(row(PART, 'resynced', 'the surviving replica becomes the new leader\'s synchronous standby',
      resynced === null ? 'not within 60 s' : `${after.members.find((m) => m.role === 'sync_standby').name}, ${resynced.toFixed(1)} s after the kill`, resynced !== null));
  } catch (e) {
    log(`FAIL: ${e.stack || e}`);
    rows.push(row(PART, 'failover', 'the part did not run to its end', String(e.message || e).split('\n').slice(0, 3).join(' '), false));
  } finally {
    if (S) await S.stop();
    // Patroni on SIGTERM stops its PostgreSQL (fast) and leaves; what does not go in 30 s
    // gets SIGKILL
    for (const n of nodes) if (!n.killed) { try { process.kill(n.proc.pid, 'SIGTERM'); } catch { /* gone */ } }
    const deadline = Date.now() + 30000;
    while (Date.now() < deadline && nodes.some((n) => !n.killed && (alive(n.proc.pid) || (postmasterPid(n) && alive(postmasterPid(n)))))) await sleep(200);
    onExit();
    process.removeListener('exit', onExit);
    if (etcd && etcd.exitCode === null) await new Promise((r) => { etcd.on('exit', r); setTimeout(r, 5000); });
    if (process.env.TAMIN_KEEP_TMP) log(`kept ${tmp}`);
    else fs.rmSync(tmp, { recursive: true, force: true });
  }
  return rows;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const rows = await run();
  for (const r of rows) console.log(`${r.result} ${r.check}: ${r.done}: ${r.figure}`);
  process.exit(rows.every((r) => r.result !== 'FAIL') ? 0 : 1);
}
