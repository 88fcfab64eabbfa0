// (b) The storm: generated malformed and hostile requests, each on its own raw socket,
// against the sanitizer build (build/tamin-san) with ASan/UBSan reports going to files:
// bad request lines, header floods, smuggling attempts, bad chunking, bad UTF-8 and NUL in
// JSON, deep nesting, wrong types for every field of every route's body (from
// docs/openapi.yaml), bad query values, path tricks, static paths, slow clients, and byte
// mutations of valid requests to make up the count. Counts replies by status, 5xx,
// connections reset or left unanswered, crashes (the server gone) and sanitizer reports.
// Every 5xx and the requests before a crash are saved for reproduction.
import fs from 'node:fs';
import path from 'node:path';
import {
  SAN_BIN, addUser, createDemo, envInt, logger, rawExchange, rawRequest, row, sleep, startServer, workDir,
} from './lib.mjs';
import { operations, bodyVariants, fields, setPath, fillPath } from './api.mjs';

/** A small random generator, seeded (SOAK_SEED) so that a run can be repeated. */
function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  next.int = (n) => Math.floor(next() * n);
  next.pick = (xs) => xs[Math.floor(next() * xs.length)];
  return next;
}

/** Values of every wrong type, and hostile strings, for one JSON field. */
const WRONG = [
  null, true, false, 0, -1, 1.5, 2 ** 53 + 1, -(2 ** 63), 1e308, '', ' ', 'x'.repeat(5000), [], [1, 'a'], {}, { a: 1 },
  '\u0000', 'a\u0000b', '\ud800', '\udc00\ud800', '١٤٠٥', "' OR '1'='1", '../../etc/passwd', '%00', '<script>x</script>',
  '\r\nX-Injected: 1', '0'.repeat(400), '-0', 'NaN', '9'.repeat(40),
];
/** Raw JSON bodies: bad UTF-8, NUL, nesting, numbers, shapes. */
function hostileJson() {
  const B = (...xs) => Buffer.concat(xs.map((x) => (Buffer.isBuffer(x) ? x : Buffer.from(x, 'latin1'))));
  const out = [
    B('{"subject":"', Buffer.from([0xff, 0xfe]), '"}'),
    B('{"subject":"', Buffer.from([0xc0, 0xaf]), '"}'),
    B('{"subject":"', Buffer.from([0xed, 0xa0, 0x80]), '"}'),
    B('{"subject":"', Buffer.from([0xe2, 0x82]), '"}'),
    B('{"subject":"', Buffer.from([0xf4, 0x90, 0x80, 0x80]), '"}'),
    B('{"subject":"', Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80]), '"}'),
    B('{"subject":"a', Buffer.from([0]), 'b"}'),
    B('{"login":"admin"', Buffer.from([0]), ',"password":"x"}'),
    B(Buffer.from([0]), '{}'),
    B('{}', Buffer.from([0])),
    B(Buffer.from([0xef, 0xbb, 0xbf]), '{"login":"a","password":"b"}'),
    B('{"', Buffer.from([0xff]), '":1}'),
    B('{"a":"\\ud800"}'), B('{"a":"\\u0000"}'), B('{"a":"\\uZZZZ"}'), B('{"a":"\\'), B('{"a":"\\x41"}'),
    B('{"a":1,"a":2}'), B('{"a":1}{"b":2}'), B('{"a":1} x'), B('{'), B('}'), B('['), B('"'), B(''), B('   '),
    B('null'), B('true'), B('0'), B('-'), B('1e999999'), B('-1e999999'), B('123456789012345678901234567890'),
    B('{"a":1e400}'), B('{"a":-0.0}'), B('{"a":.5}'), B('{"a":01}'), B('{"a":0x10}'), B('{"a":NaN}'), B('{"a":Infinity}'),
    B("{'a':1}"), B('{a:1}'), B('{"a":1,}'), B('[1,]'), B('{"a":[1,2,]}'), B('{"a" 1}'), B('{"a":"b"'),
  ];
  for (const d of [10, 100, 1000, 5000, 30000]) {
    out.push(B('['.repeat(d) + ']'.repeat(d)));
    out.push(B('{"a":'.repeat(d) + '1' + '}'.repeat(d)));
    out.push(B('['.repeat(d)));
  }
  out.push(B('{"a":"' + 'x'.repeat(60000) + '"}'));
  out.push(B('{' + Array.from({ length: 3000 }, (_, i) => `"k${i}":${i}`).join(',') + '}'));
  out.push(B('[' + Array.from({ length: 15000 }, () => '1').join(',') + ']'));
  return out;
}


export async function run() {
  const target = envInt('SOAK_STORM_REQUESTS', 12000);
  const seed = envInt('SOAK_SEED', 1);
  const slowClients = envInt('SOAK_STORM_SLOW', 60);
  const R = rng(seed);
  const dir = workDir('storm');
  const log = logger('storm', dir);
  const san = path.join(dir, 'sanitizer');
  fs.mkdirSync(san);
  fs.mkdirSync(path.join(dir, '5xx'));
  // a small web app, so the static files' paths are served too
  const web = path.join(dir, 'web');
  fs.mkdirSync(path.join(web, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(web, 'index.html'), '<!doctype html><title>soak</title><script src="/assets/app-1.js"></script>');
  fs.writeFileSync(path.join(web, 'assets/app-1.js'), 'console.log(1);\n'.repeat(50));
  fs.writeFileSync(path.join(web, 'assets/app-1.js.gz'), Buffer.from('1f8b0800000000000003030000000000000000', 'hex'));
  fs.writeFileSync(path.join(web, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');

  const demo = createDemo(dir, { people: 100, cases: 80 });
  if (addUser(demo.db, { login: 'storm_victim', role: 'agent' }).status !== 0) throw new Error('user add');
  const env = {
    ASAN_OPTIONS: `log_path=${san}/asan:detect_leaks=1:abort_on_error=0`,
    UBSAN_OPTIONS: `log_path=${san}/ubsan:print_stacktrace=1`,
  };
  const serveLog = path.join(dir, 'serve.log');
  const start = () => startServer(demo.db, { bin: SAN_BIN, args: ['--rate-limit', '0', '--web', web], env, log: serveLog });
  let S = await start();
  const tok = {};
  for (const [role, login] of [['admin', 'admin'], ['supervisor', 'supervisor'], ['agent', 'agent1'], ['specialist', 'sp_pensions'],
    ['desk', 'desk1'], ['citizen', demo.citizens[0]], ['auditor', 'auditor'], ['employer', 'emp1']]) tok[role] = (await S.login(login)).token;
  const caseId = (await S.call('GET', `/api/v1/cases?national_id=${demo.citizens[0]}`, { token: tok.supervisor })).json.items[0].id;
  const batch = await S.call('POST', '/api/v1/pensions/batches', { token: tok.admin, body: { kind: 'increase', date: '1405/01/01' } });
  const values = {
    id: (op) => (op.path.includes('batches') ? batch.json.id : caseId),
    national_id: () => demo.citizens[0],
    code: (op) => (op.path.includes('topics') ? 'pension_not_paid' : op.path.includes('departments') ? 'pensions' : demo.workshop),
    login: () => 'storm_victim',
  };
  const pathValue = (op, name) => values[name](op);
  const ROLE_ORDER = ['admin', 'supervisor', 'agent', 'specialist', 'employer', 'citizen', 'auditor', 'desk'];
  const tokenFor = (op) => {
    const r = ROLE_ORDER.find((x) => op.roles.includes(x));
    return r ? tok[r] : undefined;
  };
  const nid = demo.citizens[1];
  const listJson = {
    header: { workshop: demo.workshop, year: 1405, month: 3, list_no: '7', workers: 1, days: 30, daily_wages: 6666666, monthly_wages: 200000000,
      benefits: 0, insurable: 200000000, total: 200000000, worker_share: 14000000, employer_share: 40000000, unemployment: 6000000, hard_job_share: 0, rate: 23 },
    rows: [{ national_id: '0012345679', insurance_no: '12345678', first_name: 'الف', last_name: 'ب', father_name: 'پ', birth_date: '1370/05/12', sex: 'm',
      job_code: '1', job_title: 'کارگر', days: 30, daily_wage: 6666666, monthly_wage: 200000000, benefits: 0, insurable: 200000000, total: 200000000, worker_share: 14000000 }],
  };
  const bases = {
    login: [{ login: 'storm_nobody', password: 'wrong-password' }],
    editTopic: [{ name: 'موضوع', department: 'pensions', first_response_min: 60, resolution_min: 600, report_back_min: 60 }],
    editDepartment: [{ name: 'مستمری' }],
    createCase: [{ national_id: nid, channel: 'phone', topic: 'pension_not_paid', subject: 'طوفان', description: 'd', mobile: '09121234567', priority: 'normal' }],
    addCaseEvent: [{ type: 'note', text: 'یادداشت' }],
    previewPensionBatch: [{ kind: 'increase', date: '1405/01/01' }],
    createWorkshop: [{ code: '1234567890', name: 'ک', employer_name: 'ک', employer_national_id: nid, province: '01', branch: 'b', activity: 'a', hard_job: false, address: 'x' }],
    linkEmployer: [{ login: 'emp1' }],
    recordPayment: [{ amount: 1000, year: 1405, month: 1, reference: 'r' }],
    uploadList: [{ dbf: { kar: 'AAAA', wor: 'AAAA' } }, { csv: { kar: 'DSK_ID\r\n1\r\n', wor: 'DSW_ID\r\n1\r\n' } }, listJson],
    createUser: [{ login: 'storm_u', password: 'correct horse battery', role: 'specialist', department: 'pensions', national_id: nid, name: 'n' }],
  };

  // ---- the requests ----
  const reqs = []; // {kind, data: Buffer | pieces[], opts}
  const add = (kind, data, opts = {}) => reqs.push({ kind, data, opts });
  const GET = (p, extra = '') => `GET ${p} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n${extra}\r\n`;
  const auth = `Authorization: Bearer ${tok.supervisor}\r\n`;

  // request lines
  for (const l of ['GARBAGE', 'GET', 'GET /', 'GET / HTTP/1.1 extra', 'GET  / HTTP/1.1', 'GET /\tHTTP/1.1', 'get / HTTP/1.1', 'G\x00T / HTTP/1.1',
    'GET / HTTP/0.9', 'GET / HTTP/1.2', 'GET / HTTP/2.0', 'GET / HTTP/9.9', 'GET / HTTP/1', 'GET / HTTP/1.10', 'GET / http/1.1', 'GET / HTTP/01.1',
    'GET http://evil/ HTTP/1.1', 'GET * HTTP/1.1', 'OPTIONS * HTTP/1.1', 'CONNECT 127.0.0.1:22 HTTP/1.1', 'TRACE / HTTP/1.1', 'PRI * HTTP/2.0',
    `${'A'.repeat(5000)} / HTTP/1.1`, `GET /${'a'.repeat(9000)} HTTP/1.1`, `GET /api/v1/cases?${'a=1&'.repeat(4000)} HTTP/1.1`, 'GET /\x7f HTTP/1.1',
    'GET /\xff\xfe HTTP/1.1', 'GET /healthz\x00 HTTP/1.1', ' GET / HTTP/1.1', 'GET / HTTP/1.1 ', '\r\nGET / HTTP/1.1', 'GET\x0b/ HTTP/1.1',
    'DELETE /api/v1/cases/1 HTTP/1.1', 'PUT /api/v1/login HTTP/1.1', 'PATCH /api/v1/users HTTP/1.1', 'HEAD /api/v1/me HTTP/1.1', 'GET ?x HTTP/1.1',
    'GET #frag HTTP/1.1', 'GET /healthz#x HTTP/1.1', 'GET %2F HTTP/1.1', 'GET / HTTP/1.1\nHost: x', 'GET / HTTP/1.1\rHost: x']) {
    add('request-line', `${l}\r\nHost: t\r\nConnection: close\r\n\r\n`);
    add('request-line', `${l}\n\n`);
  }
  for (let i = 0; i < 40; i++) add('request-line', Buffer.from(Array.from({ length: 1 + R.int(200) }, () => R.int(256))));
  // header floods and bad headers
  for (const n of [63, 64, 65, 100, 1000, 5000]) add('headers', GET('/healthz', Array.from({ length: n }, (_, i) => `X-H${i}: v\r\n`).join('')));
  for (const n of [8000, 8191, 8192, 16000, 65000, 1 << 20]) add('headers', GET('/healthz', `X-Big: ${'a'.repeat(n)}\r\n`));
  for (const h of ['NoColon', ': empty-name', 'Sp ace: v', 'X-A : v', 'X-A:\x00v', 'X-A: a\x00b', 'X-A: a\rb', 'X-A: a\nb', ' folded: v', 'X-A: v\r\n continued',
    'X-A: v\r\n\tcontinued', 'Host: a\r\nHost: b', 'Host:', 'Host: ' + 'h'.repeat(3000), 'Authorization: Bearer', 'Authorization: Bearer ' + 'f'.repeat(64),
    'Authorization: Bearer ' + 'f'.repeat(5000), 'Authorization: Basic YWRtaW46ZGVtbzEyMzQ=', 'Authorization: bearer ' + tok.admin, 'Authorization: Bearer  ' + tok.admin,
    `Authorization: Bearer ${tok.admin}\x00`, `Authorization: Bearer ${tok.admin}\r\nAuthorization: Bearer x`, 'Cookie: tamin_session=', 'Cookie: tamin_session=' + 'a'.repeat(200),
    'Cookie: ' + 'a=b; '.repeat(2000), `Cookie: tamin_session=${tok.admin}; tamin_session=x`, 'Connection: keep-alive, close, upgrade', 'Upgrade: h2c', 'Expect: 100-continue',
    'Expect: 999-weird', 'Accept-Encoding: ' + 'gzip;q=0.'.repeat(500), 'If-None-Match: ' + '"x", '.repeat(1000), 'Range: bytes=0-1,2-3,' + '4-5,'.repeat(500),
    'X-Forwarded-For: 1.2.3.4', 'Content-Type: application/json; charset=' + 'x'.repeat(3000), '\x80\x81: \xff']) {
    add('headers', GET('/api/v1/me', `${h}\r\n`));
    add('headers', GET('/healthz', `${h}\r\n`));
  }
  // smuggling attempts: a second request hides behind the first
  const inner = 'GET /api/v1/users HTTP/1.1\r\nHost: t\r\n\r\n';
  const loginBody = JSON.stringify({ login: 'storm_nobody', password: 'x' });
  for (const [te, cl] of [['chunked', 4], ['chunked', 100], [' chunked', null], ['chunked ', null], ['Chunked', null], ['CHUNKED', null], ['chunked, identity', null],
    ['identity, chunked', null], ['chunked\x00junk', null], ['chunked\rjunk', null], ['xchunked', null], ['chunked;x=1', null], ['\tchunked', null],
    ['gzip, chunked', null], ['chunked, chunked', null], ['', 5], ['identity', 5]]) {
    const hdr = `Transfer-Encoding: ${te}\r\n${cl !== null ? `Content-Length: ${cl}\r\n` : ''}`;
    add('smuggling', `POST /api/v1/login HTTP/1.1\r\nHost: t\r\n${hdr}\r\n0\r\n\r\n${inner}`);
    add('smuggling', `POST /api/v1/login HTTP/1.1\r\nHost: t\r\nContent-Length: ${cl ?? 5}\r\n${hdr}\r\n${loginBody.length.toString(16)}\r\n${loginBody}\r\n0\r\n\r\n${inner}`);
  }
  for (const cls of [['5', '5'], ['5', '6'], ['5, 5'], ['5,6'], ['+5'], ['-1'], ['0x5'], [' 5 '], ['5 5'], ['00005'], ['99999999999999999999'], ['18446744073709551616'],
    ['9223372036854775807'], ['1e3'], [''], ['abc'], ['5\x00'], ['5\r5']]) {
    const h = cls.map((v) => `Content-Length: ${v}\r\n`).join('');
    add('smuggling', `POST /api/v1/login HTTP/1.1\r\nHost: t\r\n${h}\r\n{"a":1}${inner}`);
  }
  add('smuggling', `GET /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: ${inner.length}\r\n\r\n${inner}`);
  add('smuggling', `POST /api/v1/login HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n${inner}`);
  add('smuggling', `POST /api/v1/login HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${inner}`);
  // bad chunking
  for (const body of ['zz\r\n', 'ffffffffffffffff\r\nx', '-1\r\nx\r\n0\r\n\r\n', '5\r\nabc\r\n0\r\n\r\n', '3\r\nabcdef\r\n0\r\n\r\n', '3\nabc\n0\n\n', '3\r\nabc',
    '3;' + 'e=x;'.repeat(3000) + '\r\nabc\r\n0\r\n\r\n', '0\r\nX-Trailer: 1\r\n\r\n', '0\r\n' + 'X-T: 1\r\n'.repeat(2000) + '\r\n', '1\r\n{\r\n' + '0'.repeat(50) + '1\r\n}\r\n0\r\n\r\n',
    ' 3\r\nabc\r\n0\r\n\r\n', '3 \r\nabc\r\n0\r\n\r\n', '0x3\r\nabc\r\n0\r\n\r\n', '\r\n', '0\r\n', '100000000\r\n', '7fffffff\r\n' + 'a'.repeat(1000),
    '10\r\n' + '{"login":"a","p' + '\r\n' + 'ffffff\r\n', Array.from({ length: 3000 }, () => '1\r\na\r\n').join('') + '0\r\n\r\n']) {
    for (const p of ['/api/v1/login', '/api/v1/cases', '/api/v1/lists']) {
      add('chunking', `POST ${p} HTTP/1.1\r\nHost: t\r\n${auth}Transfer-Encoding: chunked\r\n\r\n${body}`);
    }
  }
  // hostile JSON bodies on every route that takes one
  const bodyOps = operations().filter((o) => o.body);
  for (const b of hostileJson()) {
    for (const op of bodyOps) add('json', rawRequest(op.method, fillPath(op, pathValue), { token: tokenFor(op), body: b }));
  }
  // wrong types for every field of every route's body (from openapi.yaml), one at a time
  for (const op of bodyOps) {
    const p = fillPath(op, pathValue);
    const variants = bodyVariants(op.body);
    const baseList = bases[op.id] || [{}];
    variants.forEach((schema, vi) => {
      const base = baseList[Math.min(vi, baseList.length - 1)];
      for (const f of fields(schema)) {
        for (const v of [...WRONG, undefined]) add('types', rawRequest(op.method, p, { token: tokenFor(op), body: setPath(base, f.path, v) }));
      }
      add('types', rawRequest(op.method, p, { token: tokenFor(op), body: { ...base, unknown_field: 1 } }));
    });
    for (const v of WRONG) add('types', rawRequest(op.method, p, { token: tokenFor(op), body: JSON.stringify(v) }));
  }
  // query parameters with bad values
  const QV = ['', 'x', '-1', '0', '1', '201', '99999999999999999999', '1e9', '%00', '%ff', '%', '%zz', '%2', 'a'.repeat(5000), "'", '%22', "1'%20OR%20'1'='1",
    '..%2f', '%2e%2e%2f', '%D9%A1%D9%A4', '1405/13/40', '2026-02-30', '2026-02-28T25:00:00Z', 'null', '[]', '{}', 'true', '%c0%af', '+', '%20', '\xff', '1405-01-01',
    '-9223372036854775808', '9223372036854775807', 'NaN', '0x10', '1.5', 'me'];
  for (const op of operations().filter((o) => o.method === 'GET' && o.query.length)) {
    const p = fillPath(op, pathValue);
    for (const q of op.query) {
      for (const v of QV) add('query', `GET ${p}?${q.name}=${v} HTTP/1.1\r\nHost: t\r\nConnection: close\r\nAuthorization: Bearer ${tokenFor(op)}\r\n\r\n`);
      add('query', `GET ${p}?${q.name}=1&${q.name}=2&${q.name} HTTP/1.1\r\nHost: t\r\nConnection: close\r\nAuthorization: Bearer ${tokenFor(op)}\r\n\r\n`);
    }
    add('query', `GET ${p}?${op.query.map((q) => `${q.name}=`).join('&')}&${'z=1&'.repeat(1500)} HTTP/1.1\r\nHost: t\r\nConnection: close\r\nAuthorization: Bearer ${tokenFor(op)}\r\n\r\n`);
  }
  // path tricks: in each path parameter, and around the API and the static files
  const PV = ['..', '%2e%2e', '%2f', '..%2f..%2f..%2fetc%2fpasswd', '%00', '0', '-1', '99999999999999999999999', '1.0', '1e3', '0x1', '%201', '%20', 'a'.repeat(2000),
    '%DB%B1%DB%B2%DB%B3', '\xff', '%c0%ae%c0%ae', '*', '%7B%7D', '%25', '1%00', '1;x', '1/', '1//', '%5c..%5c', '۱۲۳۴۵۶۷۸۹۰', 'ABCDEFGHIJ', '00000000000', '١٢٣٤٥٦٧٨٩٠'];
  for (const op of operations().filter((o) => o.pathParams.length)) {
    for (const v of PV) {
      const p = op.path.replace(/\{[^}]+\}/g, v);
      add('path', rawRequest(op.method, p, { token: tokenFor(op), body: op.body ? (bases[op.id] || [{}])[0] : undefined }));
    }
  }
  for (const p of ['/api/v1/cases/../users', '/api/v1/%2e%2e/users', '/api/v1//cases', '/api//v1/cases', '/api/v1/cases/', '/api/v1/cases?', '/api/v1/./cases',
    '/api/v1/users%2f..%2fcases', '/API/V1/CASES', '/api/v1/cases%00', '/api/v1/cases\\1', '/api/v1/me/../users', '/api/v2/cases', '/api/', '/api', '/api/v1',
    '/..', '/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/assets/../index.html', '/assets/%2e%2e/index.html', '/assets/..%2findex.html', '/index.html%00.js',
    '/.hidden', '/.git/config', '/assets//app-1.js', '/assets/app-1.js/', '/assets/app-1.js.gz', '/index.html?x=1', '//etc/passwd', '/\\..\\', '/assets/app-1.js%3f',
    '/%', '/%zz', '/%c0%af', '/%ff', '/\xff\xfe', '/a\x01b', '/agent', '/cases/12', '/nope.js', '/' + 'a.'.repeat(700), '/assets/' + 'x'.repeat(1020) + '.js']) {
    add('path', GET(p, auth));
    add('path', `HEAD ${p} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`);
  }
  for (const n of [255, 256, 1000, 1022, 1023, 1024, 1025, 1100, 2000, 4095, 4096, 4097, 8000, 8192, 16000, 60000]) {
    add('path', GET('/' + 'a'.repeat(n)));
    add('path', GET('/' + 'a'.repeat(n) + '.js'));
    add('path', GET('/assets/' + 'b'.repeat(n)));
    add('path', GET('/api/v1/cases/' + '1'.repeat(n), auth));
    add('path', GET('/' + 'a/'.repeat(n >> 1)));
    add('path', GET('/' + '%61'.repeat(n / 3 | 0)));
  }
  for (const m of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'BREW']) add('path', `${m} /index.html HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);

  const planned = reqs.length;
  // byte mutations of valid requests, to make up the count
  const valid = [GET('/healthz'), GET(`/api/v1/cases/${caseId}`, auth), GET(`/api/v1/people/${demo.citizens[0]}/history`, auth), GET('/api/v1/cases?limit=5&open=1', auth),
    GET('/'), GET('/assets/app-1.js', 'Accept-Encoding: gzip\r\n'),
    rawRequest('POST', '/api/v1/cases', { token: tok.agent, body: bases.createCase[0] }).toString('latin1'),
    rawRequest('POST', `/api/v1/cases/${caseId}/events`, { token: tok.supervisor, body: bases.addCaseEvent[0] }).toString('latin1'),
    rawRequest('POST', '/api/v1/lists', { token: tok.agent, body: listJson }).toString('latin1'),
    `POST /api/v1/login HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n${loginBody.length.toString(16)}\r\n${loginBody}\r\n0\r\n\r\n`];
  while (reqs.length < target - slowClients) {
    const b = Buffer.from(R.pick(valid), 'latin1');
    let m = b;
    for (let k = 1 + R.int(4); k > 0; k--) {
      const at = R.int(m.length + 1);
      const op = R.int(7);
      if (op === 0) { m = Buffer.from(m); if (m.length) m[Math.min(at, m.length - 1)] = R.int(256); }
      else if (op === 1) m = Buffer.concat([m.subarray(0, at), Buffer.from(R.pick(['\r\n', '\n', '\r', '\0', ':', ' ', '\t', '%', '{', '"', '\\', '\r\n\r\n', 'Transfer-Encoding: chunked\r\n', 'Content-Length: 9\r\n'])), m.subarray(at)]);
      else if (op === 2) m = Buffer.concat([m.subarray(0, at), m.subarray(Math.min(m.length, at + 1 + R.int(20)))]);
      else if (op === 3) { const s = m.subarray(at, at + 1 + R.int(30)); m = Buffer.concat([m.subarray(0, at), s, s, s, m.subarray(at)]); }
      else if (op === 4) m = Buffer.concat([m.subarray(0, at), Buffer.from(Array.from({ length: 1 + R.int(8) }, () => R.int(256))), m.subarray(at)]);
      else if (op === 5) m = m.subarray(0, at);
      else m = Buffer.concat([m.subarray(0, at), Buffer.from(String(R.pick([0, -1, 65536, 2 ** 31, 2 ** 32, 2 ** 63, 1e20]))), m.subarray(at)]);
    }
    add('mutation', m);
  }
  // shuffle, so that kinds interleave
  for (let i = reqs.length - 1; i > 0; i--) { const j = R.int(i + 1); [reqs[i], reqs[j]] = [reqs[j], reqs[i]]; }
  log(`seed ${seed}: ${planned} crafted requests, ${reqs.length - planned} mutations, ${slowClients} slow clients; server ${SAN_BIN}`);

  // ---- sending ----
  const byStatus = {}, byKind = {};
  const fivexx = [];
  let resets = 0, unanswered = 0, crashes = 0, sent = 0;
  const recent = [];
  const record = (req, r) => {
    sent++;
    const k = r.status === null ? (r.reset ? 'reset' : 'none') : String(r.status);
    byStatus[k] = (byStatus[k] || 0) + 1;
    (byKind[req.kind] ||= {})[k] = (byKind[req.kind][k] || 0) + 1;
    if (r.reset) resets++;
    if (r.status === null && !r.reset) unanswered++;
    for (const st of r.statuses) {
      if (st >= 500 && st !== 501 && st !== 505) {
        fivexx.push({ kind: req.kind, status: st });
        if (fivexx.length <= 50) {
          const n = fivexx.length;
          const data = Buffer.isBuffer(req.data) ? req.data : Buffer.concat(req.data.filter((x) => !x.delay).map((x) => Buffer.from(x, 'latin1')));
          fs.writeFileSync(path.join(dir, '5xx', `${n}.request`), data);
          fs.writeFileSync(path.join(dir, '5xx', `${n}.response`), r.text.slice(0, 4000));
        }
      }
    }
  };
  const checkAlive = async () => {
    if (S.alive) return;
    crashes++;
    const ex = await S.exited;
    const n = crashes;
    log(`CRASH ${n}: the server exited (${ex.code ?? ex.signal}); the last requests are in crash-${n}/`);
    fs.mkdirSync(path.join(dir, `crash-${n}`));
    recent.slice(-64).forEach((q, i) => fs.writeFileSync(path.join(dir, `crash-${n}`, `${i}.request`), Buffer.isBuffer(q.data) ? q.data : JSON.stringify(q.data)));
    S = await start();
  };

  // slow clients alongside: heads and bodies a byte at a time, and silent connections
  const slowHead = GET(`/api/v1/cases/${caseId}`, auth);
  const slowPost = rawRequest('POST', '/api/v1/login', { body: loginBody }).toString('latin1');
  const slow = [];
  for (let i = 0; i < slowClients; i++) {
    const kind = i % 3;
    const text = kind === 0 ? slowHead : slowPost;
    const pieces = kind === 2 ? [{ delay: 12000 }] : [...text].flatMap((ch) => [ch, { delay: 150 }]);
    slow.push(sleep(i * 50).then(() => rawExchange(S.port, pieces, { idle: 20000, total: 25000 }))
      .then((r) => record({ kind: 'slow', data: Buffer.from(text, 'latin1') }, r)));
  }

  const CONC = 24;
  let next = 0;
  const t0 = Date.now();
  const worker = async () => {
    while (next < reqs.length) {
      const req = reqs[next++];
      recent.push(req);
      if (recent.length > 256) recent.splice(0, 128);
      const r = await rawExchange(S.port, req.data, { idle: 1500, total: 10000, end: true });
      record(req, r);
      if (!S.alive) await checkAlive();
      if (sent % 2000 === 0) log(`${sent} sent, ${Math.round((Date.now() - t0) / 1000)} s`);
    }
  };
  await Promise.all(Array.from({ length: CONC }, worker));
  await Promise.all(slow);
  await checkAlive();
  // the server still serves
  const h = await S.call('GET', `/api/v1/cases/${caseId}`, { token: tok.supervisor }).catch((e) => ({ status: String(e) }));
  const stop = await S.stop();
  if (stop.signal || stop.code !== 0) { crashes++; log(`the server did not stop cleanly: ${JSON.stringify(stop)}`); }
  await sleep(200);
  const reports = fs.readdirSync(san).filter((f) => fs.statSync(path.join(san, f)).size > 0);
  const serveErr = fs.existsSync(serveLog) ? fs.readFileSync(serveLog, 'utf8') : '';
  const inLog = (serveErr.match(/runtime error|AddressSanitizer|LeakSanitizer/g) || []).length;
  for (const f of reports) log(`sanitizer report ${f}:\n${fs.readFileSync(path.join(san, f), 'utf8').split('\n').slice(0, 30).join('\n')}`);
  fs.writeFileSync(path.join(dir, 'by-kind.json'), JSON.stringify(byKind, null, 1));
  const statusLine = Object.entries(byStatus).sort().map(([k, v]) => `${k}:${v}`).join(' ');
  log(`by status: ${statusLine}`);
  log(`by kind: ${JSON.stringify(byKind)}`);
  const pass = fivexx.length === 0 && crashes === 0 && reports.length + inLog === 0 && h.status === 200 && sent >= target;
  const fiveKinds = [...new Set(fivexx.map((x) => `${x.status} ${x.kind}`))].join(', ');
  const figure = `${sent} requests in ${Math.round((Date.now() - t0) / 1000)} s; by status ${statusLine}; `
    + `5xx (not 501/505): ${fivexx.length}${fivexx.length ? ` (${fiveKinds})` : ''}; resets ${resets}; unanswered ${unanswered}; `
    + `crashes ${crashes}; sanitizer reports ${reports.length + inLog}; served after: ${h.status}`;
  return [row('b', 'storm', 'malformed and hostile requests on raw sockets against build/tamin-san', figure, pass)];
}
