// The admin's user management: creating accounts (hashed off the event loop), refusing bad
// ones with the field named, disabling an account (its live sessions die at once), and
// every such act in the audit log. Only the admin may do any of it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startDemo, assertError, assertNoSecrets, cleanupTemp, freshNationalId, toPersianDigits, PASSWORD,
} from './harness.mjs';

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

// NIST SP 800-63B 5.1.1.2: at least 8 characters counted as characters, not bytes; none of
// what a guesser tries first; the reason said.
test('a weak password is refused saying why: common, a run, the login, national id or name, spaces, short', async () => {
  const base = { login: 'new_clerk', role: 'agent', name: 'مریم احمدی' };
  const refused = [
    ['12345678', /run/],
    ['۱۲۳۴۵۶۷۸', /run/], // the same in Persian digits
    ['87654321', /run/],
    ['aaaaaaaaaa', /repeated/],
    ['password', /common/],
    ['PassWord', /common/],
    ['iloveyou', /common/],
    ['demo1234', /common/], // published in README
    ['        ', /spaces/],
    ['\u3000'.repeat(8), /spaces/],
    ['new_clerk', /login/],
    ['NEW_CLERK', /login/],
    ['مریم احمدی', /name/],
    ['کوتاهه', /8 characters/], // 12 bytes, 6 characters
    ['ab'.repeat(129), /256 bytes/],
  ];
  for (const [password, why] of refused) {
    const e = assertError(await post(admin, '/api/v1/users', { ...base, password }), 400, 'weak_password', 'password');
    assert.match(e.message, why, `password ${JSON.stringify(password)}: ${e.message}`);
  }
  const nid = freshNationalId();
  const citizen = { login: nid, role: 'citizen', national_id: nid };
  const e = assertError(await post(admin, '/api/v1/users', { ...citizen, password: toPersianDigits(nid) }), 400, 'weak_password', 'password');
  assert.match(e.message, /national id/);
  const users = await S.call('GET', '/api/v1/users', { token: admin.token });
  assert.ok(!users.json.items.some((u) => u.login === 'new_clerk' || u.login === nid), 'none was created');
});

test('any Unicode is welcome: a 40-character Persian passphrase and a password with emoji log in', async () => {
  const passphrase = 'باران پاییزی آرام روی پنجره‌ی ما می‌بارد';
  assert.equal([...passphrase].length, 40);
  const emoji = 'رمز 🐢🌙 شب‌های تهران';
  for (const [login, password] of [['fa_clerk', passphrase], ['emoji_clerk', emoji], ['long_clerk', 'x9 '.repeat(85)]]) {
    const r = await post(admin, '/api/v1/users', { login, password, role: 'agent' });
    assert.equal(r.status, 201, `${login}: ${r.text}`);
    const me = await S.login(login, password);
    assert.equal(me.role, 'agent');
  }
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
