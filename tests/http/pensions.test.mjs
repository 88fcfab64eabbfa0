// The yearly increase and the equalisation for every pensioner as one batch: previewed,
// applied once, refused when stale; each pensioner's change shown; only the pensions
// department may run it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemo, assertError, assertNoSecrets, cleanupTemp, runCli, sql as sqlOn } from './harness.mjs';

let S, D, admin, svp, svr, agent, sp;
const sql = (q) => sqlOn(D.db, q);
const post = (who, p, body) => S.call('POST', p, { token: who.token, body });
const get = (who, p) => S.call('GET', p, { token: who.token });

before(async () => {
  D = await startDemo({ people: 150, cases: 20 });
  S = D.server;
  admin = await S.login('admin');
  svp = await S.login('sv_pensions');
  svr = await S.login('sv_records');
  agent = await S.login('agent1');
  sp = await S.login('sp_pensions');
});
after(async () => {
  if (S) {
    assertNoSecrets(S);
    await S.stop();
  }
  cleanupTemp();
});

test('a preview computes every pension by the rules; applying it changes them all at once', async () => {
  const count = Number(sql('SELECT count(*) FROM pensioners'));
  const sumBefore = Number(sql('SELECT sum(amount) FROM pensioners'));
  assert.ok(count > 0, 'the demo has pensioners');
  const p = await post(svp, '/api/v1/pensions/batches', { kind: 'increase', date: '1405/01/01' });
  assert.equal(p.status, 201, p.text);
  assert.equal(p.json.status, 'preview');
  assert.equal(p.json.pensioners, count);
  assert.equal(p.json.before, sumBefore);
  assert.equal(Number(sql('SELECT sum(amount) FROM pensioners')), sumBefore, 'a preview changes nothing');
  // each pension is what `tamin rules increase` says of it
  for (const s of p.json.sample.slice(0, 3)) {
    const r = runCli(['rules', 'increase', String(s.before), '--on', '1405/01/01']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).increased, s.after);
  }
  const a = await post(svp, `/api/v1/pensions/batches/${p.json.id}/apply`);
  assert.equal(a.status, 200, a.text);
  assert.equal(a.json.status, 'applied');
  assert.equal(Number(sql('SELECT sum(amount) FROM pensioners')), p.json.after);
  assertError(await post(admin, `/api/v1/pensions/batches/${p.json.id}/apply`), 409, 'already_applied', 'id');
  // the pensioner sees the change, with before and after
  const nid = p.json.sample[0].national_id;
  const v = await get(sp, `/api/v1/people/${nid}/pension`);
  assert.equal(v.status, 200, v.text);
  assert.equal(v.json.pension.amount, p.json.sample[0].after);
  assert.deepEqual(v.json.pension.changes.map((c) => [c.before, c.after]), [[p.json.sample[0].before, p.json.sample[0].after]]);
  assert.ok(v.json.pension.payments.length > 0);
  // someone who is no pensioner
  const young = await get(sp, `/api/v1/people/${D.citizens[0]}/pension`);
  assert.equal(young.json.pension, null);
  const g = await get(admin, `/api/v1/pensions/batches/${p.json.id}`);
  assert.equal(g.json.status, 'applied');
});

test('the yearly increase is applied once a year: a second preview or apply of that year is refused', async () => {
  // the first test applied 1405's increase
  assertError(await post(svp, '/api/v1/pensions/batches', { kind: 'increase', date: '1405/01/01' }), 409, 'already_applied', 'date');
  assertError(await post(svp, '/api/v1/pensions/batches', { kind: 'increase', date: '1405/06/01' }), 409, 'already_applied', 'date');
  // two previews of one year made before either was applied: the second apply is refused
  const a = await post(svp, '/api/v1/pensions/batches', { kind: 'increase', date: '1403/01/01' });
  const b = await post(svp, '/api/v1/pensions/batches', { kind: 'increase', date: '1403/01/01' });
  assert.equal(a.status, 201, a.text);
  assert.equal(b.status, 201, b.text);
  assert.equal((await post(svp, `/api/v1/pensions/batches/${a.json.id}/apply`)).status, 200);
  const sum = sql('SELECT sum(amount) FROM pensioners');
  assertError(await post(svp, `/api/v1/pensions/batches/${b.json.id}/apply`), 409, 'already_applied', 'date');
  assert.equal(sql('SELECT sum(amount) FROM pensioners'), sum, 'nothing changed');
  assert.equal((await get(svp, `/api/v1/pensions/batches/${b.json.id}`)).json.status, 'preview');
});

test('a pension past the largest amount the rules take is a 422 naming it, not a 500', async () => {
  const id = sql('SELECT min(id) FROM pensioners');
  const was = sql(`SELECT amount FROM pensioners WHERE id = ${id}`);
  sql(`UPDATE pensioners SET amount = 999999999999999 WHERE id = ${id}`);
  const r = await post(svp, '/api/v1/pensions/batches', { kind: 'increase', date: '1402/01/01' });
  sql(`UPDATE pensioners SET amount = ${was} WHERE id = ${id}`);
  assertError(r, 422, 'amount_out_of_range', 'date');
  assert.match(r.json.error.message, new RegExp(`pensioner ${id}\\b`));
});

test('a batch gone stale is refused, and nothing changes', async () => {
  const p = await post(admin, '/api/v1/pensions/batches', { kind: 'increase', date: '1404/01/01' });
  assert.equal(p.status, 201, p.text);
  sql('UPDATE pensioners SET amount = amount + 1 WHERE id = (SELECT min(id) FROM pensioners)');
  const sum = sql('SELECT sum(amount) FROM pensioners');
  assertError(await post(admin, `/api/v1/pensions/batches/${p.json.id}/apply`), 409, 'stale_batch', 'id');
  assert.equal(sql('SELECT sum(amount) FROM pensioners'), sum);
  assert.equal((await get(admin, `/api/v1/pensions/batches/${p.json.id}`)).json.status, 'preview');
});

test('bad requests are refused by field; only the pensions department runs batches', async () => {
  assertError(await post(admin, '/api/v1/pensions/batches', {}), 400, 'missing_field', 'kind');
  assertError(await post(admin, '/api/v1/pensions/batches', { kind: 'equalize' }), 400, 'invalid_field', 'kind');
  assertError(await post(admin, '/api/v1/pensions/batches', { kind: 'increase', date: '1405/13/01' }), 400, 'invalid_field', 'date');
  assertError(await post(admin, '/api/v1/pensions/batches', { kind: 'increase', when: 1 }), 400, 'unknown_field', 'when');
  const old = await post(admin, '/api/v1/pensions/batches', { kind: 'increase', date: '1370/01/01' });
  assert.equal(old.status, 422, old.text);
  assert.equal(old.json.error.code, 'rule_missing');
  assertError(await post(admin, '/api/v1/pensions/batches/x/apply'), 400, 'invalid_field', 'id');
  assertError(await post(admin, '/api/v1/pensions/batches/99999/apply'), 404, 'not_found', 'id');
  assertError(await get(admin, '/api/v1/pensions/batches/99999'), 404, 'not_found', 'id');
  assertError(await post(svr, '/api/v1/pensions/batches', { kind: 'increase' }), 403, 'forbidden');
  assertError(await post(agent, '/api/v1/pensions/batches', { kind: 'increase' }), 403, 'forbidden');
  assertError(await get(agent, '/api/v1/pensions/batches/1'), 403, 'forbidden');
});

test('the command line previews and applies the increase the same way', () => {
  const sum = sql('SELECT sum(amount) FROM pensioners');
  const p = runCli(['pensions', 'increase', '--db', D.db, '--date', '1404/01/01']);
  assert.equal(p.status, 0, p.stderr);
  assert.match(p.stdout, /\(increase preview\): \d+ pensions/);
  assert.equal(sql('SELECT sum(amount) FROM pensioners'), sum, 'a preview changes nothing');
  const a = runCli(['pensions', 'increase', '--db', D.db, '--date', '1404/01/01', '--apply', '1']);
  assert.equal(a.status, 0, a.stderr);
  const m = a.stdout.match(/\(increase applied\): (\d+) pensions, (\d+) -> (\d+) rials/);
  assert.ok(m, a.stdout);
  assert.equal(m[2], sum);
  assert.equal(sql('SELECT sum(amount) FROM pensioners'), m[3]);
  const again = runCli(['pensions', 'increase', '--db', D.db, '--date', '1404/01/01', '--apply', '1']);
  assert.notEqual(again.status, 0, 'a second increase of 1404 is refused');
  assert.match(again.stderr, /applied already/);
  assert.equal(sql('SELECT sum(amount) FROM pensioners'), m[3]);
  const bad = runCli(['pensions', 'increase', '--db', D.db, '--date', 'soon']);
  assert.notEqual(bad.status, 0);
  assert.equal(bad.stderr.trim().split('\n').length, 1);
});

test('an equalisation step: every pension with its granted amount, as the rules compute it, paid once', async () => {
  const granted = Number(sql('SELECT count(*) FROM pensioners p WHERE granted IS NOT NULL AND start_year >= 1394'));
  const total = Number(sql('SELECT count(*) FROM pensioners'));
  assert.ok(granted > 0, 'the demo has pensioners granted since the minimum wage is on record');
  // the earlier tests' increase lifted most pensions past the target: one pensioner is
  // left at the pension they were granted, far below it
  const low = sql('SELECT min(id) FROM pensioners WHERE granted IS NOT NULL AND start_year >= 1394');
  sql(`UPDATE pensioners SET amount = granted WHERE id = ${low}`);
  const p = await post(svp, '/api/v1/pensions/batches', { kind: 'equalisation', date: '1405/02/01' });
  assert.equal(p.status, 201, p.text);
  assert.equal(p.json.kind, 'equalisation');
  assert.equal(p.json.pensioners, granted);
  assert.equal(p.json.params.left_out, total - granted, 'those granted before the rules know the minimum wage are counted, not guessed');
  assert.equal(p.json.params.step, 3);
  assert.ok(p.json.after > p.json.before, 'the gap closes');
  assert.ok(p.json.sample.every((x) => x.after >= x.before), 'no pension goes down');
  // each pension is what `tamin rules equalise` says of it
  for (const x of p.json.sample) {
    const [g, y, m] = sql(`SELECT x.granted, x.start_year, x.start_month FROM pensioners x JOIN people q ON q.id = x.person_id WHERE q.national_id = '${x.national_id}'`).split('|');
    const r = runCli(['rules', 'equalise', g, `${y}/${m.padStart(2, '0')}/01`, String(x.before), '--on', '1405/02/01']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(Math.max(JSON.parse(r.stdout).equalised, x.before), x.after, `pensioner ${x.national_id}`);
  }
  const a = await post(svp, `/api/v1/pensions/batches/${p.json.id}/apply`);
  assert.equal(a.status, 200, a.text);
  assert.equal(Number(sql('SELECT sum(amount) FROM pensioners WHERE granted IS NOT NULL AND start_year >= 1394')), p.json.after);
  // the same step again pays nothing more: what was paid is counted
  const again = await post(svp, '/api/v1/pensions/batches', { kind: 'equalisation', date: '1405/02/01' });
  assert.equal(again.status, 201, again.text);
  assert.equal(again.json.after, again.json.before);
  // the pensioner sees the batch among the changes of their pension
  const nid = p.json.sample.find((x) => x.after > x.before).national_id;
  const v = await get(sp, `/api/v1/people/${nid}/pension`);
  assert.equal(v.status, 200, v.text);
  assert.ok(JSON.stringify(v.json).includes('equalisation'), v.text);
  // and the command line runs it the same way
  const c = runCli(['pensions', 'equalise', '--db', D.db, '--date', '1405/02/01']);
  assert.equal(c.status, 0, c.stderr);
  assert.match(c.stdout, /\(equalisation preview\): \d+ pensions/);
  assert.match(c.stdout, /left out: \d+ pensioners with no granted pension on record/);
});
