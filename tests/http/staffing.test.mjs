// GET /api/v1/calls/staffing: Erlang C over HTTP (src/staffing/). The figures of
// published worked examples (cited in tests/unit/test_erlang.c), a queue that cannot
// keep up, every bad parameter refused with its name, and who may ask.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemo, assertError, assertNoSecrets, cleanupTemp } from './harness.mjs';

let S, sup, svPensions, admin, agent;

before(async () => {
  const d = await startDemo({ people: 10, cases: 5 });
  S = d.server;
  [sup, svPensions, admin, agent] = await Promise.all(
    ['supervisor', 'sv_pensions', 'admin', 'agent1'].map((l) => S.login(l)));
});

after(async () => {
  if (S) {
    assertNoSecrets(S);
    await S.stop();
  }
  cleanupTemp();
});

const BASE = { calls: '100', interval_s: '1800', aht_s: '180', target_sl: '0.8', target_s: '20' };
const ask = (who, params) => S.call('GET', `/api/v1/calls/staffing?${new URLSearchParams(params)}`,
  { token: who?.token });

test('the agents needed for 80% in 20 s: Call Centre Helper\'s example, 14 agents', async () => {
  const r = await ask(sup, BASE);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, {
    agents: 14, service_level: 0.8884, asa_s: 7.84, occupancy: 0.7143,
    traffic_erlangs: 10, wait_probability: 0.1741,
  });
});

test('what a given number of agents would give; more agents, a better answer', async () => {
  const at = async (agents) => {
    const r = await ask(sup, { ...BASE, agents: String(agents) });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.agents, agents);
    return r.json;
  };
  const thirteen = await at(13);
  assert.ok(thirteen.service_level < 0.8, JSON.stringify(thirteen)); // 79.6%: one short
  let prev = thirteen;
  for (const n of [14, 16, 20, 30]) {
    const cur = await at(n);
    assert.ok(cur.service_level > prev.service_level && cur.asa_s < prev.asa_s
      && cur.occupancy < prev.occupancy, `${n}: ${JSON.stringify(cur)}`);
    prev = cur;
  }
  // Mitan's example: 360 calls in 30 min, 4-minute calls, 55 agents, 15 s
  const r = await ask(sup, { calls: '360', interval_s: '1800', aht_s: '240', target_sl: '0.8', target_s: '15' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.agents, 55);
  assert.equal(r.json.traffic_erlangs, 48);
  assert.equal(r.json.wait_probability, 0.2387);
});

test('agents no more than the Erlangs: the queue never empties, ASA null', async () => {
  for (const agents of ['1', '9', '10']) {
    const r = await ask(sup, { ...BASE, agents });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, {
      agents: Number(agents), service_level: 0, asa_s: null, occupancy: 1,
      traffic_erlangs: 10, wait_probability: 1,
    });
  }
});

test('no call: no agent needed; decimals are taken (a forecast of 12.5 calls)', async () => {
  let r = await ask(sup, { ...BASE, calls: '0' });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, {
    agents: 0, service_level: 1, asa_s: 0, occupancy: 0, traffic_erlangs: 0, wait_probability: 0,
  });
  r = await ask(sup, { ...BASE, calls: '12.5', aht_s: '300.5' });
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.agents >= 3 && r.json.service_level >= 0.8, r.text);
});

test('thousands of Erlangs answer at once; more than 100000 agents is refused naming calls', async () => {
  const t0 = Date.now();
  let r = await ask(sup, { calls: '37500', interval_s: '1800', aht_s: '240', target_sl: '0.8', target_s: '20' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.agents, 5016);
  assert.equal(r.json.traffic_erlangs, 5000);
  assert.ok(Date.now() - t0 < 2000, `took ${Date.now() - t0} ms`);
  r = await ask(sup, { calls: '10000000', interval_s: '60', aht_s: '36000', target_sl: '0.8', target_s: '20' });
  assertError(r, 400, 'invalid_field', 'calls');
  // a given number of agents far below the traffic is an answer, not an error
  r = await ask(sup, { calls: '10000000', interval_s: '60', aht_s: '36000', target_sl: '0.8', target_s: '20', agents: '100000' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.asa_s, null);
});

test('every bad parameter is a 400 naming it', async () => {
  for (const field of ['calls', 'interval_s', 'aht_s', 'target_sl', 'target_s']) {
    const { [field]: _, ...rest } = BASE;
    assertError(await ask(sup, rest), 400, 'missing_field', field);
  }
  const bad = {
    calls: ['-1', '10000001', 'abc', '', '1e3', '0x10', 'inf', 'NaN', ' 5', '5 ', '+5', '1.2.3', '.5', '۵'],
    interval_s: ['59', '86401', '0', 'x'],
    aht_s: ['0', '0.5', '36001', '1,5'],
    target_sl: ['0', '1', '80', '1.5', '-0.8', '0.'],
    target_s: ['0', '3601', 'twenty'],
    agents: ['0', '100001', '1.5', '-3', 'many', ''],
  };
  for (const [field, values] of Object.entries(bad)) {
    for (const v of values) {
      const r = await ask(sup, { ...BASE, [field]: v });
      const e = assertError(r, 400, undefined, field);
      assert.ok(['invalid_field', 'missing_field'].includes(e.code), `${field}=${v}: ${r.text}`);
    }
  }
});

test('supervisors ask; others are refused, no one without a session', async () => {
  assert.equal((await ask(svPensions, BASE)).status, 200); // a department's supervisor too
  for (const who of [admin, agent]) assertError(await ask(who, BASE), 403, 'forbidden', '');
  assert.equal((await ask(null, BASE)).status, 401);
});
