// Live events (GET /api/v1/stream, Server-Sent Events): who hears of what, what a citizen
// never hears, the stream's lifetimes (logout, the server's stop) and its caps.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startDemo, startServer, createDemo, addUser, cleanupTemp, caseBody, assertError, USER_PASSWORD,
} from './harness.mjs';

let S, D;
const NOTE = 'یادداشت داخلی: تماس با کارفرما، محرمانه';
const tokens = {};

/** Opens a stream: {status, headers, events, text, waitFor, ended, close}. Every event is
 * {id, event, data} with data parsed when it is JSON; comments are counted in `comments`. */
async function openStream(server, token, { headers = {} } = {}) {
  const abort = new AbortController();
  const h = { ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  const res = await fetch(`${server.url}/api/v1/stream`, { headers: h, signal: abort.signal });
  const s = { status: res.status, headers: res.headers, events: [], text: '', comments: 0, waiters: [] };
  if (!(res.headers.get('content-type') || '').startsWith('text/event-stream')) {
    s.body = await res.text();
    s.json = JSON.parse(s.body);
    return s;
  }
  const check = () => {
    s.waiters = s.waiters.filter((w) => {
      const e = s.events.find(w.pred);
      if (e) w.resolve(e);
      return !e;
    });
  };
  let buf = '';
  const dec = new TextDecoder();
  s.ended = (async () => {
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
          let has = false;
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) { s.comments++; continue; }
            const m = line.match(/^([a-z]+): ?(.*)$/i);
            if (!m) continue;
            if (m[1] === 'data') { ev.data += m[2]; has = true; }
            else if (m[1] === 'id' || m[1] === 'event') ev[m[1]] = m[2];
          }
          if (!has) continue;
          try { ev.json = JSON.parse(ev.data); } catch { /* not JSON */ }
          s.events.push(ev);
          check();
        }
      }
      return 'ended';
    } catch (e) {
      return abort.signal.aborted ? 'aborted' : `error: ${e.message}`;
    }
  })();
  s.waitFor = (pred, ms = 3000, what = 'an event') => new Promise((resolve, reject) => {
    const e = s.events.find(pred);
    if (e) return resolve(e);
    const w = { pred, resolve: (x) => { clearTimeout(t); resolve(x); } };
    const t = setTimeout(() => {
      s.waiters = s.waiters.filter((x) => x !== w);
      reject(new Error(`no ${what} within ${ms} ms; got: ${JSON.stringify(s.events.map((x) => x.json ?? x.event))}`));
    }, ms);
    s.waiters.push(w);
  });
  s.close = () => abort.abort();
  await s.waitFor((e) => e.event === 'ready', 3000, 'ready');
  return s;
}

const onCase = (id, type) => (e) => e.event === 'case' && e.json?.case_id === id && (!type || e.json.type === type);

before(async () => {
  D = await startDemo({
    people: 40,
    cases: 10,
    args: ['--rate-limit', '0', '--streams-per-user', '4'],
    users: [{ login: 'sp_pensions2', role: 'specialist', department: 'pensions' }],
  });
  S = D.server;
  for (const login of ['agent1', 'sp_pensions', 'sp_records', 'supervisor']) tokens[login] = (await S.login(login)).token;
  tokens.sp_pensions2 = (await S.login('sp_pensions2', USER_PASSWORD)).token;
  tokens.citizen = (await S.login(D.citizens[0])).token;
});

after(async () => {
  if (S) await S.stop();
  cleanupTemp();
});

test('no session: 401 JSON, not a stream; a Last-Event-ID not ours: 400 naming it', async () => {
  const r = await S.call('GET', '/api/v1/stream');
  assertError(r, 401, 'unauthenticated');
  const bad = await S.call('GET', '/api/v1/stream', { token: tokens.agent1, headers: { 'last-event-id': 'abc' } });
  assertError(bad, 400, 'invalid_field', 'Last-Event-ID');
  // an admin has no cases to hear of: the route's 403
  const admin = (await S.login('admin')).token;
  assertError(await S.call('GET', '/api/v1/stream', { token: admin }), 403, 'forbidden');
});

test('the stream is an event stream: headers, retry, ready', async () => {
  const s = await openStream(S, tokens.agent1);
  try {
    assert.equal(s.status, 200);
    assert.match(s.headers.get('content-type'), /^text\/event-stream/);
    assert.equal(s.headers.get('cache-control'), 'no-store');
    assert.match(s.text, /^retry: \d+\n\n/);
    const ready = s.events.find((e) => e.event === 'ready');
    assert.match(ready.id, /^\d+-\d+$/);
  } finally { s.close(); }
});

test('an assignment reaches the assignee and the department, not another department; a transfer tells them it left', async () => {
  const assignee = await openStream(S, tokens.sp_pensions2);
  const dept = await openStream(S, tokens.sp_pensions);
  const other = await openStream(S, tokens.sp_records);
  const sup = await openStream(S, tokens.supervisor); // of every department
  try {
    const c = await S.call('POST', '/api/v1/cases', { token: tokens.agent1, body: caseBody(D.citizens[1]) });
    assert.equal(c.status, 201, c.text);
    const id = c.json.id;
    const t0 = Date.now();
    const r = await S.call('POST', `/api/v1/cases/${id}/events`, {
      token: tokens.agent1, body: { type: 'assign', assignee: 'sp_pensions2' },
    });
    assert.equal(r.status, 201, r.text);
    const a = await assignee.waitFor(onCase(id, 'assign'), 1000, 'the assignment, within a second');
    assert.ok(Date.now() - t0 < 1000);
    assert.equal(a.json.reason, 'assignee');
    assert.equal(a.json.status, 'assigned');
    assert.equal(a.json.number, c.json.number);
    assert.equal(a.json.department, 'pensions');
    assert.equal(a.json.self, false);
    assert.equal(a.id, a.json.id);
    const d = await dept.waitFor(onCase(id, 'assign'), 1000, 'the assignment at the department');
    assert.equal(d.json.reason, 'department');
    assert.equal((await sup.waitFor(onCase(id, 'assign'), 1000)).json.reason, 'all');
    // the case creation reached the department too
    await dept.waitFor(onCase(id, 'create'), 1000, 'the creation');

    // transferred to records: the other department hears of it now, the others that it left
    const tr = await S.call('POST', `/api/v1/cases/${id}/events`, {
      token: tokens.agent1, body: { type: 'assign', department: 'records' },
    });
    assert.equal(tr.status, 201, tr.text);
    const o = await other.waitFor(onCase(id), 1000, 'the transfer at records');
    assert.equal(o.json.reason, 'department');
    assert.equal(o.json.department, 'records');
    assert.equal(o.json.status, 'new');
    // one stream's events come in order: records never heard of the assignment before it
    assert.equal(other.events.filter(onCase(id)).length, 1, JSON.stringify(other.events.map((e) => e.json)));
    assert.equal((await assignee.waitFor((e) => onCase(id)(e) && e.json.reason === 'left', 1000)).json.status, 'new');
    assert.equal((await dept.waitFor((e) => onCase(id)(e) && e.json.reason === 'left', 1000)).json.department, 'records');
  } finally {
    for (const s of [assignee, dept, other, sup]) s.close();
  }
});

test('a citizen hears of their own case answered, never of a note, and no event carries a text', async () => {
  const citizen = await openStream(S, tokens.citizen);
  const other = await openStream(S, (await S.login(D.citizens[2])).token);
  const staff = await openStream(S, tokens.sp_pensions);
  try {
    const c = await S.call('POST', '/api/v1/cases', { token: tokens.agent1, body: caseBody(D.citizens[0]) });
    assert.equal(c.status, 201, c.text);
    const id = c.json.id;
    const ev = (body, token = tokens.sp_pensions) => S.call('POST', `/api/v1/cases/${id}/events`, { token, body });
    assert.equal((await ev({ type: 'note', text: NOTE })).status, 201);
    assert.equal((await ev({ type: 'start' })).status, 201);
    assert.equal((await ev({ type: 'answer', text: 'مستمری شما واریز شد' })).status, 201);
    const a = await citizen.waitFor(onCase(id, 'answer'), 1000, "the citizen's answer");
    assert.equal(a.json.reason, 'person');
    assert.equal(a.json.status, 'answered');
    // what a citizen's event holds, and no more (no department, no people)
    assert.deepEqual(Object.keys(a.json).sort(), ['at', 'case_id', 'id', 'number', 'reason', 'status', 'type']);
    await staff.waitFor(onCase(id, 'answer'), 1000, "the department's answer");
    await staff.waitFor(onCase(id, 'note'), 1000, "the department's note");
    // the citizen heard of the answer only: not the creation, the note or the start
    assert.deepEqual(citizen.events.filter(onCase(id)).map((e) => e.json.type), ['answer']);
    assert.equal(other.events.filter(onCase(id)).length, 0, 'another citizen heard of it');
    for (const s of [citizen, other, staff]) {
      assert.ok(!s.text.includes(NOTE) && !s.text.includes('یادداشت'), `a note's text reached a stream: ${s.text}`);
      assert.ok(!s.text.includes('مستمری شما'), 'an answer\'s text reached a stream');
      assert.ok(!/"text"/.test(s.text));
    }
  } finally {
    for (const s of [citizen, other, staff]) s.close();
  }
});

test('a reconnect with Last-Event-ID gets what it missed; an id of another run gets reset', async () => {
  const first = await openStream(S, tokens.sp_pensions);
  const last = first.events.at(-1).id;
  first.close();
  const c = await S.call('POST', '/api/v1/cases', { token: tokens.agent1, body: caseBody(D.citizens[1]) });
  assert.equal(c.status, 201);
  const again = await openStream(S, tokens.sp_pensions, { headers: { 'last-event-id': last } });
  try {
    const missed = again.events.find(onCase(c.json.id, 'create'));
    assert.ok(missed, `the missed event was not replayed: ${again.text}`);
    assert.ok(again.events.indexOf(missed) < again.events.findIndex((e) => e.event === 'ready'));
  } finally { again.close(); }
  const stale = await openStream(S, tokens.sp_pensions, { headers: { 'last-event-id': '1-1' } });
  try {
    assert.equal(stale.events[0].event, 'reset');
  } finally { stale.close(); }
});

test('a logout ends the stream at once', async () => {
  const session = await S.login('sp_pensions');
  const s = await openStream(S, session.token);
  const r = await S.call('POST', '/api/v1/logout', { token: session.token });
  assert.equal(r.status, 200, r.text);
  const how = await Promise.race([s.ended, new Promise((res) => setTimeout(() => res('still open'), 2000))]);
  assert.equal(how, 'ended');
  // and the session opens no new one
  assertError(await S.call('GET', '/api/v1/stream', { token: session.token }), 401, 'unauthenticated');
});

test('many streams of one user from one address: past the cap a 429 JSON error, and a closed one makes room', async () => {
  const session = await S.login('sp_records');
  const open = [];
  try {
    for (let i = 0; i < 4; i++) open.push(await openStream(S, session.token));
    const r = await S.call('GET', '/api/v1/stream', { token: session.token });
    assertError(r, 429, 'too_many_streams');
    assert.ok(r.headers.get('retry-after'));
    // another user is not refused for it
    const other = await openStream(S, tokens.agent1);
    other.close();
    open.shift().close();
    let again;
    for (let i = 0; i < 50 && !again; i++) {
      const s = await openStream(S, session.token);
      if (s.status === 200) again = s;
      else await new Promise((res) => setTimeout(res, 20));
    }
    assert.ok(again, 'a stream closed by its client still counted');
    open.push(again);
  } finally {
    for (const s of open) s.close();
  }
});

test('heartbeats keep the stream open; the server stops cleanly with streams open', async () => {
  const demo = createDemo({ people: 20, cases: 5 });
  const server = await startServer(demo.db, { args: ['--stream-heartbeat', '1'] });
  const token = (await server.login('sp_pensions')).token;
  const streams = [];
  for (let i = 0; i < 3; i++) streams.push(await openStream(server, token));
  await new Promise((res) => setTimeout(res, 2300));
  assert.ok(streams[0].comments >= 2, `heartbeats: ${streams[0].comments}: ${streams[0].text}`);
  // a reader that never reads, too
  const stuck = await fetch(`${server.url}/api/v1/stream`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(stuck.status, 200);
  const t0 = Date.now();
  const r = await server.stop();
  assert.equal(r.code, 0);
  assert.ok(Date.now() - t0 < 5000, `the stop took ${Date.now() - t0} ms`);
  for (const s of streams) assert.equal(await s.ended, 'ended');
  assert.match(r.stderr, /stopped cleanly/);
});

test('an account disabled, its role changed or its password reset: its streams end at once', async () => {
  const demo = createDemo({ people: 20, cases: 5 });
  for (const login of ['sp_short', 'sp_moved', 'sp_reset'])
    addUser(demo.db, { login, role: 'specialist', department: 'pensions' });
  // a heartbeat of an hour: only the account's change can end the stream within the test
  const server = await startServer(demo.db, { args: ['--stream-heartbeat', '3600'] });
  try {
    const admin = (await server.login('admin')).token;
    for (const [login, path, body] of [['sp_short', 'disable', {}], ['sp_moved', 'role', { role: 'agent' }],
      ['sp_reset', 'password', { password: 'a temporary passphrase 99' }]]) {
      const token = (await server.login(login, USER_PASSWORD)).token;
      const s = await openStream(server, token);
      const r = await server.call('POST', `/api/v1/users/${login}/${path}`, { token: admin, body });
      assert.equal(r.status, 200, r.text);
      const how = await Promise.race([s.ended, new Promise((res) => setTimeout(() => res('still open'), 2000))]);
      assert.equal(how, 'ended', `${login}: ${path}`);
    }
  } finally {
    await server.stop();
  }
});
