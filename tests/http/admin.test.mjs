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
  assertError(await post(agent, '/api/v1/users/agent2/enable', {}), 403, 'forbidden');
  assertError(await post(agent, '/api/v1/users/agent2/role', { role: 'admin' }), 403, 'forbidden');
  assertError(await post(agent, '/api/v1/users/agent2/password', { password: 'temporary-pass-77' }), 403, 'forbidden');
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

test('a reset password must be changed at the next login: every other route answers 403 until it is', async () => {
  assert.equal((await post(admin, '/api/v1/users', { login: 'forgetful', password: 'first-choice-42', role: 'agent', name: 'فراموشکار' })).status, 201);
  const before = await S.login('forgetful', 'first-choice-42');
  assert.equal(before.role, 'agent');
  // the policy holds for a reset password too, and the path names an account
  assertError(await post(admin, '/api/v1/users/forgetful/password', { password: 'password' }), 400, 'weak_password', 'password');
  assertError(await post(admin, '/api/v1/users/forgetful/password', { password: 'Forgetful' }), 400, 'weak_password', 'password');
  assertError(await post(admin, '/api/v1/users/forgetful/password', {}), 400, 'missing_field', 'password');
  assertError(await post(admin, '/api/v1/users/forgetful/password', { password: 12345678 }), 400, 'invalid_field', 'password');
  assertError(await post(admin, '/api/v1/users/forgetful/password', { password: 'temporary-pass-77', why: 'x' }), 400, 'unknown_field', 'why');
  assertError(await post(admin, '/api/v1/users/nobody_here/password', { password: 'temporary-pass-77' }), 404, 'not_found', 'login');
  assertError(await post(admin, '/api/v1/users/admin/password', { password: 'temporary-pass-77' }), 409, 'self', 'login');
  assertError(await S.call('POST', '/api/v1/users/forgetful/password', { token: admin.token, body: '{"password":' }), 400);

  const r = await post(admin, '/api/v1/users/forgetful/password', { password: 'temporary-pass-77' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.must_change_password, true);
  // the old session and the old password are gone
  assertError(await S.call('GET', '/api/v1/me', { token: before.token }), 401, 'unauthenticated');
  assertError(await S.call('POST', '/api/v1/login', { body: { login: 'forgetful', password: 'first-choice-42' } }), 401, 'invalid_credentials');

  const login = await S.call('POST', '/api/v1/login', { body: { login: 'forgetful', password: 'temporary-pass-77' } });
  assert.equal(login.status, 200, login.text);
  assert.equal(login.json.must_change_password, true);
  const t = login.json.token;
  const me = await S.call('GET', '/api/v1/me', { token: t });
  assert.equal(me.status, 200);
  assert.equal(me.json.must_change_password, true);
  for (const [method, path] of [['GET', '/api/v1/cases'], ['GET', '/api/v1/topics'], ['GET', '/api/v1/me/access-log'],
    ['POST', '/api/v1/cases']]) {
    assertError(await S.call(method, path, { token: t, body: method === 'POST' ? {} : undefined }), 403, 'password_change_required', 'password');
  }
  // the new password: the current one right, the new one under the policy and not the same
  const change = (body) => S.call('POST', '/api/v1/me/password', { token: t, body });
  assertError(await change({ current_password: 'wrong-guess-123', password: 'my-own-choice-99' }), 400, 'wrong_password', 'current_password');
  assertError(await change({ current_password: 'temporary-pass-77', password: 'temporary-pass-77' }), 400, 'weak_password', 'password');
  assertError(await change({ current_password: 'temporary-pass-77', password: '12345678' }), 400, 'weak_password', 'password');
  assertError(await change({ current_password: 'temporary-pass-77', password: 'فراموشکار' }), 400, 'weak_password', 'password');
  assertError(await change({ password: 'my-own-choice-99' }), 400, 'missing_field', 'current_password');
  assertError(await change({ current_password: 'temporary-pass-77' }), 400, 'missing_field', 'password');
  assertError(await change({ current_password: 'temporary-pass-77', password: ['x'] }), 400, 'invalid_field', 'password');
  assertError(await change({ current_password: 'temporary-pass-77', password: 'my-own-choice-99', extra: 1 }), 400, 'unknown_field', 'extra');
  assertError(await S.call('POST', '/api/v1/me/password', { body: { current_password: 'a', password: 'b' } }), 401, 'unauthenticated');
  assertError(await S.call('GET', '/api/v1/cases', { token: t }), 403, 'password_change_required');
  const done = await change({ current_password: 'temporary-pass-77', password: 'my-own-choice-99' });
  assert.equal(done.status, 200, done.text);
  assert.equal(done.json.must_change_password, false);
  // the same session goes on, now with every route its role has
  assert.equal((await S.call('GET', '/api/v1/cases?limit=1', { token: t })).status, 200);
  assert.equal((await S.call('GET', '/api/v1/me', { token: t })).json.must_change_password, false);
  assertError(await S.call('POST', '/api/v1/login', { body: { login: 'forgetful', password: 'temporary-pass-77' } }), 401, 'invalid_credentials');
  const again = await S.login('forgetful', 'my-own-choice-99');
  assert.equal(again.role, 'agent');
});

test('a user changes their own password; the other sessions end, this one goes on', async () => {
  assert.equal((await post(admin, '/api/v1/users', { login: 'mover', password: 'old-passphrase-1', role: 'desk' })).status, 201);
  const a = await S.login('mover', 'old-passphrase-1');
  const b = await S.login('mover', 'old-passphrase-1');
  const r = await S.call('POST', '/api/v1/me/password', { token: a.token, body: { current_password: 'old-passphrase-1', password: 'new-passphrase-2' } });
  assert.equal(r.status, 200, r.text);
  assert.equal((await S.call('GET', '/api/v1/me', { token: a.token })).status, 200);
  assertError(await S.call('GET', '/api/v1/me', { token: b.token }), 401, 'unauthenticated');
  await S.login('mover', 'new-passphrase-2');
});

test('the admin changes a role: the account\'s sessions end and it logs in with the new one', async () => {
  assert.equal((await post(admin, '/api/v1/users', { login: 'promoted', password: 'long-enough-3', role: 'agent', department: 'contact_center' })).status, 201);
  const t = await S.login('promoted', 'long-enough-3');
  const role = (login, body) => post(admin, `/api/v1/users/${login}/role`, body);
  assertError(await role('promoted', { role: 'emperor' }), 400, 'invalid_role', 'role');
  assertError(await role('promoted', {}), 400, 'missing_field', 'role');
  assertError(await role('promoted', { role: 'specialist' }), 400, 'missing_field', 'department');
  assertError(await role('promoted', { role: 'specialist', department: 'nowhere' }), 400, 'unknown_department', 'department');
  assertError(await role('promoted', { role: 'citizen' }), 400, 'invalid_role', 'role');
  assertError(await role('promoted', { role: 'agent', colour: 'blue' }), 400, 'unknown_field', 'colour');
  assertError(await role('nobody_here', { role: 'agent' }), 404, 'not_found', 'login');
  assertError(await role('admin', { role: 'agent' }), 409, 'self', 'login');
  const citizen = (await S.call('GET', '/api/v1/users', { token: admin.token })).json.items.find((u) => u.role === 'citizen');
  assert.ok(citizen, 'the demo has a citizen account');
  assertError(await role(citizen.login, { role: 'agent' }), 400, 'invalid_role', 'role');
  const r = await role('PROMOTED', { role: 'specialist', department: 'pensions' });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { login: 'promoted', role: 'specialist', department: 'pensions' });
  assertError(await S.call('GET', '/api/v1/me', { token: t.token }), 401, 'unauthenticated');
  const now = await S.login('promoted', 'long-enough-3');
  assert.equal(now.role, 'specialist');
  const list = await S.call('GET', '/api/v1/cases?limit=5', { token: now.token });
  assert.equal(list.status, 200);
  for (const c of list.json.items) assert.equal(c.department, 'pensions');
});

test('a disabled account is enabled again and logs in', async () => {
  assert.equal((await post(admin, '/api/v1/users', { login: 'returning', password: 'long-enough-4', role: 'agent' })).status, 201);
  assert.equal((await post(admin, '/api/v1/users/returning/disable', {})).status, 200);
  assertError(await S.call('POST', '/api/v1/login', { body: { login: 'returning', password: 'long-enough-4' } }), 401, 'invalid_credentials');
  const r = await post(admin, '/api/v1/users/Returning/enable', {});
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { login: 'returning', disabled: false });
  await S.login('returning', 'long-enough-4');
  assertError(await post(admin, '/api/v1/users/nobody_here/enable', {}), 404, 'not_found', 'login');
  const users = await S.call('GET', '/api/v1/users?q=returning', { token: admin.token });
  assert.equal(users.json.items.find((u) => u.login === 'returning').disabled, false);
});

test('the admin searches users by a part of the login or the name, normalised', async () => {
  assert.equal((await post(admin, '/api/v1/users', { login: 'clerk_77', password: 'long-enough-5', role: 'desk', name: 'علی کریمی' })).status, 201);
  const find = async (q) => {
    const r = await S.call('GET', `/api/v1/users?q=${encodeURIComponent(q)}`, { token: admin.token });
    assert.equal(r.status, 200, r.text);
    return r.json.items.map((u) => u.login);
  };
  assert.deepEqual(await find('clerk_77'), ['clerk_77']);
  assert.deepEqual(await find('CLERK_۷۷'), ['clerk_77']); // capitals and Persian digits
  assert.ok((await find('علي')).includes('clerk_77')); // the Arabic yeh finds the Persian
  assert.ok((await find('کریمی')).includes('clerk_77'));
  assert.deepEqual(await find('no-such-user-anywhere'), []);
  // % and _ are themselves, not patterns
  assert.deepEqual(await find('%'), []);
  assert.ok(!(await find('clerk_')).includes('agent1'));
  assert.ok((await find('agent')).includes('agent1'));
  assert.ok((await find('')).length > 5); // an empty q is the whole list
  assertError(await S.call('GET', `/api/v1/users?q=${'x'.repeat(65)}`, { token: admin.token }), 400, 'invalid_query', 'q');
  assertError(await S.call('GET', '/api/v1/users?q=%FF', { token: admin.token }), 400, 'invalid_query', 'q');
});

test('user management is in the audit log', async () => {
  const auditor = await S.login('auditor');
  const r = await S.call('GET', '/api/v1/audit?user=admin&limit=200', { token: auditor.token });
  assert.equal(r.status, 200);
  const actions = r.json.items.map((i) => `${i.action}:${i.reason}`);
  assert.ok(actions.includes('user_create:sp_new'), actions.join(' '));
  assert.ok(actions.includes('user_disable:temp_agent'), actions.join(' '));
  assert.ok(actions.includes('user_password_reset:forgetful'), actions.join(' '));
  assert.ok(actions.includes('user_role:promoted: agent -> specialist'), actions.join(' '));
  assert.ok(actions.includes('user_enable:returning'), actions.join(' '));
  const own = await S.call('GET', '/api/v1/audit?user=forgetful&limit=50', { token: auditor.token });
  assert.ok(own.json.items.some((i) => i.action === 'password_change'), JSON.stringify(own.json.items));
});
