// The admin's user management: creating accounts (hashed off the event loop), refusing bad
// ones with the field named, disabling an account (its live sessions die at once), and
// every such act in the audit log. Only the admin may do any of it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemo, assertError, assertNoSecrets, cleanupTemp, PASSWORD } from './harness.mjs';

let S, admin;

before(async () => {
  const d = await startDemo();
  S = d.server;
  admin = await S.login('admin');
});

after(async () => {
  if (S) {
    assertNoSecrets(S);
    await S.stop();
  }
  cleanupTemp();
});

const post = (who, path, body) => S.call('POST', path, { token: who.token, body });

test('the admin creates a specialist, who can log in and work', async () => {
  const r = await post(admin, '/api/v1/users', {
    login: 'Sp_New', password: 'long-enough-1', role: 'specialist', department: 'pensions',
    name: 'کارشناس تازه',
  });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  assert.equal(r.json.login, 'sp_new'); // logins are case-insensitive
  const me = await S.login('sp_new', 'long-enough-1');
  const list = await S.call('GET', '/api/v1/cases?limit=5', { token: me.token });
  assert.equal(list.status, 200);
  for (const c of list.json.items) assert.equal(c.department, 'pensions');
  const users = await S.call('GET', '/api/v1/users', { token: admin.token });
  assert.equal(users.status, 200);
  const u = users.json.items.find((x) => x.login === 'sp_new');
  assert.equal(u.role, 'specialist');
  assert.equal(u.department, 'pensions');
  assert.equal(u.disabled, false);
  assert.ok(!JSON.stringify(users.json).includes('argon2'), 'no hash in the list');
});

test('bad accounts are refused with the field named', async () => {
  const base = { login: 'x1', password: 'long-enough-1', role: 'agent' };
  assertError(await post(admin, '/api/v1/users', { ...base, role: 'emperor' }), 400, 'invalid_role', 'role');
  assertError(await post(admin, '/api/v1/users', { ...base, password: 'short' }), 400, 'weak_password', 'password');
  assertError(await post(admin, '/api/v1/users', { ...base, password: 12345678 }), 400, 'invalid_field', 'password');
  assertError(await post(admin, '/api/v1/users', { login: 'x1', role: 'agent' }), 400, 'missing_field', 'password');
  assertError(await post(admin, '/api/v1/users', { ...base, role: 'specialist' }), 400, 'missing_field', 'department');
  assertError(await post(admin, '/api/v1/users', { ...base, department: 'nowhere' }), 400, 'unknown_department', 'department');
  assertError(await post(admin, '/api/v1/users', { ...base, role: 'citizen', national_id: '1234567890' }), 400, 'invalid_national_id', 'national_id');
  assertError(await post(admin, '/api/v1/users', { ...base, colour: 'blue' }), 400, 'unknown_field', 'colour');
  assertError(await post(admin, '/api/v1/users', { ...base, login: 'agent1' }), 409, 'login_taken', 'login');
});

test('only the admin manages users', async () => {
  const agent = await S.login('agent1');
  assertError(await S.call('GET', '/api/v1/users', { token: agent.token }), 403, 'forbidden');
  assertError(await post(agent, '/api/v1/users', { login: 'sneaky', password: 'long-enough-1', role: 'admin' }), 403, 'forbidden');
  assertError(await post(agent, '/api/v1/users/agent2/disable', {}), 403, 'forbidden');
  assertError(await S.call('GET', '/api/v1/users'), 401, 'unauthenticated');
});

test('a disabled account loses its live sessions and cannot log in', async () => {
  const r0 = await post(admin, '/api/v1/users', { login: 'temp_agent', password: 'long-enough-2', role: 'agent' });
  assert.equal(r0.status, 201);
  const t = await S.login('temp_agent', 'long-enough-2');
  assert.equal((await S.call('GET', '/api/v1/me', { token: t.token })).status, 200);
  const r = await post(admin, '/api/v1/users/temp_agent/disable', {});
  assert.equal(r.status, 200, JSON.stringify(r.json));
  assertError(await S.call('GET', '/api/v1/me', { token: t.token }), 401, 'unauthenticated');
  const again = await S.call('POST', '/api/v1/login', { body: { login: 'temp_agent', password: 'long-enough-2' } });
  assertError(again, 401, 'invalid_credentials');
  assertError(await post(admin, '/api/v1/users/nobody_here/disable', {}), 404, 'not_found', 'login');
  assertError(await post(admin, '/api/v1/users/admin/disable', {}), 409, 'self', 'login');
  // the admin is still in
  assert.equal((await S.call('GET', '/api/v1/me', { token: admin.token })).status, 200);
});

test('user management is in the audit log', async () => {
  const auditor = await S.login('auditor');
  const r = await S.call('GET', '/api/v1/audit?user=admin&limit=200', { token: auditor.token });
  assert.equal(r.status, 200);
  const actions = r.json.items.map((i) => `${i.action}:${i.reason}`);
  assert.ok(actions.includes('user_create:sp_new'), actions.join(' '));
  assert.ok(actions.includes('user_disable:temp_agent'), actions.join(' '));
});
