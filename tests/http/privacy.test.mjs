// What a citizen may see of their case, and text kept as it was typed (issue 12).
// A `note` is internal: no route shows it to the citizen. A `reply` is addressed to the
// citizen. The citizen's case is written from an allow-list, so a field or event type
// added later stays hidden from them until it is put on the list.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemo, assertError, caseBody, cleanupTemp } from './harness.mjs';

let S, citizens, agent1, sp;
before(async () => {
  const d = await startDemo();
  S = d.server;
  citizens = d.citizens;
  agent1 = await S.login('agent1');
  sp = await S.login('sp_pensions');
});
after(async () => {
  if (S) await S.stop();
  cleanupTemp();
});

const ev = (who, id, body) => S.call('POST', `/api/v1/cases/${id}/events`, { token: who.token, body });
const NOTE = 'یادداشت داخلی: تماس‌گیرنده عصبانی بود، پرونده قبلی را ببینید';

test('an internal note never reaches the citizen; a reply does', async () => {
  const nid = citizens[0];
  const c = await S.call('POST', '/api/v1/cases', { token: agent1.token, body: caseBody(nid) });
  assert.equal(c.status, 201, c.text);
  const id = c.json.id;
  assert.equal((await ev(agent1, id, { type: 'note', text: NOTE })).status, 201);
  assert.equal((await ev(sp, id, { type: 'start' })).status, 201);
  assert.equal((await ev(sp, id, { type: 'note', text: NOTE + ' (کارشناس)' })).status, 201);
  const reply = 'سلام، مدارک شما رسید و در حال بررسی است.';
  const rp = await ev(sp, id, { type: 'reply', text: reply });
  assert.equal(rp.status, 201, rp.text);
  assert.equal(rp.json.status, 'in_progress', 'a reply does not move the case');

  // staff see both
  const staff = await S.call('GET', `/api/v1/cases/${id}`, { token: sp.token });
  assert.deepEqual(staff.json.events.map((e) => e.type), ['create', 'note', 'start', 'note', 'reply']);

  const cit = await S.login(nid);
  const seen = [];
  const full = await S.call('GET', `/api/v1/cases/${id}`, { token: cit.token });
  assert.equal(full.status, 200, full.text);
  seen.push(full.text);
  assert.deepEqual(full.json.events.map((e) => e.type), ['create', 'start', 'reply']);
  assert.equal(full.json.events[2].text, reply);
  seen.push((await S.call('GET', '/api/v1/cases', { token: cit.token })).text);
  seen.push((await S.call('GET', `/api/v1/cases?number=${c.json.number}`, { token: cit.token })).text);
  seen.push((await S.call('GET', '/api/v1/me/access-log', { token: cit.token })).text);
  // the citizen's own writes answer with the case as the citizen sees it
  const own = await ev(cit, id, { type: 'reply', text: 'ممنون، منتظرم.' });
  assert.equal(own.status, 201, own.text);
  seen.push(own.text);
  for (const t of seen) assert.ok(!t.includes('یادداشت داخلی'), `a note reached the citizen: ${t.slice(0, 400)}`);
  // the citizen's reply is on both timelines
  const again = await S.call('GET', `/api/v1/cases/${id}`, { token: sp.token });
  assert.equal(again.json.events.at(-1).type, 'reply');
  assert.equal(again.json.events.at(-1).actor_role, 'citizen');
});

test('a citizen may not write an internal note', async () => {
  const nid = citizens[1];
  const c = await S.call('POST', '/api/v1/cases', { token: agent1.token, body: caseBody(nid) });
  const cit = await S.login(nid);
  assertError(await ev(cit, c.json.id, { type: 'note', text: 'x' }), 403, 'forbidden', 'type');
  assertError(await ev(cit, c.json.id, { type: 'reply' }), 400, 'missing_field', 'text');
});

test('the citizen\'s case is written from an allow-list of fields and of event data', async () => {
  const nid = citizens[2];
  const c = await S.call('POST', '/api/v1/cases', { token: agent1.token, body: caseBody(nid) });
  const id = c.json.id;
  assert.equal((await ev(agent1, id, { type: 'assign', department: 'pensions', assignee: 'sp_pensions' })).status, 201);
  assert.equal((await ev(sp, id, { type: 'wait', on: 'department', text: 'منتظر استعلام از بانک، شماره داخلی ۲۳۴' })).status, 201);
  const cit = await S.login(nid);
  const full = await S.call('GET', `/api/v1/cases/${id}`, { token: cit.token });
  assert.equal(full.status, 200, full.text);
  for (const k of ['assignee', 'assignee_name', 'escalated', 'failed_contacts', 'person'])
    assert.ok(!(k in full.json), `the citizen's case has ${k}`);
  for (const e of full.json.events) {
    assert.ok(!('actor' in e), 'staff logins are not shown to the citizen');
    assert.ok(!e.data || !('assignee' in e.data), 'nor who the case was assigned to');
  }
  const wait = full.json.events.find((e) => e.type === 'wait');
  assert.ok(wait, 'the citizen sees that the case waits');
  assert.equal(wait.text, '', 'a wait on the department keeps its reason inside');
  const list = await S.call('GET', '/api/v1/cases', { token: cit.token });
  for (const i of list.json.items) assert.ok(!('assignee' in i), 'the citizen\'s list names no assignee');
});

test('text is stored and shown as typed; search still finds it by any letter variant', async () => {
  const nid = citizens[0];
  const subject = 'تأخیر در واریز مستمری، لطفاً پیگیری کنید';
  const description = 'سلام.\nمستمری مهرماه  واریز نشده؛ شماره حساب ۰۱۲۳۴۵';
  const c = await S.call('POST', '/api/v1/cases', {
    token: agent1.token, body: caseBody(nid, { subject: `  ${subject} `, description }),
  });
  assert.equal(c.status, 201, c.text);
  assert.equal(c.json.subject, subject, 'stored as typed, only trimmed');
  assert.equal(c.json.description, description);
  const note = await ev(agent1, c.json.id, { type: 'note', text: 'كد ملي را تأیید كردم' });
  assert.equal(note.json.events.at(-1).text, 'كد ملي را تأیید كردم', 'Arabic letters kept as typed');
  // search is normalised: Arabic yeh and no hamza find «تأخیر»
  const found = await S.call('GET', `/api/v1/cases?q=${encodeURIComponent('تاخير')}`, { token: sp.token });
  assert.equal(found.status, 200, found.text);
  assert.ok(found.json.items.some((i) => i.id === c.json.id), 'search finds the typed text');
  assertError(await S.call('POST', '/api/v1/cases', {
    token: agent1.token, body: caseBody(nid, { subject: 'a\u0007b' }),
  }), 400, 'invalid_field', 'subject');
});
