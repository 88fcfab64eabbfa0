// (a) The crash harness: concurrent case creations, list imports (JSON and CSV), pension
// batches (preview + apply) and audited reads against `tamin serve`, killed with SIGKILL at
// a random moment, restarted on the same database and checked:
// - every acknowledged write (a 201, or the 200 of an apply) is there and readable;
// - nothing unacknowledged is half there: every case has its create event, every list has
//   all its rows (blocks and record entries), every applied batch changed every pension it
//   lists and a preview none;
// - PRAGMA integrity_check is ok on the database and its journal;
// - every acknowledged audited read (case_read, record_read) is in the audit log, and no
//   read is there more often than it was sent.
import fs from 'node:fs';
import { dbfToCsv } from '../http/harness.mjs';
import path from 'node:path';
import {
  createDemo, envInt, freshNationalId, integrity, logger, row, sleep, sql, sql1, startServer, tamin,
  workDir,
} from './lib.mjs';

const CASE_WORKERS = 4, LIST_WORKERS = 2, READ_WORKERS = 2;

/** A JSON list of n new workers for a workshop, every total and share consistent. */
function jsonList(ws, n) {
  const month = 1 + Math.floor(Math.random() * 7);
  const rows = [];
  for (let i = 0; i < n; i++) {
    rows.push({
      national_id: freshNationalId(), insurance_no: String(10000000 + Math.floor(Math.random() * 89999999)),
      first_name: 'سهیل', last_name: 'آزمون', birth_date: '1370/05/12', sex: 'm', days: 30, daily_wage: 6666666,
      monthly_wage: 200000000, benefits: 0, insurable: 200000000, total: 200000000, worker_share: 14000000,
    });
  }
  const header = {
    workshop: ws.code, year: 1405, month, list_no: String(1 + Math.floor(Math.random() * 9)), workers: n,
    days: 30 * n, daily_wages: 6666666 * n, monthly_wages: 200000000 * n, benefits: 0, insurable: 200000000 * n,
    total: 200000000 * n, worker_share: 14000000 * n, employer_share: 40000000 * n, unemployment: 6000000 * n,
    hard_job_share: ws.hard ? 8000000 * n : 0, rate: 23,
  };
  return { header, rows };
}

export async function run() {
  const cycles = envInt('SOAK_CYCLES', 20);
  const dir = workDir('crash');
  const log = logger('crash', dir);
  const demo = createDemo(dir, { people: 300, cases: 200 });
  const db = demo.db;
  const people = sql(db, 'SELECT national_id FROM people ORDER BY id LIMIT 250').map((r) => r[0]);
  const workshops = sql(db, 'SELECT code, hard_job FROM workshops ORDER BY id').map(([code, h]) => ({ code, hard: h === '1' }));
  const firstNewList = Number(sql1(db, 'SELECT max(id) FROM lists')) + 1;
  const demoCases = sql(db, 'SELECT id FROM cases').map((r) => Number(r[0]));
  const userId = Object.fromEntries(sql(db, 'SELECT login, id FROM users'));
  const personOf = Object.fromEntries(sql(db, 'SELECT national_id, id FROM people'));
  // the CSV form of a demo list (re-sent, it corrects itself each time)
  const listId = sql1(db, `SELECT l.id FROM lists l JOIN workshops w ON w.id = l.workshop_id WHERE w.code = '${demo.workshop}' AND l.year = 1405 ORDER BY l.month DESC LIMIT 1`);
  const exp = path.join(dir, 'export');
  fs.mkdirSync(exp);
  const ex = tamin(['list', 'export', '--db', db, '--list', listId, '--out', exp]);
  if (ex.status !== 0) throw new Error(`list export: ${ex.stderr}`);
  const kar = dbfToCsv(path.join(exp, 'DSKKAR00.DBF')), wor = dbfToCsv(path.join(exp, 'DSKWOR00.DBF'));
  const csvBody = { csv: { kar, wor } };
  const csvRows = wor.trimEnd().split('\r\n').length - 1; // the workers: the lines but the names

  // what was acknowledged, over every cycle
  const acked = { cases: new Map(), lists: new Map(), previews: new Set(), applied: new Set() };
  const pendingSubjects = new Set(); // case creations sent and never answered
  const reads = new Map(); // "action|case|person" -> {acked, sent}
  const failures = [];
  const totals = { cases: 0, lists: 0, previews: 0, applied: 0, reads: 0, checkedCases: 0, restartKills: 0 };
  const fail = (m) => { failures.push(m); log('FAIL', m); };
  const unexpected = {}; // statuses other than the one each write and read wants, by status
  const bad = (what, r) => Object.assign(new Error(`${what}: ${r.status} ${r.text}`), { status: r.status });

  let tokens = null;
  const serverLog = path.join(dir, 'serve.log');
  let S = await startServer(db, { args: ['--rate-limit', '0'], log: serverLog });
  const relogin = async () => {
    const [agent, emp, sup, svp, aud] = await Promise.all(['agent1', 'agent2', 'supervisor', 'sv_pensions', 'auditor'].map((l) => S.login(l)));
    tokens = { agent: agent.token, lists: emp.token, sup: sup.token, pens: svp.token, aud: aud.token };
  };
  await relogin();

  /** A read the audit must show: counted as sent, then as acknowledged on a 200. */
  const audited = async (kind, id, person) => {
    const key = kind === 'case_read' ? `case_read|${id}|` : `record_read||${personOf[person]}`;
    const e = reads.get(key) || { acked: 0, sent: 0 };
    reads.set(key, e);
    e.sent++;
    const p = kind === 'case_read' ? `/api/v1/cases/${id}` : `/api/v1/people/${person}/history`;
    const r = await S.call('GET', p, { token: tokens.sup });
    if (r.status === 200) { e.acked++; totals.reads++; }
    return r;
  };

  for (let cycle = 1; cycle <= cycles; cycle++) {
    let stop = false;
    const cycleCases = [];
    let seq = 0;
    const guard = async (fn) => {
      while (!stop) {
        try {
          await fn();
        } catch (e) {
          if (e.status) { unexpected[e.status] = (unexpected[e.status] || 0) + 1; log(`cycle ${cycle}: ${e.message.slice(0, 300)}`); }
          if (!S.alive || stop) return;
          await sleep(5);
        }
      }
    };
    const workers = [];
    const cycleStart = Date.now(), applyAt = Math.random() * 2000;
    let appliedThisCycle = false;
    // the yearly increase is applied once a year (a second is a 409): each cycle previews
    // the first year of 1400..1405 not applied yet (an apply the kill cut off may have
    // committed, so the database says which), then an equalisation step, which may be
    // applied again and again (it never lowers a pension, so it changes nothing twice)
    const appliedYears = new Set(sql(db, "SELECT DISTINCT year FROM pension_batches WHERE kind = 'increase' AND status = 'applied'").map((r) => Number(r[0])));
    const year = [1400, 1401, 1402, 1403, 1404, 1405].find((y) => !appliedYears.has(y));
    const batch = year ? { kind: 'increase', date: `${year}/01/01` } : { kind: 'equalisation', date: '1405/02/01' };
    for (let w = 0; w < CASE_WORKERS; w++) {
      workers.push(guard(async () => {
        const subject = `soak c${cycle} w${w} n${++seq}`;
        pendingSubjects.add(subject);
        const r = await S.call('POST', '/api/v1/cases', {
          token: tokens.agent,
          body: { national_id: people[Math.floor(Math.random() * people.length)], channel: 'phone', topic: 'pension_not_paid', subject },
        });
        pendingSubjects.delete(subject);
        if (r.status === 201) {
          acked.cases.set(r.json.id, { number: r.json.number, subject });
          cycleCases.push(r.json.id);
          totals.cases++;
        } else throw bad('create', r);
      }));
    }
    for (let w = 0; w < LIST_WORKERS; w++) {
      workers.push(guard(async () => {
        const csv = Math.random() < 0.25;
        const body = csv ? csvBody : jsonList(workshops[Math.floor(Math.random() * workshops.length)], 1 + Math.floor(Math.random() * 5));
        const r = await S.call('POST', '/api/v1/lists', { token: tokens.lists, body });
        if (r.status === 201) {
          acked.lists.set(r.json.id, { rows: csv ? csvRows : body.rows.length, source: csv ? 'csv' : 'json' });
          totals.lists++;
        } else throw bad('list', r);
      }));
    }
    workers.push(guard(async () => {
      const p = await S.call('POST', '/api/v1/pensions/batches', { token: tokens.pens, body: batch });
      if (p.status !== 201) throw bad('preview', p);
      acked.previews.add(p.json.id);
      totals.previews++;
      // one apply a cycle, at a random moment (the kill may come before, during or after it)
      if (!appliedThisCycle && Date.now() - cycleStart >= applyAt) {
        appliedThisCycle = true;
        const a = await S.call('POST', `/api/v1/pensions/batches/${p.json.id}/apply`, { token: tokens.pens });
        if (a.status === 200) { acked.applied.add(p.json.id); totals.applied++; } else throw bad('apply', a);
      }
      await sleep(100 + Math.random() * 300);
    }));
    for (let w = 0; w < READ_WORKERS; w++) {
      workers.push(guard(async () => {
        if (Math.random() < 0.5) {
          const pool = cycleCases.length && Math.random() < 0.5 ? cycleCases : demoCases;
          const r = await audited('case_read', pool[Math.floor(Math.random() * pool.length)]);
          if (r.status !== 200) throw bad('case read', r);
        } else {
          const r = await audited('record_read', null, people[Math.floor(Math.random() * people.length)]);
          if (r.status !== 200) throw bad('record read', r);
        }
      }));
    }
    const after = 300 + Math.random() * 2700;
    await sleep(after);
    S.kill('SIGKILL');
    const ex1 = await S.exited;
    stop = true;
    await Promise.all(workers);

    // every fourth cycle, a second kill while the restart recovers (the spool's import,
    // the migrations' check), before it listens or just after
    if (cycle % 4 === 0) {
      let proc = null;
      const early = startServer(db, { args: ['--rate-limit', '0'], log: serverLog, onSpawn: (p) => { proc = p; } })
        .then((s) => { s.kill('SIGKILL'); return s.exited; }, () => null);
      await sleep(Math.random() * 150);
      try { proc.kill('SIGKILL'); } catch { /* gone */ }
      await early;
      totals.restartKills++;
    }
    // restart on the same database
    try {
      S = await startServer(db, { args: ['--rate-limit', '0'], log: serverLog });
    } catch (e) {
      fail(`cycle ${cycle}: the restart failed: ${e.message}`);
      break;
    }
    const ok = await S.call('GET', '/api/v1/me', { token: tokens.sup });
    if (ok.status === 401) { log(`cycle ${cycle}: a session did not survive the restart; logging in again`); await relogin(); }
    const f0 = failures.length;

    // 1. every acknowledged case of this cycle reads back whole, with its create event
    for (const id of cycleCases) {
      const want = acked.cases.get(id);
      const r = await audited('case_read', id);
      totals.checkedCases++;
      if (r.status !== 200) fail(`cycle ${cycle}: acknowledged case ${id} reads ${r.status}`);
      else if (r.json.number !== want.number || r.json.subject !== want.subject) fail(`cycle ${cycle}: case ${id} came back as ${r.json.number} ${r.json.subject}`);
      else if (!r.json.events?.length || r.json.events[0].type !== 'create') fail(`cycle ${cycle}: case ${id} has no create event first`);
    }
    // every acknowledged case so far, in the database
    const ids = [...acked.cases.keys()];
    const present = Number(sql1(db, `SELECT count(*) FROM cases WHERE id IN (${ids.join(',') || 0})`));
    if (present !== ids.length) fail(`cycle ${cycle}: ${ids.length - present} acknowledged cases missing`);
    // nothing half there: a case without its create event, a timeline
    const noCreate = sql1(db, "SELECT count(*) FROM cases c WHERE NOT EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.type = 'create')");
    if (noCreate !== '0') fail(`cycle ${cycle}: ${noCreate} cases without a create event`);
    const noTimeline = sql1(db, 'SELECT count(*) FROM cases c WHERE NOT EXISTS (SELECT 1 FROM case_timeline t WHERE t.case_id = c.id)');
    if (noTimeline !== '0') fail(`cycle ${cycle}: ${noTimeline} cases without a timeline`);

    // 2. lists: each acknowledged one there with all its rows; every new list whole
    // (the API's lists are single lists of an open year: their entries are in open_months)
    const entries = new Map(sql(db, `SELECT list_id, count(*) FROM record_entries WHERE list_id >= ${firstNewList} GROUP BY 1`)
      .map(([id, n]) => [Number(id), Number(n)]));
    const lists = new Map(sql(db, `SELECT l.id, l.workers, (SELECT coalesce(sum(rows), 0) FROM list_blocks b WHERE b.list_id = l.id)
      FROM lists l WHERE l.id >= ${firstNewList}`)
      .map(([id, w, b]) => [Number(id), { workers: Number(w), blocks: Number(b), entries: entries.get(Number(id)) || 0 }]));
    for (const [id, want] of acked.lists) {
      const l = lists.get(id);
      if (!l) fail(`cycle ${cycle}: acknowledged list ${id} missing`);
      else if (l.workers !== want.rows) fail(`cycle ${cycle}: list ${id} has ${l.workers} workers, sent ${want.rows}`);
    }
    for (const [id, l] of lists) {
      if (l.blocks !== l.workers || l.entries !== l.workers) fail(`cycle ${cycle}: list ${id} half there: ${l.workers} workers, ${l.blocks} rows in blocks, ${l.entries} record entries`);
    }

    // 3. pension batches: acknowledged previews there, applies applied; each applied batch
    //    whole: every pensioner's amount is the after of the last applied batch naming them
    const batches = new Map(sql(db, 'SELECT id, status, (SELECT count(*) FROM pension_changes c WHERE c.batch_id = b.id) FROM pension_batches b')
      .map(([id, st, n]) => [Number(id), { status: st, changes: Number(n) }]));
    for (const id of acked.previews) if (!batches.has(id)) fail(`cycle ${cycle}: acknowledged batch ${id} missing`);
    for (const id of acked.applied) if (batches.get(id)?.status !== 'applied') fail(`cycle ${cycle}: batch ${id} was applied (200) but is ${batches.get(id)?.status}`);
    const pensioners = Number(sql1(db, 'SELECT count(*) FROM pensioners'));
    for (const [id, b] of batches) if (b.changes !== pensioners) fail(`cycle ${cycle}: batch ${id} (${b.status}) lists ${b.changes} of ${pensioners} pensioners`);
    const wrong = sql1(db, `SELECT count(*) FROM pensioners p JOIN pension_changes c ON c.pensioner_id = p.id
      WHERE c.batch_id = (SELECT max(b.id) FROM pension_batches b JOIN pension_changes c2 ON c2.batch_id = b.id
                          WHERE b.status = 'applied' AND c2.pensioner_id = p.id) AND p.amount <> c.after`);
    if (wrong !== '0') fail(`cycle ${cycle}: ${wrong} pensions are not what the last applied batch set`);

    // 4. the audit log holds every acknowledged read, and none more often than sent
    const imp = await S.call('GET', '/api/v1/audit?limit=1', { token: tokens.aud });
    if (imp.status !== 200) fail(`cycle ${cycle}: the audit log reads ${imp.status}`);
    const counts = new Map(sql(db, `SELECT action, coalesce(case_id, ''), CASE WHEN action = 'record_read' THEN person_id ELSE '' END, count(*)
      FROM journal.audit WHERE user_id = ${userId.supervisor} AND action IN ('case_read', 'record_read') GROUP BY 1, 2, 3`)
      .map(([a, c, p, n]) => [`${a}|${a === 'case_read' ? c : ''}|${p}`, Number(n)]));
    // (the auditor's view imports every durable spool entry first, so the checks' own
    // reads above are in too)
    let missingReads = 0, extraReads = 0;
    for (const [key, e] of reads) {
      const n = counts.get(key) || 0;
      if (n < e.acked) missingReads += e.acked - n;
      if (n > e.sent) extraReads += n - e.sent;
    }
    if (missingReads) fail(`cycle ${cycle}: ${missingReads} acknowledged reads missing from the audit log`);
    if (extraReads) fail(`cycle ${cycle}: ${extraReads} audit entries more than reads sent`);

    // 5. integrity of both files
    for (const f of [db, demo.journal]) {
      const r = integrity(f);
      if (r !== 'ok') fail(`cycle ${cycle}: integrity_check ${path.basename(f)}: ${r.slice(0, 300)}`);
    }
    log(`cycle ${cycle}: killed after ${Math.round(after)} ms (${ex1.signal}); acknowledged so far: ${totals.cases} cases, ${totals.lists} lists, ${totals.previews} batches (${totals.applied} applied), ${totals.reads} reads; ${pendingSubjects.size} creates unanswered; ${failures.length - f0} failures`);
  }
  // a clean stop, and the files once more
  const st = await S.stop();
  if (st.signal || st.code !== 0) fail(`the last clean stop: ${JSON.stringify(st)}`);
  for (const f of [db, demo.journal]) {
    const r = integrity(f);
    if (r !== 'ok') fail(`after the clean stop: integrity_check ${path.basename(f)}: ${r.slice(0, 300)}`);
  }
  const fivexx = Object.keys(unexpected).filter((k) => Number(k) >= 500).length;
  const pass = failures.length === 0 && cycles >= 1 && fivexx === 0;
  const other = Object.entries(unexpected).map(([k, v]) => `${v}x${k}`).join(' ') || 'none';
  const figure = `${cycles} kill -9 cycles (and ${totals.restartKills} kills during a restart): ${totals.cases} cases, ${totals.lists} lists, ${totals.previews} batches `
    + `(${totals.applied} applied), ${totals.reads} audited reads acknowledged (${pendingSubjects.size} creates cut off unanswered); `
    + `${failures.length} failures${failures.length ? ` (first: ${failures[0]})` : ''}; integrity_check ok: ${failures.some((f) => /integrity/.test(f)) ? 'no' : 'yes'}; `
    + `other replies under load: ${other}`;
  return [row('a', 'crash', 'SIGKILL at random under creates, lists, batches, reads; restart; check', figure, pass)];
}
