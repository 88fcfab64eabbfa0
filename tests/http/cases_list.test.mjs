// GET /api/v1/cases: filters, free-text search, identifying searches, date ranges and
// cursor paging.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startDemo, assertNoSecrets, assertError, caseBody, cleanupTemp, freshNationalId, toPersianDigits,
} from './harness.mjs';

let S, citizens, agent1, agent2, sp, sup;
let wordCase, mobileCase, mobileNid;
const WORD = 'کیمیاگران'; // with Persian ک and ی
const STATUSES = ['new', 'assigned', 'in_progress', 'waiting', 'answered', 'reported_back', 'closed'];

before(async () => {
  const d = await startDemo();
  S = d.server;
  citizens = d.citizens;
  [agent1, agent2, sp, sup] = await Promise.all([S.login('agent1'), S.login('agent2'), S.login('sp_pensions'), S.login('supervisor')]);
  let r = await S.call('POST', '/api/v1/cases', {
    token: agent1.token,
    body: caseBody(citizens[0], { subject: `پیگیری مستمری کارگاه ${WORD} تهران`, description: 'شرح کوتاه' }),
  });
  assert.equal(r.status, 201, r.text);
  wordCase = r.json;
  mobileNid = freshNationalId();
  r = await S.call('POST', '/api/v1/cases', {
    token: agent1.token,
    body: caseBody(mobileNid, { topic: 'general_info', subject: 'پرسش درباره ساعت کاری شعبه', mobile: '+98 935 777 1234' }),
  });
  assert.equal(r.status, 201, r.text);
  mobileCase = r.json;
});

after(async () => {
  if (S) {
    assertNoSecrets(S);
    await S.stop();
  }
  cleanupTemp();
});

const list = (who, q) => S.call('GET', `/api/v1/cases?${q}`, { token: who.token });

/** Follows `next` from the first page of `q` with page size `limit`; returns all items. */
async function pageAll(who, q, limit) {
  const all = [];
  let cursor = null, pages = 0;
  for (;;) {
    const r = await list(who, `${q}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json.items.length <= limit);
    all.push(...r.json.items);
    pages++;
    assert.ok(pages < 500, 'paging does not end');
    if (r.json.next === null) break;
    assert.equal(typeof r.json.next, 'string');
    assert.equal(r.json.items.length, limit, 'only a full page has a next cursor');
    cursor = r.json.next;
  }
  return all;
}

test('paging a specialist\'s department with limit=7: no duplicates, no gaps', async () => {
  const big = await list(sp, 'limit=200');
  assert.equal(big.status, 200);
  assert.equal(big.json.next, null, 'one page of 200 holds them all');
  const ids = big.json.items.map((i) => i.id);
  assert.ok(ids.length > 7, `the demo gives pensions only ${ids.length} cases`);
  assert.ok(big.json.items.every((i) => i.department === 'pensions'));
  assert.deepEqual(ids, [...ids].sort((a, b) => b - a), 'newest first');
  const paged = (await pageAll(sp, 'x=1', 7)).map((i) => i.id);
  assert.equal(new Set(paged).size, paged.length, 'no duplicates');
  assert.deepEqual(paged, ids, 'same cases, same order');
  // the same with an explicit department filter, and the supervisor of all departments
  const dept = (await pageAll(sup, 'department=pensions', 7)).map((i) => i.id);
  assert.deepEqual(dept, ids);
  // exactly one page when the count divides evenly: next is null on the last full page
  const exact = await list(sp, `limit=${ids.length}`);
  assert.equal(exact.json.items.length, ids.length);
  assert.equal(exact.json.next, null);
});

test('paging everything as the all-departments supervisor, with and without filters', async () => {
  const all = (await pageAll(sup, 'x=1', 200)).map((i) => i.id);
  assert.ok(all.length >= 150);
  const paged = (await pageAll(sup, 'x=1', 13)).map((i) => i.id);
  assert.deepEqual(paged, all);
  const closedBig = (await pageAll(sup, 'status=closed', 200)).map((i) => i.id);
  const closedPaged = (await pageAll(sup, 'status=closed', 5)).map((i) => i.id);
  assert.deepEqual(closedPaged, closedBig);
});

test('status filter returns only that status, and the statuses add up', async () => {
  const total = (await pageAll(sp, 'x=1', 200)).length;
  let sum = 0;
  for (const st of STATUSES) {
    const items = await pageAll(sp, `status=${st}`, 200);
    assert.ok(items.every((i) => i.status === st), `status=${st} gave ${[...new Set(items.map((i) => i.status))]}`);
    sum += items.length;
  }
  assert.equal(sum, total);
  const open = await pageAll(sp, 'open=1', 200);
  assert.ok(open.every((i) => i.status !== 'closed'));
  const closed = await pageAll(sp, 'status=closed', 200);
  assert.equal(open.length + closed.length, total);
  // pending: the department's work queue, not yet answered; with pending=0 it is everything
  const pending = await pageAll(sp, 'pending=1&sort=due', 200);
  const PENDING = new Set(['new', 'assigned', 'in_progress', 'waiting']);
  assert.ok(pending.length > 0 && pending.every((i) => PENDING.has(i.status)));
  const done = await pageAll(sp, 'pending=0', 200);
  assert.ok(done.every((i) => !PENDING.has(i.status)));
  assert.equal(pending.length + done.length, total);
  assertError(await list(sp, 'pending=yes'), 400, 'invalid_field', 'pending');
  // other filters combine with it
  const t = await pageAll(sup, 'topic=pension_not_paid&channel=phone', 200);
  assert.ok(t.length > 0 && t.every((i) => i.topic === 'pension_not_paid' && i.channel === 'phone'));
  const od = await pageAll(sup, 'overdue=1', 200);
  assert.ok(od.every((i) => i.overdue === true));
  const nod = await pageAll(sup, 'overdue=0', 200);
  assert.ok(nod.every((i) => i.overdue === false));
  assert.equal(od.length + nod.length, (await pageAll(sup, 'x=1', 200)).length);
  // assignee=me
  const s = await list(sp, 'limit=1');
  const id = s.json.items.find((i) => i.status === 'new')?.id ?? wordCase.id;
  await S.call('POST', `/api/v1/cases/${id}/events`, { token: sp.token, body: { type: 'start' } });
  const mine = await pageAll(sp, 'assignee=me', 200);
  assert.ok(mine.some((i) => i.id === id));
  assert.ok(mine.every((i) => i.assignee === 'sp_pensions'));
});

test('q= finds a case by a Persian word in its subject, also typed with Arabic ي/ك', async () => {
  for (const [who, q] of [
    [agent1, WORD],
    [agent1, 'كيمياگران'], // Arabic kaf and yeh
    [agent1, 'کیمیا'], // a prefix
    [agent1, `مستمری ${WORD}`], // two words
    [agent1, `  ${WORD}\u200c `],
    [sp, WORD],
    [sup, 'كيمياگران'],
  ]) {
    const r = await list(who, `q=${encodeURIComponent(q)}`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.items.map((i) => i.id), [wordCase.id], `q=${q} as ${who.login}`);
  }
  const none = await list(agent1, `q=${encodeURIComponent('واژه‌ای‌که‌نیست')}`);
  assert.equal(none.status, 200);
  assert.equal(none.json.items.length, 0);
  // the search respects who may see what
  const rec = await list(await S.login('sp_records'), `q=${encodeURIComponent(WORD)}`);
  assert.equal(rec.json.items.length, 0);
  // demo texts are searchable too, and results match the word
  const m = await list(sup, `q=${encodeURIComponent('مستمری')}&limit=200`);
  assert.ok(m.json.items.length > 1);
});

test('national_id, mobile and number searches', async () => {
  const nid = citizens[0];
  const everyone = await pageAll(sup, 'x=1', 200);
  const expected = everyone.filter((i) => i.national_id === nid).map((i) => i.id);
  assert.ok(expected.length >= 1);
  for (const form of [nid, toPersianDigits(nid)]) {
    const got = await pageAll(agent2, `national_id=${encodeURIComponent(form)}`, 200);
    assert.deepEqual(got.map((i) => i.id), expected, `national_id=${form}`);
  }
  for (const m of ['09357771234', '+98 935 777 1234', '۰۹۳۵۷۷۷۱۲۳۴', '9357771234']) {
    const r = await list(agent2, `mobile=${encodeURIComponent(m)}`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.items.map((i) => i.id), [mobileCase.id], `mobile=${m}`);
  }
  const card = await S.call('GET', `/api/v1/people/${mobileNid}`, { token: agent2.token });
  assert.equal(card.json.mobile, '09357771234');
  for (const n of [wordCase.number, toPersianDigits(wordCase.number)]) {
    const r = await list(agent2, `number=${encodeURIComponent(n)}`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.items.map((i) => i.id), [wordCase.id], `number=${n}`);
  }
  const demoOne = everyone.find((i) => i.status === 'closed');
  const r = await list(agent2, `number=${demoOne.number}`);
  assert.deepEqual(r.json.items.map((i) => i.id), [demoOne.id]);
  const nope = await list(agent2, 'number=1300-9999999');
  assert.equal(nope.status, 200);
  assert.equal(nope.json.items.length, 0);
});

function inRange(items, from, to) {
  return items.filter((i) => {
    const t = Date.parse(i.created);
    return (from === null || t >= from) && (to === null || t < to);
  }).map((i) => i.id);
}

test('from/to date range: ISO forms', async () => {
  const all = await pageAll(sup, 'x=1', 200);
  const times = all.map((i) => Date.parse(i.created));
  assert.ok(times.every((t) => !Number.isNaN(t)));
  const A = all[Math.floor(all.length * 0.7)].created;
  const B = all[Math.floor(all.length * 0.3)].created;
  const check = async (q, from, to) => {
    const got = (await pageAll(sup, q, 200)).map((i) => i.id);
    assert.deepEqual(got, inRange(all, from, to), q);
    return got;
  };
  const mid = await check(`from=${A}&to=${B}`, Date.parse(A), Date.parse(B));
  assert.ok(mid.length > 0);
  await check(`from=${A}`, Date.parse(A), null);
  await check(`to=${B}`, null, Date.parse(B));
  // toISOString() with milliseconds, and a bare date (UTC midnight)
  const d = new Date(Date.parse(A) + 1500);
  await check(`from=${encodeURIComponent(d.toISOString())}`, Date.parse(A) + 1000, null);
  const day = A.slice(0, 10);
  await check(`from=${day}`, Date.parse(`${day}T00:00:00Z`), null);
  // an empty range
  const empty = await list(sup, `from=${B}&to=${A}`);
  assert.equal(empty.json.items.length, 0);
});

// 1405/01/01 (Nowruz) is 2026-03-21; midnight in Tehran (+03:30) is 2026-03-20T20:30:00Z.
const NOWRUZ_1405 = Date.parse('2026-03-20T20:30:00Z');

test('from/to date range: Jalali 1405/01/01', async () => {
  const all = await pageAll(sup, 'x=1', 200);
  const after = inRange(all, NOWRUZ_1405, null);
  const before = inRange(all, null, NOWRUZ_1405);
  assert.ok(after.length > 0 && before.length > 0, 'the demo year spans Nowruz 1405');
  for (const form of ['1405/01/01', '1405/1/1', '14050101']) {
    const a = (await pageAll(sup, `from=${encodeURIComponent(form)}`, 200)).map((i) => i.id);
    assert.deepEqual(a, after, `from=${form}`);
    const b = (await pageAll(sup, `to=${encodeURIComponent(form)}`, 200)).map((i) => i.id);
    assert.deepEqual(b, before, `to=${form}`);
  }
  // a range of Jalali months: 1405/02/01 .. 1405/04/01 (2026-04-21 .. 2026-06-22 Tehran midnight)
  const r = (await pageAll(sup, 'from=1405/02/01&to=1405/04/01', 200)).map((i) => i.id);
  assert.deepEqual(r, inRange(all, Date.parse('2026-04-20T20:30:00Z'), Date.parse('2026-06-21T20:30:00Z')));
});

test('Jalali dates written with dashes (1405-01-01) mean the same as 1405/01/01', async () => {
  const slash = (await pageAll(sup, 'from=1405/01/01', 200)).map((i) => i.id);
  const dash = await list(sup, 'from=1405-01-01&limit=200');
  assert.equal(dash.status, 200, dash.text);
  assert.deepEqual(dash.json.items.map((i) => i.id), slash,
    'from=1405-01-01 is read as the Gregorian year 1405 instead of Jalali 1405/01/01');
});

test('Jalali dates typed with Persian digits are accepted', async () => {
  const slash = (await pageAll(sup, 'from=1405/01/01', 200)).map((i) => i.id);
  const r = await list(sup, `from=${encodeURIComponent('۱۴۰۵/۰۱/۰۱')}&limit=200`);
  assert.equal(r.status, 200, `from=۱۴۰۵/۰۱/۰۱: ${r.status} ${r.text}`);
  assert.deepEqual(r.json.items.map((i) => i.id), slash);
});

test('the work queue sorted by due date pages without gaps, soonest first', async () => {
  const all = await S.call('GET', '/api/v1/cases?sort=due&open=1&limit=200', { token: sup.token });
  assert.equal(all.status, 200);
  const ids = all.json.items.map((c) => c.id);
  assert.ok(ids.length > 7, `enough open cases to page (${ids.length})`);
  const dues = all.json.items.map((c) => Date.parse(c.resolution_due));
  for (let i = 1; i < dues.length; i++) assert.ok(dues[i - 1] <= dues[i], 'ascending due dates');
  for (const c of all.json.items) assert.notEqual(c.status, 'closed');
  const paged = [];
  let next = null;
  do {
    const q = `/api/v1/cases?sort=due&open=1&limit=7${next ? `&cursor=${next}` : ''}`;
    const r = await S.call('GET', q, { token: sup.token });
    assert.equal(r.status, 200, r.text);
    paged.push(...r.json.items.map((c) => c.id));
    next = r.json.next;
    if (next) assert.match(next, /^\d+\.\d+$/);
  } while (next);
  assert.deepEqual(paged, ids);
});

test('a bad sort or a sort cursor out of place is a 400 naming it', async () => {
  let r = await S.call('GET', '/api/v1/cases?sort=sideways', { token: sup.token });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'sort');
  r = await S.call('GET', '/api/v1/cases?sort=due&cursor=12.x', { token: sp.token });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'cursor');
  r = await S.call('GET', '/api/v1/cases?cursor=12.5', { token: sp.token });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'cursor');
});
