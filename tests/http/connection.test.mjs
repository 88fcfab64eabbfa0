// HTTP/1.1 on a raw socket (src/http/conn.c, src/http/wire.c): keep-alive, pipelined
// requests answered in order, heads and bodies that arrive in pieces, chunked bodies,
// Expect: 100-continue, HTTP/1.0, and what is refused (with the API's error shape, then
// the connection closes).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startDemo, cleanupTemp, PASSWORD } from './harness.mjs';

let S, token, caseId;

before(async () => {
  const d = await startDemo({ people: 20, cases: 30 });
  S = d.server;
  ({ token } = await S.login('supervisor'));
  const l = await S.call('GET', '/api/v1/cases?limit=1', { token });
  assert.equal(l.status, 200, l.text);
  caseId = l.json.items[0].id;
});

after(async () => {
  if (S) await S.stop();
  cleanupTemp();
});

/** Parses the responses in buf (latin1 string): [{status, headers, body}], and the rest. */
function parseResponses(buf) {
  const out = [];
  for (;;) {
    const at = buf.indexOf('\r\n\r\n');
    if (at < 0) break;
    const lines = buf.slice(0, at).split('\r\n');
    const status = Number(lines[0].split(' ')[1]);
    const headers = {};
    for (const l of lines.slice(1)) {
      const i = l.indexOf(':');
      headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
    }
    if (status === 100) { buf = buf.slice(at + 4); out.push({ status, headers, body: '' }); continue; }
    const n = headers['content-length'] === undefined ? 0 : Number(headers['content-length']);
    if (buf.length < at + 4 + n) break;
    out.push({ status, headers, body: Buffer.from(buf.slice(at + 4, at + 4 + n), 'latin1').toString('utf8') });
    buf = buf.slice(at + 4 + n);
  }
  return { responses: out, rest: buf };
}

/** A connection: send pieces (strings or Buffers), wait for n responses or the close. */
function connect() {
  const sock = net.connect(S.port, '127.0.0.1');
  let data = '';
  let closed = false;
  const waiters = [];
  const check = () => {
    for (const w of waiters.splice(0)) if (!w()) waiters.push(w);
  };
  sock.on('data', (c) => { data += c.toString('latin1'); check(); });
  sock.on('close', () => { closed = true; check(); });
  sock.on('error', () => {});
  const ready = new Promise((r) => sock.on('connect', r));
  return {
    ready,
    send: (s) => new Promise((r) => sock.write(s, r)),
    end: () => sock.end(),
    /** n responses (or fewer if the server closes); {responses, closed}. */
    responses: (n, timeout = 10000) => new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timeout: ${JSON.stringify(data.slice(0, 300))}`)), timeout);
      const w = () => {
        const { responses } = parseResponses(data);
        if (responses.length >= n || closed) {
          clearTimeout(t);
          resolve({ responses, closed, raw: data });
          return true;
        }
        return false;
      };
      if (!w()) waiters.push(w);
    }),
    closed: (timeout = 10000) => new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('the server kept the connection open')), timeout);
      const w = () => { if (closed) { clearTimeout(t); resolve(true); return true; } return false; };
      if (!w()) waiters.push(w);
    }),
    destroy: () => sock.destroy(),
  };
}

const get = (p, extra = '') => `GET ${p} HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer ${token}\r\n${extra}\r\n`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test('keep-alive: requests pipelined in one write are answered in order on one connection', async () => {
  const c = connect();
  await c.ready;
  await c.send(get(`/api/v1/cases/${caseId}`) + get('/api/v1/nope') + get('/healthz'));
  const { responses, closed } = await c.responses(3);
  assert.equal(closed, false);
  assert.deepEqual(responses.map((r) => r.status), [200, 404, 200]);
  assert.equal(JSON.parse(responses[0].body).id, caseId);
  assert.equal(JSON.parse(responses[1].body).error.code, 'not_found');
  for (const r of responses) {
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.match(r.headers.date, /GMT$/);
    assert.equal(r.headers.connection, undefined);
  }
  // and the connection serves on
  await c.send(get(`/api/v1/cases/${caseId}`, 'Connection: close\r\n'));
  const more = await c.responses(4);
  assert.equal(more.responses[3].status, 200);
  assert.equal(more.responses[3].headers.connection, 'close');
  await c.closed();
});

test('a head and a body that arrive a few bytes at a time', async () => {
  const body = JSON.stringify({ login: 'supervisor', password: PASSWORD });
  const text = `POST /api/v1/login HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  const c = connect();
  await c.ready;
  for (let i = 0; i < text.length; i += 7) {
    await c.send(text.slice(i, i + 7));
    await sleep(2);
  }
  const { responses } = await c.responses(1);
  assert.equal(responses[0].status, 200, responses[0].body);
  assert.ok(JSON.parse(responses[0].body).token);
  c.destroy();
});

test('a chunked body, and Expect: 100-continue', async () => {
  const body = JSON.stringify({ login: 'supervisor', password: PASSWORD });
  const c = connect();
  await c.ready;
  await c.send('POST /api/v1/login HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n');
  await sleep(20);
  await c.send(`${(10).toString(16)}\r\n${body.slice(0, 10)}\r\n`);
  await sleep(20);
  const rest = Buffer.from(body.slice(10));
  await c.send(`${rest.length.toString(16)};x=y\r\n${body.slice(10)}\r\n0\r\n\r\n`);
  const r1 = await c.responses(1);
  assert.equal(r1.responses[0].status, 200, r1.responses[0].body);

  await c.send(`POST /api/v1/login HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: ${body.length}\r\n\r\n`);
  const r2 = await c.responses(2);
  assert.equal(r2.responses[1].status, 100, 'the server asks for the body');
  await c.send(body);
  const r3 = await c.responses(3);
  assert.equal(r3.responses[2].status, 200, r3.responses[2].body);
  c.destroy();
});

test('HTTP/1.0: closed after the reply unless the client asks to keep it', async () => {
  const c = connect();
  await c.ready;
  await c.send(`GET /healthz HTTP/1.0\r\n\r\n`);
  const r = await c.responses(1);
  assert.equal(r.responses[0].status, 200);
  assert.equal(r.responses[0].headers.connection, 'close');
  await c.closed();

  const k = connect();
  await k.ready;
  await k.send(`GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /healthz HTTP/1.0\r\n\r\n`);
  const kr = await k.responses(2);
  assert.equal(kr.responses[0].headers.connection, 'keep-alive');
  assert.equal(kr.responses[1].headers.connection, 'close');
  await k.closed();
});

test('refused requests get the error shape and a closed connection', async () => {
  const cases = [
    ['GARBAGE\r\n\r\n', 400, 'bad_request'],
    ['GET /healthz HTTP/2.0\r\n\r\n', 505, 'http_version'],
    ['POST /api/v1/login HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n', 501, 'not_implemented'],
    [`POST /api/v1/cases HTTP/1.1\r\nContent-Length: ${64 << 20}\r\n\r\n`, 413, 'body_too_large'],
    [`GET /healthz HTTP/1.1\r\nX-Big: ${'a'.repeat(20000)}\r\n\r\n`, 431, 'headers_too_large'],
    ['POST /api/v1/login HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 400, 'bad_request'],
    ['GET /healthz HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n', 400, 'bad_request'],
  ];
  for (const [text, status, code] of cases) {
    const c = connect();
    await c.ready;
    await c.send(text);
    const { responses } = await c.responses(1);
    assert.equal(responses[0]?.status, status, text.slice(0, 60));
    const j = JSON.parse(responses[0].body);
    assert.equal(j.error.code, code);
    assert.equal(responses[0].headers.connection, 'close');
    await c.closed();
  }
  // a method not served is a whole request: answered, and the connection serves on
  const c = connect();
  await c.ready;
  await c.send('OPTIONS /healthz HTTP/1.1\r\nHost: t\r\n\r\nGET /healthz HTTP/1.1\r\nHost: t\r\n\r\n');
  const { responses } = await c.responses(2);
  assert.equal(responses[0].status, 501);
  assert.equal(JSON.parse(responses[0].body).error.code, 'not_implemented');
  assert.equal(responses[1].status, 200);
  c.destroy();
  // the server is well
  assert.equal((await S.call('GET', '/healthz')).status, 200);
});

/** Sends text on a new connection: the first response, and closed once the server closed
 *  the connection as its Connection: close said. */
async function one(text) {
  const c = connect();
  await c.ready;
  await c.send(text);
  const r = (await c.responses(1)).responses[0];
  const closed = r?.headers.connection === 'close' && (await c.closed());
  c.destroy();
  return { ...r, closed };
}

// Issue 11's missing test (e): the limits hold at their edges. A head may have 64 header
// lines (wire.h's WIRE_HEADERS) and be 16 KiB long (server.c's max_head), the request
// line and the blank line that ends it included; one line or one byte more is a 431.
test('exactly 64 headers are taken and 65 refused; a head of exactly 16 KiB is taken, one byte more refused', async () => {
  const head = (n) => `GET /healthz HTTP/1.1\r\nHost: t\r\n${Array.from({ length: n - 1 }, (_, i) => `X-H${i}: v\r\n`).join('')}\r\n`;
  assert.equal((await one(head(64))).status, 200, '64 header lines');
  const more = await one(head(65));
  assert.equal(more.status, 431, '65 header lines');
  assert.equal(JSON.parse(more.body).error.code, 'headers_too_large');
  const MAX_HEAD = 16 << 10;
  const sized = (bytes) => {
    const bare = `GET /healthz HTTP/1.1\r\nHost: t\r\nX-Pad: \r\n\r\n`;
    const text = bare.replace('X-Pad: ', `X-Pad: ${'p'.repeat(bytes - bare.length)}`);
    assert.equal(Buffer.byteLength(text), bytes);
    return text;
  };
  assert.equal((await one(sized(MAX_HEAD))).status, 200, 'a head of exactly the limit');
  const over = await one(sized(MAX_HEAD + 1));
  assert.equal(over.status, 431, 'one byte over the limit');
  assert.equal(JSON.parse(over.body).error.code, 'headers_too_large');
  assert.equal(over.closed, true);
});

// Issue 11's missing test (f): a length beside chunked may be a smuggling attempt (RFC 9112
// 6.1); the unit test (test_wire.c) parses it, this one sends it. Nothing after the head is
// read as a request of its own.
test('Content-Length together with Transfer-Encoding is refused over the wire, and nothing is smuggled', async () => {
  const smuggled = 'GET /api/v1/me HTTP/1.1\r\nHost: t\r\n\r\n';
  for (const pair of ['Content-Length: 5\r\nTransfer-Encoding: chunked', 'Transfer-Encoding: chunked\r\nContent-Length: 5',
    'Content-Length: 0\r\nTransfer-Encoding: chunked']) {
    const c = connect();
    await c.ready;
    await c.send(`POST /api/v1/login HTTP/1.1\r\nHost: t\r\n${pair}\r\n\r\n0\r\n\r\n${smuggled}`);
    const { responses } = await c.responses(2, 10000);
    await c.closed();
    assert.equal(responses.length, 1, `${pair}: ${responses.map((r) => r.status)}`);
    assert.equal(responses[0].status, 400, pair);
    assert.equal(JSON.parse(responses[0].body).error.code, 'bad_request');
    assert.equal(responses[0].headers.connection, 'close');
  }
});

test('a client that leaves before its audited read is answered does not hurt the server', async () => {
  for (let i = 0; i < 20; i++) {
    const c = connect();
    await c.ready;
    await c.send(get(`/api/v1/cases/${caseId}`) + get(`/api/v1/cases/${caseId}`));
    c.destroy();
  }
  const c = connect();
  await c.ready;
  await c.send('GET /healthz HTTP/1.1\r\nHost: t\r\n'); // half a head, then gone
  c.destroy();
  await sleep(50);
  const r = await S.call('GET', `/api/v1/cases/${caseId}`, { token });
  assert.equal(r.status, 200);
});
