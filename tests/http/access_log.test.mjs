// The access log as people read it: ?group=contact gives one row per staff member per
// contact (the same user reading the same person, each read within 30 minutes of the
// next) with the count, the first and last time and the actions as codes, for the
// citizen and the auditor alike; the auditor's log downloads as an Excel workbook.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { startDemo, assertError, assertNoSecrets, cleanupTemp } from './harness.mjs';

let S, nid, cit, agent1, agent2, aud;

before(async () => {
  const d = await startDemo({ people: 30, cases: 60 });
  S = d.server;
  nid = d.citizens[0];
  [cit, agent1, agent2, aud] = await Promise.all([nid, 'agent1', 'agent2', 'auditor'].map((l) => S.login(l)));
  // a call: agent1 finds the caller, lists their cases and opens one three times
  const card = await S.call('GET', `/api/v1/people/${nid}`, { token: agent1.token });
  assert.equal(card.status, 200, card.text);
  const list = await S.call('GET', `/api/v1/cases?national_id=${nid}`, { token: agent1.token });
  assert.equal(list.status, 200, list.text);
  assert.ok(list.json.items.length > 0);
  for (let i = 0; i < 3; i++)
    assert.equal((await S.call('GET', `/api/v1/cases/${list.json.items[0].id}`, { token: agent1.token })).status, 200);
  // then another call, taken by agent2
  assert.equal((await S.call('GET', `/api/v1/people/${nid}`, { token: agent2.token })).status, 200);
});

after(async () => {
  if (S) {
    assertNoSecrets(S);
    await S.stop();
  }
  cleanupTemp();
});

async function all(token, path) {
  const items = [];
  let next = null;
  for (let pages = 0; pages < 200; pages++) {
    const sep = path.includes('?') ? '&' : '?';
    const r = await S.call('GET', `${path}${sep}limit=5${next ? `&cursor=${next}` : ''}`, { token });
    assert.equal(r.status, 200, r.text);
    items.push(...r.json.items);
    next = r.json.next;
    if (!next) return items;
  }
  throw new Error('paging does not end');
}

test('the citizen sees one row per staff member per contact, with its count and codes', async () => {
  const r = await S.call('GET', '/api/v1/me/access-log?group=contact', { token: cit.token });
  assert.equal(r.status, 200, r.text);
  // (the order is the log's: a spooled read takes its place when imported)
  const last = r.json.items.slice(0, 2).find((g) => g.user === 'agent2');
  const first = r.json.items.slice(0, 2).find((g) => g.user === 'agent1');
  assert.ok(last && first, JSON.stringify(r.json.items.slice(0, 2)));
  assert.equal(last.user, 'agent2');
  assert.equal(last.count, 1);
  assert.deepEqual(last.actions, ['person_read']);
  assert.equal(first.user, 'agent1');
  assert.equal(first.role, 'agent');
  assert.ok(first.user_name);
  assert.equal(first.count, 5, 'the card, the list and three reads of the case');
  assert.deepEqual([...first.actions].sort(), ['case_list', 'case_read', 'person_read']);
  assert.equal(first.cases.length, 1);
  assert.match(first.cases[0], /^\d{4}-\d{7}$/);
  assert.ok(Date.parse(first.first_at) <= Date.parse(first.last_at));
  assert.equal(first.national_id, undefined, 'the citizen is not told their own id back');
  // every read is in exactly one row: the counts add up to the plain log, page by page
  const grouped = await all(cit.token, '/api/v1/me/access-log?group=contact');
  const plain = await all(cit.token, '/api/v1/me/access-log');
  assert.equal(grouped.reduce((n, g) => n + g.count, 0), plain.length);
  // rows of one staff member are separate contacts: more than 30 minutes apart
  const rows = grouped.filter((g) => g.user === 'agent1' && g.outcome === 'allowed');
  assert.ok(rows.length >= 2, 'the demo\'s older cases were agent1\'s too');
  for (let i = 1; i < rows.length; i++)
    assert.ok(Date.parse(rows[i - 1].first_at) - Date.parse(rows[i].last_at) > 30 * 60 * 1000, 'a gap of a contact');
});

test('the auditor groups the same way, names the person, and pages through the groups', async () => {
  const r = await S.call('GET', `/api/v1/audit?national_id=${nid}&group=contact&limit=2`, { token: aud.token });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.items.length, 2);
  assert.deepEqual(r.json.items.map((g) => [g.user, g.count, g.national_id]).sort(), [['agent1', 5, nid], ['agent2', 1, nid]]);
  const grouped = await all(aud.token, `/api/v1/audit?national_id=${nid}&group=contact`);
  const plain = await all(aud.token, `/api/v1/audit?national_id=${nid}`);
  assert.equal(grouped.reduce((n, g) => n + g.count, 0), plain.length);
  assertError(await S.call('GET', '/api/v1/audit?group=day', { token: aud.token }), 400, 'invalid_field', 'group');
  assertError(await S.call('GET', '/api/v1/me/access-log?group=1', { token: cit.token }), 400, 'invalid_field', 'group');
});

async function book(q) {
  const r = await S.call('GET', `/api/v1/audit.xlsx?${q}`, { token: aud.token, raw: true });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  assert.equal(r.headers.get('content-disposition'), 'attachment; filename="tamin-audit.xlsx"');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(r.bytes);
  assert.equal(wb.worksheets.length, 1);
  const ws = wb.worksheets[0];
  assert.equal(ws.views[0].rightToLeft, true);
  return ws;
}

test('the auditor\'s log downloads as a workbook, each read or each contact a row', async () => {
  const plain = await all(aud.token, `/api/v1/audit?national_id=${nid}`);
  const ws = await book(`national_id=${nid}`);
  assert.equal(ws.name, 'گزارش دسترسی');
  const head = ws.getRow(1).values.slice(1);
  assert.deepEqual(head, ['زمان', 'نقش', 'کاربر', 'نام', 'واحد', 'اقدام', 'کد اقدام', 'کد ملی', 'پرونده', 'دلیل', 'نتیجه']);
  assert.equal(ws.rowCount - 1, plain.length);
  // row for row the JSON's, newest first
  const i2 = plain.findIndex((i) => i.user === 'agent2');
  const top = ws.getRow(i2 + 2).values.slice(1);
  assert.ok(top[0] instanceof Date, 'the time is a date');
  // Tehran wall time: the cell's clock reads the UTC instant plus 03:30
  assert.equal(top[0].getTime() - Date.parse(plain[i2].at), 12600 * 1000);
  assert.deepEqual([top[1], top[2], top[5], top[6], top[7], top[10]],
    ['کارشناس ۱۴۲۰', 'agent2', 'شناسایی تماس‌گیرنده و دیدن کارت او', 'person_read', nid, 'مجاز']);

  const groups = await all(aud.token, `/api/v1/audit?national_id=${nid}&group=contact`);
  const gws = await book(`national_id=${nid}&group=contact`);
  assert.equal(gws.name, 'تماس‌ها');
  assert.deepEqual(gws.getRow(1).values.slice(1, 4), ['از', 'تا', 'بار']);
  assert.equal(gws.rowCount - 1, groups.length);
  const a1 = gws.getRow(groups.findIndex((g) => g.user === 'agent1') + 2).values.slice(1);
  assert.equal(a1[2], 5);
  assert.equal(typeof a1[2], 'number');
  assert.equal(a1[4], 'agent1');
  assert.match(a1[8], /دیدن پرونده/);
  assertError(await S.call('GET', '/api/v1/audit.xlsx?from=soon', { token: aud.token }), 400, 'invalid_field', 'from');
  assertError(await S.call('GET', '/api/v1/audit.xlsx', { token: agent1.token }), 403, 'forbidden');
  assertError(await S.call('GET', '/api/v1/audit.xlsx'), 401, 'unauthenticated');
});
