// The built web app at / (tamin serve --web DIR): content types, caching, ETag and 304,
// gzip, the single-page-app fallback, path safety, HEAD, other methods, the rate limit,
// and an API that answers as before. Requests go out through node:http and raw sockets,
// so that nothing rewrites their paths or decodes their bodies.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import zlib from 'node:zlib';
import {
  createDemo, startServer, runCli, assertError, assertNoSanitizerReport, tempDir, cleanupTemp,
  PASSWORD, newDb, dbMade, storeArgs,
} from './harness.mjs';

const INDEX = '<!doctype html><html lang="fa" dir="rtl"><head><meta charset="utf-8">' +
  '<title>تامین</title><script type="module" src="/assets/app-abc123.js"></script>' +
  '<link rel="stylesheet" href="/assets/app-abc123.css"></head><body><div id="app"></div>' +
  '</body></html>\n';
const JS = 'export const greet = () => "سلام";\n'.repeat(64);
const HTML = 'text/html; charset=utf-8';
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; " +
  "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** Writes a build folder like Vite's (with the Makefile's .gz copies): {dir, files}. */
function makeApp() {
  const dir = tempDir('tamin-web-');
  const files = {
    'index.html': INDEX,
    'favicon.svg': '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect width="1" height="1"/></svg>\n',
    'favicon.ico': Buffer.from([0, 0, 1, 0, 1, 0, 16, 16]),
    'robots.txt': 'User-agent: *\nDisallow:\n',
    'manifest.json': '{"name":"tamin"}\n',
    'site.webmanifest': '{"name":"tamin","start_url":"/"}\n',
    'assets/app-abc123.js': JS,
    'assets/app-abc123.css': 'body{font-family:Vazirmatn}\n',
    'assets/vazirmatn-a1b2c3.woff2': Buffer.concat([Buffer.from('wOF2'), crypto.randomBytes(3000)]),
    'assets/vazirmatn-a1b2c3.woff': Buffer.concat([Buffer.from('wOFF'), crypto.randomBytes(500)]),
    'assets/blob-77aa.xyz': crypto.randomBytes(100),
    'assets/notes v1.txt': 'a name with a space\n',
    'assets/archive-5e6f.tar.gz': zlib.gzipSync('a .gz with no file beside it is a file of its own'),
    'assets/img/deep/logo-9f8e7d.png': Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), crypto.randomBytes(64)]),
    '.env': 'SECRET=hidden files are not served\n',
  };
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  // the Makefile's gzip -k -9 copies
  for (const name of ['index.html', 'assets/app-abc123.js', 'favicon.svg', 'manifest.json', 'robots.txt'])
    fs.writeFileSync(path.join(dir, name + '.gz'), zlib.gzipSync(fs.readFileSync(path.join(dir, name)), { level: 9 }));
  // a link that leads out of the folder is never followed
  const outside = path.join(tempDir('tamin-web-outside-'), 'secret.txt');
  fs.writeFileSync(outside, 'OUTSIDE THE FOLDER\n');
  fs.symlinkSync(outside, path.join(dir, 'linked.txt'));
  const read = (name) => fs.readFileSync(path.join(dir, name));
  return { dir, read };
}

let S, app;
const extra = [];

before(async () => {
  app = makeApp();
  const d = createDemo();
  S = await startServer(d.db, { args: ['--web', app.dir] });
});

after(async () => {
  for (const s of extra) await s.stop();
  if (S) await S.stop();
  cleanupTemp();
});

/** One request by node:http, its path sent as written: {status, headers, body, text, json}. */
function req(method, p, headers = {}, server = S) {
  return new Promise((resolve, reject) => {
    const r = http.request({ host: '127.0.0.1', port: server.port, method, path: p, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        let json = null;
        try { json = JSON.parse(body.toString()); } catch { json = null; }
        resolve({ status: res.statusCode, headers: res.headers, body, text: body.toString(), json });
      });
    });
    r.on('error', reject);
    r.setTimeout(15000, () => r.destroy(new Error(`${method} ${p}: timeout`)));
    r.end();
  });
}
const get = (p, headers) => req('GET', p, headers);

/** The bytes of a whole exchange on one connection: {head, body} as the server sent them. */
function exchange(text) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    const sock = net.connect(S.port, '127.0.0.1', () => sock.end(text));
    sock.on('data', (c) => chunks.push(c));
    sock.on('error', reject);
    sock.setTimeout(15000, () => sock.destroy(new Error('timeout')));
    sock.on('close', () => {
      const all = Buffer.concat(chunks).toString('latin1');
      const at = all.indexOf('\r\n\r\n');
      assert.ok(at > 0, `no complete response: ${JSON.stringify(all)}`);
      resolve({ head: all.slice(0, at), body: all.slice(at + 4) });
    });
  });
}

function assertSafetyHeaders(r, what) {
  assert.equal(r.headers['x-content-type-options'], 'nosniff', what);
  assert.equal(r.headers['referrer-policy'], 'no-referrer', what);
  assert.equal(r.headers['x-frame-options'], 'DENY', what);
}

function assertIndex(r, what) {
  assert.equal(r.status, 200, `${what}: ${r.status} ${r.text}`);
  assert.equal(r.headers['content-type'], HTML, what);
  assert.equal(r.headers['cache-control'], 'no-cache', what);
  assert.equal(r.headers['content-security-policy'], CSP, what);
  assert.equal(r.headers['content-encoding'], undefined, what);
  assertSafetyHeaders(r, what);
  assert.equal(r.text, INDEX, what);
}

test('GET / is index.html, with its type, no-cache, ETag, CSP and safety headers', async () => {
  const r = await get('/');
  assertIndex(r, 'GET /');
  assert.match(r.headers.etag, /^"[0-9a-f]{16}"$/, 'a strong ETag: quoted hex, no W/');
  assert.equal(r.headers.vary, 'Accept-Encoding');
  assert.equal(Number(r.headers['content-length']), Buffer.byteLength(INDEX));
  assert.equal((await get('/index.html')).headers.etag, r.headers.etag);
  // no login is needed, nor is a session cookie set
  assert.equal(r.headers['set-cookie'], undefined);
});

test('each file gets its Content-Type by extension, and its exact bytes', async () => {
  const cases = [
    ['/index.html', 'index.html', HTML],
    ['/assets/app-abc123.js', 'assets/app-abc123.js', 'text/javascript; charset=utf-8'],
    ['/assets/app-abc123.css', 'assets/app-abc123.css', 'text/css; charset=utf-8'],
    ['/favicon.svg', 'favicon.svg', 'image/svg+xml'],
    ['/favicon.ico', 'favicon.ico', 'image/x-icon'],
    ['/assets/vazirmatn-a1b2c3.woff2', 'assets/vazirmatn-a1b2c3.woff2', 'font/woff2'],
    ['/assets/vazirmatn-a1b2c3.woff', 'assets/vazirmatn-a1b2c3.woff', 'font/woff'],
    ['/manifest.json', 'manifest.json', 'application/json'],
    ['/site.webmanifest', 'site.webmanifest', 'application/manifest+json'],
    ['/robots.txt', 'robots.txt', 'text/plain; charset=utf-8'],
    ['/assets/img/deep/logo-9f8e7d.png', 'assets/img/deep/logo-9f8e7d.png', 'image/png'],
    ['/assets/blob-77aa.xyz', 'assets/blob-77aa.xyz', 'application/octet-stream'],
    ['/assets/notes%20v1.txt', 'assets/notes v1.txt', 'text/plain; charset=utf-8'],
    ['/assets/archive-5e6f.tar.gz', 'assets/archive-5e6f.tar.gz', 'application/octet-stream'],
  ];
  for (const [p, file, type] of cases) {
    const r = await get(p);
    assert.equal(r.status, 200, `${p}: ${r.status} ${r.text}`);
    assert.equal(r.headers['content-type'], type, p);
    assert.deepEqual(r.body, app.read(file), `${p}: the file's bytes`);
    assertSafetyHeaders(r, p);
    if (type === HTML) assert.equal(r.headers['content-security-policy'], CSP, p);
    else assert.equal(r.headers['content-security-policy'], undefined, `${p}: CSP is for HTML`);
  }
});

test('Cache-Control: files under assets/ are immutable for a year; the rest no-cache', async () => {
  for (const p of ['/assets/app-abc123.js', '/assets/app-abc123.css', '/assets/vazirmatn-a1b2c3.woff2',
    '/assets/img/deep/logo-9f8e7d.png'])
    assert.equal((await get(p)).headers['cache-control'], IMMUTABLE, p);
  for (const p of ['/', '/index.html', '/favicon.svg', '/robots.txt', '/manifest.json', '/agent'])
    assert.equal((await get(p)).headers['cache-control'], 'no-cache', p);
});

test('ETag: If-None-Match answers 304 with no body; another tag gets the file', async () => {
  const js = await get('/assets/app-abc123.js');
  const tag = js.headers.etag;
  assert.match(tag, /^"[0-9a-f]{16}"$/);
  assert.equal((await get('/assets/app-abc123.js')).headers.etag, tag, 'the same tag each time');
  assert.notEqual((await get('/assets/app-abc123.css')).headers.etag, tag, 'other content, other tag');
  for (const inm of [tag, `"0000000000000000", ${tag}`, `W/${tag}`, '*']) {
    const r = await get('/assets/app-abc123.js', { 'if-none-match': inm });
    assert.equal(r.status, 304, `If-None-Match: ${inm}`);
    assert.equal(r.body.length, 0, '304 has no body');
    assert.equal(r.headers.etag, tag);
    assert.equal(r.headers['cache-control'], IMMUTABLE);
    assert.equal(r.headers.vary, 'Accept-Encoding');
    assertSafetyHeaders(r, '304');
  }
  const other = await get('/assets/app-abc123.js', { 'if-none-match': '"0000000000000000"' });
  assert.equal(other.status, 200);
  assert.equal(other.text, JS);
  // the page at an app route has index.html's tag
  const page = await get('/');
  const again = await get('/cases/12', { 'if-none-match': page.headers.etag });
  assert.equal(again.status, 304);
  assert.equal(again.body.length, 0);
  // the raw bytes: nothing after the headers
  const raw = await exchange(`GET /assets/app-abc123.js HTTP/1.1\r\nHost: t\r\nIf-None-Match: ${tag}\r\nConnection: close\r\n\r\n`);
  assert.match(raw.head, /^HTTP\/1\.1 304 /);
  assert.equal(raw.body, '');
});

test('gzip: the .gz copy when the client accepts gzip; Vary: Accept-Encoding on compressible types', async () => {
  const plain = await get('/assets/app-abc123.js');
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.equal(plain.headers.vary, 'Accept-Encoding', 'Vary even when not compressed');
  assert.equal(plain.text, JS);
  for (const ae of ['gzip', 'gzip, deflate, br', 'br;q=1.0, gzip;q=0.8, *;q=0.1', 'GZIP', 'deflate, x-gzip']) {
    const r = await get('/assets/app-abc123.js', { 'accept-encoding': ae });
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-encoding'], 'gzip', `Accept-Encoding: ${ae}`);
    assert.equal(r.headers.vary, 'Accept-Encoding');
    assert.equal(r.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(r.headers['cache-control'], IMMUTABLE);
    assert.deepEqual(r.body, app.read('assets/app-abc123.js.gz'), 'the .gz file as it is');
    assert.equal(zlib.gunzipSync(r.body).toString(), JS);
    assert.equal(Number(r.headers['content-length']), r.body.length);
    assert.match(r.headers.etag, /^"[0-9a-f]{16}"$/);
    assert.notEqual(r.headers.etag, plain.headers.etag, 'each encoding has its own tag');
  }
  for (const ae of ['gzip;q=0', 'br, gzip; q=0.000', 'deflate', 'identity', '']) {
    const r = await get('/assets/app-abc123.js', { 'accept-encoding': ae });
    assert.equal(r.headers['content-encoding'], undefined, `Accept-Encoding: ${ae}`);
    assert.equal(r.text, JS, `Accept-Encoding: ${ae}`);
  }
  // a tag of the other encoding does not match
  const gz = await get('/assets/app-abc123.js', { 'accept-encoding': 'gzip', 'if-none-match': plain.headers.etag });
  assert.equal(gz.status, 200);
  assert.equal(gz.headers['content-encoding'], 'gzip');
  const gzTag = gz.headers.etag;
  assert.equal((await get('/assets/app-abc123.js', { 'accept-encoding': 'gzip', 'if-none-match': gzTag })).status, 304);
  // HTML with a .gz, also at an app route
  for (const p of ['/', '/agent']) {
    const r = await get(p, { 'accept-encoding': 'gzip' });
    assert.equal(r.headers['content-encoding'], 'gzip', p);
    assert.equal(zlib.gunzipSync(r.body).toString(), INDEX, p);
    assert.equal(r.headers['content-security-policy'], CSP, p);
    assert.equal(r.headers.vary, 'Accept-Encoding', p);
  }
  for (const p of ['/favicon.svg', '/manifest.json', '/robots.txt']) {
    const r = await get(p, { 'accept-encoding': 'gzip' });
    assert.equal(r.headers['content-encoding'], 'gzip', p);
    assert.deepEqual(zlib.gunzipSync(r.body), app.read(p.slice(1)), p);
  }
  // compressible without a .gz: as it is, Vary still sent
  const css = await get('/assets/app-abc123.css', { 'accept-encoding': 'gzip' });
  assert.equal(css.headers['content-encoding'], undefined);
  assert.equal(css.headers.vary, 'Accept-Encoding');
  // not compressible: no Vary
  const font = await get('/assets/vazirmatn-a1b2c3.woff2', { 'accept-encoding': 'gzip' });
  assert.equal(font.headers['content-encoding'], undefined);
  assert.equal(font.headers.vary, undefined);
  assert.deepEqual(font.body, app.read('assets/vazirmatn-a1b2c3.woff2'));
  // the .gz copy is not a resource of its own
  assertError(await get('/assets/app-abc123.js.gz'), 404, 'not_found');
});

test('the app\'s own routes (no dot in the last segment) load index.html', async () => {
  for (const p of ['/agent', '/cases/12', '/cases/12/', '/agent?tab=queue', '/login', '/cases/%DB%B1%DB%B2',
    '/assets', '/Makefile'])
    assertIndex(await get(p), p);
});

test('a missing file with an extension is a 404 in the API\'s error shape', async () => {
  for (const p of ['/assets/nope.js', '/nope.css', '/assets/img/deep/nope.png', '/favicon.png',
    '/.env', '/linked.txt', '/assets/app-abc123.js.map', '/index.htm']) {
    const r = await get(p);
    assertError(r, 404, 'not_found');
    assert.match(r.headers['content-type'], /^application\/json/, p);
    assertSafetyHeaders(r, p);
    assert.doesNotMatch(r.text, /SECRET|OUTSIDE THE FOLDER/, `${p} leaked a file`);
  }
});

// A path inside the folder is at most 1024 bytes (web.h's WEB_PATH_MAX), the server's head
// 16 KiB: a longer path is well formed and names nothing, a 404 like any missing file
// (not a 400: nothing is wrong with the request). It once left the key unterminated and
// read past it (ASan: stack-buffer-overflow under build/tamin-san).
test('a path longer than any file\'s (over 1024 bytes) is a 404 in the API\'s error shape', async () => {
  for (const p of ['/' + 'a'.repeat(1025), '/' + 'a'.repeat(4000), `/assets/${'b'.repeat(1100)}.js`,
    '/' + 'c/'.repeat(600) + 'x', '/' + '%61'.repeat(1100)]) {
    const r = await get(p);
    assertError(r, 404, 'not_found');
    assertSafetyHeaders(r, `${p.length} bytes`);
  }
  assertIndex(await get('/' + 'a'.repeat(1024)), 'a route of exactly 1024 bytes');
  assert.equal((await get('/healthz')).status, 200, 'the server is well');
});

test('paths that try to leave the folder are refused and never read a file', async () => {
  for (const p of ['/../Makefile', '/assets/..%2f..%2fMakefile', '/%00', '/assets/../../Makefile',
    '/%2e%2e/Makefile', '/assets/%2E%2E/%2e%2e/Makefile', '/..', '/./index.html', '/assets\\..\\Makefile',
    '/%5c..%5cMakefile', '/index.html%00.png', '/a//b', '/assets/%2fetc%2fpasswd', '/assets%2fapp-abc123.js',
    '/%zz', '/%1b']) {
    const r = await get(p);
    assertError(r, 400, 'invalid_path');
    assert.doesNotMatch(r.text, /CFLAGS|root:x:0/, `${p} served a file`);
  }
  // sent byte for byte on a socket too
  for (const p of ['/../Makefile', '/../../../../etc/passwd', '/assets/..%2f..%2fMakefile']) {
    const raw = await exchange(`GET ${p} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`);
    assert.match(raw.head, /^HTTP\/1\.1 400 /, p);
    assert.doesNotMatch(raw.body, /CFLAGS|root:x:0/, p);
  }
});

test('HEAD: the same headers as GET, and no body on the wire', async () => {
  for (const [p, ae] of [['/assets/app-abc123.js', ''], ['/assets/app-abc123.js', 'gzip'], ['/agent', ''],
    ['/assets/vazirmatn-a1b2c3.woff2', '']]) {
    const g = await get(p, ae ? { 'accept-encoding': ae } : {});
    const h = await req('HEAD', p, ae ? { 'accept-encoding': ae } : {});
    assert.equal(h.status, 200, p);
    for (const k of ['content-type', 'content-length', 'etag', 'cache-control', 'vary', 'content-encoding',
      'content-security-policy', 'x-content-type-options'])
      assert.equal(h.headers[k], g.headers[k], `HEAD ${p} (${ae}): ${k}`);
    assert.equal(Number(h.headers['content-length']), g.body.length);
    const aeLine = ae ? `Accept-Encoding: ${ae}\r\n` : '';
    const raw = await exchange(`HEAD ${p} HTTP/1.1\r\nHost: t\r\n${aeLine}Connection: close\r\n\r\n`);
    assert.match(raw.head, /^HTTP\/1\.1 200 /);
    assert.equal(raw.body, '', `HEAD ${p} sent a body`);
  }
  const missing = await exchange('HEAD /assets/nope.js HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n');
  assert.match(missing.head, /^HTTP\/1\.1 404 /);
  assert.equal(missing.body, '', 'a HEAD error has no body either');
});

test('other methods on the app\'s paths get 405 in the API\'s error shape', async () => {
  for (const [m, p] of [['POST', '/agent'], ['POST', '/'], ['PUT', '/assets/app-abc123.js'],
    ['DELETE', '/index.html'], ['PATCH', '/cases/12'], ['POST', '/favicon.svg']]) {
    const r = await req(m, p);
    assertError(r, 405, 'method_not_allowed');
  }
  assert.equal((await req('POST', '/agent')).headers.allow, 'GET, HEAD');
  // a missing file is missing whatever the method
  assertError(await req('POST', '/assets/nope.js'), 404, 'not_found');
});

test('the API answers as before: unknown /api/ paths are JSON 404s, /healthz, login', async () => {
  for (const p of ['/api/v1/nope', '/api', '/api/', '/api/v1', '/api/v1/cases/12/nope', '/api/agent']) {
    const r = await get(p);
    assertError(r, 404, 'not_found');
    assert.match(r.headers['content-type'], /^application\/json/, p);
  }
  assertError(await get('/api/v1/cases'), 401, 'unauthenticated');
  const h = await get('/healthz');
  assert.equal(h.status, 200);
  assert.deepEqual(h.json, { status: 'ok' });
  assert.equal(h.headers['cache-control'], 'no-store');
  const login = await S.call('POST', '/api/v1/login', { body: { login: 'agent1', password: PASSWORD } });
  assert.equal(login.status, 200, login.text);
  const topics = await S.call('GET', '/api/v1/topics', { token: login.json.token });
  assert.equal(topics.status, 200);
  assert.ok(Array.isArray(topics.json) || typeof topics.json === 'object');
  assertError(await req('POST', '/healthz'), 405, 'method_not_allowed');
});

test('files are read at start: later changes to the folder are not served', async () => {
  fs.writeFileSync(path.join(app.dir, 'late.txt'), 'written after start\n');
  fs.writeFileSync(path.join(app.dir, 'index.html'), '<p>changed</p>\n');
  fs.rmSync(path.join(app.dir, 'favicon.svg'));
  assertError(await get('/late.txt'), 404, 'not_found');
  assertIndex(await get('/'), 'index.html as it was at start');
  assert.equal((await get('/favicon.svg')).status, 200, 'a deleted file is still served');
});

test('the app\'s paths are rate limited like the API', async () => {
  const d = createDemo();
  const s = await startServer(d.db, { args: ['--web', makeApp().dir, '--rate-limit', '5', '--threads', '1'] });
  extra.push(s);
  await new Promise((r) => setTimeout(r, 2200)); // the bucket refills after start-up
  const rs = await Promise.all(Array.from({ length: 30 }, (_, i) =>
    req('GET', i % 2 ? '/assets/app-abc123.js' : '/agent', {}, s)));
  const ok = rs.filter((r) => r.status === 200).length;
  const limited = rs.filter((r) => r.status === 429);
  assert.ok(limited.length > 0, 'some requests are refused');
  assert.ok(ok <= 11, `${ok} of 30 passed a limit of 5/s (bucket 10)`);
  assertError(limited[0], 429, 'rate_limited');
});

test('without --web, / is the JSON note and other paths are 404s', async () => {
  const d = createDemo();
  const s = await startServer(d.db);
  extra.push(s);
  const root = await s.call('GET', '/');
  assert.equal(root.status, 200);
  assert.match(root.headers.get('content-type'), /^application\/json/);
  assert.equal(root.json.api, '/api/v1');
  assertError(await s.call('GET', '/agent'), 404, 'not_found');
  assertError(await s.call('GET', '/assets/app-abc123.js'), 404, 'not_found');
});

test('--web with a folder that cannot serve: one line on stderr and a non-zero exit', () => {
  const base = tempDir('tamin-web-bad-');
  const noIndex = path.join(base, 'no-index');
  fs.mkdirSync(path.join(noIndex, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(noIndex, 'assets', 'app.js'), JS);
  const file = path.join(base, 'a-file');
  fs.writeFileSync(file, INDEX);
  const big = path.join(base, 'big');
  fs.mkdirSync(big);
  fs.writeFileSync(path.join(big, 'index.html'), INDEX);
  fs.writeFileSync(path.join(big, 'huge.bin'), Buffer.alloc(33 << 20));
  for (const [dir, why] of [[path.join(base, 'missing'), /No such file or directory/],
    [noIndex, /no index\.html/], [file, /Not a directory/], [big, /32 MiB/]]) {
    const db = newDb(base, 'never.db');
    const r = runCli(['serve', '--db', db, '--listen', '127.0.0.1:0', '--web', dir, ...storeArgs(db)], { timeout: 20000 });
    assert.notEqual(r.status, 0, `--web ${dir} started`);
    assert.equal(r.signal, null);
    assertNoSanitizerReport(r.stderr, 'tamin serve --web');
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, `one line, not: ${r.stderr}`);
    assert.match(lines[0], /^tamin: web app folder /);
    assert.ok(lines[0].includes(dir), `names the folder: ${lines[0]}`);
    assert.match(lines[0], why);
    assert.equal(r.stdout, '', 'it never listened');
    assert.ok(!dbMade(db), 'no database is created');
  }
  const r = runCli(['--help']);
  assert.match(r.stdout, /--web DIR/);
});
