// PostgreSQL's partitions of the tables that grow without bound (the last section of
// src/store/migrations/pg/031_baseline.sql): each is partitioned by time, the demo's rows
// sit in the partitions of their years, a row dated past the last partition lands in the
// DEFAULT partition rather than failing and is read like any other, and the yearly job
// (tamin_add_partitions) moves it into a partition of its own under a running server,
// the append-only guards still in force. PostgreSQL only: SQLite has no partitions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { IS_PG, startDemo, sql, cleanupTemp } from './harness.mjs';

const skip = !IS_PG && 'partitions are PostgreSQL\'s (TAMIN_STORE=postgres)';

// table: [partition key, the partition a row dated Jalali 1500 / UTC 2121 / list 2^40 lands
// in once tamin_add_partitions(1500) has run]
const TABLES = {
  lists: ['year', 'lists_1500'],
  list_blocks: ['list_id', 'list_blocks_default'],
  work_months: ['year', 'work_months_1500'],
  open_months: ['year', 'open_months_1500'],
  open_runs: ['year', 'open_runs_1500'],
  pension_payments: ['year', 'pension_payments_1500'],
  case_events: ['at', 'case_events_2121'],
  call_blocks: ['start', 'call_blocks_2121'],
  sms_outbox: ['created', 'sms_outbox_2121'],
  service_uses: ['at', 'service_uses_2121'],
  'journal.audit': ['at', 'journal.audit_2121'],
};
const FAR = 4778179200; // 2121-06-01 00:00 UTC, in Jalali 1500
const FAR_LIST = 2 ** 40; // a list id far past any range list_blocks has

let S, db, citizen;

before(async () => {
  if (skip) return;
  const d = await startDemo({ people: 30, cases: 60, callsDays: 2, callsPerDay: 50 });
  S = d.server;
  db = d.db;
  citizen = d.citizens[0];
});

after(async () => {
  if (S) await S.stop();
  cleanupTemp();
});

// where each table's row matching cond is: {table: partition, named with its schema}
function whereAre(conds) {
  const out = {};
  for (const [t, cond] of Object.entries(conds)) {
    out[t] = sql(db, `SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.oid = (SELECT tableoid FROM ${t} WHERE ${cond})`).replace(/^public\./, '');
  }
  return out;
}

test('each table that grows without bound is partitioned by time, and the demo\'s rows are in their years\' partitions', { skip }, () => {
  // (by RANGE: partstrat r; with a DEFAULT partition: partdefid)
  const parts = sql(db, `SELECT n.nspname || '.' || c.relname || ' ' || p.partstrat::text || ' ' || a.attname || ' ' || (p.partdefid <> 0)::text
    FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0] ORDER BY 1`).split('\n');
  assert.deepEqual(parts, Object.entries(TABLES)
    .map(([t, [col]]) => `${t.includes('.') ? t : `public.${t}`} r ${col} true`).sort());
  // the demo wrote lists and entries of many years, cases' events, calls and the audit of its
  // reads: none of it waits in a DEFAULT partition
  for (const t of ['lists', 'list_blocks', 'work_months', 'open_months', 'pension_payments', 'case_events', 'call_blocks', 'journal.audit']) {
    assert.ok(Number(sql(db, `SELECT count(*) FROM ${t}`)) > 0, `the demo wrote no ${t}`);
    assert.equal(sql(db, `SELECT count(*) FROM ${t}_default`), '0', `${t}: rows in the DEFAULT partition`);
  }
  // the lists span the history partition and yearly ones
  const listParts = sql(db, 'SELECT DISTINCT tableoid::regclass FROM lists ORDER BY 1').split('\n');
  assert.ok(listParts.includes('lists_before_1400'), listParts.join(' '));
  assert.ok(listParts.some((p) => /^lists_14\d\d$/.test(p)), listParts.join(' '));
  assert.match(sql(db, 'SELECT DISTINCT tableoid::regclass FROM case_events ORDER BY 1'), /^case_events_20\d\d(\ncase_events_20\d\d)*$/);
});

test('a row dated past the last partition lands in DEFAULT, is read as any other, and tamin_add_partitions moves it into its own', { skip }, async () => {
  const person = sql(db, `SELECT id FROM people WHERE national_id = '${citizen}'`);
  const agent = sql(db, "SELECT id FROM users WHERE login = 'agent1'");
  const workshop = sql(db, 'SELECT min(id) FROM workshops');
  const pensioner = sql(db, 'SELECT min(id) FROM pensioners');
  const kase = sql(db, 'SELECT min(id) FROM cases');
  const list = sql(db, `INSERT INTO lists(workshop_id, year, month, source, workers, days, daily_wages, monthly_wages,
    benefits, insurable, total, worker_share, employer_share, unemployment, rate, submitted_at)
    VALUES (${workshop}, 1500, 1, 'demo', 1, 30, 1, 1, 0, 1, 1, 1, 1, 1, 23, ${FAR}) RETURNING id`);
  sql(db, `INSERT INTO list_blocks VALUES (${FAR_LIST}, 0, 1, '\\x00');
    INSERT INTO work_months VALUES (1500, 1, 1, ${list}, ${workshop}, 1, 30, 100);
    INSERT INTO open_months VALUES (1500, 1, 1, ${list}, ${workshop}, 1, 30, 100);
    INSERT INTO open_runs VALUES (1500, 1, ${list}, 1, 1, '\\x00');
    INSERT INTO pension_payments VALUES (${pensioner}, 1500, 1, 1000);
    INSERT INTO case_events(case_id, at, type) VALUES (${kase}, ${FAR}, 'note');
    INSERT INTO call_blocks(start, seq, events, lines) VALUES (${FAR}, 0, 0, '\\x00');
    INSERT INTO sms_outbox(mobile, text, purpose, created, next_try_ms, state) VALUES ('09120000000', 'x', 'test', ${FAR}, 0, 'sent');
    INSERT INTO service_uses(service, province, channel, outcome, at) VALUES ('x', '', 'web', 'answered', ${FAR});
    INSERT INTO journal.audit(at, user_id, role, action, person_id) VALUES (${FAR}, ${agent}, 'agent', 'person_read', ${person})`);
  const conds = {
    lists: `id = ${list}`, list_blocks: `list_id = ${FAR_LIST}`, work_months: 'year = 1500',
    open_months: 'year = 1500', open_runs: 'year = 1500', pension_payments: 'year = 1500',
    case_events: `at = ${FAR}`, call_blocks: `start = ${FAR}`, sms_outbox: `created = ${FAR}`,
    service_uses: `at = ${FAR}`, 'journal.audit': `at = ${FAR}`,
  };
  assert.deepEqual(whereAre(conds), Object.fromEntries(Object.keys(TABLES).map((t) => [t, `${t}_default`])));

  // the citizen sees the read in their access log, first (the log's newest)
  const log = async () => {
    const cit = await S.login(citizen);
    const r = await S.call('GET', '/api/v1/me/access-log?limit=1', { token: cit.token });
    assert.equal(r.status, 200, r.text);
    return r.json.items[0];
  };
  const seen = await log();
  assert.equal(seen.at.slice(0, 10), '2121-06-01');
  assert.equal(seen.user, 'agent1');

  // the yearly job for Jalali 1500 (and UTC 2121), run while the server runs
  sql(db, 'SELECT tamin_add_partitions(1500)');
  assert.deepEqual(whereAre(conds), Object.fromEntries(Object.entries(TABLES).map(([t, [, p]]) => [t, p])));
  assert.equal(sql(db, 'SELECT count(*) FROM journal.audit_default'), '0');
  // nothing lost or doubled, the server reads it where it is now
  assert.equal(sql(db, `SELECT count(*) FROM journal.audit WHERE at = ${FAR}`), '1');
  assert.deepEqual(await log(), seen);
  // the guards hold on the new partition and on the DEFAULT put back
  assert.throws(() => sql(db, `UPDATE journal.audit SET reason = 'x' WHERE at = ${FAR}`), /the audit log is append-only/);
  assert.throws(() => sql(db, `DELETE FROM lists WHERE id = ${list}`), /lists are append-only/);
  assert.throws(() => sql(db, `DELETE FROM list_blocks WHERE list_id = ${FAR_LIST}`), /list rows are append-only/);
  // run again, it changes nothing
  sql(db, 'SELECT tamin_add_partitions(1500)');
  assert.deepEqual(whereAre(conds), Object.fromEntries(Object.entries(TABLES).map(([t, [, p]]) => [t, p])));
});
