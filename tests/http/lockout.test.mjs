// The failed-login limits (10 per login, 40 per address, in 15 minutes) hold against the
// ways around them an attacker tries: logins chosen to collide with a victim's counter,
// a spray of many logins from one address, and one login from many addresses.
//
// Each test sends from its own loopback addresses (Linux routes all of 127.0.0.0/8 to
// the loopback, so binding the client socket to 127.0.0.2 makes the server see that
// address), so that one test's address counter does not decide another's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import {
  startDemo, createDemo, startServer, runCli, assertError, cleanupTemp, PASSWORD, storeArgs,
} from './harness.mjs';

let S;

before(async () => {
  S = (await startDemo({ people: 20, cases: 10 })).server;
});

after(async () => {
  if (S) await S.stop();
  cleanupTemp();
});

/** POST /api/v1/login from the local address `from` to server (S unless told), with more
 * headers if given: {status, json, text, headers}. */
function loginFrom(from, login, password, { server = S, headers = {} } = {}) {
  const body = JSON.stringify({ login, password });
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port: server.port,
      path: '/api/v1/login',
      method: 'POST',
      localAddress: from,
      agent: false,
      headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => {
        let json = null;
        try { json = JSON.parse(text); } catch { json = null; }
        resolve({ status: res.statusCode, json, text, headers: res.headers });
      });
    });
    req.setTimeout(60000, () => req.destroy(new Error('login timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

// The old limiter kept its counters in a 2048-slot table indexed by FNV-1a of
// "l:LOGIN" or "i:ADDRESS", and a key that landed on a taken slot reset it. FNV-1a is
// public, so the attacker computes offline logins that land on the victim's slots.
function fnvSlot(key) {
  let h = 2166136261;
  for (const c of Buffer.from(key)) h = Math.imul(h ^ c, 16777619) >>> 0;
  return h % 2048;
}
function collider(key) {
  for (let n = 0; ; n++) if (fnvSlot(`l:zz${n}`) === fnvSlot(key)) return `zz${n}`;
}

test('logins chosen to collide with a victim\'s counters do not reset them', async () => {
  const from = '127.0.0.2';
  const victim = 'sp_pensions';
  const hitLogin = collider(`l:${victim}`), hitAddress = collider(`i:${from}`);
  const seen = [];
  for (let round = 0; round < 30; round++) {
    seen.push((await loginFrom(from, victim, `wrong-${round}`)).status);
    await loginFrom(from, hitLogin, 'wrong');
    await loginFrom(from, hitAddress, 'wrong');
  }
  // the victim's 11th attempt is the address's 31st: the login's limit comes first
  assert.deepEqual(seen.slice(0, 10), Array(10).fill(401), `the victim's attempts: ${seen}`);
  assert.deepEqual(seen.slice(10), Array(20).fill(429), `the victim's attempts: ${seen}`);
  // and the right password, from anywhere, waits out the lock
  assertError(await loginFrom('127.0.0.3', victim, PASSWORD), 429, 'too_many_attempts');
});

test('a spray of many logins from one address stops at the address\'s 40 failures', async () => {
  const from = '127.0.0.4';
  const statuses = [];
  for (let i = 0; i < 45; i++) statuses.push((await loginFrom(from, `spray${i}`, 'wrong-password')).status);
  assert.deepEqual(statuses.slice(0, 40), Array(40).fill(401), `statuses: ${statuses}`);
  assert.deepEqual(statuses.slice(40), Array(5).fill(429), `statuses: ${statuses}`);
  const r = assertError(await loginFrom(from, 'agent2', PASSWORD), 429, 'too_many_attempts');
  assert.equal(r.field, 'login');
  // another address is not held back by this one
  assert.equal((await loginFrom('127.0.0.5', 'agent2', PASSWORD)).status, 200);
});

test('one login guessed from many addresses stops at the login\'s 10 failures', async () => {
  const statuses = [];
  for (let i = 0; i < 14; i++) statuses.push((await loginFrom(`127.0.1.${i + 1}`, 'sv_pensions', `guess-${i}`)).status);
  assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401), `statuses: ${statuses}`);
  assert.deepEqual(statuses.slice(10), Array(4).fill(429), `statuses: ${statuses}`);
  const r = await loginFrom('127.0.1.100', 'sv_pensions', PASSWORD);
  assertError(r, 429, 'too_many_attempts');
  assert.equal(r.headers['retry-after'], '900');
  // the lock is the login's: another login from the same address still gets in
  assert.equal((await loginFrom('127.0.1.100', 'sv_records', PASSWORD)).status, 200);
});

test('a right password forgives the login\'s failures, and the address keeps the rest', async () => {
  const from = '127.0.0.6';
  for (let i = 0; i < 9; i++) assertError(await loginFrom(from, 'desk1', `wrong-${i}`), 401, 'invalid_credentials');
  assert.equal((await loginFrom(from, 'desk1', PASSWORD)).status, 200);
  for (let i = 0; i < 10; i++) assertError(await loginFrom(from, 'desk1', `again-${i}`), 401, 'invalid_credentials');
  assertError(await loginFrom(from, 'desk1', 'once-more'), 429, 'too_many_attempts');
});

// Behind a reverse proxy every request comes from the proxy's address: without a word from
// it, one client's failures would lock every client out, and the limits would count nobody.
test('behind a trusted proxy each client is counted by the address the proxy saw', async () => {
  const d = createDemo({ people: 20, cases: 10 });
  const bad = runCli(['serve', '--db', d.db, '--trusted-proxy', 'proxy.example', ...storeArgs(d.db)]);
  assert.notEqual(bad.status, 0, 'an address, not a name');
  assert.match(bad.stderr, /trusted-proxy/);
  const P = await startServer(d.db, { args: ['--trusted-proxy', '127.0.2.1'] });
  try {
    const proxy = '127.0.2.1';
    const via = (client) => ({ server: P, headers: { 'x-forwarded-for': client } });
    for (let i = 0; i < 40; i++)
      assertError(await loginFrom(proxy, `spray${i}`, 'wrong-password', via('203.0.113.5')), 401, 'invalid_credentials');
    assertError(await loginFrom(proxy, 'agent1', PASSWORD, via('203.0.113.5')), 429, 'too_many_attempts');
    // another client behind the same proxy is not held back
    assert.equal((await loginFrom(proxy, 'agent1', PASSWORD, via('203.0.113.6'))).status, 200);
    // the address the proxy added is the last: what the client sent before it is not believed
    assertError(await loginFrom(proxy, 'agent1', PASSWORD, via('198.51.100.1, 203.0.113.5')), 429, 'too_many_attempts');
    assert.equal((await loginFrom(proxy, 'agent1', PASSWORD, via('203.0.113.5, 198.51.100.1'))).status, 200);
    // a client that is not the proxy cannot choose its address
    const other = '127.0.2.2';
    for (let i = 0; i < 40; i++)
      assertError(await loginFrom(other, `other${i}`, 'wrong-password', via(`198.51.100.${i + 10}`)), 401, 'invalid_credentials');
    assertError(await loginFrom(other, 'agent1', PASSWORD, via('198.51.100.200')), 429, 'too_many_attempts');
  } finally {
    await P.stop();
  }
});
