// Workshops: staff register them, an admin links employer accounts to them, and an employer
// sees only their own. Every bad field is a 400 naming it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  createDemo, startServer, addUser, assertError, assertNoSecrets, cleanupTemp, makeNationalId,
  toPersianDigits, USER_PASSWORD,
} from './harness.mjs';

let S, admin, sp, agent, citizen, desk;
const A = '1234567890';
const B = '2234567891';

before(async () => {
  const d = createDemo();
  // the employer is created before its workshop exists: --workshop must name one
  const early = addUser(d.db, { login: 'emp_early', role: 'employer', workshop: A });
  assert.notEqual(early.status, 0);
  assert.match(early.stderr, /workshop/);
  S = await startServer(d.db);
  admin = await S.login('admin');
  sp = await S.login('sp_contributions');
  agent = await S.login('agent1');
  desk = await S.login('desk1');
  citizen = await S.login(d.citizens[0]);
  S.db = d.db;
});

after(async () => {
  if (S) {
    assertNoSecrets(S);
    await S.stop();
  }
  cleanupTemp();
});

const post = (who, path, body) => S.call('POST', path, { token: who.token, body });
const get = (who, path) => S.call('GET', path, { token: who.token });
const base = (extra = {}) => ({
  code: A, name: 'کارگاه نساجی البرز', employer_name: 'شرکت نساجی البرز', province: '10',
  activity: 'نساجی', hard_job: true, ...extra,
});

test('staff register a workshop; its code may be typed in Persian digits; a code is unique', async () => {
  const r = await post(sp, '/api/v1/workshops', base({ code: toPersianDigits(A), name: 'كارگاه نساجي البرز' }));
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.code, A);
  assert.equal(r.json.name, 'کارگاه نساجی البرز', 'Arabic letters normalised');
  assert.equal(r.json.hard_job, true);
  assert.ok(r.json.province_name);
  assert.deepEqual(r.json.lists, []);
  assert.deepEqual(r.json.account, { due: 0, paid: 0, debt: 0 });
  assert.deepEqual(r.json.employers, []);
  assertError(await post(admin, '/api/v1/workshops', base()), 409, 'code_taken', 'code');
  const g = await get(agent, `/api/v1/workshops/${A}`);
  assert.equal(g.status, 200, g.text);
  assert.equal(g.json.name, 'کارگاه نساجی البرز');
});

test('every bad field is refused with its name', async () => {
  const bad = [
    [{ code: '123456789' }, 'code'],
    [{ code: '12345678901' }, 'code'],
    [{ code: '12345abcde' }, 'code'],
    [{ code: 1234567890 }, 'code'],
    [{ name: '' }, 'name'],
    [{ name: 'دو\nخط' }, 'name'],
    [{ name: 'x'.repeat(161) }, 'name'],
    [{ employer_name: undefined }, 'employer_name'],
    [{ employer_national_id: '1234567890' }, 'employer_national_id'],
    [{ province: '99' }, 'province'],
    [{ hard_job: 'yes' }, 'hard_job'],
    [{ owner: 'x' }, 'owner'],
  ];
  for (const [extra, field] of bad) {
    const body = base({ code: B, ...extra });
    for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
    const r = await post(admin, '/api/v1/workshops', body);
    assert.ok(r.status >= 400 && r.status < 500, `${JSON.stringify(extra)}: ${r.status}`);
    assertError(r, r.status, undefined, field);
  }
  assertError(await S.call('POST', '/api/v1/workshops', { token: admin.token, body: '{"code":' }), 400, 'invalid_json');
  // nothing was created by the refusals
  assertError(await get(admin, `/api/v1/workshops/${B}`), 404, 'not_found', 'code');
  assertError(await get(admin, '/api/v1/workshops/12'), 400, 'invalid_field', 'code');
});

test('who may register and read workshops', async () => {
  for (const who of [citizen, desk, agent]) {
    assertError(await post(who, '/api/v1/workshops', base({ code: B })), 403, 'forbidden');
  }
  for (const who of [citizen, desk]) assertError(await get(who, `/api/v1/workshops/${A}`), 403, 'forbidden');
  assertError(await S.call('GET', `/api/v1/workshops/${A}`), 401, 'unauthenticated');
});

test('an employer acts only for the workshops linked to the account', async () => {
  assert.equal((await post(admin, '/api/v1/workshops', base({ code: B, name: 'کارگاه دوم', hard_job: false }))).status, 201);
  const r = addUser(S.db, { login: 'emp_w', role: 'employer', workshop: A });
  assert.equal(r.status, 0, r.stderr);
  const emp = await S.login('emp_w', USER_PASSWORD);
  assert.equal((await get(emp, '/api/v1/me')).json.role, 'employer');
  const mine = await get(emp, '/api/v1/workshops');
  assert.deepEqual(mine.json.items.map((w) => w.code), [A]);
  const own = await get(emp, `/api/v1/workshops/${A}`);
  assert.equal(own.status, 200, own.text);
  assert.equal(own.json.employers, undefined, 'an employer does not see the other accounts');
  const theirs = await get(emp, `/api/v1/workshops/${B}`);
  assertError(theirs, 403, 'forbidden', 'code');
  // a code no workshop has gets the same refusal (not a 404 that tells which codes are
  // registered: issue 11, defect 5), and both refusals are audited
  const none = await get(emp, '/api/v1/workshops/9999999999');
  assert.equal(none.status, 403, none.text);
  assert.equal(none.text, theirs.text, 'the two refusals differ');
  assertError(await get(admin, '/api/v1/workshops/9999999999'), 404, 'not_found', 'code');
  const auditor = await S.login('auditor');
  const refusals = (await get(auditor, '/api/v1/audit?user=emp_w')).json.items;
  for (const code of [B, '9999999999'])
    assert.ok(refusals.some((i) => i.action === 'workshop_read' && i.outcome === 'denied' && i.reason === code),
      `the refusal of ${code} is audited: ${JSON.stringify(refusals)}`);
  assertError(await post(emp, '/api/v1/workshops', base({ code: '3234567892' })), 403, 'forbidden');
  // an employer does not reach the case desk
  assertError(await get(emp, '/api/v1/cases'), 403, 'forbidden');

  // the admin links the account to the second workshop
  assertError(await post(admin, `/api/v1/workshops/${B}/employers`, { login: 'agent1' }), 400, 'invalid_role', 'login');
  assertError(await post(admin, `/api/v1/workshops/${B}/employers`, { login: 'nobody' }), 400, 'unknown_login', 'login');
  assertError(await post(admin, `/api/v1/workshops/${B}/employers`, {}), 400, 'missing_field', 'login');
  assertError(await post(admin, '/api/v1/workshops/9999999999/employers', { login: 'emp_w' }), 404, 'not_found');
  assertError(await post(sp, `/api/v1/workshops/${B}/employers`, { login: 'emp_w' }), 403, 'forbidden');
  const l = await post(admin, `/api/v1/workshops/${B}/employers`, { login: 'emp_w' });
  assert.equal(l.status, 200, l.text);
  assert.deepEqual(l.json.employers, ['emp_w']);
  assert.equal((await post(admin, `/api/v1/workshops/${B}/employers`, { login: 'emp_w' })).status, 200, 'linking twice is harmless');
  assert.deepEqual((await get(emp, '/api/v1/workshops')).json.items.map((w) => w.code), [A, B]);
  assert.equal((await get(emp, `/api/v1/workshops/${B}`)).status, 200);

  // each of these acts is in the audit log
  const log = await get(auditor, '/api/v1/audit?user=admin');
  const actions = log.json.items.map((a) => a.action);
  assert.ok(actions.includes('workshop_create') && actions.includes('workshop_link'), actions.join());
});

test('a citizen account still needs a valid national id; an employer needs none', async () => {
  const r = await post(admin, '/api/v1/users', { login: 'emp2', password: 'long-enough-2', role: 'employer' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.role, 'employer');
  const good = makeNationalId(5);
  const bad = good.slice(0, 9) + String((Number(good[9]) + 1) % 10);
  assertError(await post(admin, '/api/v1/users', { login: 'c9', password: 'long-enough-2', role: 'citizen', national_id: bad }), 400, 'invalid_national_id', 'national_id');
});

test('staff record payments; the account shows them; bad payments are refused by field', async () => {
  const p = await post(sp, `/api/v1/workshops/${A}/payments`, { amount: 5000000, year: 1405, month: 7, reference: 'فیش ۱۲۳' });
  assert.equal(p.status, 201, p.text);
  assert.deepEqual(p.json.account, { due: 0, paid: 5000000, debt: -5000000 });
  assert.equal(p.json.payments[0].amount, 5000000);
  assert.equal(p.json.payments[0].month, 7);
  assert.equal(p.json.payments[0].reference, 'فیش 123');
  const lump = await post(admin, `/api/v1/workshops/${A}/payments`, { amount: 1000 });
  assert.equal(lump.status, 201, lump.text);
  assert.equal(lump.json.payments[0].year, null);
  assert.equal(lump.json.account.paid, 5001000);
  for (const [body, field] of [
    [{}, 'amount'], [{ amount: 0 }, 'amount'], [{ amount: -5 }, 'amount'], [{ amount: '100' }, 'amount'],
    [{ amount: 1.5 }, 'amount'], [{ amount: 100, year: 1405 }, 'month'], [{ amount: 100, month: 3 }, 'year'],
    [{ amount: 100, year: 1405, month: 13 }, 'month'], [{ amount: 100, note: 'x' }, 'note'],
  ]) assertError(await post(admin, `/api/v1/workshops/${A}/payments`, body), 400, undefined, field);
  assertError(await post(agent, `/api/v1/workshops/${A}/payments`, { amount: 100 }), 403, 'forbidden');
  assertError(await post(admin, '/api/v1/workshops/9999999999/payments', { amount: 100 }), 404, 'not_found');
  // an employer sees the payments of their workshop
  const emp = await S.login('emp_w', USER_PASSWORD);
  const own = await get(emp, `/api/v1/workshops/${A}`);
  assert.equal(own.json.account.paid, 5001000);
});
