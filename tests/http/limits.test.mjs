// What a client cannot make the server hold (issue 11, defects 2 and 3): a body is
// refused from its head alone when the route, or a request without a session, would not
// take it; a request must arrive by its deadline, however it trickles; one address holds a
// bounded number of connections; out of descriptors, the server pauses accepting rather
// than spinning. Also a NUL in a header value (RFC 9110 5.5).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import fs from 'node:fs';
import { spawn } from 'node:child_process';
import { BIN, ROOT, createDemo, startServer, cleanupTemp, assertNoSanitizerReport, storeArgs } from './harness.mjs';

let demo, S, token;

before(async () => {
  demo = createDemo({ people: 20, cases: 30 });
  S = await startServer(demo.db, { args: ['--head-timeout', '1'] });
  ({ token } = await S.login('supervisor'));
});

after(async () => {
  if (S) await S.stop();
  cleanupTemp();
});

/** A raw connection: write pieces, read what comes back until the peer closes. */
function raw(port) {
  const sock = net.connect(port, '127.0.0.1');
  let data = '';
  let closedAt = 0;
  const closed = new Promise((resolve) => sock.on('close', () => { closedAt = Date.now(); resolve(); }));
  sock.on('data', (c) => { data += c.toString('latin1'); });
  sock.on('error', () => {}); // a reset after a refusal is expected
  const ready = new Promise((r) => sock.on('connect', r));
  return {
    sock,
    ready,
    closed,
    get data() { return data; },
    get closedAt() { return closedAt; },
    write(s) { if (!sock.destroyed) sock.write(s); },
    /** Waits until the peer closes, or ms pass: true if it closed. */
    async closedWithin(ms) {
      let t;
      const timeout = new Promise((r) => { t = setTimeout(() => r(false), ms); });
      const r = await Promise.race([closed.then(() => true), timeout]);
      clearTimeout(t);
      return r;
    },
    end() { sock.destroy(); },
  };
}

function status(data) {
  const m = data.match(/^HTTP\/1\.1 (\d{3})/);
  return m ? Number(m[1]) : 0;
}

function body(data) {
  const at = data.indexOf('\r\n\r\n');
  return at < 0 ? null : JSON.parse(data.slice(at + 4));
}

function rssKiB(pid) {
  const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/);
  return Number(m[1]);
}

function cpuTicks(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return Number(rest[11]) + Number(rest[12]); // utime + stime, in clock ticks
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test('a body too large for a request without a session is refused from its head, unread', async () => {
  const c = raw(S.port);
  await c.ready;
  c.write('POST /api/v1/login HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n' +
    'Content-Length: 8388608\r\n\r\n');
  assert.ok(await c.closedWithin(3000), 'the server waited for a body it would refuse');
  assert.equal(status(c.data), 413, c.data);
  assert.match(c.data, /Connection: close/i);
  const b = body(c.data);
  assert.equal(b.error.code, 'body_too_large');
  assert.equal(b.error.field, 'body');
  assert.match(b.error.message, /16384/);
});

test('a hundred such clients do not make the server hold their bodies', async () => {
  const before = rssKiB(S.proc.pid);
  const chunk = Buffer.alloc(256 << 10, 'a');
  const conns = [];
  for (let i = 0; i < 100; i++) {
    const c = raw(S.port);
    conns.push(c);
    c.ready.then(() => {
      c.write('POST /api/v1/login HTTP/1.1\r\nHost: t\r\nContent-Length: 8388608\r\n\r\n');
      for (let k = 0; k < 4; k++) c.write(chunk); // 1 MiB each, written at once
    });
  }
  await Promise.all(conns.map((c) => c.closedWithin(5000)));
  const grown = rssKiB(S.proc.pid) - before;
  for (const c of conns) c.end();
  assert.ok(grown < 20 << 10, `the server's RSS grew by ${grown} KiB for 100 refused bodies`);
  const h = await S.call('GET', '/healthz');
  assert.equal(h.status, 200);
});

test('a body over the route\'s own limit is refused from its head, with a session too', async () => {
  const c = raw(S.port);
  await c.ready;
  c.write(`POST /api/v1/cases HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer ${token}\r\n` +
    'Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n');
  assert.ok(await c.closedWithin(3000), 'the server waited for a body it would refuse');
  assert.equal(status(c.data), 413, c.data);
  assert.match(body(c.data).error.message, /65536/);
});

test('a route that takes large bodies still does, for a logged-in user', async () => {
  // a monthly list may be up to 8 MiB: 1 MiB that is not JSON reaches the handler (400)
  const junk = 'x'.repeat(1 << 20);
  const r = await S.call('POST', '/api/v1/lists', { token, body: junk, timeout: 20000 });
  assert.equal(r.status, 400, r.text);
  assert.equal(r.json.error.code, 'invalid_json');
});

test('without a session, the route is told before the body is read: 401, not a wait', async () => {
  const c = raw(S.port);
  await c.ready;
  c.write('POST /api/v1/cases HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n' +
    'Content-Length: 4000\r\n\r\n{');
  assert.ok(await c.closedWithin(3000));
  assert.equal(status(c.data), 401, c.data);
});

test('a head that trickles in byte by byte gets 408 at its deadline (--head-timeout 1)', async () => {
  const c = raw(S.port);
  await c.ready;
  const t0 = Date.now();
  c.write('GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: ');
  const drip = setInterval(() => c.write('a'), 100); // a byte restarts no clock
  const closed = await c.closedWithin(6000);
  clearInterval(drip);
  c.end();
  assert.ok(closed, 'a client sending a byte every 100 ms kept its connection for 6 s');
  assert.equal(status(c.data), 408, c.data);
  assert.equal(body(c.data).error.code, 'request_timeout');
  assert.ok(c.closedAt - t0 < 3000, `closed after ${c.closedAt - t0} ms`);
});

test('a body that comes too slowly gets 408 (16 KiB/s after the head\'s deadline)', async () => {
  const c = raw(S.port);
  await c.ready;
  c.write('POST /api/v1/login HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n' +
    'Content-Length: 2000\r\n\r\n{"login":"');
  const drip = setInterval(() => c.write('a'), 100);
  const closed = await c.closedWithin(6000);
  clearInterval(drip);
  c.end();
  assert.ok(closed, 'a body at 10 bytes a second was waited for 6 s');
  assert.equal(status(c.data), 408, c.data);
});

test('an idle keep-alive connection between requests is not cut by the request deadline', async () => {
  const c = raw(S.port);
  await c.ready;
  c.write('GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n');
  await sleep(1600); // past --head-timeout 1, well within the idle timeout
  c.write('GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n');
  await sleep(300);
  c.end();
  assert.equal((c.data.match(/HTTP\/1\.1 200/g) || []).length, 2, c.data);
});

test('a NUL in a header value is refused with 400 over HTTP', async () => {
  const c = raw(S.port);
  await c.ready;
  c.write(Buffer.from(`POST /api/v1/cases HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer ${token}\r\n` +
    'Transfer-Encoding: chunked\0junk\r\n\r\n0\r\n\r\n', 'latin1'));
  assert.ok(await c.closedWithin(3000));
  assert.equal(status(c.data), 400, c.data);
});

test('one address holds at most --max-conns-per-address connections', async () => {
  const T = await startServer(demo.db, { args: ['--max-conns-per-address', '6'] });
  try {
    // the harness's own fetch may keep a connection or two: open until one is refused
    const held = [];
    let refused = null;
    for (let i = 0; i < 10 && !refused; i++) {
      const c = raw(T.port);
      await c.ready;
      if (await c.closedWithin(300)) refused = c;
      else held.push(c);
    }
    assert.ok(refused, 'ten connections from one address were all kept');
    assert.ok(held.length <= 6, `${held.length} connections held`);
    assert.equal(status(refused.data), 503, refused.data);
    assert.equal(body(refused.data).error.code, 'too_many_connections');
    for (const c of held) c.end();
    await sleep(200);
    const h = await T.call('GET', '/healthz');
    assert.equal(h.status, 200, 'a connection closed gives its place back');
  } finally {
    await T.stop();
  }
});

test('out of descriptors, the server pauses accepting instead of spinning', async () => {
  // tamin serve under `ulimit -n 64`, then 120 idle connections: most wait in the backlog
  const proc = spawn('sh', ['-c', 'ulimit -n 64 && exec "$0" "$@"', BIN, 'serve', '--db', demo.db,
    '--listen', '127.0.0.1:0', '--threads', '1', ...storeArgs(demo.db)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  proc.stderr.on('data', (d) => { err += d; });
  const port = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no start: ${err}`)), 20000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on http:\/\/[^\s:]+:(\d+)/);
      if (m) { clearTimeout(t); resolve(Number(m[1])); }
    });
  });
  const exited = new Promise((r) => proc.on('exit', (code, sig) => r({ code, sig })));
  const conns = [];
  try {
    for (let i = 0; i < 120; i++) conns.push(raw(port));
    await sleep(500);
    const t0 = cpuTicks(proc.pid);
    await sleep(2000);
    const used = cpuTicks(proc.pid) - t0; // ticks of 10 ms
    assert.ok(used < 50, `the server used ${used * 10} ms of CPU in 2 s with no descriptor free`);
  } finally {
    for (const c of conns) c.end();
  }
  await sleep(500);
  const r = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(5000) });
  assert.equal(r.status, 200, 'accepting resumed once descriptors came back');
  await r.text();
  proc.kill('SIGTERM');
  const x = await exited;
  assert.equal(x.code, 0, err);
  assertNoSanitizerReport(err);
});
