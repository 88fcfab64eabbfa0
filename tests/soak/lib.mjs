// What the soak's parts share: demo databases, `tamin serve` processes (with sanitizer
// logs, a descriptor limit, SIGKILL), HTTP calls (fetch, and raw sockets for what fetch
// will not send), sqlite3 queries, /proc figures, and the part's result rows.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = path.resolve(ROOT, process.env.SOAK_BIN || 'build/tamin');
export const SAN_BIN = path.resolve(ROOT, process.env.SOAK_SAN_BIN || 'build/tamin-san');
export const OUT = path.resolve(ROOT, 'build/soak');
export const PASSWORD = 'demo1234';
// an account the soak adds: a password the policy takes (demo1234 is refused to new accounts)
export const USER_PASSWORD = 'cedar-harbour-lantern-7';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const envInt = (name, dflt) => {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`${name} wants a number, not ${v}`);
  return n;
};

/** A fresh work directory build/soak/NAME (emptied). */
export function workDir(name) {
  const d = path.join(OUT, name);
  fs.rmSync(d, { recursive: true, force: true });
  fs.mkdirSync(d, { recursive: true });
  return d;
}

/** A logger writing to the console (prefixed) and to build/soak/NAME/log.txt. */
export function logger(name, dir) {
  const file = path.join(dir, 'log.txt');
  return (...a) => {
    const line = a.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(' ');
    fs.appendFileSync(file, line + '\n');
    if (!process.env.SOAK_QUIET) console.log(`soak ${name}: ${line}`);
  };
}

// ---- the command line and the database ----

/** Runs `tamin args...` to completion. */
export function tamin(args, { input = '', bin = BIN, timeout = 120000 } = {}) {
  const r = spawnSync(bin, args, { cwd: ROOT, input, encoding: 'utf8', timeout, maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  return r;
}

/** A demo database in dir: {db, journal, citizens, workshop (emp1's)}. */
export function createDemo(dir, { people = 300, cases = 200, name = 'tamin.db' } = {}) {
  const db = path.join(dir, name);
  const r = tamin(['demo', '--db', db, '--people', String(people), '--cases', String(cases)]);
  if (r.status !== 0) throw new Error(`tamin demo: ${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  const citizens = lines[lines.length - 1].match(/\b\d{10}\b/g);
  const workshop = (r.stdout.match(/emp1\s+employer of workshop (\d{10})/) || [])[1];
  return { db, journal: journalOf(db), citizens, workshop };
}

/** Copies a database with its journal (a closed one: no WAL to carry). */
export function copyDb(from, to) {
  fs.copyFileSync(from, to);
  fs.copyFileSync(journalOf(from), journalOf(to));
  return to;
}

export const journalOf = (db) => db.replace(/\.db$/, '-journal.db');

/** `tamin user add` with the password on stdin. */
export function addUser(db, { login, role, department, nationalId, password = USER_PASSWORD }) {
  const args = ['user', 'add', '--db', db, '--login', login, '--role', role];
  if (department) args.push('--department', department);
  if (nationalId) args.push('--national-id', nationalId);
  return tamin(args, { input: password + '\n' });
}

/** sqlite3 on db with the journal attached; the output's lines (fields split on |). */
export function sql(db, q, { raw = false } = {}) {
  const r = spawnSync('sqlite3', ['-batch', '-cmd', `ATTACH '${journalOf(db)}' AS journal`, '-cmd', '.timeout 10000', db, q],
    { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`sqlite3: ${r.stderr} (${q.slice(0, 200)})`);
  if (raw) return r.stdout;
  return r.stdout.trim() === '' ? [] : r.stdout.trim().split('\n').map((l) => l.split('|'));
}
export const sql1 = (db, q) => (sql(db, q)[0] || [])[0];

/** PRAGMA integrity_check of one file, alone: 'ok' or what it said. */
export function integrity(file) {
  const r = spawnSync('sqlite3', ['-batch', '-cmd', '.timeout 10000', file, 'PRAGMA integrity_check'], { encoding: 'utf8' });
  return (r.stdout || '').trim() + (r.status === 0 ? '' : ` (sqlite3: ${r.stderr.trim()})`);
}

// ---- national ids ----

function checkDigit(nine) {
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(nine[i]) * (10 - i);
  const r = sum % 11;
  return String(r < 2 ? r : 11 - r);
}
export function makeNationalId(n) {
  const nine = String(n).padStart(9, '0').slice(-9);
  return nine + checkDigit(nine);
}
let nidSeq = 0;
/** A valid national id unlike the demo's (prefix 7xx...). */
export function freshNationalId() {
  nidSeq++;
  return makeNationalId(700000000 + ((process.pid * 104729 + Date.now() % 1000003 * 31 + nidSeq * 7919) % 99999999));
}

// ---- the server ----

// Every process a part starts is ended when the soak ends, however it ends (a detached
// one, as sqlmap, with its process group).
const children = new Set();
process.on('exit', () => {
  for (const c of children) {
    try {
      if (c.spawnargs && c.detached) process.kill(-c.pid, 'SIGKILL');
      else c.kill('SIGKILL');
    } catch { /* gone */ }
  }
});
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));
/** Ends proc with the soak; forgets it once it exits. */
export function track(proc, { detached = false } = {}) {
  proc.detached = detached;
  children.add(proc);
  proc.on('exit', () => children.delete(proc));
  return proc;
}

export class Server {
  constructor(proc, port, logFile) {
    this.proc = proc;
    this.pid = proc.pid;
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.logFile = logFile;
    this.exitInfo = null;
    this.exited = new Promise((resolve) => {
      const done = (code, signal) => {
        children.delete(proc);
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      };
      if (proc.exitCode !== null || proc.signalCode !== null) done(proc.exitCode, proc.signalCode);
      else proc.on('exit', done);
    });
  }

  get alive() { return this.exitInfo === null; }

  /** {status, json, text, headers, ms}; throws on a network error or timeout. */
  async call(method, p, { token, body, headers = {}, timeout = 20000 } = {}) {
    const h = { ...headers };
    if (token) h.authorization = `Bearer ${token}`;
    let payload;
    if (body !== undefined) {
      payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
      if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['content-type'] = 'application/json';
    }
    const t0 = performance.now();
    const res = await fetch(this.url + p, { method, headers: h, body: payload, signal: AbortSignal.timeout(timeout) });
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = null; }
    return { status: res.status, json, text, headers: res.headers, ms: performance.now() - t0 };
  }

  async login(login, password = PASSWORD) {
    const r = await this.call('POST', '/api/v1/login', { body: { login, password } });
    if (r.status !== 200) throw new Error(`login ${login}: ${r.status} ${r.text}`);
    return { token: r.json.token, login, role: r.json.role, setCookie: r.headers.get('set-cookie') || '' };
  }

  kill(sig = 'SIGKILL') {
    try { this.proc.kill(sig); } catch { /* gone */ }
  }

  /** SIGTERM, then SIGKILL after timeout; {code, signal}. */
  async stop(timeout = 30000) {
    if (!this.alive) return this.exitInfo;
    this.kill('SIGTERM');
    const t = setTimeout(() => this.kill('SIGKILL'), timeout);
    const r = await this.exited;
    clearTimeout(t);
    return r;
  }

  /** Resident set size in kB, from /proc; null once gone. */
  rssKb() { return rssKb(this.pid); }
  cpuTicks() { return cpuTicks(this.pid); }
}

export function rssKb(pid) {
  try {
    const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+)/m);
    return m ? Number(m[1]) : null;
  } catch { return null; }
}
/** VmRSS and its parts (RssAnon: the heap; RssFile: mapped files; RssShmem), in kB. */
export function rssParts(pid) {
  try {
    const t = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const g = (k) => Number((t.match(new RegExp(`^${k}:\\s+(\\d+)`, 'm')) || [])[1] ?? NaN);
    return { rss: g('VmRSS'), anon: g('RssAnon'), file: g('RssFile'), shmem: g('RssShmem') };
  } catch { return null; }
}
/** utime + stime of a process, in clock ticks (100 a second on Linux). */
export function cpuTicks(pid) {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return Number(rest[11]) + Number(rest[12]);
  } catch { return null; }
}

/** Starts `tamin serve` on db and waits for /healthz. Options: bin, args, env, nofile
 * (ulimit -n), log (stderr goes there), timeout, onSpawn (called with the process at once). */
export async function startServer(db, { bin = BIN, args = [], env = {}, nofile, log, timeout = 60000, onSpawn } = {}) {
  const argv = ['serve', '--db', db, '--listen', '127.0.0.1:0', ...args];
  const errFd = log ? fs.openSync(log, 'a') : 'ignore';
  const opts = { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', errFd] };
  const proc = nofile
    ? spawn('sh', ['-c', `ulimit -n ${nofile} && exec "$0" "$@"`, bin, ...argv], opts)
    : spawn(bin, argv, opts);
  if (typeof errFd === 'number') fs.closeSync(errFd);
  children.add(proc);
  if (onSpawn) onSpawn(proc);
  let stdout = '';
  const port = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`tamin serve did not start (${log || ''})`)), timeout);
    proc.stdout.on('data', (d) => {
      stdout += d;
      const m = stdout.match(/listening on http:\/\/[^\s:]+:(\d+)/);
      if (m) { clearTimeout(t); resolve(Number(m[1])); }
    });
    proc.on('exit', (code, sig) => {
      clearTimeout(t);
      reject(new Error(`tamin serve exited (${code ?? sig}) before listening; see ${log || 'its stderr'}`));
    });
  });
  proc.stdout.resume();
  const s = new Server(proc, port, log);
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      const r = await fetch(`${s.url}/healthz`, { signal: AbortSignal.timeout(2000) });
      await r.text();
      if (r.status === 200) break;
    } catch { /* not yet */ }
    if (!s.alive) throw new Error(`tamin serve died at start; see ${log}`);
    if (Date.now() > deadline) throw new Error(`/healthz never answered; see ${log}`);
    await sleep(50);
  }
  return s;
}

// ---- raw sockets ----

/** Sends data (a string in latin1, a Buffer, or an array of pieces with optional delays
 * {delay: ms}) on a new connection and collects what comes back until the server closes,
 * idle ms pass without data, or total ms pass. {bytes, status, statuses, closed, reset,
 * timedOut, error}. */
export function rawExchange(port, pieces, { idle = 1500, total = 15000, host = '127.0.0.1', localAddress, end = false } = {}) {
  return new Promise((resolve) => {
    const chunks = [];
    let done = false, reset = false, closed = false, error = null, timedOut = false;
    const sock = net.connect({ port, host, localAddress });
    let idleT = null;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(idleT);
      clearTimeout(totalT);
      sock.destroy();
      const buf = Buffer.concat(chunks);
      const text = buf.toString('latin1');
      const statuses = [...text.matchAll(/(?:^|\r\n)HTTP\/1\.[01] (\d{3})/g)].map((m) => Number(m[1]));
      resolve({ bytes: buf.length, text, status: statuses[0] ?? null, statuses, closed, reset, timedOut, error });
    };
    const arm = () => { clearTimeout(idleT); idleT = setTimeout(() => { timedOut = true; finish(); }, idle); };
    const totalT = setTimeout(() => { timedOut = true; finish(); }, total);
    sock.on('data', (d) => { chunks.push(d); arm(); });
    sock.on('end', () => { closed = true; finish(); });
    sock.on('close', () => { closed = true; finish(); });
    sock.on('error', (e) => {
      error = e.code || String(e);
      if (e.code === 'ECONNRESET' || e.code === 'EPIPE') reset = true;
      finish();
    });
    sock.on('connect', async () => {
      const list = Array.isArray(pieces) ? pieces : [pieces];
      for (const p of list) {
        if (done) return;
        if (p && typeof p === 'object' && !Buffer.isBuffer(p) && 'delay' in p) { await sleep(p.delay); continue; }
        const b = Buffer.isBuffer(p) ? p : Buffer.from(p, 'latin1');
        await new Promise((r) => sock.write(b, () => r()));
      }
      if (end && !done) sock.end();
      arm();
    });
  });
}

/** A plain HTTP/1.1 request as bytes. body: string/Buffer/object. */
export function rawRequest(method, p, { headers = {}, body, token } = {}) {
  let b = body;
  if (b !== undefined && !Buffer.isBuffer(b) && typeof b !== 'string') b = JSON.stringify(b);
  const bb = b === undefined ? null : Buffer.isBuffer(b) ? b : Buffer.from(b, 'utf8');
  let head = `${method} ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n`;
  if (token) head += `Authorization: Bearer ${token}\r\n`;
  for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
  if (bb) head += `Content-Type: application/json\r\nContent-Length: ${bb.length}\r\n`;
  head += '\r\n';
  return bb ? Buffer.concat([Buffer.from(head, 'latin1'), bb]) : Buffer.from(head, 'latin1');
}

// ---- results ----

/** One row of the summary: part, check, what was done, the figure, PASS/FAIL/SKIP. */
export function row(part, check, done, figure, pass) {
  return { part, check, done, figure, result: pass === null ? 'SKIP' : pass ? 'PASS' : 'FAIL' };
}

/** Percentile p (0-100) of an array of numbers. */
export function percentile(xs, p) {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}
