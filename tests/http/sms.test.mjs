// The SMS adapter against a stub gateway on loopback, started here: the body filled from
// --sms-template, the key in its header; a gateway that answers 503, is slower than
// --sms-timeout-ms, or is down has the message tried again later (nothing lost); one that
// answers 400 refuses it for good (tried once). And the citizen's SMS when their case is
// answered and reported back, if they gave a mobile on it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import {
  createDemo, startServer, cleanupTemp, caseBody, runCli, sql, storeArgs,
} from './harness.mjs';

let demo, S, stub, port, mode = 'ok';
const got = []; // every request the gateway saw: {to, text, key, mode}

function listen(p = 0) {
  return new Promise((resolve) => {
    stub = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        let j = null;
        try { j = JSON.parse(body); } catch { /* recorded as null */ }
        got.push({ to: j?.mobiles?.[0], text: j?.messageText, key: req.headers['x-api-key'], mode, path: req.url });
        if (mode === 'slow') { setTimeout(() => { res.writeHead(200); res.end('{}'); }, 1500); return; }
        const status = { ok: 200, 503: 503, 400: 400 }[mode];
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(status === 200 ? '{"status":1}' : '{"status":0}');
      });
    });
    stub.listen(p, '127.0.0.1', () => resolve(stub.address().port));
  });
}

before(async () => {
  demo = createDemo({ people: 20, cases: 10 });
  port = await listen();
  S = await startServer(demo.db, {
    // the key from the environment, as the guide advises (out of the process list)
    env: { TAMIN_SMS_KEY: 'test-key-1' },
    args: ['--sms-url', `http://127.0.0.1:${port}/v1/send`,
      '--sms-template', '{"lineNumber":30004505,"mobiles":["{{to}}"],"messageText":"{{text}}"}',
      '--sms-timeout-ms', '400', '--sms-retry-ms', '100'],
  });
});
after(async () => {
  if (S) await S.stop();
  stub?.close();
  cleanupTemp();
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(what, f, ms = 15000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = f();
    if (v) return v;
    await sleep(50);
  }
  throw new Error(`waited for ${what}; the gateway saw ${JSON.stringify(got.map((g) => [g.to, g.mode]))}`);
}
const to = (m) => got.filter((g) => g.to === m);

/** Queues a one-time code to the demo citizen i's mobile on record; returns the mobile. */
let mobiles = null;
async function queueCode(i) {
  if (!mobiles) {
    const agent = await S.login('agent1');
    mobiles = [];
    for (const nid of demo.citizens)
      mobiles.push((await S.call('GET', `/api/v1/people/${nid}`, { token: agent.token })).json.mobile);
  }
  const r = await S.call('POST', '/api/v1/login/otp/start', { body: { national_id: demo.citizens[i], mobile: mobiles[i] } });
  assert.equal(r.status, 202, r.text);
  return mobiles[i];
}

test('a message reaches the gateway as the template says, with the key in its header', async () => {
  mode = 'ok';
  const m = await queueCode(0);
  const g = await until('the code', () => to(m)[0]);
  assert.equal(g.path, '/v1/send');
  assert.equal(g.key, 'test-key-1');
  assert.match(g.text, /^\d{6} کد ورود/);
});

test('a gateway answering 503, then slower than the timeout, then down: the message waits and is delivered once it is back', async () => {
  mode = '503';
  const m = await queueCode(1);
  await until('two tries answered 503', () => to(m).filter((g) => g.mode === '503').length >= 2);
  mode = 'slow';
  await until('a try that timed out', () => to(m).some((g) => g.mode === 'slow'));
  // down: nothing listens on the port
  await new Promise((r) => stub.close(r));
  stub.closeAllConnections?.();
  mode = 'ok';
  const before = to(m).length;
  await sleep(600); // tries meet a refused connection
  assert.equal(to(m).length, before, 'a closed gateway saw nothing');
  await listen(port);
  await until('the message delivered after the gateway came back', () => to(m).some((g) => g.mode === 'ok'));
  // delivered, it is not sent again
  await sleep(500);
  assert.equal(to(m).filter((g) => g.mode === 'ok').length, 1);
  assert.ok(!S.stderr.includes(m), 'the server log never names the number');
  assert.match(S.stderr, /sms \d+ not delivered, try \d+ \(HTTP 503\)/);
});

test('a gateway answering 400 refuses the message for good: tried once, kept as failed', async () => {
  mode = '400';
  const m = await queueCode(2);
  await until('one try', () => to(m).length >= 1);
  await sleep(700); // several retry delays of 100 ms
  assert.equal(to(m).length, 1, 'a refused message is not tried again');
  mode = 'ok';
  // the outbox keeps it, failed, with the gateway's answer (read with SQL, as an operator would)
  const q = sql(demo.db, `SELECT state, attempts, last_error FROM sms_outbox WHERE mobile = '${m}' ORDER BY id DESC LIMIT 1`);
  assert.equal(q, 'failed|1|HTTP 400');
});

test('the citizen gets an SMS when their case is answered and when it is reported back, with its number', async () => {
  mode = 'ok';
  const agent = await S.login('agent1'), sp = await S.login('sp_pensions');
  const mobile = '09351112233';
  const c = await S.call('POST', '/api/v1/cases', { token: agent.token, body: caseBody(demo.citizens[0], { mobile }) });
  assert.equal(c.status, 201, c.text);
  const ev = (who, body) => S.call('POST', `/api/v1/cases/${c.json.id}/events`, { token: who.token, body });
  assert.equal((await ev(sp, { type: 'start' })).status, 201);
  await sleep(300);
  assert.equal(to(mobile).length, 0, 'nothing before the answer');
  assert.equal((await ev(sp, { type: 'answer', text: 'مبلغ واریز شد.' })).status, 201);
  const persian = c.json.number.replace(/\d/g, (d) => String.fromCharCode(0x06f0 + Number(d)));
  const answered = await until('the answer SMS', () => to(mobile)[0]);
  assert.ok(answered.text.includes(`\u2066${persian}\u2069`), answered.text);
  assert.match(answered.text, /پاسخ داده شد/);
  assert.ok(!answered.text.includes('مبلغ واریز شد'), 'the answer itself stays on the page');
  assert.equal((await ev(agent, { type: 'report_back', method: 'call' })).status, 201);
  const reported = await until('the report-back SMS', () => to(mobile)[1]);
  assert.match(reported.text, /اعلام شد/);
  // a refused event sends nothing: a second answer on a reported case is not allowed
  const bad = await ev(sp, { type: 'answer', text: 'دوباره' });
  assert.ok(bad.status >= 400 && bad.status < 500, bad.text);
  await sleep(400);
  assert.equal(to(mobile).length, 2);
});

test('serve refuses a wrong SMS set-up before it listens: both ways out, a template that is not JSON, no placeholder, a URL that is not HTTP', () => {
  const cases = [
    [['--sms-sink', '/dev/null', '--sms-url', 'http://127.0.0.1:9/'], /one or the other/],
    [['--sms-url', 'http://127.0.0.1:9/', '--sms-template', '{"to":{{to}},"text":"{{text}}"}'], /inside a JSON string/],
    [['--sms-url', 'http://127.0.0.1:9/', '--sms-template', '{"text":"{{text}}"}'], /needs both/],
    [['--sms-url', 'http://127.0.0.1:9/', '--sms-template', '{"to":"{{to}}","text":"{{body}}"}'], /needs both|placeholders/],
    [['--sms-url', 'ftp://127.0.0.1/'], /http:\/\/ or https:\/\//],
  ];
  for (const [args, msg] of cases) {
    const r = runCli(['serve', '--db', demo.db, '--listen', '127.0.0.1:0', ...storeArgs(demo.db), ...args], { timeout: 20000 });
    assert.notEqual(r.status, 0, `${args.join(' ')} started`);
    assert.match(r.stderr, msg, r.stderr);
    assert.doesNotMatch(r.stdout, /listening/);
  }
});
