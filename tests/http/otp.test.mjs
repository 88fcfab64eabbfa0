// Login by a one-time code (POST /api/v1/login/otp/start and /verify) against a real server
// whose text messages go to a sink file (serve --sms-sink), read back here: the whole flow,
// the same 202 for an unknown pair with nothing sent, expiry (serve --test-clock), a used
// code, five wrong codes, the limits, bad input; every refusal found in the audit log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  createDemo, startServer, addUser, assertError, cleanupTemp, freshNationalId, caseBody,
  toPersianDigits,
} from './harness.mjs';

let demo, S, sink, clock, auditor, mobiles;
const START = '/api/v1/login/otp/start', VERIFY = '/api/v1/login/otp/verify';

function mobileOf(db, nid) {
  // the demo's citizens have a mobile on record; read it as an agent would see it
  return mobiles[nid];
}

before(async () => {
  demo = createDemo({ people: 30, cases: 20 });
  sink = path.join(demo.dir, 'sms.jsonl');
  clock = path.join(demo.dir, 'clock');
  fs.writeFileSync(clock, '0');
  S = await startServer(demo.db, {
    args: ['--sms-sink', sink, '--test-clock', clock, '--otp-per-address', '60'],
  });
  auditor = await S.login('auditor');
  const agent = await S.login('agent1');
  mobiles = {};
  for (const nid of demo.citizens) {
    const r = await S.call('GET', `/api/v1/people/${nid}`, { token: agent.token });
    assert.equal(r.status, 200, r.text);
    assert.match(r.json.mobile, /^09\d{9}$/, `demo citizen ${nid} has a mobile`);
    mobiles[nid] = r.json.mobile;
  }
});
after(async () => {
  if (S) await S.stop();
  cleanupTemp();
});

const sinkLines = () => (fs.existsSync(sink) ? fs.readFileSync(sink, 'utf8').trim().split('\n')
  .filter(Boolean).map((l) => JSON.parse(l)) : []);

/** Waits for the sink's (n+1)-th message to `to`, returns it. */
async function nextMessage(to, seen) {
  for (let i = 0; i < 100; i++) {
    const mine = sinkLines().filter((m) => m.to === to);
    if (mine.length > seen) return mine[seen];
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no message to ${to} after ${seen}`);
}
const countTo = (to) => sinkLines().filter((m) => m.to === to).length;

async function codeFor(nid, mobile) {
  const seen = countTo(mobile);
  const r = await S.call('POST', START, { body: { national_id: nid, mobile } });
  assert.equal(r.status, 202, r.text);
  const m = await nextMessage(mobile, seen);
  const code = m.text.match(/\b(\d{6})\b/);
  assert.ok(code, `a 6-digit code in: ${m.text}`);
  return { code: code[1], message: m };
}

async function auditRows(nid, action) {
  const r = await S.call('GET', `/api/v1/audit?national_id=${nid}&limit=200`, { token: auditor.token });
  assert.equal(r.status, 200, r.text);
  return r.json.items.filter((i) => i.action === action);
}

test('a citizen logs in with the code from the SMS, typed in Persian digits: the session as the password login gives it', async () => {
  const nid = demo.citizens[0], mobile = mobileOf(demo.db, nid);
  const { code, message } = await codeFor(nid, mobile);
  assert.match(message.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+03:30$/, 'at in Tehran time');
  assert.match(message.text, /تأمین/);
  const r = await S.call('POST', VERIFY, {
    body: { national_id: toPersianDigits(nid), mobile: toPersianDigits(mobile), code: toPersianDigits(code) },
  });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.role, 'citizen');
  assert.equal(r.json.login, nid);
  assert.match(r.json.token, /^[0-9a-f]{64}$/);
  assert.match(r.json.csrf, /^[0-9a-f]{64}$/);
  assert.equal(r.json.must_change_password, false);
  assert.match(r.headers.get('set-cookie'), /tamin_session=[0-9a-f]{64}; Path=\/; HttpOnly; SameSite=Strict/);
  const me = await S.call('GET', '/api/v1/me', { token: r.json.token });
  assert.equal(me.status, 200);
  assert.equal(me.json.national_id, nid);
  // used once: the same code again is refused, and the refusal is audited as a replay
  const again = await S.call('POST', VERIFY, { body: { national_id: nid, mobile, code } });
  assertError(again, 401, 'invalid_code', 'code');
  const rows = await auditRows(nid, 'otp_verify');
  assert.ok(rows.some((x) => x.reason === 'otp_login' && x.outcome === 'allowed'), JSON.stringify(rows));
  assert.ok(rows.some((x) => x.reason === 'otp_replayed' && x.outcome === 'denied'), JSON.stringify(rows));
  // the person sees the attempts in their own access log, the refused one as refused
  const log = await S.call('GET', '/api/v1/me/access-log?limit=50', { token: r.json.token });
  assert.equal(log.status, 200, log.text);
  assert.ok(log.json.items.some((x) => x.action === 'otp_start' && x.outcome === 'allowed'), log.text);
  assert.ok(log.json.items.some((x) => x.action === 'otp_verify' && x.outcome === 'denied'), log.text);
  // the server's log never carries the number or the text
  assert.ok(!S.stderr.includes(mobile) && !S.stderr.includes(code), S.stderr);
});

test('a mobile that is not the person\'s, or a national id not on record: the same 202, nothing sent, audited', async () => {
  const nid = demo.citizens[1], real = mobileOf(demo.db, nid);
  const wrong = real.replace(/\d$/, (d) => String((Number(d) + 1) % 10));
  const stranger = freshNationalId();
  const m2 = mobileOf(demo.db, demo.citizens[2]), seen2 = countTo(m2);
  const known = await S.call('POST', START, { body: { national_id: demo.citizens[2], mobile: m2 } });
  await nextMessage(m2, seen2);
  const a = await S.call('POST', START, { body: { national_id: nid, mobile: wrong } });
  const b = await S.call('POST', START, { body: { national_id: stranger, mobile: wrong } });
  for (const r of [a, b]) {
    assert.equal(r.status, known.status);
    assert.equal(r.text, known.text, 'the body tells nothing');
  }
  // a message sent after them reaches the sink; none went to the wrong number before it
  await codeFor(demo.citizens[0], mobileOf(demo.db, demo.citizens[0]));
  assert.equal(countTo(wrong), 0, 'nothing sent to a number not on record');
  const rows = await auditRows(nid, 'otp_start');
  assert.ok(rows.some((x) => x.reason === 'otp_mobile_not_theirs' && x.outcome === 'denied'), JSON.stringify(rows));
  const all = await S.call('GET', '/api/v1/audit?limit=200', { token: auditor.token });
  assert.ok(all.json.items.some((x) => x.action === 'otp_start' && x.reason === 'otp_unknown_national_id'), 'unknown id audited');
  // a verify for a pair no code was sent to answers as a wrong code does
  const v = await S.call('POST', VERIFY, { body: { national_id: nid, mobile: wrong, code: '123456' } });
  assertError(v, 401, 'invalid_code', 'code');
});

test('a code expires after 2 minutes (the test clock moved), and stays expired', async () => {
  const nid = demo.citizens[2], mobile = mobileOf(demo.db, nid);
  const { code } = await codeFor(nid, mobile);
  fs.writeFileSync(clock, '121');
  try {
    assertError(await S.call('POST', VERIFY, { body: { national_id: nid, mobile, code } }), 401, 'invalid_code', 'code');
  } finally {
    fs.writeFileSync(clock, '0');
  }
  assertError(await S.call('POST', VERIFY, { body: { national_id: nid, mobile, code } }), 401, 'invalid_code', 'code');
  const rows = await auditRows(nid, 'otp_verify');
  assert.ok(rows.some((x) => x.reason === 'otp_expired'), JSON.stringify(rows));
  // a new code, within its 2 minutes (100 s later, with room for a slow machine's own
  // seconds between the code and its use), works
  const fresh = await codeFor(nid, mobile);
  fs.writeFileSync(clock, '100');
  try {
    const ok = await S.call('POST', VERIFY, { body: { national_id: nid, mobile, code: fresh.code } });
    assert.equal(ok.status, 200, ok.text);
  } finally {
    fs.writeFileSync(clock, '0');
  }
});

test('five wrong codes end the attempt: the right one is refused after them', async () => {
  const nid = demo.citizens[0], mobile = mobileOf(demo.db, nid);
  const { code } = await codeFor(nid, mobile);
  const wrong = code === '000000' ? '111111' : '000000';
  for (let i = 0; i < 5; i++)
    assertError(await S.call('POST', VERIFY, { body: { national_id: nid, mobile, code: wrong } }), 401, 'invalid_code', 'code');
  assertError(await S.call('POST', VERIFY, { body: { national_id: nid, mobile, code } }), 401, 'invalid_code', 'code');
  const rows = await auditRows(nid, 'otp_verify');
  assert.equal(rows.filter((x) => x.reason === 'otp_guessed').length >= 4, true, JSON.stringify(rows));
  assert.ok(rows.some((x) => x.reason === 'otp_guessed_ended'), JSON.stringify(rows));
  // a newer code replaces the older ones: asking again starts afresh
  const again = await codeFor(nid, mobile);
  assert.equal((await S.call('POST', VERIFY, { body: { national_id: nid, mobile, code: again.code } })).status, 200);
});

test('an employer whose account is tied to their national id logs in by code as the employer', async () => {
  const nid = freshNationalId(), mobile = '09127770001';
  // the mobile on record: given on a case the agent opens for them
  const agent = await S.login('agent1');
  const c = await S.call('POST', '/api/v1/cases', { token: agent.token, body: caseBody(nid, { mobile }) });
  assert.equal(c.status, 201, c.text);
  const u = addUser(demo.db, { login: `emp-${nid}`, role: 'employer', nationalId: nid, name: 'کارفرمای آزمون' });
  assert.equal(u.status, 0, u.stderr);
  const { code } = await codeFor(nid, mobile);
  const r = await S.call('POST', VERIFY, { body: { national_id: nid, mobile, code } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.role, 'employer');
  assert.equal(r.json.login, `emp-${nid}`);
});

test('bad input: a 400 naming the field, in any order of mistakes', async () => {
  const nid = demo.citizens[0], mobile = mobileOf(demo.db, nid);
  const cases = [
    [START, {}, 'national_id'],
    [START, { national_id: '1234567890', mobile }, 'national_id'],
    [START, { national_id: nid }, 'mobile'],
    [START, { national_id: nid, mobile: '02112345678' }, 'mobile'],
    [START, { national_id: nid, mobile: 9121234567 }, 'mobile'],
    [START, { national_id: nid, mobile, extra: 1 }, 'extra'],
    [VERIFY, { national_id: nid, mobile }, 'code'],
    [VERIFY, { national_id: nid, mobile, code: '12345' }, 'code'],
    [VERIFY, { national_id: nid, mobile, code: '12a456' }, 'code'],
    [VERIFY, { national_id: nid, mobile, code: 'x'.repeat(5000) }, 'code'],
  ];
  for (const [p, body, field] of cases) {
    const r = await S.call('POST', p, { body });
    const e = assertError(r, 400, undefined, field);
    assert.ok(e.message, JSON.stringify(body));
  }
  assertError(await S.call('POST', START, { body: 'not json' }), 400);
});

test('limits: a sixth code for one national id in 15 minutes is refused (429) and audited; so is an address past its limit', async () => {
  const nid = demo.citizens[1], mobile = mobileOf(demo.db, nid);
  let last;
  for (let i = 0; i < 6; i++) last = await S.call('POST', START, { body: { national_id: nid, mobile } });
  assertError(last, 429, 'too_many_attempts', 'mobile');
  assert.equal(last.headers.get('retry-after'), '900');
  const rows = await auditRows(nid, 'otp_start');
  assert.ok(rows.some((x) => x.reason === 'otp_flood' && x.outcome === 'denied'), JSON.stringify(rows));
  // per mobile too: another national id with the same number is refused
  const other = await S.call('POST', START, { body: { national_id: freshNationalId(), mobile } });
  assertError(other, 429, 'too_many_attempts');
  // per address: a server allowing 3 starts from one address refuses the fourth
  await S.stop();
  S = null;
  const T = await startServer(demo.db, { args: ['--sms-sink', sink, '--otp-per-address', '3'] });
  try {
    const codes = [];
    for (let i = 0; i < 4; i++)
      codes.push((await T.call('POST', START, { body: { national_id: freshNationalId(), mobile: `0912000000${i}` } })).status);
    assert.deepEqual(codes, [202, 202, 202, 429]);
  } finally {
    await T.stop();
  }
});
