// Canned answers (src/canned/): a department's supervisor writes its own department's, a
// supervisor of no department or an admin any department's and the organisation's; staff of
// the case desk read them, a specialist their department's and the organisation's only.
// Bodies keep their words as typed and may hold only the known placeholders. Every write is
// audited. And the department's people (GET /api/v1/departments/{code}/people), whom a
// case can be assigned to, and what an assignment's event says about them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startDemo, assertError, assertNoSecrets, caseBody, cleanupTemp, freshNationalId,
} from './harness.mjs';

let S, T = {};

before(async () => {
  const d = await startDemo({
    people: 30, cases: 10,
    users: [
      { login: 'sp_pensions_b', role: 'specialist', department: 'pensions', name: 'زهرا نیک‌نام' },
      { login: 'sp_pensions_gone', role: 'specialist', department: 'pensions', name: 'رفته' },
      { login: 'ag_pensions', role: 'agent', department: 'pensions', name: 'نه کارشناس' },
    ],
  });
  S = d.server;
  for (const l of ['admin', 'supervisor', 'sv_pensions', 'sv_records', 'sp_pensions', 'sp_records', 'agent1', 'desk1', 'auditor'])
    T[l] = (await S.login(l)).token;
  const off = await S.call('POST', '/api/v1/users/sp_pensions_gone/disable', { token: T.admin, body: {} });
  assert.equal(off.status, 200, off.text);
});

after(async () => {
  if (S) {
    assertNoSecrets(S);
    await S.stop();
  }
  cleanupTemp();
});

const as = (login) => ({
  get: (p) => S.call('GET', p, { token: T[login] }),
  post: (p, body) => S.call('POST', p, { token: T[login], body }),
  del: (p) => S.call('DELETE', p, { token: T[login] }),
});
const titles = (r) => r.json.items.map((i) => i.title);

test('a department supervisor writes, edits and deletes its own department\'s answers', async () => {
  const sv = as('sv_pensions');
  const body = 'سلام {name} گرامی، پرونده {number} تا {due} پاسخ می‌گیرد. لطفاً صبور باشید؛ تأخیر را پوزش می‌خواهیم.';
  const c = await sv.post('/api/v1/canned', { title: '  پیگیری مستمری  ', body });
  assert.equal(c.status, 201, c.text);
  assert.equal(c.json.department, 'pensions', 'absent, the supervisor\'s own department');
  assert.equal(c.json.department_name, 'امور مستمری‌ها و بازنشستگان');
  assert.equal(c.json.title, 'پیگیری مستمری', 'trimmed');
  assert.equal(c.json.body, body, 'the words kept as typed («لطفاً», «تأخیر»)');
  assert.ok(Number.isInteger(c.json.id));

  const e = await sv.post(`/api/v1/canned/${c.json.id}`, { title: 'پیگیری مستمری معوق' });
  assert.equal(e.status, 200, e.text);
  assert.equal(e.json.title, 'پیگیری مستمری معوق');
  assert.equal(e.json.body, body, 'a field not given keeps its value');

  const l = await as('sp_pensions').get('/api/v1/canned');
  assert.equal(l.status, 200, l.text);
  assert.ok(titles(l).includes('پیگیری مستمری معوق'));

  const d = await sv.del(`/api/v1/canned/${c.json.id}`);
  assert.equal(d.status, 200, d.text);
  assert.deepEqual(d.json, { id: c.json.id, deleted: true });
  assertError(await sv.del(`/api/v1/canned/${c.json.id}`), 404, 'not_found', 'id');
  assertError(await sv.post(`/api/v1/canned/${c.json.id}`, { title: 'x' }), 404, 'not_found', 'id');
  assert.ok(!titles(await as('sp_pensions').get('/api/v1/canned')).includes('پیگیری مستمری معوق'));

  // each write is in the audit log, with the answer's id, department and title
  const log = await S.call('GET', '/api/v1/audit?user=sv_pensions&limit=50', { token: T.auditor });
  const mine = log.json.items.filter((i) => i.action.startsWith('canned_')).map((i) => [i.action, i.reason]);
  assert.deepEqual(mine.map((x) => x[0]).sort(), ['canned_create', 'canned_delete', 'canned_update']);
  assert.ok(mine.some(([a, why]) => a === 'canned_update' && why === `${c.json.id} pensions: پیگیری مستمری معوق`), JSON.stringify(mine));
  assert.ok(mine.some(([a, why]) => a === 'canned_delete' && why === `${c.json.id} pensions: پیگیری مستمری معوق`),
    `a delete names what it deleted: ${JSON.stringify(mine)}`);
});

test('another department\'s supervisor, a specialist and an agent may not write them', async () => {
  const c = await as('sv_pensions').post('/api/v1/canned', { title: 'مدارک لازم', body: 'مدارک را بیاورید.' });
  assert.equal(c.status, 201, c.text);
  const id = c.json.id;
  const other = as('sv_records');
  // a handler's 403 names the department at fault; the route's names no field
  assertError(await other.post(`/api/v1/canned/${id}`, { title: 'ربوده' }), 403, 'forbidden', 'department');
  assertError(await other.del(`/api/v1/canned/${id}`), 403, 'forbidden', 'department');
  assertError(await other.post('/api/v1/canned', { department: 'pensions', title: 'x', body: 'y' }), 403, 'forbidden', 'department');
  // nor move its own into another's, nor write the organisation's
  const own = await other.post('/api/v1/canned', { title: 'سوابق', body: 'سوابق شما بررسی شد.' });
  assert.equal(own.status, 201, own.text);
  assertError(await other.post(`/api/v1/canned/${own.json.id}`, { department: 'pensions' }), 403, 'forbidden', 'department');
  assertError(await other.post(`/api/v1/canned/${own.json.id}`, { department: null }), 403, 'forbidden', 'department');
  assertError(await other.post('/api/v1/canned', { department: null, title: 'x', body: 'y' }), 403, 'forbidden', 'department');
  for (const who of ['sp_pensions', 'agent1', 'desk1']) {
    assertError(await as(who).post('/api/v1/canned', { title: 'x', body: 'y' }), 403, 'forbidden', '');
    assertError(await as(who).del(`/api/v1/canned/${id}`), 403, 'forbidden', '');
  }
  const still = await as('sp_pensions').get('/api/v1/canned');
  assert.ok(titles(still).includes('مدارک لازم'), 'untouched');
  // the supervisor of every department and the admin manage any
  const moved = await as('supervisor').post(`/api/v1/canned/${id}`, { department: 'records' });
  assert.equal(moved.status, 200, moved.text);
  assert.equal(moved.json.department, 'records');
  const back = await as('admin').post(`/api/v1/canned/${id}`, { department: 'pensions', body: 'مدارک را همراه داشته باشید.' });
  assert.equal(back.status, 200, back.text);
  assert.equal(back.json.department, 'pensions');
});

test('a specialist reads their department\'s and the organisation\'s, no other department\'s', async () => {
  const org = await as('supervisor').post('/api/v1/canned', { title: 'خوشامد سازمان', body: 'با سلام، {name} عزیز.' });
  assert.equal(org.status, 201, org.text);
  assert.equal(org.json.department, null, 'a supervisor of no department: the organisation\'s');
  const rec = await as('sv_records').post('/api/v1/canned', { title: 'فقط سوابق', body: 'متن سوابق' });
  assert.equal(rec.status, 201, rec.text);

  const sp = await as('sp_pensions').get('/api/v1/canned');
  assert.equal(sp.status, 200, sp.text);
  assert.ok(titles(sp).includes('خوشامد سازمان'));
  assert.ok(!titles(sp).includes('فقط سوابق'));
  assert.ok(sp.json.items.every((i) => i.department === 'pensions' || i.department === null), JSON.stringify(sp.json.items));
  // the department's own come before the organisation's
  const firstOrg = sp.json.items.findIndex((i) => i.department === null);
  assert.ok(sp.json.items.slice(firstOrg).every((i) => i.department === null));
  assert.equal((await as('sp_pensions').get('/api/v1/canned?department=pensions')).status, 200);
  assertError(await as('sp_pensions').get('/api/v1/canned?department=records'), 403, 'forbidden', 'department');

  // an agent reads the department of the case at hand, and the organisation's
  const ag = await as('agent1').get('/api/v1/canned?department=records');
  assert.equal(ag.status, 200, ag.text);
  assert.ok(titles(ag).includes('فقط سوابق') && titles(ag).includes('خوشامد سازمان'));
  assert.ok(!titles(ag).includes('مدارک لازم'));
  const all = await as('desk1').get('/api/v1/canned');
  assert.ok(titles(all).includes('فقط سوابق') && titles(all).includes('مدارک لازم'));
  assertError(await as('agent1').get('/api/v1/canned?department=nowhere'), 400, 'unknown_department', 'department');
  assertError(await S.call('GET', '/api/v1/canned', { token: T.auditor }), 403, 'forbidden', '');
});

test('placeholders: only {name}, {number}, {today} and {due}; other braces are text', async () => {
  const sv = as('sv_pensions');
  for (const bad of ['سلام {nam}', 'تا {Due}', 'سلام {نام}', 'ok {name} then {case_no}']) {
    const e = assertError(await sv.post('/api/v1/canned', { title: 't', body: bad }), 400, 'unknown_placeholder', 'body');
    assert.match(e.message, /\{(nam|Due|نام|case_no)\}/, 'the message names it');
  }
  const c = await sv.post('/api/v1/canned', { title: 'آکولاد', body: 'جدول { } و {name} و { today} و {}' });
  assert.equal(c.status, 201, c.text);
  assertError(await sv.post(`/api/v1/canned/${c.json.id}`, { body: '{numbr}' }), 400, 'unknown_placeholder', 'body');
});

test('malformed writes are refused naming the field', async () => {
  const sv = as('sv_pensions');
  const cases = [
    [{ body: 'x' }, 400, 'missing_field', 'title'],
    [{ title: 'x' }, 400, 'missing_field', 'body'],
    [{ title: '', body: 'x' }, 400, undefined, 'title'],
    [{ title: '   ', body: 'x' }, 400, undefined, 'title'],
    [{ title: 'دو\nخط', body: 'x' }, 400, 'invalid_field', 'title'],
    [{ title: 'ا'.repeat(121), body: 'x' }, 400, undefined, 'title'],
    [{ title: 'x', body: 'ب'.repeat(4001) }, 400, undefined, 'body'],
    [{ title: 'x', body: '' }, 400, undefined, 'body'],
    [{ title: 7, body: 'x' }, 400, undefined, 'title'],
    [{ title: 'x', body: ['x'] }, 400, undefined, 'body'],
    [{ title: 'x', body: 'y', department: 'nowhere' }, 400, 'unknown_department', 'department'],
    [{ title: 'x', body: 'y', department: 5 }, 400, undefined, 'department'],
    [{ title: 'x', body: 'y', color: 'red' }, 400, 'unknown_field', 'color'],
    [{ title: 'x', body: 'a\u0000b' }, 400, undefined, 'body'],
  ];
  for (const [b, status, code, field] of cases) assertError(await sv.post('/api/v1/canned', b), status, code, field);
  assertError(await S.call('POST', '/api/v1/canned', { token: T.sv_pensions, body: '{"title":' }), 400, 'invalid_json');
  assert.equal((await sv.post('/api/v1/canned', { title: 'ا'.repeat(120), body: 'ب'.repeat(4000) })).status, 201, 'the limits themselves pass');
  const c = await sv.post('/api/v1/canned', { title: 'x', body: 'y' });
  assertError(await sv.post(`/api/v1/canned/${c.json.id}`, {}), 400, 'missing_field', 'title');
  for (const id of ['0', 'abc', '-1', '99999999999999999999'])
    assertError(await sv.post(`/api/v1/canned/${id}`, { title: 'x' }), 404, 'not_found', 'id');
  assertError(await sv.del('/api/v1/canned/999999'), 404, 'not_found', 'id');
});

// ---- the department's people, and the assignment's event ----

test('a department\'s people: its active specialists and supervisors, with their open cases', async () => {
  const r = await as('sp_pensions').get('/api/v1/departments/pensions/people');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.department, 'pensions');
  assert.equal(r.json.department_name, 'امور مستمری‌ها و بازنشستگان');
  const logins = r.json.items.map((i) => i.login);
  assert.deepEqual([...logins].sort(), ['sp_pensions', 'sp_pensions_b', 'sv_pensions'],
    'no disabled account, no agent of the department, no one of another');
  assert.deepEqual(r.json.items.map((i) => i.role), ['specialist', 'specialist', 'supervisor'], 'specialists first');
  const b = r.json.items.find((i) => i.login === 'sp_pensions_b');
  assert.equal(b.name, 'زهرا نیک‌نام');
  assert.equal(b.open_cases, 0);
  for (const i of r.json.items) assert.deepEqual(Object.keys(i).sort(), ['login', 'name', 'open_cases', 'role']);

  // an assignment shows in the count
  const c = await S.call('POST', '/api/v1/cases', { token: T.agent1, body: caseBody(freshNationalId()) });
  assert.equal(c.status, 201, c.text);
  const a = await as('sp_pensions').post(`/api/v1/cases/${c.json.id}/events`, { type: 'assign', assignee: 'sp_pensions_b' });
  assert.equal(a.status, 201, a.text);
  const after = await as('agent1').get('/api/v1/departments/pensions/people');
  assert.equal(after.status, 200, after.text);
  assert.equal(after.json.items.find((i) => i.login === 'sp_pensions_b').open_cases, 1);

  for (const who of ['supervisor', 'sv_records', 'sp_records']) assert.equal((await as(who).get('/api/v1/departments/pensions/people')).status, 200, who);
  for (const who of ['desk1', 'admin', 'auditor']) assertError(await as(who).get('/api/v1/departments/pensions/people'), 403, 'forbidden', '');
  assertError(await as('sp_pensions').get('/api/v1/departments/nowhere/people'), 404, 'not_found', 'code');
  assert.equal((await S.call('GET', '/api/v1/departments/pensions/people')).status, 401);
});

test('an assignment\'s event names the departments and the person, and the transfer', async () => {
  const c = await S.call('POST', '/api/v1/cases', { token: T.agent1, body: caseBody(freshNationalId()) });
  assert.equal(c.status, 201, c.text);
  const id = c.json.id;
  const to = await as('sp_pensions').post(`/api/v1/cases/${id}/events`, { type: 'assign', assignee: 'sp_pensions_b' });
  assert.equal(to.status, 201, to.text);
  let ev = to.json.events.at(-1);
  assert.equal(ev.type, 'assign');
  assert.deepEqual(ev.data, {
    department: 'pensions', department_name: 'امور مستمری‌ها و بازنشستگان',
    assignee: 'sp_pensions_b', assignee_name: 'زهرا نیک‌نام',
  }, 'no transfer: no from_department');

  const moved = await as('sp_pensions').post(`/api/v1/cases/${id}/events`, { type: 'assign', department: 'records', assignee: 'sp_records' });
  assert.equal(moved.status, 201, moved.text);
  assert.equal(moved.json.department, 'records');
  ev = moved.json.events.at(-1);
  assert.equal(ev.data.from_department, 'pensions');
  assert.equal(ev.data.from_department_name, 'امور مستمری‌ها و بازنشستگان');
  assert.equal(ev.data.department, 'records');
  assert.equal(ev.data.department_name, 'امور بیمه‌شدگان و سوابق بیمه‌ای');
  assert.equal(ev.data.assignee, 'sp_records');
  assert.match(ev.data.assignee_name, /^کارشناس /);
  // the specialist it left can no longer read it
  assertError(await as('sp_pensions').get(`/api/v1/cases/${id}`), 403, 'forbidden', 'id');
  // a person not of the department is refused naming the field
  assertError(await as('sp_records').post(`/api/v1/cases/${id}/events`, { type: 'assign', assignee: 'sp_pensions_b' }), 400, 'unknown_assignee', 'assignee');
});
