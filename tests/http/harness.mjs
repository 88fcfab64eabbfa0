// Test harness for the tamin HTTP API: temp dirs, demo databases, the server process,
// and small helpers to log in and call the API. Used by every tests/http/*.test.mjs.
//
// The binary comes from env TAMIN_BIN (default build/tamin, relative to the repo root),
// so the same tests run against the sanitizer build: TAMIN_BIN=build/tamin-san.
//
// The store comes from env TAMIN_STORE: sqlite (the default) or postgres (make http-pg).
// On postgres each test process starts one throw-away cluster on loopback the first time
// it needs a database (pg.mjs) and stops it when it exits; every database newDb and
// createDemo make is then a fresh database in it, and its URL is what tests pass as --db.
// Tests write one thing for both: newDb(dir) for an empty database, sql(db, query) for a
// look inside, IS_PG to skip (saying why) what only a SQLite file has.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { startCluster, psql } from './pg.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = path.resolve(ROOT, process.env.TAMIN_BIN || 'build/tamin');
export const PASSWORD = 'demo1234'; // every demo account's
// What addUser gives an account unless told otherwise: the demo password is refused to new
// accounts (data/passwords/context.txt), like every common one.
export const USER_PASSWORD = 'cedar-harbour-lantern-7';
export const IS_SAN = /san/.test(path.basename(BIN));
export const STORE = process.env.TAMIN_STORE || 'sqlite';
if (STORE !== 'sqlite' && STORE !== 'postgres')
  throw new Error(`TAMIN_STORE=${STORE}: sqlite or postgres`);
export const IS_PG = STORE === 'postgres';
/** The reason a test gives t.skip for what only SQLite's files have. */
export const PG_SKIP = 'on PostgreSQL there is no database file beside the test (TAMIN_STORE=postgres)';

const children = new Set();
process.on('exit', () => {
  for (const c of children) {
    try { c.kill('SIGKILL'); } catch { /* gone */ }
  }
});

// ---- temp dirs ----

const tempDirs = [];
export function tempDir(prefix = 'tamin-http-') {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(d);
  return d;
}
export function cleanupTemp() {
  if (process.env.TAMIN_KEEP_TMP) return;
  for (const d of tempDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

// ---- databases, for either store ----

let cluster = null;
/** This process's PostgreSQL cluster, started on first use (stopped at exit by pg.mjs). */
export function pgCluster() {
  if (!IS_PG) throw new Error('pgCluster: the store is not postgres (TAMIN_STORE)');
  cluster ??= startCluster();
  return cluster;
}

// a database's local folder: on SQLite the one its file is in; on PostgreSQL the test's
// folder it was made for, which tamin serve gets as --state-dir (the audit spool, the
// attachments: what sits beside the .db file on SQLite)
const stateDirs = new Map();

/** A new, empty database for the store under test, what tests pass as --db: on SQLite the
 * path dir/name (no file yet); on PostgreSQL a fresh database (CREATE DATABASE, named
 * after name) and its URL, with dir as its state folder. */
export function newDb(dir = tempDir(), name = 'tamin.db') {
  if (!IS_PG) return path.join(dir, name);
  const url = pgCluster().newDatabase(name);
  stateDirs.set(url, dir);
  return url;
}

/** The local folder of db: the one the SQLite file sits in, or newDb's dir on PostgreSQL. */
export function stateDir(db) {
  if (!IS_PG) return path.dirname(db);
  const d = stateDirs.get(db);
  if (!d) throw new Error(`stateDir: ${db} was not made by newDb`);
  return d;
}

/** Whether a tamin command made db: the SQLite file exists; on PostgreSQL (where newDb
 * made the database, empty) it has a table. */
export function dbMade(db) {
  if (!IS_PG) return fs.existsSync(db);
  return Number(psql(db, "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")) > 0;
}

/** Where tamin keeps db's attachments: NAME-attachments beside NAME.db on SQLite
 * (src/attachments/); on PostgreSQL the folder `attachments` in its --state-dir. */
export function attachmentsDir(db) {
  return IS_PG ? path.join(stateDir(db), 'tamin-attachments') : db.replace(/\.db$/, '-attachments');
}

/** Runs SQL on db and returns its output trimmed, as `sqlite3 DB QUERY` prints it: rows by
 * newline, columns by '|', NULL as empty. On SQLite the journal file (DB-journal.db) is
 * attached as `journal` when it exists, so that `journal.audit` names the same table on
 * both stores (on PostgreSQL the schema journal, on the search path as in tamin's own
 * connections; a bare `audit` finds it too). Throws when the
 * SQL fails. Write SQL both run: no strftime or julianday, no PRAGMA, 1/0 for booleans. */
export function sql(db, query) {
  // tamin's own connections search public, then journal: so do the tests'
  if (IS_PG) return psql(db, query, { options: '-c search_path=public,journal' });
  const journal = db.replace(/\.db$/, '-journal.db');
  const attach = journal !== db && fs.existsSync(journal)
    ? ['-cmd', `ATTACH '${journal.replace(/'/g, "''")}' AS journal`] : [];
  return execFileSync('sqlite3', [...attach, db, query], { encoding: 'utf8' }).trim();
}

// ---- the command line ----

/** Runs `tamin args...` to completion: {status, stdout, stderr}. The time allowed is 30 s, or
 * 5 minutes on PostgreSQL, where a command's statements are round trips to a server that
 * shares this machine's two cores (the national demo took 30 s and more there). */
export function runCli(args, { input, timeout = IS_PG ? 300000 : 30000, env } = {}) {
  const run = (stdin) => spawnSync(BIN, args, {
    cwd: ROOT,
    input: stdin,
    encoding: 'utf8',
    timeout,
    env: { ...process.env, ...env },
  });
  let r = run(input ?? '');
  // a command that refuses its arguments exits before it reads standard input; writing
  // the input then fails with EPIPE, which says nothing about the command: run it again
  // without input to see what it said
  if (r.error && r.error.code === 'EPIPE') r = run('');
  if (r.error) throw r.error;
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Stderr must carry no sanitizer report. */
export function assertNoSanitizerReport(stderr, what = 'tamin') {
  assert.doesNotMatch(stderr, /runtime error/, `${what}: UBSan report on stderr:\n${stderr}`);
  assert.doesNotMatch(stderr, /AddressSanitizer|LeakSanitizer/,
    `${what}: ASan report on stderr:\n${stderr}`);
}

/** Creates a demo database: {db, dir, citizens: [nid, nid, nid], stdout}; with callsDays,
 * the phone line's last days too (callsPerDay answered calls a workday); with serviceUses,
 * a year of e-service uses (that many a day at its start). */
export function createDemo({ people = 60, cases = 150, dir = tempDir(), name = 'tamin.db',
  callsDays = 0, callsPerDay = 300, serviceUses = 0 } = {}) {
  const db = newDb(dir, name);
  const r = runCli(['demo', '--db', db, '--people', String(people), '--cases', String(cases),
    '--calls-days', String(callsDays), '--calls-per-day', String(callsPerDay),
    '--service-uses', String(serviceUses)], {
    // a year of calls is a gigabyte of blocks and their WAL: on PostgreSQL a loaded
    // 2-core machine took over 2 minutes where SQLite takes seconds
    timeout: IS_PG ? 600000 : 30000,
  });
  assert.equal(r.status, 0, `demo failed: ${r.stderr}`);
  assertNoSanitizerReport(r.stderr, 'tamin demo');
  const lines = r.stdout.trim().split('\n');
  const last = lines[lines.length - 1];
  const citizens = last.match(/\b\d{10}\b/g);
  assert.ok(citizens && citizens.length === 3, `cannot find the citizens in: ${last}`);
  return { db, dir, citizens, stdout: r.stdout };
}

/** `tamin user add` with the password on stdin. */
export function addUser(db, { login, role, department, nationalId, name, workshop, password = USER_PASSWORD }) {
  const args = ['user', 'add', '--db', db, '--login', login, '--role', role];
  if (department) args.push('--department', department);
  if (workshop) args.push('--workshop', workshop);
  if (nationalId) args.push('--national-id', nationalId);
  if (name) args.push('--name', name);
  const r = runCli(args, { input: password + '\n' });
  assertNoSanitizerReport(r.stderr, 'tamin user add');
  return r;
}

// ---- national ids ----

function checkDigit(nine) {
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(nine[i]) * (10 - i);
  const r = sum % 11;
  return String(r < 2 ? r : 11 - r);
}
/** A valid national id built from a 9-digit prefix. */
export function makeNationalId(prefix) {
  const nine = String(prefix).padStart(9, '0').slice(-9);
  return nine + checkDigit(nine);
}
let nidSeq = 0;
/** A valid national id that no demo person is likely to have. */
export function freshNationalId() {
  nidSeq++;
  const base = (process.pid * 7919 + Date.now() + nidSeq * 104729) % 900000000;
  return makeNationalId(100000000 + base);
}
export function toPersianDigits(s) {
  return String(s).replace(/[0-9]/g, (d) => String.fromCharCode(0x06f0 + Number(d)));
}
export function toArabicDigits(s) {
  return String(s).replace(/[0-9]/g, (d) => String.fromCharCode(0x0660 + Number(d)));
}

// ---- the server ----

export class Server {
  constructor(proc, port) {
    this.proc = proc;
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.stdout = '';
    this.stderr = '';
    this.responses = []; // every response body seen, for "never leaks" checks
    this.exited = new Promise((resolve) => {
      proc.on('exit', (code, signal) => {
        children.delete(proc);
        resolve({ code, signal });
      });
    });
  }

  /** {status, json, text, headers, bytes (a Buffer)}. body: object → JSON; string/Buffer →
   * sent as is; FormData → multipart/form-data. (raw: accepted for downloads; bytes are
   * always there.) */
  async call(method, p, { token, body, headers = {}, timeout = 15000, raw = false } = {}) {
    void raw;
    const h = { ...headers };
    if (token) h.authorization = `Bearer ${token}`;
    let payload;
    if (body instanceof FormData) {
      // multipart/form-data, written out whole first: sent with a Content-Length, in one
      // go as the other bodies are (streamed, a refusal before the body was read closed
      // the connection under fetch)
      const form = new Response(body);
      payload = Buffer.from(await form.arrayBuffer());
      h['content-type'] = form.headers.get('content-type');
    } else if (body !== undefined) {
      if (typeof body === 'string' || Buffer.isBuffer(body)) payload = body;
      else payload = JSON.stringify(body);
      if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type'))
        h['content-type'] = 'application/json';
    }
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new Error(`${method} ${p}: no answer in ${timeout} ms`)), timeout);
    let res, text, bytes;
    try {
      res = await fetch(this.url + p, { method, headers: h, body: payload, signal: abort.signal });
      if ((res.headers.get('content-type') || '').startsWith('text/event-stream')) {
        // a stream (GET /api/v1/stream) does not end: its first bytes, then it is closed
        const reader = res.body.getReader();
        const { value } = await reader.read();
        text = Buffer.from(value ?? []).toString('utf8');
        abort.abort();
        await reader.cancel().catch(() => {});
      } else {
        bytes = Buffer.from(await res.arrayBuffer());
        text = bytes.toString('utf8');
      }
    } finally {
      clearTimeout(timer);
    }
    this.responses.push(text);
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = null; }
    return { status: res.status, json, text, headers: res.headers, bytes };
  }

  /** Logs in: {token, csrf, role, login, cookie, headers}. Throws unless 200. */
  async login(login, password = PASSWORD) {
    const r = await this.call('POST', '/api/v1/login', { body: { login, password } });
    assert.equal(r.status, 200, `login ${login}: ${r.status} ${r.text}`);
    const setCookie = r.headers.get('set-cookie') || '';
    const m = setCookie.match(/tamin_session=([^;]*)/);
    return {
      token: r.json.token,
      csrf: r.json.csrf,
      role: r.json.role,
      login: r.json.login,
      setCookie,
      cookie: m ? `tamin_session=${m[1]}` : null,
      headers: { authorization: `Bearer ${r.json.token}` },
    };
  }

  /** SIGTERM (unless send is false: a signal was sent already); asserts exit 0 and no
   * sanitizer report. Returns {code, signal, stderr}. */
  async stop({ timeout = 20000, send = true } = {}) {
    if (send && this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGTERM');
    const t = setTimeout(() => this.proc.kill('SIGKILL'), timeout);
    const r = await this.exited;
    clearTimeout(t);
    assert.equal(r.signal, null, `server died by signal ${r.signal}; stderr:\n${this.stderr}`);
    assert.equal(r.code, 0, `server exit code ${r.code}; stderr:\n${this.stderr}`);
    assertNoSanitizerReport(this.stderr, 'tamin serve');
    return { ...r, stderr: this.stderr };
  }

  /** Sends a signal without waiting. */
  signal(sig = 'SIGTERM') { this.proc.kill(sig); }
}

/** The arguments `tamin serve` needs besides --db for db's store: on PostgreSQL its local
 * folder (--state-dir), unless args give one. */
export function storeArgs(db, args = []) {
  if (!IS_PG || args.includes('--state-dir')) return [];
  return ['--state-dir', stateDirs.get(db) ?? tempDir()];
}

/** Starts `tamin serve` on db; resolves once /healthz answers. */
export async function startServer(db, { args = [], env = {}, timeout = 20000 } = {}) {
  const proc = spawn(BIN, ['serve', '--db', db, '--listen', '127.0.0.1:0', ...storeArgs(db, args), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(proc);
  let stdout = '', stderr = '';
  let server = null;
  const port = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`server did not start; stderr:\n${stderr}`)), timeout);
    proc.stdout.on('data', (d) => {
      stdout += d;
      if (server) server.stdout = stdout;
      const m = stdout.match(/listening on http:\/\/[^\s:]+:(\d+)/);
      if (m) { clearTimeout(t); resolve(Number(m[1])); }
    });
    proc.stderr.on('data', (d) => {
      stderr += d;
      if (server) server.stderr = stderr;
      // TAMIN_SERVER_LOG=FILE: every server's stderr there too, to read a 500's cause
      if (process.env.TAMIN_SERVER_LOG) fs.appendFileSync(process.env.TAMIN_SERVER_LOG, d);
    });
    proc.on('exit', (code, sig) => {
      clearTimeout(t);
      reject(new Error(`server exited (${code ?? sig}) before listening; stderr:\n${stderr}`));
    });
  });
  server = new Server(proc, port);
  server.stdout = stdout;
  server.stderr = stderr;
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      const r = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (r.status === 200) { await r.text(); break; }
    } catch { /* not yet */ }
    if (Date.now() > deadline) throw new Error(`/healthz never answered; stderr:\n${server.stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return server;
}

/** A demo database plus a server on it: {server, db, dir, citizens}. */
export async function startDemo({ people = 60, cases = 150, users = [], args = [], callsDays = 0,
  callsPerDay = 300 } = {}) {
  const demo = createDemo({ people, cases, callsDays, callsPerDay });
  for (const u of users) {
    const r = addUser(demo.db, u);
    assert.equal(r.status, 0, `user add ${u.login}: ${r.stderr}`);
  }
  const server = await startServer(demo.db, { args });
  return { ...demo, server };
}

// ---- assertions ----

/** Asserts the uniform error shape {"error":{"code","message","field"}} with a 4xx. */
export function assertError(r, status, code, field) {
  assert.equal(r.status, status, `want ${status} ${code ?? ''}, got ${r.status}: ${r.text}`);
  assert.ok(r.json && typeof r.json === 'object' && r.json.error,
    `error body is not JSON {"error":...}: ${r.text}`);
  const e = r.json.error;
  assert.equal(typeof e.code, 'string', `error.code: ${r.text}`);
  assert.equal(typeof e.message, 'string', `error.message: ${r.text}`);
  assert.equal(typeof e.field, 'string', `error.field: ${r.text}`);
  assert.ok(e.message.length > 0, `error.message is empty: ${r.text}`);
  if (code !== undefined) assert.equal(e.code, code, `error code: ${r.text}`);
  if (field !== undefined) assert.equal(e.field, field, `error field: ${r.text}`);
  return e;
}

/** No response seen by this server object carried a password hash. */
export function assertNoSecrets(server) {
  for (const t of server.responses) {
    assert.doesNotMatch(t, /\$argon2/, `a password hash leaked: ${t.slice(0, 300)}`);
    assert.doesNotMatch(t, /pw_hash|token_hash/, `a secret column leaked: ${t.slice(0, 300)}`);
  }
}

/** A case body with defaults. The name is what staff type for a national id no one is
 * on record with (the server ignores it for one who is on record). */
export function caseBody(nid, extra = {}) {
  return {
    national_id: nid,
    channel: 'phone',
    topic: 'pension_not_paid',
    subject: 'عدم واریز مستمری این ماه',
    first_name: 'مهمان',
    last_name: 'آزمون',
    ...extra,
  };
}

/** A DBF file (DSKKAR00, DSKWOR00) as the CSV form of a list: its columns named in a first
 * line, UTF-8, RFC 4180 quotes; edit(row, i) may change a row first. Used by the list
 * tests and by the soak. */
export function dbfToCsv(file, edit = () => {}) {
  const b = fs.readFileSync(file);
  const headerLen = b.readUInt16LE(8), recLen = b.readUInt16LE(10), n = b.readUInt32LE(4);
  const fields = [];
  let off = 1;
  for (let p = 32; b[p] !== 0x0d; p += 32) {
    fields.push({ name: b.toString('latin1', p, p + 11).replace(/\0.*$/, ''), off, len: b[p + 16] });
    off += b[p + 16];
  }
  const dec = new TextDecoder('windows-1256');
  const quote = (v) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const lines = [fields.map((f) => f.name).join(',')];
  for (let i = 0; i < n; i++) {
    const at = headerLen + i * recLen;
    if (b[at] === 0x2a) continue;
    const row = Object.fromEntries(fields.map((f) => [f.name, dec.decode(b.subarray(at + f.off, at + f.off + f.len)).trim()]));
    edit(row, i);
    lines.push(fields.map((f) => quote(row[f.name])).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}
