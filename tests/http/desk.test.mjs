// The case desk as a call centre works it (issue 12): solved on the call, possible
// duplicates and merging, two people on one case (If-Match), the follow-up mobile, and
// the name typed for one no one has on record.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemo, assertError, caseBody, cleanupTemp, freshNationalId } from './harness.mjs';

let S, citizens, agent1, agent2, sp, sup;
before(async () => {
  const d = await startDemo();
  S = d.server;
  citizens = d.citizens;
  agent1 = await S.login('agent1');
  agent2 = await S.login('agent2');
  sp = await S.login('sp_pensions');
  sup = await S.login('supervisor');
});
after(async () => {
  if (S) await S.stop();
  cleanupTemp();
});

const ev = (who, id, body, headers) =>
  S.call('POST', `/api/v1/cases/${id}/events`, { token: who.token, body, headers });
const create = (who, body) => S.call('POST', '/api/v1/cases', { token: who.token, body });

test('solved on the call: one action answers, reports back by the call and closes', async () => {
  const c = await create(agent1, caseBody(citizens[0], { topic: 'general_info', subject: 'ساعت کاری شعبه' }));
  assert.equal(c.status, 201, c.text);
  assertError(await ev(agent1, c.json.id, { type: 'solve_on_call' }), 400, 'missing_field', 'text');
  const pension = await create(agent1, caseBody(citizens[0]));
  assertError(await ev(sp, pension.json.id, { type: 'solve_on_call', text: 'x' }), 403, 'forbidden', 'type');
  const r = await ev(agent1, c.json.id, { type: 'solve_on_call', text: 'شعبه از ۷:۳۰ تا ۱۴:۳۰ باز است.' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.status, 'closed');
  assert.equal(r.json.first_contact, true);
  assert.deepEqual(r.json.events.map((e) => e.type), ['create', 'answer', 'report_back', 'close']);
  assert.equal(r.json.events[2].data.method, 'call');
  assert.equal(r.json.events[3].data.first_contact, true);
  // the citizen sees the answer and that it was told on the call
  const cit = await S.login(citizens[0]);
  const mine = await S.call('GET', `/api/v1/cases/${c.json.id}`, { token: cit.token });
  assert.deepEqual(mine.json.events.map((e) => e.type), ['create', 'answer', 'report_back', 'close']);
  assert.match(mine.json.events[1].text, /۷:۳۰/);
  // a solved case cannot be solved again
  assertError(await ev(agent1, c.json.id, { type: 'solve_on_call', text: 'x' }), 409, 'invalid_transition', 'type');
});

test('possible duplicates are listed on create; a supervisor or the owner merges, both timelines kept', async () => {
  const nid = citizens[1];
  const a = await create(agent1, caseBody(nid, { subject: 'مستمری واریز نشده' }));
  const b = await create(agent2, caseBody(nid, { subject: 'باز هم مستمری واریز نشده' }));
  assert.equal(b.status, 201, b.text);
  assert.ok(b.json.duplicates.some((d) => d.id === a.json.id), 'the earlier open case on the topic is listed');
  assert.ok(b.json.duplicates.every((d) => d.topic === 'pension_not_paid' && d.status !== 'closed'));
  const other = await create(agent1, caseBody(nid, { topic: 'general_info', subject: 'سؤال' }));
  assert.ok(!other.json.duplicates.some((d) => d.id === a.json.id), 'another topic is no duplicate');
  // the form asks the same before filing
  const pre = await S.call('GET', `/api/v1/cases?national_id=${nid}&topic=pension_not_paid&open=1`, { token: agent1.token });
  assert.ok(pre.json.items.some((i) => i.id === a.json.id));

  // merging: into must be another open case of the same person
  assertError(await ev(agent2, b.json.id, { type: 'merge' }), 400, 'missing_field', 'into');
  assertError(await ev(agent2, b.json.id, { type: 'merge', into: 'x' }), 400, 'invalid_field', 'into');
  assertError(await ev(agent2, b.json.id, { type: 'merge', into: b.json.id }), 400, 'invalid_field', 'into');
  const stranger = await create(agent1, caseBody(citizens[2]));
  assertError(await ev(agent2, b.json.id, { type: 'merge', into: stranger.json.id }), 400, 'invalid_field', 'into');
  // agent1 neither holds nor opened b
  assertError(await ev(agent1, b.json.id, { type: 'merge', into: a.json.id }), 403, 'forbidden', 'type');
  const m = await ev(agent2, b.json.id, { type: 'merge', into: a.json.id, text: 'همان درخواست' });
  assert.equal(m.status, 201, m.text);
  assert.equal(m.json.status, 'closed');
  assert.equal(m.json.merged_into, a.json.id);
  assert.equal(m.json.events.at(-1).type, 'merge');
  assert.equal(m.json.events.at(-1).data.number, a.json.number);
  const into = await S.call('GET', `/api/v1/cases/${a.json.id}`, { token: sup.token });
  assert.equal(into.json.events.at(-1).type, 'merged');
  assert.equal(into.json.events.at(-1).data.from, b.json.id);
  assert.equal(into.json.status, 'new', 'the case merged into keeps its state');
  // a closed case takes no merge, nor can one merge into it
  assertError(await ev(sup, b.json.id, { type: 'merge', into: a.json.id }), 409, 'invalid_transition', 'type');
  const c = await create(agent1, caseBody(nid));
  assertError(await ev(sup, c.json.id, { type: 'merge', into: b.json.id }), 409, 'invalid_transition', 'into');
  // the citizen sees both ends
  const cit = await S.login(nid);
  const seen = await S.call('GET', `/api/v1/cases/${b.json.id}`, { token: cit.token });
  assert.equal(seen.json.events.at(-1).type, 'merge');
  assert.equal(seen.json.events.at(-1).data.number, a.json.number);
});

test('two people on one case: the second, with a stale If-Match, gets 409', async () => {
  const c = await create(agent1, caseBody(citizens[2]));
  const id = c.json.id;
  const got = await S.call('GET', `/api/v1/cases/${id}`, { token: sp.token });
  const etag = got.headers.get("etag");
  assert.match(etag, new RegExp(`^"${id}-\\d+"$`));
  assert.equal(etag, `"${id}-${got.json.version}"`);
  // the first acts with the version they read
  const first = await ev(sp, id, { type: 'start' }, { 'if-match': etag });
  assert.equal(first.status, 201, first.text);
  assert.notEqual(first.headers.get("etag"), etag, 'each change is a new version');
  // the second read the same version: refused, nothing written
  const second = await ev(sup, id, { type: 'answer', text: 'پاسخ دوم' }, { 'if-match': etag });
  assertError(second, 409, 'stale_version', 'If-Match');
  const now = await S.call('GET', `/api/v1/cases/${id}`, { token: sp.token });
  assert.equal(now.json.status, 'in_progress');
  assert.ok(!now.json.events.some((e) => e.type === 'answer'));
  // with the fresh version it goes through; without If-Match, as before
  const third = await ev(sup, id, { type: 'note', text: 'دیدم' }, { 'if-match': now.headers.get("etag") });
  assert.equal(third.status, 201, third.text);
  assert.equal((await ev(sup, id, { type: 'note', text: 'باز هم' })).status, 201);
  for (const bad of ['W/"1-1"', '"abc"', `"${id + 1}-1"`, `"${id}-0"`, '1-1'])
    assertError(await ev(sup, id, { type: 'note', text: 'x' }, { 'if-match': bad }), 400, 'invalid_field', 'If-Match');
});

test('the follow-up mobile given on a case finds it', async () => {
  const mobile = '09351234987';
  const c = await create(agent1, caseBody(citizens[0], { mobile: '+98 935 123 4987' }));
  assert.equal(c.status, 201, c.text);
  const r = await S.call('GET', `/api/v1/cases?mobile=${encodeURIComponent('۰۹۳۵۱۲۳۴۹۸۷')}`, { token: agent2.token });
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.items.some((i) => i.id === c.json.id), `mobile ${mobile} finds the case`);
});

test('a national id no one is on record with needs the person\'s name typed', async () => {
  const nid = freshNationalId();
  const { first_name: _f, last_name: _l, ...bare } = caseBody(nid);
  assertError(await create(agent1, bare), 400, 'missing_field', 'first_name');
  assertError(await create(agent1, { ...bare, first_name: 'زهرا' }), 400, 'missing_field', 'last_name');
  assertError(await create(agent1, { ...bare, first_name: ' ', last_name: 'x' }), 400, 'missing_field', 'first_name');
  const card = await S.call('GET', `/api/v1/people/${nid}`, { token: agent1.token });
  assert.equal(card.status, 404, 'the card says no one is on record');
  const ok = await create(agent1, { ...bare, first_name: 'زهرا', last_name: 'کریمی‌نژاد' });
  assert.equal(ok.status, 201, ok.text);
  const after = await S.call('GET', `/api/v1/people/${nid}`, { token: agent1.token });
  assert.equal(after.json.first_name, 'زهرا');
  assert.equal(after.json.last_name, 'کریمی‌نژاد');
  // for one on record, the record's names stand
  const known = await S.call('GET', `/api/v1/people/${citizens[0]}`, { token: agent1.token });
  const again = await create(agent1, caseBody(citizens[0], { first_name: 'نام', last_name: 'دیگر' }));
  assert.equal(again.status, 201);
  const still = await S.call('GET', `/api/v1/people/${citizens[0]}`, { token: agent1.token });
  assert.equal(still.json.first_name, known.json.first_name);
});
