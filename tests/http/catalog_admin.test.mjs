// The admin edits departments and topics (names, default department, SLA targets): the
// change shows at once in the catalogue and in new cases' due dates, is in the audit log,
// survives a restart (the start's sync does not overwrite it, while unedited rows still
// follow the data files), and only the admin may make it, with valid values.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  ROOT, startDemo, startServer, assertError, assertNoSecrets, caseBody, cleanupTemp, freshNationalId, tempDir,
} from './harness.mjs';

let S, db, citizens, admin, sup, agent1;

before(async () => {
  const d = await startDemo();
  S = d.server;
  db = d.db;
  citizens = d.citizens;
  [admin, sup, agent1] = await Promise.all(['admin', 'supervisor', 'agent1'].map((l) => S.login(l)));
});

after(async () => {
  if (S) {
    assertNoSecrets(S);
    await S.stop();
  }
  cleanupTemp();
});

const post = (who, p, body) => S.call('POST', p, { token: who.token, body });
const topics = async () => (await S.call('GET', '/api/v1/topics', { token: agent1.token })).json.items;
const departments = async () => (await S.call('GET', '/api/v1/departments', { token: agent1.token })).json.items;
const topic = async (code) => (await topics()).find((t) => t.code === code);

test('topics carry their department and SLA minutes; nothing edited yet', async () => {
  for (const t of await topics()) {
    assert.equal(typeof t.department, 'string');
    assert.ok(t.department.length > 0, t.code);
    for (const k of ['first_response', 'resolution', 'report_back'])
      assert.ok(Number.isInteger(t.sla_minutes[k]) && t.sla_minutes[k] > 0, `${t.code} ${k}`);
    assert.equal(t.edited_at, null);
    assert.equal(t.edited_by, null);
  }
  for (const d of await departments()) assert.equal(d.edited_at, null);
});

test('an SLA change shows at once and sets the due dates of new cases', async () => {
  // general_info belongs to the 24/7 contact centre: its working minutes are clock minutes
  const before = await topic('general_info');
  assert.equal(before.department, 'contact_center');
  const r = await post(admin, '/api/v1/topics/general_info', { first_response_min: 7, resolution_min: 77, report_back_min: 5 });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.sla_minutes, { first_response: 7, resolution: 77, report_back: 5 });
  assert.equal(r.json.edited_by, 'admin');
  assert.ok(Math.abs(Date.parse(r.json.edited_at) - Date.now()) < 60000);
  assert.equal(r.json.name, before.name, 'fields not given keep their value');
  assert.deepEqual(await topic('general_info'), r.json, 'GET /topics shows the change');
  const c = await post(agent1, '/api/v1/cases', caseBody(freshNationalId(), { topic: 'general_info' }));
  assert.equal(c.status, 201, c.text);
  const created = Date.parse(c.json.created);
  assert.equal(Date.parse(c.json.first_response_due) - created, 7 * 60000);
  assert.equal(Date.parse(c.json.resolution_due) - created, 77 * 60000);
});

test('a topic\'s default department and name, and a department\'s name', async () => {
  let r = await post(admin, '/api/v1/topics/pension_not_paid', { department: 'records', name: '  مستمری  واريز نشده ' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.department, 'records');
  assert.equal(r.json.name, 'مستمری واریز نشده', 'normalised');
  const c = await post(agent1, '/api/v1/cases', caseBody(freshNationalId()));
  assert.equal(c.status, 201, c.text);
  assert.equal(c.json.department, 'records', 'a new case goes to the new department');
  assert.equal(c.json.topic_name, 'مستمری واریز نشده');
  r = await post(admin, '/api/v1/departments/records', { name: 'سوابق بیمه‌ای' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.name, 'سوابق بیمه‌ای');
  assert.equal(r.json.edited_by, 'admin');
  assert.equal((await departments()).find((d) => d.code === 'records').name, 'سوابق بیمه‌ای');
  const st = await S.call('GET', '/api/v1/stats/cases?days=1', { token: sup.token });
  assert.equal(st.json.by_department.find((d) => d.department === 'records').name, 'سوابق بیمه‌ای');
  // back to pensions, so later tests find it as the demo has it
  r = await post(admin, '/api/v1/topics/pension_not_paid', { department: 'pensions' });
  assert.equal(r.json.department, 'pensions');
});

test('each edit is in the audit log under the admin', async () => {
  const auditor = await S.login('auditor');
  const r = await S.call('GET', '/api/v1/audit?user=admin&limit=200', { token: auditor.token });
  assert.equal(r.status, 200, r.text);
  const rows = r.json.items.filter((i) => /^(topic|department)_update$/.test(i.action));
  assert.ok(rows.some((i) => i.action === 'topic_update' && /^general_info: .*resolution_min \d+ -> 77/.test(i.reason)),
    JSON.stringify(rows));
  assert.ok(rows.some((i) => i.action === 'topic_update' && /pension_not_paid: .*department pensions -> records/.test(i.reason)));
  assert.ok(rows.some((i) => i.action === 'department_update' && /^records: name .* -> سوابق بیمه‌ای$/.test(i.reason)));
  assert.ok(rows.every((i) => i.user === 'admin' && i.role === 'admin' && i.outcome === 'allowed'));
});

test('only the admin edits the catalogue', async () => {
  for (const login of ['supervisor', 'sv_pensions', 'sp_pensions', 'agent1', 'desk1', 'auditor', citizens[0]]) {
    const who = await S.login(login);
    assertError(await post(who, '/api/v1/topics/general_info', { resolution_min: 1 }), 403, 'forbidden');
    assertError(await post(who, '/api/v1/departments/pensions', { name: 'x' }), 403, 'forbidden');
  }
  assertError(await S.call('POST', '/api/v1/topics/general_info', { body: { resolution_min: 1 } }), 401);
  assert.equal((await topic('general_info')).sla_minutes.resolution, 77, 'unchanged');
});

test('bad edits are refused with the field named', async () => {
  const t = '/api/v1/topics/general_info';
  for (const [body, code, field] of [
    [{ resolution_min: 0 }, 'invalid_field', 'resolution_min'],
    [{ resolution_min: 525601 }, 'invalid_field', 'resolution_min'],
    [{ first_response_min: -5 }, 'invalid_field', 'first_response_min'],
    [{ report_back_min: '60' }, 'invalid_field', 'report_back_min'],
    [{ report_back_min: 1.5 }, 'invalid_field', 'report_back_min'],
    [{ first_response_min: true }, 'invalid_field', 'first_response_min'],
    [{ name: '' }, 'invalid_field', 'name'],
    [{ name: '   ' }, 'invalid_field', 'name'],
    [{ name: 'ن'.repeat(161) }, 'field_too_long', 'name'],
    [{ name: 42 }, 'invalid_field', 'name'],
    [{ name: 'دو\nخط' }, 'invalid_field', 'name'],
    [{ department: 'nowhere' }, 'unknown_department', 'department'],
    [{ department: 3 }, 'invalid_field', 'department'],
    [{ colour: 'blue' }, 'unknown_field', 'colour'],
    [{}, 'missing_field', 'body'],
    [{ resolution_min: null }, 'missing_field', 'body'],
  ]) {
    assertError(await post(admin, t, body), 400, code, field);
  }
  assertError(await S.call('POST', t, { token: admin.token, body: '[1,2]' }), 400, 'invalid_json', 'body');
  assertError(await S.call('POST', t, { token: admin.token, body: 'nope' }), 400, 'invalid_json', 'body');
  assertError(await post(admin, '/api/v1/topics/no_such_topic', { resolution_min: 10 }), 404, 'not_found', 'code');
  assertError(await post(admin, '/api/v1/departments/no_such', { name: 'x' }), 404, 'not_found', 'code');
  assertError(await post(admin, '/api/v1/departments/records', {}), 400, 'missing_field', 'name');
  assertError(await post(admin, '/api/v1/departments/records', { name_en: 'x' }), 400, 'unknown_field', 'name_en');
  assertError(await post(admin, '/api/v1/departments/records', { name: 'ن'.repeat(161) }), 400, 'field_too_long', 'name');
  // the limits themselves are fine
  let r = await post(admin, t, { report_back_min: 525600, name: 'ن'.repeat(160) });
  assert.equal(r.status, 200, r.text);
  r = await post(admin, t, { report_back_min: 1, name: 'اطلاعات عمومی' });
  assert.equal(r.status, 200, r.text);
  assert.equal((await topic('general_info')).sla_minutes.resolution, 77, 'the refused edits changed nothing');
  // the longest change is in the audit log whole
  const auditor = await S.login('auditor');
  const log = await S.call('GET', '/api/v1/audit?user=admin&limit=20', { token: auditor.token });
  assert.ok(log.json.items.some((i) => i.action === 'topic_update'
    && i.reason.includes(`name ${'ن'.repeat(160)} -> اطلاعات عمومی`) && i.reason.includes('report_back_min 525600 -> 1')), log.text);
});

test('edits racing on both loops leave memory equal to the database', async () => {
  const rs = await Promise.all(Array.from({ length: 24 }, (_, i) =>
    post(admin, '/api/v1/topics/unemployment_insurance', { resolution_min: 1000 + i, first_response_min: 100 + i })));
  for (const r of rs) assert.equal(r.status, 200, r.text);
  const live = await topic('unemployment_insurance');
  assert.ok(live.sla_minutes.resolution >= 1000 && live.sla_minutes.resolution < 1024);
  assert.equal(live.sla_minutes.first_response, live.sla_minutes.resolution - 900, 'one edit, not a mix');
  await S.stop();
  S = await startServer(db);
  admin = await S.login('admin');
  agent1 = await S.login('agent1');
  sup = await S.login('supervisor');
  assert.deepEqual(await topic('unemployment_insurance'), live, 'what was served is what was stored');
});

test('edits survive a restart: the start\'s sync keeps them, and still applies the files to unedited rows', async () => {
  // a copy of data/ whose files now disagree with both an edited and an unedited row
  const data = path.join(tempDir(), 'data');
  fs.cpSync(path.join(ROOT, 'data'), data, { recursive: true });
  const file = path.join(data, 'topics.tsv');
  const lines = fs.readFileSync(file, 'utf8').split('\n').map((l) => {
    const f = l.split('\t');
    if (f[0] === 'general_info' || f[0] === 'pension_increase') {
      f[1] = `${f[1]} (نسخه تازه)`;
      f[4] = '4321';
    }
    return f.join('\t');
  });
  fs.writeFileSync(file, lines.join('\n'));
  const before = await topics();
  const unedited = before.find((t) => t.code === 'pension_increase');
  assert.ok(unedited, 'pension_increase is in the demo catalogue');
  assert.equal(unedited.edited_at, null);
  await S.stop();
  S = await startServer(db, { env: { TAMIN_DATA: data } });
  agent1 = await S.login('agent1');
  const after = await topics();
  const g = after.find((t) => t.code === 'general_info');
  assert.deepEqual(g, before.find((t) => t.code === 'general_info'), 'the edited topic keeps the admin\'s values');
  assert.equal(g.sla_minutes.resolution, 77);
  const u = after.find((t) => t.code === 'pension_increase');
  assert.equal(u.sla_minutes.resolution, 4321, 'an unedited topic follows the file');
  assert.equal(u.name, `${unedited.name} (نسخه تازه)`);
  assert.equal((await departments()).find((d) => d.code === 'records').name, 'سوابق بیمه‌ای');
  const c = await post(agent1, '/api/v1/cases', caseBody(freshNationalId(), { topic: 'general_info' }));
  assert.equal(Date.parse(c.json.resolution_due) - Date.parse(c.json.created), 77 * 60000, 'new cases still use it');
});
