// A throw-away PostgreSQL 15 cluster for the tests: initdb into a temporary folder, the
// server on loopback (127.0.0.1, a free port) with its unix socket in that folder, fresh
// databases on demand, and a fast shutdown when asked or when the process exits, on
// success or failure. Synchronous on purpose: the harness makes databases where tests
// expect a path at once (createDemo), and nothing here needs the event loop.
//
//   const c = startCluster();
//   const url = c.createDatabase('demo_1');  // postgres://tamin@127.0.0.1:PORT/demo_1
//   psql(url, 'SELECT 1');                    // '1'
//   c.stop();
//
// The binaries are Debian's postgresql-15 (scripts/deps.sh), which are not on PATH:
// env TAMIN_PG_BIN (or PG_BIN, as tests/pg/schema_diff.sh reads it) overrides their
// folder. PostgreSQL refuses to run as root; a root test run starts the cluster as the
// unprivileged `postgres` user that package creates (or env TAMIN_PG_USER), owning only
// the temporary folder.
//
// If the node process is killed outright (SIGKILL), a guard process that waits on a pipe
// from this one sees the pipe close and stops the server (fast); only the folder stays.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const PG_BIN = process.env.TAMIN_PG_BIN || process.env.PG_BIN || '/usr/lib/postgresql/15/bin';
const SUPERUSER = 'tamin';

// The server's settings for a test machine with 2 cores and a few GB. fsync,
// synchronous_commit and full_page_writes keep their defaults (on): a 201 promises that
// the write survives a crash (the group commit's promise), and the tests check that
// promise on PostgreSQL as they do on SQLite; a test store that lied about durability
// would hide exactly the bugs they look for.
const SETTINGS = {
  listen_addresses: "'127.0.0.1'", // loopback only
  max_connections: 200, // each tamin serve holds several (a reader per HTTP loop, the writer,
  // the spool), and a test may run a few servers and commands at once
  shared_buffers: "'32MB'", // the demo databases are a few MB; memory stays for tamin
  work_mem: "'8MB'",
  maintenance_work_mem: "'32MB'",
  max_worker_processes: 4,
  max_parallel_workers: 2,
  max_parallel_workers_per_gather: 1, // two cores: one helper at most
  max_wal_size: "'256MB'", // bounded WAL in the temporary folder
  jit: 'off', // a test's queries are small; compiling them costs more than it saves
  TimeZone: "'UTC'", // tamin computes Tehran time itself; the machine's zone plays no part
  log_timezone: "'UTC'",
  log_min_messages: 'warning',
  log_min_error_statement: 'error', // a failing statement is in the log beside its error
};

function pgUser() {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  const name = process.env.TAMIN_PG_USER || 'postgres';
  const id = (flag) => {
    const r = spawnSync('id', [flag, name], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`pg: running as root, and there is no user ${name} to run PostgreSQL as (install postgresql-15, or set TAMIN_PG_USER)`);
    return Number(r.stdout.trim());
  };
  return { name, uid: id('-u'), gid: id('-g') };
}

// A port free now on 127.0.0.1 (another process may take it before the server binds: the
// start then tries again with another).
function freePort() {
  const r = spawnSync(process.execPath, ['-e', `
    const s = require('net').createServer();
    s.listen(0, '127.0.0.1', () => { process.stdout.write(String(s.address().port)); s.close(); });`],
  { encoding: 'utf8' });
  const port = Number(r.stdout);
  if (!port) throw new Error(`pg: no free port: ${r.stderr}`);
  return port;
}

/** Runs psql on a URL: the rows by newline, the columns by '|', NULL as empty, trimmed;
 * the shape of `sqlite3 DB QUERY` (but a boolean prints t or f, and bytea as \x and hex).
 * Several statements may be given, separated by ';'. Throws (with psql's message) when a
 * statement fails. */
export function psql(url, query, { input, options } = {}) {
  const env = pgEnv();
  if (options) env.PGOPTIONS = options; // e.g. '-c search_path=public,journal'
  const r = spawnSync('psql', ['-X', '-q', '-A', '-t', '-F', '|', '-v', 'ON_ERROR_STOP=1', '-d', url,
    ...(query === undefined ? [] : ['-c', query])], { encoding: 'utf8', input, env });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`psql failed (${r.status}): ${r.stderr.trim()}\nquery: ${query}`);
  return r.stdout.trim();
}

// psql and libpq read no setting of this machine's own (a PGHOST or PGSERVICE would
// otherwise send a test to another server).
function pgEnv() {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('PG')) delete env[k];
  env.PGCONNECT_TIMEOUT = '10';
  return env;
}

const clusters = new Set();
let hooked = false;
function hookExit() {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => { for (const c of [...clusters]) c.stop(); });
  // a signal that would end the process without its 'exit' event: stop first, then die
  // of the same signal
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(sig, () => {
      for (const c of [...clusters]) c.stop();
      process.kill(process.pid, sig);
    });
  }
}

/** initdb, then the server on 127.0.0.1 at a free port: {port, dir, url(db), createDatabase(name),
 * dropDatabase(name), sql(db, q), stop(), halt(), restart(), log()}. keep: leave the folder
 * after stop (env TAMIN_KEEP_TMP does too). standbyOf: a running cluster to copy with
 * pg_basebackup instead of initdb, started as its streaming replica (hot standby). */
export function startCluster({ keep = !!process.env.TAMIN_KEEP_TMP, settings = {}, standbyOf = null } = {}) {
  const user = pgUser();
  const as = user ? { uid: user.uid, gid: user.gid } : {};
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tamin-pg-'));
  if (user) fs.chownSync(dir, user.uid, user.gid);
  const data = path.join(dir, 'data');
  const logFile = path.join(dir, 'server.log');
  const bin = (name) => path.join(PG_BIN, name);
  const run = (name, args) => {
    const r = spawnSync(bin(name), args, { ...as, cwd: dir, encoding: 'utf8', env: pgEnv() });
    if (r.error) throw new Error(`pg: ${bin(name)}: ${r.error.message} (install postgresql-15: scripts/deps.sh)`);
    return r;
  };

  // UTF-8 and the C locale: text compares and sorts by its bytes, as SQLite's BINARY
  // collation does, so that an ORDER BY on a name or a national id means the same on both
  // a standby: the primary's files as they stand (-R: standby.signal and primary_conninfo)
  const init = standbyOf
    ? run('pg_basebackup', ['-D', data, '-R', '-X', 'stream', '-c', 'fast', '-h', '127.0.0.1', '-p',
      String(standbyOf.port), '-U', SUPERUSER, '--no-sync'])
    : run('initdb', ['-D', data, '-A', 'trust', '-U', SUPERUSER, '--no-sync', '-E', 'UTF8',
      '--locale=C', '--no-instructions']);
  if (init.status !== 0) {
    fs.rmSync(dir, { recursive: true, force: true });
    const hint = user ? ` (it ran as ${user.name}, who must reach ${os.tmpdir()}: set TMPDIR to a folder it can)` : '';
    throw new Error(`pg: ${standbyOf ? 'pg_basebackup' : 'initdb'} failed (${init.status})${hint}:\n${init.stderr}${init.stdout}`);
  }
  const conf = { ...SETTINGS, unix_socket_directories: `'${dir}'`, ...settings };
  fs.appendFileSync(path.join(data, 'postgresql.conf'),
    '\n# tests/http/pg.mjs\n' + Object.entries(conf).map(([k, v]) => `${k} = ${v}`).join('\n') + '\n');

  let port = 0;
  for (let attempt = 0; ; attempt++) {
    port = freePort();
    const r = run('pg_ctl', ['start', '-D', data, '-l', logFile, '-w', '-t', '60', '-o', `-p ${port}`]);
    if (r.status === 0) break;
    const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
    if (attempt < 5 && /could not (bind|create any TCP\/IP sockets)/.test(log)) continue;
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`pg: the server did not start (${r.status}):\n${r.stdout}${r.stderr}\n${log}`);
  }

  // the guard: stops the server when this process's end of the pipe closes, however it ended
  const guard = spawn('sh', ['-c', 'read -r _ || true; exec "$0" stop -D "$1" -m fast -w -t 60 >/dev/null 2>&1',
    bin('pg_ctl'), data], { ...as, stdio: ['pipe', 'ignore', 'ignore'], detached: true, env: pgEnv() });
  guard.unref();
  guard.stdin.unref?.();
  guard.on('error', () => {});

  let stopped = false;
  const seq = new Map();
  const cluster = {
    port,
    dir,
    url: (db) => `postgres://${SUPERUSER}@127.0.0.1:${port}/${db}`,
    /** CREATE DATABASE name (a plain lower-case identifier): its URL. */
    createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`pg: not a plain database name: ${name}`);
      psql(cluster.url('postgres'), `CREATE DATABASE ${name}`);
      return cluster.url(name);
    },
    /** A fresh database named from hint (lower-cased, numbered so that it is new): its URL. */
    newDatabase(hint = 'db') {
      const base = String(hint).toLowerCase().replace(/\.db$/, '').replace(/[^a-z0-9_]/g, '_')
        .replace(/^([^a-z_])/, '_$1').slice(0, 40) || 'db';
      const n = (seq.get(base) || 0) + 1;
      seq.set(base, n);
      return cluster.createDatabase(`${base}_${n}`);
    },
    dropDatabase(name) {
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`pg: not a plain database name: ${name}`);
      psql(cluster.url('postgres'), `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
    log: () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : ''),
    /** The server stopped (fast), its folder kept: the database is gone for a moment. */
    halt() {
      const r = run('pg_ctl', ['stop', '-D', data, '-m', 'fast', '-w', '-t', '60']);
      if (r.status !== 0) throw new Error(`pg: stop failed: ${r.stderr}`);
    },
    /** The server started again on the same port after halt(). */
    restart() {
      const r = run('pg_ctl', ['start', '-D', data, '-l', logFile, '-w', '-t', '60', '-o', `-p ${port}`]);
      if (r.status !== 0) throw new Error(`pg: restart failed: ${r.stdout}${r.stderr}`);
    },
    /** Fast shutdown (active transactions rolled back, clients disconnected), then the
     * folder removed unless kept. Idempotent. */
    stop() {
      if (stopped) return;
      stopped = true;
      clusters.delete(cluster);
      run('pg_ctl', ['stop', '-D', data, '-m', 'fast', '-w', '-t', '60']);
      try { guard.kill('SIGKILL'); } catch { /* gone */ }
      if (!keep) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  clusters.add(cluster);
  hookExit();
  return cluster;
}
