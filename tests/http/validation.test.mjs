// Bad input never crashes the server and always gets a 4xx JSON error naming the field.
// Persian-first input (Persian/Arabic digits, Arabic ي/ك) is normalised.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startDemo, assertError, assertNoSecrets, caseBody, cleanupTemp,
  freshNationalId, toPersianDigits, toArabicDigits,
} from './harness.mjs';

let S, citizens, agent, sp, caseId;

before(async () => {
  const d = await startDemo();
  S = d.server;
  citizens = d.citizens;
  agent = await S.login('agent1');
  sp = await S.login('sp_pensions');
  const c = await S.call('POST', '/api/v1/cases', { token: agent.token, body: caseBody(citizens[0]) });
  assert.equal(c.status, 201, c.text);
  caseId = c.json.id;
});

after(async () => {
  if (S) {
    // still alive after everything it was fed
    const h = await S.call('GET', '/healthz');
    assert.equal(h.status, 200);
    assertNoSecrets(S);
    await S.stop();
  }
  cleanupTemp();
});

const create = (body, opts = {}) => S.call('POST', '/api/v1/cases', { token: agent.token, body, ...opts });

test('invalid national ids → 400 invalid_national_id naming national_id', async () => {
  const good = citizens[0];
  const badCheck = good.slice(0, 9) + String((Number(good[9]) + 1) % 10);
  for (const nid of [badCheck, good.slice(0, 9), '12345678901', 'abcdefghij', '12345x7890', '1111111111', '0000000000', '', ' ', '۱۲۳']) {
    const r = await create(caseBody(nid));
    if (nid.trim() === '') assertError(r, 400, undefined, 'national_id');
    else assertError(r, 400, 'invalid_national_id', 'national_id');
  }
  assertError(await create(caseBody(1234567890)), 400, 'invalid_field', 'national_id');
  const { national_id: _, ...noNid } = caseBody(good);
  assertError(await create(noNid), 400, 'missing_field', 'national_id');
  // the caller card checks the id too
  assertError(await S.call('GET', `/api/v1/people/${badCheck}`, { token: agent.token }), 400, 'invalid_national_id', 'national_id');
  assertError(await S.call('GET', '/api/v1/people/abc', { token: agent.token }), 400, 'invalid_national_id', 'national_id');
  assertError(await S.call('GET', `/api/v1/people/${freshNationalId()}`, { token: agent.token }), 404, 'not_found', 'national_id');
});

test('Persian and Arabic-Indic digits in a national id are accepted', async () => {
  const nid = citizens[1];
  for (const form of [toPersianDigits(nid), toArabicDigits(nid), ` ${nid} `, `\u200e${toPersianDigits(nid)}\u200f`]) {
    const r = await create(caseBody(form));
    assert.equal(r.status, 201, `${JSON.stringify(form)}: ${r.text}`);
    assert.equal(r.json.national_id, nid);
    assert.equal(r.json.person.national_id, nid);
  }
  // in the query string
  const q = await S.call('GET', `/api/v1/cases?national_id=${encodeURIComponent(toPersianDigits(nid))}`, { token: agent.token });
  assert.equal(q.status, 200, q.text);
  assert.ok(q.json.items.length > 0 && q.json.items.every((i) => i.national_id === nid));
});

test('GET /people/{national_id} accepts Persian digits in the path', async () => {
  const nid = citizens[1];
  const r = await S.call('GET', `/api/v1/people/${encodeURIComponent(toPersianDigits(nid))}`, { token: agent.token });
  assert.equal(r.status, 200, `GET /people/<Persian digits>: ${r.status} ${r.text}`);
  assert.equal(r.json.national_id, nid);
});

test('unknown topic / channel / priority → 400 naming the field', async () => {
  const nid = citizens[0];
  assertError(await create(caseBody(nid, { topic: 'no_such_topic' })), 400, 'unknown_topic', 'topic');
  assertError(await create(caseBody(nid, { channel: 'pigeon' })), 400, 'unknown_channel', 'channel');
  assertError(await create(caseBody(nid, { priority: 'asap' })), 400, undefined, 'priority');
  assertError(await create(caseBody(nid, { topic: 42 })), 400, 'invalid_field', 'topic');
  const { topic: _t, ...noTopic } = caseBody(nid);
  assertError(await create(noTopic), 400, 'missing_field', 'topic');
  const { channel: _c, ...noChannel } = caseBody(nid);
  assertError(await create(noChannel), 400, 'missing_field', 'channel');
});

test('subject: missing, empty, blank, wrong type, too long → 400 naming subject', async () => {
  const nid = citizens[0];
  const { subject: _, ...noSubject } = caseBody(nid);
  assertError(await create(noSubject), 400, 'missing_field', 'subject');
  assertError(await create(caseBody(nid, { subject: null })), 400, 'missing_field', 'subject');
  assertError(await create(caseBody(nid, { subject: '' })), 400, 'missing_field', 'subject');
  assertError(await create(caseBody(nid, { subject: ' \u200c\t ' })), 400, 'missing_field', 'subject');
  assertError(await create(caseBody(nid, { subject: 12345 })), 400, 'invalid_field', 'subject');
  assertError(await create(caseBody(nid, { subject: ['a'] })), 400, 'invalid_field', 'subject');
  assertError(await create(caseBody(nid, { subject: { a: 1 } })), 400, 'invalid_field', 'subject');
  assertError(await create(caseBody(nid, { subject: true })), 400, 'invalid_field', 'subject');
  assertError(await create(caseBody(nid, { subject: 'س'.repeat(201) })), 400, 'field_too_long', 'subject');
  const ok = await create(caseBody(nid, { subject: 'س'.repeat(200) }));
  assert.equal(ok.status, 201, '200 Persian characters is within the limit (characters, not bytes)');
  assertError(await create(caseBody(nid, { description: 'x'.repeat(4001) })), 400, 'field_too_long', 'description');
});

test('unknown extra field → 400 naming it', async () => {
  const r = await create(caseBody(citizens[0], { status: 'closed' }));
  assertError(r, 400, 'unknown_field', 'status');
  assertError(await S.call('POST', `/api/v1/cases/${caseId}/events`, { token: agent.token, body: { type: 'note', text: 'x', actor: 'admin' } }),
    400, 'unknown_field', 'actor');
});

test('not JSON, a JSON array, duplicate keys, bad UTF-8, deep nesting → 400 invalid_json', async () => {
  const bodies = [
    'this is not json',
    '{"national_id": ',
    '',
    '[]',
    JSON.stringify([caseBody(citizens[0])]),
    '"a string"',
    '42',
    'null',
    '{"subject":"a","subject":"b"}',
    '['.repeat(5000) + ']'.repeat(5000),
    '{"a":'.repeat(3000) + '1' + '}'.repeat(3000),
  ];
  for (const b of bodies) {
    const r = await create(b);
    assertError(r, 400, 'invalid_json', 'body');
  }
  const badUtf8 = Buffer.concat([Buffer.from('{"national_id":"' + citizens[0] + '","channel":"phone","topic":"pension_not_paid","subject":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]);
  assertError(await create(badUtf8), 400, 'invalid_json', 'body');
  // and for login and events too
  assertError(await S.call('POST', '/api/v1/login', { body: '{' }), 400, 'invalid_json', 'body');
  assertError(await S.call('POST', '/api/v1/login', { body: '[1]' }), 400, 'invalid_json', 'body');
  assertError(await S.call('POST', `/api/v1/cases/${caseId}/events`, { token: agent.token, body: 'nope' }), 400, 'invalid_json', 'body');
});

test('a body over 64 KiB → 413', async () => {
  const big = JSON.stringify(caseBody(citizens[0], { description: 'x'.repeat(70 * 1024) }));
  const r = await create(big);
  assertError(r, 413, 'body_too_large', 'body');
  // exactly at the limit is not refused for its size
  const pad = 64 * 1024 - Buffer.byteLength(JSON.stringify(caseBody(citizens[0], { description: '' })));
  const exact = JSON.stringify(caseBody(citizens[0], { description: 'x'.repeat(pad) }));
  assert.equal(Buffer.byteLength(exact), 64 * 1024);
  const at = await create(exact);
  assert.notEqual(at.status, 413, 'a body of exactly 64 KiB is allowed');
  assertError(at, 400, 'field_too_long', 'description');
});

test('the provinces: all 31, with Persian names, for the caller card', async () => {
  const r = await S.call('GET', '/api/v1/provinces', { token: agent.token });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.items.length, 31);
  const tehran = r.json.items.find((p) => p.name_en === 'Tehran');
  assert.ok(tehran, r.text);
  assert.equal(tehran.name, 'تهران');
  assert.match(tehran.code, /^\d+$/);
});

test('no token / bad token → 401', async () => {
  const paths = [['GET', '/api/v1/cases'], ['GET', `/api/v1/cases/${caseId}`], ['POST', '/api/v1/cases'], ['GET', '/api/v1/topics'], ['GET', '/api/v1/provinces'], ['GET', '/api/v1/me']];
  for (const [m, p] of paths) {
    assertError(await S.call(m, p, { body: m === 'POST' ? caseBody(citizens[0]) : undefined }), 401, 'unauthenticated');
    assertError(await S.call(m, p, { token: 'x'.repeat(64) }), 401, 'unauthenticated');
    assertError(await S.call(m, p, { token: 'short' }), 401, 'unauthenticated');
    assertError(await S.call(m, p, { token: agent.token.slice(0, 63) + (agent.token[63] === 'a' ? 'b' : 'a') }), 401, 'unauthenticated');
    assertError(await S.call(m, p, { headers: { authorization: `Basic ${agent.token}` } }), 401, 'unauthenticated');
    assertError(await S.call(m, p, { headers: { cookie: 'tamin_session=' + 'f'.repeat(64) } }), 401, 'unauthenticated');
  }
});

test('events: invalid type, missing type, bad method/on, unknown or malformed case id', async () => {
  const e = (id, body) => S.call('POST', `/api/v1/cases/${id}/events`, { token: agent.token, body });
  assertError(await e(caseId, { type: 'explode' }), 400, 'invalid_event_type', 'type');
  assertError(await e(caseId, {}), 400, 'missing_field', 'type');
  assertError(await e(caseId, { type: 7 }), 400, 'invalid_field', 'type');
  assertError(await e(caseId, { type: 'note' }), 400, 'missing_field', 'text');
  assertError(await e(caseId, { type: 'report_back', method: 'telepathy' }), 400, 'invalid_field', 'method');
  assertError(await S.call('POST', `/api/v1/cases/${caseId}/events`, { token: sp.token, body: { type: 'wait', text: 'x', on: 'moon' } }), 400, 'invalid_field', 'on');
  assertError(await e(caseId, { type: 'assign' }), 400, 'missing_field', 'assignee');
  assertError(await e(caseId, { type: 'assign', department: 'nope' }), 400, 'unknown_department', 'department');
  assertError(await e(caseId, { type: 'assign', assignee: 'agent2' }), 400, 'unknown_assignee', 'assignee');
  // an id no case has gets the refusal another's case gets, for whoever may not read every
  // case (issue 11, defect 5); an id that cannot be one is a 404 whoever asks
  assertError(await e(99999999, { type: 'note', text: 'x' }), 403, 'forbidden', 'id');
  for (const bad of ['abc', '0', '-1', '1.5', '12abc', '%00', '1%20']) {
    assertError(await S.call('GET', `/api/v1/cases/${bad}`, { token: agent.token }), 404, 'not_found');
    assertError(await e(bad, { type: 'note', text: 'x' }), 404, 'not_found');
  }
  assertError(await S.call('GET', '/api/v1/cases/99999999', { token: agent.token }), 403, 'forbidden', 'id');
  const sup = await S.login('supervisor'); // of every department: may read any case
  assertError(await S.call('GET', '/api/v1/cases/99999999', { token: sup.token }), 404, 'not_found', 'id');
  // digits past int64, or a sign, are no id at all (strtoll read the first as the largest
  // id and took the second): a 404 whoever asks, as for "abc"
  for (const big of ['99999999999999999999999', '9223372036854775808', '+5', '%2B5']) {
    assertError(await S.call('GET', `/api/v1/cases/${big}`, { token: agent.token }), 404, 'not_found');
    assertError(await S.call('GET', `/api/v1/cases/${big}`, { token: sup.token }), 404, 'not_found');
  }
  assertError(await S.call('GET', `/api/v1/cases/${'9'.repeat(65)}`, { token: agent.token }), 404, 'not_found');
  assertError(await S.call('GET', '/api/v1/nope', { token: agent.token }), 404, 'not_found');
  assertError(await S.call('DELETE', `/api/v1/cases/${caseId}`, { token: agent.token }), 405, 'method_not_allowed');
  // the note did work on the real case
  const n = await e(caseId, { type: 'note', text: 'یادداشت' });
  assert.equal(n.status, 201, n.text);
});

test('invalid list query: limit, cursor, status, overdue, department, topic, channel, dates → 400 naming it', async () => {
  const l = (q) => S.call('GET', `/api/v1/cases?${q}`, { token: sp.token });
  for (const v of ['0', '201', '-1', 'abc', '10x', '']) assertError(await l(`limit=${v}`), 400, 'invalid_field', 'limit');
  for (const v of ['0', '-5', 'abc', '']) assertError(await l(`cursor=${v}`), 400, 'invalid_field', 'cursor');
  for (const v of ['open', 'CLOSED', '', 'closed;drop']) assertError(await l(`status=${encodeURIComponent(v)}`), 400, 'invalid_field', 'status');
  assertError(await l('overdue=yes'), 400, 'invalid_field', 'overdue');
  assertError(await l('department=nope'), 400, 'unknown_department', 'department');
  assertError(await l('topic=nope'), 400, 'unknown_topic', 'topic');
  assertError(await l('channel=nope'), 400, 'unknown_channel', 'channel');
  assertError(await l('from=yesterday'), 400, 'invalid_field', 'from');
  assertError(await l('to=2026-13-01'), 400, 'invalid_field', 'to');
  assertError(await l('from=1405/13/01'), 400, 'invalid_field', 'from');
  assertError(await l('national_id=123'), 400, 'invalid_national_id', 'national_id');
  assertError(await l('mobile=123'), 400, 'invalid_mobile', 'mobile');
  assertError(await l(`q=${encodeURIComponent('   ')}`), 400, 'invalid_field', 'q');
  assertError(await l(`q=${'a'.repeat(201)}`), 400, 'invalid_field', 'q');
  // FTS syntax is not an injection vector
  for (const q of ['"', 'NEAR(', 'a OR', '*', 'subject:x', "'; DROP TABLE cases; --"]) {
    const r = await l(`q=${encodeURIComponent(q)}`);
    assert.ok(r.status === 200 || r.status === 400, `q=${q}: ${r.status} ${r.text}`);
    if (r.status === 400) assertError(r, 400, 'invalid_field', 'q');
  }
  const ok = await l('limit=200&status=new&overdue=0');
  assert.equal(ok.status, 200, ok.text);
});

test('Arabic ي / ك in the subject are kept as typed, and found by their Persian forms', async () => {
  // issue 12: people's words are stored and shown as typed; keys and search are normalised
  const r = await create(caseBody(citizens[0], { subject: 'مشكل واريز مستمري', description: 'كارت بانكي  تغيير\u0640كرده' }));
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.subject, 'مشكل واريز مستمري');
  assert.equal(r.json.description, 'كارت بانكي  تغيير\u0640كرده');
  const g = await S.call('GET', `/api/v1/cases/${r.json.id}`, { token: agent.token });
  assert.equal(g.json.subject, 'مشكل واريز مستمري');
  assert.equal(g.json.events[0].text, 'مشكل واريز مستمري', 'the create event keeps the subject as typed');
  const f = await S.call('GET', `/api/v1/cases?q=${encodeURIComponent('کارت بانکی')}`, { token: agent.token });
  assert.equal(f.status, 200, f.text);
  assert.ok(f.json.items.some((i) => i.id === r.json.id), 'the Persian letters find the Arabic ones');
});

test('mobile in any form is normalised to 09XXXXXXXXX; an invalid one → 400 naming mobile', async () => {
  const forms = ['09121234567', '+98 912 123 4567', '+989121234567', '00989121234567', '9121234567',
    '989121234567', '0912-123-4567', '(0912) 123 4567', '۰۹۱۲۱۲۳۴۵۶۷', '٠٩١٢١٢٣٤٥٦٧', '+۹۸ ۹۱۲ ۱۲۳ ۴۵۶۷'];
  for (const m of forms) {
    const r = await create(caseBody(citizens[0], { mobile: m }));
    assert.equal(r.status, 201, `${m}: ${r.text}`);
    assert.equal(r.json.mobile, '09121234567', `mobile ${m}`);
  }
  for (const m of ['12345', '02112345678', '0912123456', '091212345678', '+1 912 123 4567', 'phone', '0912abc4567', '++989121234567', '98912123456']) {
    assertError(await create(caseBody(citizens[0], { mobile: m })), 400, 'invalid_mobile', 'mobile');
  }
  assertError(await create(caseBody(citizens[0], { mobile: 9121234567 })), 400, 'invalid_field', 'mobile');
});

test('login input validation', async () => {
  assertError(await S.call('POST', '/api/v1/login', { body: {} }), 400, 'missing_field', 'login');
  assertError(await S.call('POST', '/api/v1/login', { body: { login: 'agent1' } }), 400, 'missing_field', 'password');
  assertError(await S.call('POST', '/api/v1/login', { body: { login: 5, password: 'x' } }), 400, 'invalid_field', 'login');
  assertError(await S.call('POST', '/api/v1/login', { body: { login: 'a'.repeat(65), password: 'x' } }), 400, 'invalid_field', 'login');
  assertError(await S.call('POST', '/api/v1/login', { body: { login: 'agent1', password: 'x'.repeat(257) } }), 400, 'invalid_field', 'password');
  // logins are case-insensitive, a citizen may type their id in Persian digits
  const up = await S.login('AGENT1');
  assert.equal(up.login, 'agent1');
  const cit = await S.login(toPersianDigits(citizens[0]));
  assert.equal(cit.role, 'citizen');
});

test('/ says where the API is; an unknown path is a JSON 404', async () => {
  const root = await S.call('GET', '/');
  assert.equal(root.status, 200);
  assert.equal(root.json.api, '/api/v1');
  const r = await S.call('GET', '/api/v1/nothing-here');
  assert.equal(r.status, 404);
  assert.equal(r.json.error.code, 'not_found');
  assert.match(r.headers['content-type'] ?? r.headers.get?.('content-type') ?? '', /application\/json/);
});

test('every reply, success or error, carries one Date header in the form of RFC 9110', async () => {
  const form = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;
  const replies = [
    await S.call('GET', '/healthz'),
    await S.call('GET', `/api/v1/cases/${caseId}`, { token: agent.token }),
    await S.call('GET', '/api/v1/cases/999999999', { token: agent.token }),
    await S.call('GET', '/api/v1/nothing-here'),
  ];
  for (const r of replies) {
    const date = r.headers.get('date');
    assert.match(date, form, `one Date header (a second one would be joined to it): ${date}`);
    assert.ok(Math.abs(Date.parse(date) - Date.now()) < 5000, `the date is now: ${date}`);
  }
});
