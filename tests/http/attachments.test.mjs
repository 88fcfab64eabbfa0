// Attachments (src/attachments/): a case's files, PDF, JPEG or PNG by their bytes, 10 MiB
// each, stored by SHA-256 beside the database; served to those who may read the case.
// Every refusal stores nothing: no row, no file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { startDemo, cleanupTemp, caseBody, assertError, PASSWORD, sql as sqlOn, attachmentsDir, stateDir } from './harness.mjs';

const MiB = 1 << 20;
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const pdf = (n = 64) => Buffer.concat([Buffer.from('%PDF-1.7\n'), crypto.randomBytes(n)]);
const png = (n = 64) => Buffer.concat([PNG, crypto.randomBytes(n)]);

let D, S, sql, dir;
let agent, specialist, stranger, citizenA, citizenB;
let caseA; // citizen A's case, opened by agent1, the pensions department's

const form = (bytes, name) => {
  const f = new FormData();
  f.append('file', new Blob([bytes]), name);
  return f;
};
const upload = (tok, id, body, headers = {}) => S.call('POST', `/api/v1/cases/${id}/attachments`, { token: tok, body, headers });
/** A multipart body written out byte by byte: parts [{headers: [..], data}], closed or not. */
function raw(parts, { boundary = 'b0undary', close = true } = {}) {
  const chunks = [];
  for (const p of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n${p.headers.join('\r\n')}\r\n\r\n`, 'utf8'));
    chunks.push(Buffer.from(p.data));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(close ? `--${boundary}--\r\n` : ''));
  return { body: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
const filePart = (name, data, extra = []) => ({
  headers: [`Content-Disposition: form-data; name="file"; ${name}`, ...extra], data,
});

/** What is stored: the rows and the files under the attachment folder. */
function stored() {
  const rows = Number(sql('SELECT count(*) FROM attachments'));
  const files = [];
  const walk = (d, rel) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name), `${rel}${e.name}/`);
      else files.push(`${rel}${e.name}`);
    }
  };
  if (fs.existsSync(dir)) walk(dir, '');
  return { rows, files: files.sort() };
}
async function refusedStoresNothing(fn) {
  const before_ = stored();
  await fn();
  assert.deepEqual(stored(), before_, 'a refused upload stored something');
}

before(async () => {
  D = await startDemo({ people: 40, cases: 10, args: ['--rate-limit', '0'] });
  S = D.server;
  sql = (q) => sqlOn(D.db, q);
  dir = attachmentsDir(D.db);
  agent = (await S.login('agent1')).token;
  specialist = (await S.login('sp_pensions')).token;
  stranger = (await S.login('sp_records')).token;
  citizenA = (await S.login(D.citizens[0], PASSWORD)).token;
  citizenB = (await S.login(D.citizens[1], PASSWORD)).token;
  const c = await S.call('POST', '/api/v1/cases', { token: agent, body: caseBody(D.citizens[0]) });
  assert.equal(c.status, 201, c.text);
  caseA = c.json;
});

after(async () => {
  if (S) await S.stop();
  cleanupTemp();
});

test('a PNG named .pdf is stored as a PNG; the download is the upload, byte for byte', async () => {
  const bytes = png(10 * MiB - PNG.length); // exactly 10 MiB: the most a file may be
  const sha = crypto.createHash('sha256').update(bytes).digest('hex');
  const r = await upload(agent, caseA.id, form(bytes, 'scan.pdf'));
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.type, 'image/png');
  assert.equal(r.json.name, 'scan.pdf');
  assert.equal(r.json.size, 10 * MiB);
  assert.equal(r.json.sha256, sha);
  // on disk: ab/cdef..., the same bytes, no temporary file left
  const file = path.join(dir, sha.slice(0, 2), sha.slice(2));
  assert.ok(fs.readFileSync(file).equals(bytes));
  assert.deepEqual(stored().files.filter((f) => /upload/.test(f)), []);
  const list = await S.call('GET', `/api/v1/cases/${caseA.id}/attachments`, { token: specialist });
  assert.equal(list.status, 200, list.text);
  assert.deepEqual(list.json.items.map((i) => [i.id, i.name, i.type, i.size]), [[r.json.id, 'scan.pdf', 'image/png', 10 * MiB]]);
  const g = await S.call('GET', `/api/v1/cases/${caseA.id}/attachments/${r.json.id}`, { token: citizenA });
  assert.equal(g.status, 200);
  assert.ok(g.bytes.equals(bytes), 'the download differs from the upload');
  assert.equal(g.headers.get('content-type'), 'image/png');
  assert.equal(g.headers.get('content-disposition'), "attachment; filename=\"scan.pdf\"; filename*=UTF-8''scan.pdf");
  assert.equal(g.headers.get('x-content-type-options'), 'nosniff');
  // the timeline says so, to staff and to the citizen
  for (const tok of [specialist, citizenA]) {
    const cs = await S.call('GET', `/api/v1/cases/${caseA.id}`, { token: tok });
    const ev = cs.json.events.find((e) => e.type === 'attachment');
    assert.ok(ev, `no attachment event: ${JSON.stringify(cs.json.events.map((e) => e.type))}`);
    assert.deepEqual(ev.data, { attachment_id: r.json.id, name: 'scan.pdf' });
  }
  // the same bytes again: a second row, one file
  const again = await upload(specialist, caseA.id, form(bytes, 'again.png'));
  assert.equal(again.status, 201, again.text);
  assert.equal(stored().files.filter((f) => f === `${sha.slice(0, 2)}/${sha.slice(2)}`).length, 1);
});

test('a JPEG and a PDF are taken by their bytes; a text file named .pdf is 415 naming file', async () => {
  const jpg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), crypto.randomBytes(100)]);
  for (const [bytes, type] of [[jpg, 'image/jpeg'], [pdf(), 'application/pdf']]) {
    const r = await upload(citizenA, caseA.id, form(bytes, 'x.bin'));
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.type, type);
  }
  await refusedStoresNothing(async () => {
    for (const [bytes, name] of [[Buffer.from('just some text\n'), 'letter.pdf'], [Buffer.from('GIF89a......'), 'a.png'],
      [Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'a.jpg'], [Buffer.from('%PD'), 'short.pdf']]) {
      assertError(await upload(agent, caseA.id, form(bytes, name)), 415, 'unsupported_media_type', 'file');
    }
    // the declared type does not matter either
    const f = new FormData();
    f.append('file', new Blob([Buffer.from('MZ\x90\x00 not a pdf')], { type: 'application/pdf' }), 'a.pdf');
    assertError(await upload(agent, caseA.id, f), 415, 'unsupported_media_type', 'file');
  });
});

test('over 10 MiB: 413 naming file, whether the handler or the route refuses it', async () => {
  await refusedStoresNothing(async () => {
    assertError(await upload(agent, caseA.id, form(pdf(10 * MiB), 'big.pdf')), 413, undefined, 'file');
    // over the route's limit: refused from the head alone, the body never read (a client
    // that sends it anyway has its connection closed under it: the head alone is sent)
    const head = await new Promise((resolve, reject) => {
      const sock = net.connect(S.port, '127.0.0.1', () => sock.write(
        `POST /api/v1/cases/${caseA.id}/attachments HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer ${agent}\r\n` +
        `Content-Type: multipart/form-data; boundary=x\r\nContent-Length: ${12 * MiB}\r\n\r\n`));
      let got = '';
      sock.on('data', (d) => { got += d; });
      sock.on('end', () => resolve(got));
      sock.on('error', reject);
    });
    const [status, body] = [Number(head.split(' ')[1]), JSON.parse(head.slice(head.indexOf('\r\n\r\n') + 4))];
    assert.equal(status, 413, head);
    assert.deepEqual([body.error.code, body.error.field], ['body_too_large', 'file']);
  });
});

test('malformed bodies: 400 naming the field, nothing stored', async () => {
  const data = pdf(2000);
  await refusedStoresNothing(async () => {
    // truncated: the closing boundary is missing, or the body ends inside the file
    let m = raw([filePart('filename="a.pdf"', data)], { close: false });
    assertError(await upload(agent, caseA.id, m.body, m.headers), 400, 'invalid_multipart', 'file');
    m = raw([filePart('filename="a.pdf"', data)]);
    assertError(await upload(agent, caseA.id, m.body.subarray(0, 900), m.headers), 400, 'invalid_multipart', 'file');
    // no file part; another part; two files
    m = raw([{ headers: ['Content-Disposition: form-data; name="note"'], data: 'hi' }]);
    assertError(await upload(agent, caseA.id, m.body, m.headers), 400, 'unknown_field', 'note');
    m = raw([filePart('filename="a.pdf"', data), filePart('filename="b.pdf"', data)]);
    assertError(await upload(agent, caseA.id, m.body, m.headers), 400, 'invalid_field', 'file');
    m = raw([]);
    assertError(await upload(agent, caseA.id, m.body, m.headers), 400, 'invalid_multipart', 'body');
    // an empty file
    m = raw([filePart('filename="a.pdf"', Buffer.alloc(0))]);
    assertError(await upload(agent, caseA.id, m.body, m.headers), 400, 'invalid_field', 'file');
    // the boundary: absent, or not the body's; not multipart at all
    m = raw([filePart('filename="a.pdf"', data)]);
    assertError(await upload(agent, caseA.id, m.body, { 'content-type': 'multipart/form-data' }), 400, 'invalid_multipart', 'Content-Type');
    assertError(await upload(agent, caseA.id, m.body, { 'content-type': 'multipart/form-data; boundary=other' }), 400, 'invalid_multipart', 'body');
    assertError(await upload(agent, caseA.id, { file: 'x' }), 415, 'unsupported_media_type', 'Content-Type');
    assertError(await upload(agent, caseA.id, undefined), 415, 'unsupported_media_type', 'Content-Type');
    // a name that is not UTF-8
    m = raw([filePart('filename="@@.pdf"', data)]);
    const at = m.body.indexOf('@@');
    m.body[at] = 0xff;
    m.body[at + 1] = 0xfe;
    assertError(await upload(agent, caseA.id, m.body, m.headers), 400, 'invalid_field', 'file');
  });
});

test('hostile names are kept as names only: no path, no control or bidi characters', async () => {
  const names = [
    ['filename="../../etc/passwd"', 'passwd'],
    ['filename="..\\\\..\\\\windows\\\\win.ini"', 'win.ini'],
    ["filename*=UTF-8''evil%00name%0D%0A.pdf", 'evilname.pdf'],
    ["filename*=UTF-8''%E2%80%AEfdp.exe", 'fdp.exe'],
    ['filename=".."', 'file.pdf'],
    ["filename*=UTF-8''%D9%86%D8%A7%D9%85%D9%87.pdf", 'نامه.pdf'],
    [`filename="${'ب'.repeat(200)}.pdf"`, 'ب'.repeat(127)],
  ];
  for (const [param, want] of names) {
    const m = raw([filePart(param, pdf())]);
    const r = await upload(agent, caseA.id, m.body, m.headers);
    assert.equal(r.status, 201, `${param}: ${r.text}`);
    assert.equal(r.json.name, want, param);
    assert.ok(Buffer.byteLength(r.json.name) <= 255);
  }
  // every file is ab/cdef..., inside the folder; nothing else was written
  for (const f of stored().files) assert.match(f, /^[0-9a-f]{2}\/[0-9a-f]{62}$/);
  assert.equal(fs.existsSync(path.join(stateDir(D.db), 'etc')), false);
  // the download names it safely: an ASCII fallback and the name itself, encoded
  const list = await S.call('GET', `/api/v1/cases/${caseA.id}/attachments`, { token: agent });
  const fa = list.json.items.find((i) => i.name === 'نامه.pdf');
  const g = await S.call('GET', `/api/v1/cases/${caseA.id}/attachments/${fa.id}`, { token: agent });
  assert.equal(g.headers.get('content-disposition'),
    `attachment; filename="____.pdf"; filename*=UTF-8''${encodeURIComponent('نامه')}.pdf`);
});

test('another citizen and an unrelated specialist get 403, each refusal audited', async () => {
  const first = (await S.call('GET', `/api/v1/cases/${caseA.id}/attachments`, { token: agent })).json.items[0];
  const mark = (await S.call('GET', '/api/v1/audit?limit=1', { token: (await S.login('auditor')).token })).json.items[0]?.id ?? 0;
  await refusedStoresNothing(async () => {
    for (const tok of [citizenB, stranger]) {
      assertError(await upload(tok, caseA.id, form(pdf(), 'x.pdf')), 403, 'forbidden', 'id');
      assertError(await S.call('GET', `/api/v1/cases/${caseA.id}/attachments`, { token: tok }), 403, 'forbidden', 'id');
      const g = await S.call('GET', `/api/v1/cases/${caseA.id}/attachments/${first.id}`, { token: tok });
      assertError(g, 403, 'forbidden', 'id');
      assert.ok(!g.bytes.includes(PNG), 'a refusal carried the file');
    }
  });
  // the refusals are in the audit log, naming the case
  const auditor = (await S.login('auditor')).token;
  for (const login of [D.citizens[1], 'sp_records']) {
    const r = await S.call('GET', `/api/v1/audit?user=${login}&limit=50`, { token: auditor });
    assert.equal(r.status, 200, r.text);
    const denied = r.json.items.filter((i) => i.id > mark && i.outcome === 'denied');
    assert.deepEqual(denied.map((i) => i.action).sort(), ['attachment_add', 'attachment_list', 'attachment_read'], login);
    for (const i of denied) assert.equal(i.case_number, caseA.number);
  }
  // a staff member's download is audited as a read of the person's data
  const g = await S.call('GET', `/api/v1/cases/${caseA.id}/attachments/${first.id}`, { token: specialist });
  assert.equal(g.status, 200);
  const r = await S.call('GET', '/api/v1/audit?user=sp_pensions&limit=20', { token: auditor });
  assert.ok(r.json.items.some((i) => i.action === 'attachment_read' && i.outcome === 'allowed' && i.case_number === caseA.number),
    JSON.stringify(r.json.items.slice(0, 3)));
  // an attachment of another case is not found through this one
  const other = await S.call('POST', '/api/v1/cases', { token: agent, body: caseBody(D.citizens[0]) });
  assertError(await S.call('GET', `/api/v1/cases/${other.json.id}/attachments/${first.id}`, { token: agent }), 404, 'not_found', 'aid');
  assertError(await S.call('GET', `/api/v1/cases/${caseA.id}/attachments/abc`, { token: agent }), 404, 'not_found', 'aid');
});

test('the citizen\'s file resumes a case that waits on them; staff\'s does not', async () => {
  const c = (await S.call('POST', '/api/v1/cases', { token: agent, body: caseBody(D.citizens[0]) })).json;
  const ev = (tok, body) => S.call('POST', `/api/v1/cases/${c.id}/events`, { token: tok, body });
  assert.equal((await ev(specialist, { type: 'start' })).status, 201);
  const w = await ev(specialist, { type: 'wait', on: 'citizen', text: 'لطفاً تصویر حکم بازنشستگی را بفرستید' });
  assert.equal(w.json.status, 'waiting', w.text);
  const staff = await upload(specialist, c.id, form(pdf(), 'form.pdf'));
  assert.equal(staff.status, 201, staff.text);
  assert.equal(staff.json.resumed, false);
  let now = await S.call('GET', `/api/v1/cases/${c.id}`, { token: citizenA });
  assert.equal(now.json.status, 'waiting');
  const r = await upload(citizenA, c.id, form(png(), 'حکم.png'));
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.resumed, true);
  now = await S.call('GET', `/api/v1/cases/${c.id}`, { token: specialist });
  assert.equal(now.json.status, 'in_progress');
  const types = now.json.events.map((e) => e.type);
  assert.deepEqual(types.slice(-2), ['attachment', 'resume']);
  const resume = now.json.events.at(-1);
  assert.equal(resume.actor, D.citizens[0]);
  // a file on a case that is not waiting changes nothing of its status
  const more = await upload(citizenA, c.id, form(pdf(), 'more.pdf'));
  assert.equal(more.json.resumed, false);
});

test('a file begun while its body arrived: stored whole when the body ends, removed when the client gives up', async () => {
  // a 6 MiB upload whose body comes in three pieces, 150 ms apart: the server writes the
  // file as it comes (attachments_arriving) and the download is still the upload
  const bytes = png(6 * MiB);
  const m = raw([filePart('filename="slow.png"', bytes, ['Content-Type: image/png'])]);
  const sendSlowly = (body, { stopAfter = Infinity, onStop = () => {} } = {}) => new Promise((resolve, reject) => {
    const sock = net.connect(S.port, '127.0.0.1');
    let got = '';
    sock.on('data', (d) => { got += d; });
    sock.on('end', () => resolve(got));
    sock.on('close', () => resolve(got));
    sock.on('error', (e) => (stopAfter < Infinity ? resolve(got) : reject(e)));
    sock.write(`POST /api/v1/cases/${caseA.id}/attachments HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer ${agent}\r\n` +
      `Content-Type: ${m.headers['content-type']}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`);
    const pieces = [0, 2 * MiB, 4 * MiB, body.length];
    let i = 0;
    const next = () => {
      if (i >= stopAfter) { setTimeout(() => { onStop(); sock.destroy(); resolve('abandoned'); }, 150); return; }
      sock.write(body.subarray(pieces[i], pieces[i + 1]));
      i++;
      if (i < 3) setTimeout(next, 150);
    };
    next();
  });
  const reply = await sendSlowly(m.body);
  assert.match(reply, /^HTTP\/1\.1 201/, reply.slice(0, 300));
  const id = JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4)).id;
  const got = await S.call('GET', `/api/v1/cases/${caseA.id}/attachments/${id}`, { token: agent, raw: true });
  assert.equal(got.status, 200);
  assert.ok(Buffer.compare(got.bytes, bytes) === 0, 'the file written as it arrived is the upload, cut to its length');
  assert.ok(!stored().files.some((f) => f.includes('.upload-')), 'no temporary file is left');

  // the client goes away after 4 MiB of 6: the temporary file goes too
  const before_ = stored();
  const other = raw([filePart('filename="gone.png"', png(6 * MiB))]);
  let midway = null;
  await sendSlowly(other.body, { stopAfter: 2, onStop: () => { midway = stored().files; } });
  assert.ok(midway.some((f) => f.includes('.upload-')), 'the file is begun while the body arrives');
  let now = stored();
  for (let t = 0; t < 40 && JSON.stringify(now) !== JSON.stringify(before_); t++) {
    await new Promise((r) => setTimeout(r, 50));
    now = stored();
  }
  assert.deepEqual(now, before_, 'an abandoned upload leaves no file behind');
});
