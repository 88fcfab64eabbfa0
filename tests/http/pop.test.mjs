// The screen pop (src/calls/pop.c, feed.c): a staff account names its telephone agent
// (POST /api/v1/users/{login}/phone-agent, checked); a CONNECT to that agent, posted by the
// telephone system or appended to the queue_log `serve --queue-log` follows, reaches that
// account's live stream (ids only, no number) and no one else's; the call's card
// (GET /api/v1/calls/{callid}) for the agent who answered it (audited, the caller context
// given) and not for another; a case opened with call_id is linked as opened, one written
// to during the call as touched, and nothing after the call ended; a bad call_id is a 4xx
// naming it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  startDemo, startServer, createDemo, assertError, assertNoSecrets, cleanupTemp, caseBody, runCli,
  sql as sqlOn,
} from './harness.mjs';

let S, D, T = {}, person;
const sql = (q, db = D.db) => sqlOn(db, q);
const now = () => Math.floor(Date.now() / 1000);
let serial = 0;
const callid = () => `${now()}.${process.pid}${++serial}`;

/** A live stream: {events, waitFor(pred, ms), close}. */
async function openStream(server, token) {
  const abort = new AbortController();
  const res = await fetch(`${server.url}/api/v1/stream`, {
    headers: { authorization: `Bearer ${token}` }, signal: abort.signal,
  });
  assert.equal(res.status, 200);
  const s = { events: [], text: '', waiters: [] };
  const check = () => {
    s.waiters = s.waiters.filter((w) => {
      const e = s.events.find(w.pred);
      if (e) w.resolve(e);
      return !e;
    });
  };
  let buf = '';
  const dec = new TextDecoder();
  (async () => {
    try {
      for await (const chunk of res.body) {
        const t = dec.decode(chunk, { stream: true });
        s.text += t;
        buf += t;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const ev = { event: 'message', data: '' };
          for (const line of block.split('\n')) {
            const m = line.match(/^([a-z]+): ?(.*)$/i);
            if (m && m[1] === 'data') ev.data += m[2];
            else if (m && m[1] === 'event') ev.event = m[2];
          }
          try { ev.json = JSON.parse(ev.data); } catch { /* not JSON */ }
          s.events.push(ev);
          check();
        }
      }
    } catch { /* closed */ }
  })();
  s.waitFor = (pred, ms = 3000, what = 'an event') => new Promise((resolve, reject) => {
    const e = s.events.find(pred);
    if (e) return resolve(e);
    const w = { pred, resolve: (x) => { clearTimeout(t); resolve(x); } };
    const t = setTimeout(() => {
      s.waiters = s.waiters.filter((x) => x !== w);
      reject(new Error(`no ${what} within ${ms} ms; got: ${s.events.map((x) => x.event).join(',')}`));
    }, ms);
    s.waiters.push(w);
  });
  s.close = () => abort.abort();
  await s.waitFor((e) => e.event === 'ready', 3000, 'ready');
  return s;
}
const popOf = (id) => (e) => e.event === 'call' && e.json?.callid === id;

before(async () => {
  D = await startDemo({ people: 30, cases: 40, args: ['--rate-limit', '0'] });
  S = D.server;
  for (const l of ['pbx', 'supervisor', 'agent1', 'agent2', 'admin', 'desk1', 'auditor']) T[l] = (await S.login(l)).token;
  const [id, nid, mobile] = sql(`SELECT id, national_id, mobile FROM people WHERE mobile IN
    (SELECT mobile FROM people GROUP BY mobile HAVING count(*) = 1) ORDER BY id LIMIT 1`).split('|');
  person = { id: Number(id), nid, mobile };
});

after(async () => {
  if (S) {
    assertNoSecrets(S);
    await S.stop();
  }
  cleanupTemp();
});

const post = (body) => S.call('POST', '/api/v1/calls/events', {
  token: T.pbx, body, headers: { 'content-type': 'text/plain; charset=utf-8' },
});
const get = (p, login) => S.call('GET', p, { token: T[login] });
const ring = (id, mobile, agent, t = now()) =>
  `${t - 5}|${id}|1420|NONE|ENTERQUEUE||${mobile}|1|\n${t}|${id}|1420|${agent}|CONNECT|5|${id}b|3\n`;

test('the admin sets, checks and clears an account\'s telephone agent', async () => {
  const set = (login, body) => S.call('POST', `/api/v1/users/${login}/phone-agent`, { token: T.admin, body });
  let r = await set('desk1', { phone_agent: '  PJSIP/۹۰۰۱ ' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.phone_agent, 'PJSIP/9001', 'trimmed, any digit set');
  r = await get('/api/v1/users?q=desk1', 'admin');
  assert.equal(r.json.items.find((u) => u.login === 'desk1').phone_agent, 'PJSIP/9001');
  assertError(await set('desk1', { phone_agent: 'SIP/8001' }), 409, 'phone_agent_taken', 'phone_agent');
  for (const bad of ['', '   ', 'SIP/80|01', 'SIP/\t8001x\n', 'NONE', 'x'.repeat(81), 8001, true, {}])
    assertError(await set('desk1', { phone_agent: bad }), 400, 'invalid_field', 'phone_agent');
  assertError(await set('desk1', {}), 400, 'missing_field', 'phone_agent');
  assertError(await set('desk1', { phone_agent: 'SIP/1', role: 'admin' }), 400, 'unknown_field');
  assertError(await set('nobody', { phone_agent: 'SIP/1' }), 404, 'not_found', 'login');
  const citizen = sql("SELECT login FROM users WHERE role = 'citizen' LIMIT 1");
  assertError(await set(citizen, { phone_agent: 'SIP/7777' }), 400, 'invalid_field', 'phone_agent');
  r = await set('desk1', { phone_agent: null });
  assert.equal(r.status, 200);
  assert.equal(r.json.phone_agent, null);
  assert.equal(sql("SELECT count(*) FROM users WHERE login = 'desk1' AND phone_agent IS NULL"), '1');
  // on create too, with the same checks
  r = await S.call('POST', '/api/v1/users', {
    token: T.admin,
    body: { login: 'agent9', password: 'cedar-harbour-lantern-7', role: 'agent', phone_agent: 'Local/8009@agents' },
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.phone_agent, 'Local/8009@agents');
  r = await S.call('POST', '/api/v1/users', {
    token: T.admin,
    body: { login: 'agent10', password: 'cedar-harbour-lantern-7', role: 'agent', phone_agent: 'Local/8009@agents' },
  });
  assertError(r, 409, 'phone_agent_taken', 'phone_agent');
  assertError(await S.call('POST', '/api/v1/users/agent2/phone-agent', {
    token: T.agent1, body: { phone_agent: 'SIP/1' },
  }), 403, 'forbidden');
});

test('a CONNECT pops the card on the answering agent\'s stream only; the card, the audit, the caller context', async () => {
  const a1 = await openStream(S, T.agent1), a2 = await openStream(S, T.agent2);
  const sv = await openStream(S, T.supervisor);
  const id = callid();
  const r = await post(ring(id, person.mobile, 'SIP/8001'));
  assert.equal(r.status, 200, r.text);
  const ev = await a1.waitFor(popOf(id), 3000, 'the pop');
  assert.deepEqual(Object.keys(ev.json).sort(), ['at', 'callid', 'queue']);
  assert.equal(ev.json.queue, '1420');
  assert.ok(!ev.data.includes(person.mobile.slice(-7)), 'no number on the stream');
  await new Promise((res) => setTimeout(res, 300));
  assert.ok(!a2.events.some((e) => e.event === 'call'), 'another agent hears nothing');
  assert.ok(!sv.events.some((e) => e.event === 'call'), 'nor a supervisor');
  for (const s of [a1, a2, sv]) s.close();

  // the card, for the agent who answered
  const c = await get(`/api/v1/calls/${encodeURIComponent(id)}`, 'agent1');
  assert.equal(c.status, 200, c.text);
  assert.equal(c.json.callid, id);
  assert.equal(c.json.agent, 'SIP/8001');
  assert.equal(c.json.outcome, null, 'on the line still');
  assert.equal(c.json.card.found, true);
  assert.equal(c.json.card.national_id, person.nid);
  assert.ok(Array.isArray(c.json.card.cases) && typeof c.json.card.open_cases === 'number');
  assert.ok(c.json.card.calls.some((x) => x.callid === id), 'the person\'s last calls');
  assert.deepEqual(c.json.cases, []);
  const log = await get(`/api/v1/audit?national_id=${person.nid}&user=agent1`, 'auditor');
  assert.equal(log.status, 200, log.text);
  assert.ok(log.json.items.some((x) => x.action === 'call_read' && x.reason.includes(id)), 'the read audited');
  const agent1 = sql("SELECT id FROM users WHERE login = 'agent1'");
  const ctx = sql(`SELECT count(*) FROM journal.caller_contexts WHERE person_id = ${person.id} AND user_id = ${agent1}`);
  assert.ok(Number(ctx) >= 1, 'the agent may read the caller\'s cases, as after a lookup');

  // another agent: the same audited 403 as for a call that does not exist
  const denied = await get(`/api/v1/calls/${encodeURIComponent(id)}`, 'agent2');
  assertError(denied, 403, 'forbidden', 'callid');
  assertError(await get('/api/v1/calls/no-such-call', 'agent2'), 403, 'forbidden', 'callid');
  assertError(await get('/api/v1/calls/no-such-call', 'supervisor'), 404, 'not_found', 'callid');
  for (const bad of ['a%7Cb', 'a%01b', '%FF%FE'])
    assertError(await get(`/api/v1/calls/${bad}`, 'supervisor'), 400, 'invalid_field', 'callid');
  assert.equal((await get(`/api/v1/calls/${encodeURIComponent(id)}`, 'supervisor')).status, 200);
  assertError(await get(`/api/v1/calls/${encodeURIComponent(id)}`, 'desk1'), 403);

  // an unknown number: the card says so, with the number to ask for the national id
  const id2 = callid();
  await post(ring(id2, '09129990000', 'SIP/8001'));
  const u = await get(`/api/v1/calls/${encodeURIComponent(id2)}`, 'agent1');
  assert.equal(u.status, 200, u.text);
  assert.deepEqual([u.json.card.found, u.json.card.number], [false, '09129990000']);
});

test('a screen that reloads during a call gets it back (GET /api/v1/me/call), until the call ends', async () => {
  const id = callid();
  assert.equal((await post(ring(id, person.mobile, 'SIP/8001'))).status, 200);
  const mine = await get('/api/v1/me/call', 'agent1');
  assert.equal(mine.status, 200, mine.text);
  assert.deepEqual(Object.keys(mine.json.call).sort(), ['at', 'callid', 'queue']);
  assert.deepEqual([mine.json.call.callid, mine.json.call.queue], [id, '1420']);
  assert.deepEqual((await get('/api/v1/me/call', 'agent2')).json, { call: null }, 'not on another agent\'s screen');
  assert.deepEqual((await get('/api/v1/me/call', 'supervisor')).json, { call: null });
  assertError(await get('/api/v1/me/call', 'desk1'), 403);
  await post(`${now()}|${id}|1420|SIP/8001|COMPLETEAGENT|5|30|1\n`);
  assert.deepEqual((await get('/api/v1/me/call', 'agent1')).json, { call: null }, 'the call ended: off the screen');
  // history posted again (a CONNECT hours old) puts nothing on the screen
  const old = callid();
  await post(ring(old, person.mobile, 'SIP/8001', now() - 7 * 3600));
  assert.deepEqual((await get('/api/v1/me/call', 'agent1')).json, { call: null });
});

test('cases opened and touched on a call are linked to it; a bad call_id is refused naming it', async () => {
  const id = callid();
  await post(ring(id, person.mobile, 'SIP/8001'));
  const create = (login, extra) => S.call('POST', '/api/v1/cases', {
    token: T[login], body: caseBody(person.nid, extra),
  });
  assertError(await create('agent1', { call_id: 'no-such-call' }), 400, 'unknown_call', 'call_id');
  assertError(await create('agent2', { call_id: id }), 403, 'not_your_call', 'call_id');
  assertError(await create('agent1', { call_id: 12 }), 400, undefined, 'call_id');
  const opened = await create('agent1', { call_id: id });
  assert.equal(opened.status, 201, opened.text);
  // an older case of the person, written to during the call: touched
  const other = await create('agent2', {});
  assert.equal(other.status, 201);
  const note = (login, caseId) => S.call('POST', `/api/v1/cases/${caseId}/events`, {
    token: T[login], body: { type: 'note', text: 'پیگیری در تماس' },
  });
  assert.equal((await note('agent1', other.json.id)).status, 201);
  // a file added to another case during the call touches it too
  const filed = await create('agent2', {});
  const f = new FormData();
  f.append('file', new Blob([Buffer.from('%PDF-1.7\n%%EOF\n')]), 'scan.pdf');
  const up = await S.call('POST', `/api/v1/cases/${filed.json.id}/attachments`, { token: T.agent1, body: f });
  assert.equal(up.status, 201, up.text);
  let c = await get(`/api/v1/calls/${encodeURIComponent(id)}`, 'agent1');
  const how = Object.fromEntries(c.json.cases.map((x) => [x.case.id, x.how]));
  assert.deepEqual(how, { [opened.json.id]: 'opened', [other.json.id]: 'touched', [filed.json.id]: 'touched' });
  assert.ok(c.json.card.cases.some((x) => x.id === opened.json.id));
  // the case shows its call
  const calls = await get(`/api/v1/cases/${opened.json.id}/calls`, 'agent1');
  assert.equal(calls.status, 200, calls.text);
  assert.deepEqual(calls.json.items.map((x) => [x.callid, x.how]), [[id, 'opened']]);
  // the call ends: what is written after is not linked to it
  await post(`${now()}|${id}|1420|SIP/8001|COMPLETECALLER|5|40|1\n`);
  const late = await create('agent2', {});
  assert.equal((await note('agent1', late.json.id)).status, 201);
  c = await get(`/api/v1/calls/${encodeURIComponent(id)}`, 'agent1');
  assert.equal(c.json.cases.length, 3);
  assert.equal(c.json.outcome, 'answered');
  assert.deepEqual((await get(`/api/v1/cases/${late.json.id}/calls`, 'agent1')).json.items, []);
  // an old CONNECT (history posted again) pops no one and puts nothing on a screen
  const a1 = await openStream(S, T.agent1);
  const old = callid();
  await post(ring(old, person.mobile, 'SIP/8001', now() - 7200));
  await new Promise((res) => setTimeout(res, 300));
  assert.ok(!a1.events.some((e) => e.event === 'call'), 'history does not pop');
  a1.close();
});

test('serve --queue-log follows the file: appended lines are stored and pop, a restart reads nothing twice', async () => {
  const { db, dir } = createDemo({ people: 30, cases: 5 });
  const file = path.join(dir, 'queue_log');
  const [nid, mobile] = sql(`SELECT national_id, mobile FROM people WHERE mobile IN
    (SELECT mobile FROM people GROUP BY mobile HAVING count(*) = 1) ORDER BY id LIMIT 1`, db).split('|');
  // written before the server starts: stored, and too old to pop
  fs.writeFileSync(file, `${now() - 7200}|old1|1420|NONE|ENTERQUEUE||09120000000|1|\n`);
  let s = await startServer(db, { args: ['--queue-log', file] });
  const tok = (await s.login('agent2')).token;
  const st = await openStream(s, tok);
  const id = callid();
  const lines = ring(id, mobile, 'SIP/8002');
  fs.appendFileSync(file, lines.slice(0, -10)); // a half-written line
  await new Promise((res) => setTimeout(res, 400));
  assert.ok(!st.events.some(popOf(id)), 'no pop before the CONNECT line is whole');
  fs.appendFileSync(file, lines.slice(-10));
  await st.waitFor(popOf(id), 3000, 'the pop from the followed file');
  const card = await s.call('GET', `/api/v1/calls/${encodeURIComponent(id)}`, { token: tok });
  assert.equal(card.json.card.national_id, nid);
  st.close();
  await s.stop();
  // the lines stored, each once: old1's, and the call's two (call_blocks counts its events)
  const stored = () => sql('SELECT coalesce(sum(events), 0) FROM call_blocks', db);
  const listed = () => JSON.parse(runCli(['calls', 'list', '--db', db, '--from', '2000-01-01', '--to', '2099-12-31']).stdout).map((c) => c.callid);
  assert.equal(stored(), '3');
  assert.ok(listed().includes('old1'));
  // restarted: the kept position, no line twice; a rotation read to the new file
  fs.renameSync(file, file + '.1');
  fs.writeFileSync(file, `${now()}|new1|1420|NONE|ENTERQUEUE||09120000001|1|\n`);
  s = await startServer(db, { args: ['--queue-log', file] });
  const deadline = Date.now() + 3000;
  while (stored() !== '4' && Date.now() < deadline)
    await new Promise((res) => setTimeout(res, 100));
  assert.equal(stored(), '4', 'new1 stored, nothing read twice');
  assert.ok(listed().includes('new1'));
  await s.stop();
});
