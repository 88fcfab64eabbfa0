// Every read of a person's case is in the audit log, at once and after a crash. A read's
// entry is made durable in the audit spool before the reply and imported into the log in
// batches (src/audit/spool.h): the auditor's and the citizen's views import first, and a
// restart imports what a crash left in the spool.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createDemo, startServer, cleanupTemp, stateDir, IS_PG } from './harness.mjs';

let demo;
before(() => { demo = createDemo(); });
after(() => cleanupTemp());

/** Every page of a log view: its items. */
async function allItems(s, token, path) {
  const items = [];
  let next = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const r = await s.call('GET', `${path}${sep}limit=200${next ? `&cursor=${next}` : ''}`, { token });
    assert.equal(r.status, 200, r.text);
    items.push(...r.json.items);
    next = r.json.next;
  } while (next);
  return items;
}

/** How many reads of case `number` the auditor and the citizen see. */
async function readsSeen(s, auditor, citizen, nid, number) {
  const isRead = (i) => i.action === 'case_read' && i.case_number === number && i.user === 'supervisor';
  const byAuditor = (await allItems(s, auditor, `/api/v1/audit?national_id=${nid}`)).filter(isRead);
  const byCitizen = (await allItems(s, citizen, '/api/v1/me/access-log')).filter(isRead);
  return { auditor: byAuditor.length, citizen: byCitizen.length };
}

/** The supervisor reads the case n times at once; every read answers 200. */
async function readTimes(s, token, id, n) {
  const rs = await Promise.all(Array.from({ length: n }, () => s.call('GET', `/api/v1/cases/${id}`, { token })));
  for (const r of rs) assert.equal(r.status, 200, r.text);
}

async function logins(s) {
  const [sup, aud, cit] = await Promise.all([s.login('supervisor'), s.login('auditor'), s.login(demo.citizens[0])]);
  const list = await s.call('GET', `/api/v1/cases?national_id=${demo.citizens[0]}`, { token: sup.token });
  assert.equal(list.status, 200, list.text);
  assert.ok(list.json.items.length > 0, 'the demo citizen has a case');
  return { sup: sup.token, aud: aud.token, cit: cit.token, kase: list.json.items[0] };
}

test('every read is in the auditor\'s log and the citizen\'s access log as soon as it is answered', async () => {
  const s = await startServer(demo.db);
  try {
    const { sup, aud, cit, kase } = await logins(s);
    const before = await readsSeen(s, aud, cit, demo.citizens[0], kase.number);
    await readTimes(s, sup, kase.id, 30);
    const seen = await readsSeen(s, aud, cit, demo.citizens[0], kase.number);
    assert.deepEqual(seen, { auditor: before.auditor + 30, citizen: before.citizen + 30 });
  } finally {
    await s.stop();
  }
});

test('reads answered before a crash are in the log after the restart, once', async (t) => {
  let s = await startServer(demo.db);
  let before, kase;
  try {
    const l = await logins(s);
    kase = l.kase;
    before = await readsSeen(s, l.aud, l.cit, demo.citizens[0], kase.number);
    await readTimes(s, l.sup, kase.id, 25);
  } finally {
    s.signal('SIGKILL'); // no clean stop: the spool is not imported on the way out
    await s.exited;
  }
  await t.test('the spool file beside the database (in serve\'s --state-dir on PostgreSQL) holds them', () => {
    const spool = IS_PG ? path.join(stateDir(demo.db), 'tamin-audit-a.spool')
      : demo.db.replace(/\.db$/, '-audit-a.spool');
    assert.ok(fs.statSync(spool).size > 0, `the spool file is at ${spool}`);
  });
  for (let round = 0; round < 2; round++) {
    s = await startServer(demo.db);
    try {
      const l = await logins(s);
      const seen = await readsSeen(s, l.aud, l.cit, demo.citizens[0], kase.number);
      assert.deepEqual(seen, { auditor: before.auditor + 25, citizen: before.citizen + 25 },
        `restart ${round + 1}: every read once`);
    } finally {
      await s.stop();
    }
  }
});
