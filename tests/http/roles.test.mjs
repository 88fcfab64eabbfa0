// The role matrix: every route that `tamin routes` prints, asked by every role (and by no one),
// about the caller's own object, another's, and one that is not on record, each with the
// exact status the table below expects; and every refusal of personal data with its row in
// the audit log (GET /api/v1/audit as the auditor). A route the table does not know fails
// the test: a new route comes with its row here.
//
// A role not in a route's roles is refused by the server's role check before any handler
// (403, no field); when the route reads personal data, that refusal is audited too (the
// route's audit action in src/routes.c).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  runCli, startDemo, cleanupTemp, freshNationalId, caseBody, assertNoSecrets, PASSWORD, sql as sqlOn,
} from './harness.mjs';

const ROLES = ['admin', 'supervisor', 'agent', 'specialist', 'desk', 'citizen', 'auditor', 'employer', 'telephony'];
const NOBODY = 'nobody'; // no session
const LOGINS = {
  admin: 'admin', supervisor: 'supervisor', agent: 'agent1', specialist: 'sp_pensions', desk: 'desk1',
  auditor: 'auditor', employer: 'emp1', telephony: 'pbx', citizen: null, // the first demo citizen's national id
};
const STRONG = 'a long-enough passphrase 2026';

let S, D, sql;
const tokens = {};
// the objects each role asks about (filled in before())
const own = { case: {}, person: {} };
let other, missingNid, w1, w2, batch, canned;

/** The route table, as `tamin routes` prints it. */
function routes() {
  const r = runCli(['routes']);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l));
}

const call = (role, method, path, body) => S.call(method, path, {
  token: role === NOBODY ? undefined : tokens[role],
  body: method === 'POST' ? (body ?? {}) : undefined,
});
const ok = async (p, what) => {
  const r = await p;
  assert.ok(r.status === 200 || r.status === 201, `${what}: ${r.status} ${r.text}`);
  return r.json;
};

before(async () => {
  D = await startDemo({ people: 40, cases: 20, args: ['--rate-limit', '0'] });
  S = D.server;
  sql = (q) => sqlOn(D.db, q);
  LOGINS.citizen = D.citizens[0];
  for (const role of ROLES) tokens[role] = (await S.login(LOGINS[role])).token;
  const [A, B, C] = D.citizens;
  // A is the citizen's own; B is "another's" to every role, and no agent or desk officer
  // ever identifies B; C is the person agent1 and desk1 identified (by opening a case)
  const mine = await ok(call('citizen', 'POST', '/api/v1/cases', { topic: 'pension_not_paid', subject: 'مستمری' }), 'citizen case');
  const agents = await ok(call('agent', 'POST', '/api/v1/cases', caseBody(C)), 'agent case');
  const desks = await ok(call('desk', 'POST', '/api/v1/cases', caseBody(C)), 'desk case');
  const agent2 = (await S.login('agent2')).token;
  const theirs = await ok(S.call('POST', '/api/v1/cases', {
    token: agent2, body: caseBody(B, { topic: 'record_objection' }),
  }), 'another\'s case'); // the records department's: not sp_pensions'
  for (const role of [NOBODY, ...ROLES]) {
    own.case[role] = { agent: agents, desk: desks }[role] ?? mine;
    own.person[role] = role === 'agent' || role === 'desk' ? C : A;
  }
  other = { case: theirs, person: B };
  missingNid = freshNationalId();
  // a person on record that the caller-card route alone looks up (it opens caller contexts)
  other.card = sql(`SELECT national_id FROM people WHERE national_id NOT IN ('${A}', '${B}', '${C}') LIMIT 1`);
  assert.match(other.card, /^\d{10}$/);
  w1 = sql("SELECT w.code FROM workshops w JOIN workshop_users wu ON wu.workshop_id = w.id JOIN users u ON u.id = wu.user_id WHERE u.login = 'emp1'");
  w2 = sql(`SELECT code FROM workshops WHERE code <> '${w1}' LIMIT 1`);
  await ok(call('admin', 'POST', '/api/v1/users', { login: 'emp_link', password: STRONG, role: 'employer' }), 'emp_link');
  batch = (await ok(call('admin', 'POST', '/api/v1/pensions/batches', { kind: 'increase', date: '1405/01/01' }), 'batch')).id;
});

after(async () => {
  if (S) {
    assertNoSecrets(S);
    await S.stop();
  }
  cleanupTemp();
});

// ---- what each route is asked about ----

let seq = 0;
const fresh = (prefix) => `${prefix}${process.pid % 1000}_${++seq}`;
const hardOf = new Map();
/** A valid monthly list (1405/06, two new workers) for the workshop: the JSON form. */
async function list(code) {
  if (!hardOf.has(code)) hardOf.set(code, (await call('admin', 'GET', `/api/v1/workshops/${code}`)).json.hard_job);
  const hard = hardOf.get(code);
  const row = (nid) => ({
    national_id: nid, insurance_no: '12345678', first_name: 'علی', last_name: 'رضایی', birth_date: '1370/05/12',
    sex: 'm', days: 30, daily_wage: 6666666, monthly_wage: 200000000, benefits: 0, insurable: 200000000,
    total: 200000000, worker_share: 14000000,
  });
  return {
    header: {
      workshop: code, year: 1405, month: 6, list_no: '2', workers: 2, days: 60, daily_wages: 13333332,
      monthly_wages: 400000000, benefits: 0, insurable: 400000000, total: 400000000, worker_share: 28000000,
      employer_share: 80000000, unemployment: 12000000, hard_job_share: hard ? 16000000 : 0, rate: 23,
    },
    rows: [row(freshNationalId()), row(freshNationalId())],
  };
}

// targets: what {} in the path (or the body) names, per role: own (the caller's), other
// (another's), missing (well formed, not on record), or none (no object).
const CASE = {
  own: (role) => own.case[role].id, other: () => other.case.id, missing: () => 999999999,
};
const PERSON = {
  own: (role) => own.person[role], other: () => other.person, missing: () => missingNid,
};
const WORKSHOP = { own: () => w1, other: () => w2, missing: () => '9999999999' };
// an attachment: [the case, one of its files], a PNG added by the supervisor (who may read
// every case) the first time it is asked for
const attOf = new Map();
async function attachment(caseId) {
  if (!attOf.has(caseId)) attOf.set(caseId, (await ok(call('supervisor', 'POST', `/api/v1/cases/${caseId}/attachments`, pngForm()), 'attachment')).id);
  return [caseId, attOf.get(caseId)];
}
const ATTACHMENT = {
  own: (role) => attachment(own.case[role].id), other: () => attachment(other.case.id), missing: () => [999999999, 1],
};
function pngForm() {
  const f = new FormData();
  f.append('file', new Blob([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3])]), 'a.png');
  return f;
}
const EXISTING = (value, missing) => ({ existing: value, missing: () => missing });

// Statuses: a role named in `roles` gets its own; every other role gets the route's 403;
// nobody (no session) gets 401. For a route with targets, a status is per target.
// own 200, another's and one not on record refused alike (defect 5); those who may read
// any such object read another's and get a 404 for one not on record
const MINE = { own: 200, other: 403, missing: 403 };
const ANY = { own: 200, other: 200, missing: 404 };
/** The same, for a route that writes: 201 where a read answers 200. */
const wrote = (s) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v === 200 ? 201 : v]));
/** The same statuses for each of these roles. */
const alike = (roles, s) => Object.fromEntries(roles.map((r) => [r, s]));

/** The table: one entry per route. personal: what a refusal's audit row is (a route
 *  whose objects are personal data: cases, people and their records, the audit and
 *  access logs, workshops). */
const EXPECT = {
  'GET /': { public: 200 },
  'GET /healthz': { public: 200 },
  'POST /api/v1/login': { public: 200, body: () => ({ login: 'agent2', password: PASSWORD }) },
  // login by a one-time code: anyone, the same 202 (a fresh pair each time: no limit met);
  // a code never sent is refused as a wrong one
  'POST /api/v1/login/otp/start': {
    public: 202, body: () => ({ national_id: freshNationalId(), mobile: `0912${String(++seq).padStart(7, '0')}` }),
  },
  'POST /api/v1/login/otp/verify': {
    public: 401, body: () => ({ national_id: freshNationalId(), mobile: '09120000000', code: '123456' }),
  },
  'POST /api/v1/logout': { roles: alike(ROLES, 200), ownSession: true },
  'GET /api/v1/me': { roles: alike(ROLES, 200) },
  'GET /api/v1/stream': { roles: alike(['supervisor', 'agent', 'specialist', 'desk', 'citizen'], 200) },
  'POST /api/v1/me/password': {
    // a wrong current password: each role reaches the handler, which refuses it (400)
    body: () => ({ current_password: 'not-the-password-1', password: 'another long passphrase 7' }),
    roles: alike(ROLES, 400),
  },
  'GET /api/v1/topics': { roles: alike(ROLES, 200) },
  'GET /api/v1/departments': { roles: alike(ROLES, 200) },
  'GET /api/v1/channels': { roles: alike(ROLES, 200) },
  'GET /api/v1/provinces': { roles: alike(ROLES, 200) },
  'POST /api/v1/topics/{}': {
    targets: EXISTING(() => 'general_info', 'no_such_topic'),
    body: () => ({ report_back_min: 600 }),
    roles: { admin: { existing: 200, missing: 404 } },
  },
  'POST /api/v1/departments/{}': {
    targets: EXISTING(() => 'records', 'no_such_department'),
    body: () => ({ name: 'امور بیمه‌شدگان و سوابق بیمه‌ای' }),
    roles: { admin: { existing: 200, missing: 404 } },
  },
  'GET /api/v1/stats/cases': { roles: { supervisor: 200 } },
  'GET /api/v1/stats/cases.xlsx': { roles: { supervisor: 200 } },
  'GET /api/v1/stats/departments': { roles: { supervisor: 200 } },
  'GET /api/v1/stats/departments.xlsx': { roles: { supervisor: 200 } },
  // the organisation's figures: everyone, no session needed (public.h)
  'GET /api/v1/public/figures': { public: 200 },
  'POST /api/v1/cases': {
    // the body names the person: a citizen opens cases for themselves only; staff for
    // anyone (a fresh id for "another's", so that no agent identifies B here)
    targets: {
      own: (role) => (role === 'citizen' ? D.citizens[0] : own.person[role]),
      other: (role) => (role === 'citizen' ? other.person : freshNationalId()),
    },
    // (a refusal here reads nothing: not audited)
    inBody: true,
    body: (role, nid) => caseBody(nid),
    roles: { ...alike(['supervisor', 'agent', 'specialist', 'desk'], { own: 201, other: 201 }), citizen: { own: 201, other: 403 } },
  },
  'GET /api/v1/cases': {
    roles: alike(['supervisor', 'agent', 'specialist', 'desk', 'citizen'], 200), personal: 'cases',
  },
  'GET /api/v1/cases/{}': {
    targets: CASE, personal: 'case',
    roles: { supervisor: ANY, ...alike(['agent', 'specialist', 'desk', 'citizen'], MINE) },
  },
  'POST /api/v1/cases/{}/events': {
    targets: CASE, personal: 'case', body: () => ({ type: 'reply', text: 'پاسخ' }),
    roles: { supervisor: wrote(ANY), ...alike(['agent', 'specialist', 'desk', 'citizen'], wrote(MINE)) },
  },
  'POST /api/v1/cases/{}/attachments': {
    targets: CASE, personal: 'attachment', body: () => pngForm(),
    roles: { supervisor: wrote(ANY), ...alike(['agent', 'specialist', 'desk', 'citizen'], wrote(MINE)) },
  },
  'GET /api/v1/cases/{}/attachments': {
    targets: CASE, personal: 'attachment',
    roles: { supervisor: ANY, ...alike(['agent', 'specialist', 'desk', 'citizen'], MINE) },
  },
  'GET /api/v1/cases/{}/attachments/{}': {
    targets: ATTACHMENT, personal: 'attachment',
    roles: { supervisor: ANY, ...alike(['agent', 'specialist', 'desk', 'citizen'], MINE) },
  },
  'GET /api/v1/people/{}': {
    // the caller card: staff of the front line look anyone up (it opens a caller context)
    targets: { own: (role) => own.person[role], other: () => other.card, missing: () => missingNid },
    personal: 'person',
    roles: { supervisor: ANY, agent: ANY, desk: ANY },
  },
  ...Object.fromEntries(['history', 'eligibility', 'pension-estimate', 'pension', 'average-wage', 'treatment'].map((p) => [
    `GET /api/v1/people/{}/${p}`, {
      targets: PERSON, personal: 'record',
      roles: { supervisor: ANY, agent: MINE, specialist: ANY, desk: MINE, citizen: MINE },
    }])),
  'POST /api/v1/pensions/batches': {
    body: () => ({ kind: 'increase', date: '1405/01/01' }), roles: { admin: 201, supervisor: 201 },
  },
  'GET /api/v1/pensions/batches/{}': {
    targets: EXISTING(() => batch, 999999999), roles: alike(['admin', 'supervisor'], { existing: 200, missing: 404 }),
  },
  'POST /api/v1/pensions/batches/{}/apply': {
    // each apply gets a batch previewed just before it (an applied batch makes older ones
    // stale); an equalisation step, which may be applied again (a year's increase may not)
    targets: EXISTING(async () => (await call('admin', 'POST', '/api/v1/pensions/batches', { kind: 'equalisation', date: '1405/02/01' })).json.id, 999999999),
    roles: alike(['admin', 'supervisor'], { existing: 200, missing: 404 }),
  },
  'GET /api/v1/me/access-log': { roles: alike(ROLES, 200), personal: 'log' },
  'GET /api/v1/audit': { roles: { auditor: 200 }, personal: 'log' },
  'GET /api/v1/audit.xlsx': { roles: { auditor: 200 }, personal: 'log' },
  'POST /api/v1/workshops': {
    body: () => ({ code: String(5000000000 + ++seq), name: 'کارگاه', employer_name: 'کارفرما' }),
    roles: { admin: 201, supervisor: 201, specialist: 201 },
  },
  'GET /api/v1/workshops': {
    roles: alike(['admin', 'supervisor', 'agent', 'specialist', 'employer'], 200), personal: 'workshops',
  },
  'GET /api/v1/workshops/{}': {
    targets: WORKSHOP, personal: 'workshop',
    roles: { ...alike(['admin', 'supervisor', 'agent', 'specialist'], ANY), employer: MINE },
  },
  // papers (documents.h): the citizen's own, by kind (the demo citizen is no pensioner: a
  // salary certificate is not hers to have, 404; a kind that is none, 400); a workshop's
  // clearance (every demo workshop owes: 409)
  'GET /api/v1/me/documents/{}': {
    targets: EXISTING(() => 'salary', 'passport'), roles: { citizen: { existing: 404, missing: 400 } },
    personal: 'document',
  },
  'GET /api/v1/workshops/{}/documents/clearance': {
    targets: WORKSHOP, personal: 'document',
    roles: { ...alike(['admin', 'supervisor', 'agent', 'specialist'], { own: 409, other: 409, missing: 404 }), employer: { own: 409, other: 403, missing: 403 } },
  },
  'GET /api/v1/verify/{}': { public: 404, targets: { missing: () => '0000-0000-0000-0000' } },
  'POST /api/v1/workshops/{}/employers': {
    targets: EXISTING(() => w2, '9999999999'), body: () => ({ login: 'emp_link' }),
    roles: { admin: { existing: 200, missing: 404 } },
  },
  'POST /api/v1/workshops/{}/payments': {
    targets: WORKSHOP, body: () => ({ amount: 1000000 }),
    roles: alike(['admin', 'supervisor', 'specialist'], wrote(ANY)),
  },
  'POST /api/v1/lists': {
    // the list names its workshop: an employer's own, or another's (refused by field)
    targets: { own: () => w1, other: () => w2 }, inBody: true, body: (role, code) => list(code),
    roles: { ...alike(['admin', 'supervisor', 'agent', 'specialist'], { own: 201, other: 201 }), employer: { own: 201, other: 422 } },
  },
  'GET /api/v1/users': { roles: { admin: 200 } },
  'POST /api/v1/users': {
    body: () => ({ login: fresh('matrix_'), password: STRONG, role: 'agent', department: 'contact_center' }),
    roles: { admin: 201 },
  },
  'POST /api/v1/users/{}/disable': {
    // a fresh account for each call, so that every role asks about a live one
    targets: EXISTING(async () => {
      const login = fresh('victim_');
      await ok(call('admin', 'POST', '/api/v1/users', { login, password: STRONG, role: 'agent' }), login);
      return login;
    }, 'no_such_login'),
    roles: { admin: { existing: 200, missing: 404 } },
  },
  'POST /api/v1/users/{}/enable': {
    targets: EXISTING(async () => {
      const login = fresh('returning_');
      await ok(call('admin', 'POST', '/api/v1/users', { login, password: STRONG, role: 'agent' }), login);
      await ok(call('admin', 'POST', `/api/v1/users/${login}/disable`), login);
      return login;
    }, 'no_such_login'),
    roles: { admin: { existing: 200, missing: 404 } },
  },
  'POST /api/v1/users/{}/role': {
    targets: EXISTING(async () => {
      const login = fresh('promoted_');
      await ok(call('admin', 'POST', '/api/v1/users', { login, password: STRONG, role: 'agent' }), login);
      return login;
    }, 'no_such_login'),
    body: () => ({ role: 'supervisor' }),
    roles: { admin: { existing: 200, missing: 404 } },
  },
  'POST /api/v1/users/{}/password': {
    targets: EXISTING(async () => {
      const login = fresh('reset_');
      await ok(call('admin', 'POST', '/api/v1/users', { login, password: STRONG, role: 'agent' }), login);
      return login;
    }, 'no_such_login'),
    body: () => ({ password: 'a temporary passphrase 99' }),
    roles: { admin: { existing: 200, missing: 404 } },
  },
  // the telephone system's lines (a QUEUESTART, stored once) and the supervisor's figures
  'POST /api/v1/calls/events': {
    body: () => '1700000000|NONE|NONE|NONE|QUEUESTART|\n',
    roles: { telephony: 200 },
  },
  'GET /api/v1/calls/figures': { query: '?from=2023-11-14&to=2023-11-15', roles: { supervisor: 200 } },
  'GET /api/v1/canned': { roles: alike(['admin', 'supervisor', 'agent', 'specialist', 'desk'], 200) },
  'POST /api/v1/canned': {
    body: () => ({ title: fresh('پاسخ '), body: 'سلام {name}، پرونده {number}' }),
    roles: { admin: 201, supervisor: 201 },
  },
  'POST /api/v1/canned/{}': {
    targets: EXISTING(async () => {
      canned ??= (await ok(call('admin', 'POST', '/api/v1/canned', { title: 'ماتریس', body: 'متن' }), 'canned')).id;
      return canned;
    }, 999999999),
    body: () => ({ title: fresh('ویرایش ') }),
    roles: alike(['admin', 'supervisor'], { existing: 200, missing: 404 }),
  },
  'DELETE /api/v1/canned/{}': {
    // a fresh answer for each call, so that every role asks about a live one
    targets: EXISTING(async () => (await ok(call('admin', 'POST', '/api/v1/canned', { title: fresh('حذف '), body: 'متن' }), 'canned')).id, 999999999),
    roles: alike(['admin', 'supervisor'], { existing: 200, missing: 404 }),
  },
  'GET /api/v1/departments/{}/people': {
    targets: EXISTING(() => 'pensions', 'no_such_department'),
    roles: alike(['supervisor', 'specialist', 'agent'], { existing: 200, missing: 404 }),
  },
  // asked with no query: the supervisor reaches the handler, which names the missing calls
  'GET /api/v1/calls/staffing': { roles: { supervisor: 400 } },
  'GET /api/v1/pulse/series': { query: '?source=case&dim=topic&key=general_info&by=day', roles: { supervisor: 200 } },
  'GET /api/v1/pulse/series.xlsx': { query: '?source=case&by=day', roles: { supervisor: 200 } },
  'GET /api/v1/pulse/movers': { query: '?window=day', roles: { supervisor: 200 } },
  'GET /api/v1/pulse/movers.xlsx': { roles: { supervisor: 200 } },
  // the screen pop: an account's telephone agent; a call and its caller's card (an agent
  // reads the calls their own telephone agent answered); a case's calls
  'POST /api/v1/users/{}/phone-agent': {
    targets: EXISTING(async () => {
      const login = fresh('phone_');
      await ok(call('admin', 'POST', '/api/v1/users', { login, password: STRONG, role: 'agent' }), login);
      return login;
    }, 'no_such_login'),
    body: () => ({ phone_agent: fresh('PJSIP/') }),
    roles: { admin: { existing: 200, missing: 404 } },
  },
  'GET /api/v1/calls/{}': {
    targets: { own: () => callOf('SIP/8001'), other: () => callOf('SIP/8002'), missing: () => 'no-such-call' },
    personal: 'call',
    roles: { supervisor: ANY, agent: MINE },
  },
  'GET /api/v1/cases/{}/calls': {
    targets: CASE, personal: 'case',
    roles: { supervisor: ANY, ...alike(['agent', 'specialist', 'desk'], MINE) },
  },
  // the wallboard: queues, agents (staff) and today, no caller's data
  'GET /api/v1/calls/board': { roles: { supervisor: 200 } },
  // the call on the asker's screen now (ids only): agents and supervisors
  'GET /api/v1/me/call': { roles: { agent: 200, supervisor: 200 } },
  'GET /api/v1/calls/staffing/forecast': { query: '?from=2023-11-18', roles: { supervisor: 200 } },
  'GET /api/v1/calls/staffing/forecast.xlsx': { query: '?from=2023-11-18', roles: { supervisor: 200 } },
  // the e-services: the catalogue for everyone; a request service's form as its audience
  // (a citizen's service about themselves, an employer's about a workshop of theirs: another
  // workshop, or a service of another audience, refused by the handler naming the field)
  'GET /api/v1/services': { public: 200 },
  'GET /api/v1/me/services': { roles: alike(['citizen', 'employer'], 200) },
  'POST /api/v1/services/{}/requests': {
    targets: {
      own: (role) => (role === 'employer' ? ['debt_clearance', w1] : ['missing_records', w1]),
      other: (role) => ['debt_clearance', role === 'employer' ? w2 : w1],
      missing: () => ['no_such_service', w1],
    },
    body: (role, [code, workshop]) => (code === 'debt_clearance'
      ? { workshop, national_id: freshNationalId(), purpose: 'contract' }
      : { month: '1403/07', workshop }),
    roles: alike(['citizen', 'employer'], { own: 201, other: 403, missing: 404 }),
  },
};

/** A call on now, answered by the telephone agent (the demo's agent1 is SIP/8001). */
const callsOf = new Map();
async function callOf(agent) {
  if (!callsOf.has(agent)) {
    const id = `matrix-${agent.replace(/\W/g, '')}-${process.pid}`, t = Math.floor(Date.now() / 1000);
    await ok(call('telephony', 'POST', '/api/v1/calls/events',
      `${t - 5}|${id}|1420|NONE|ENTERQUEUE||09120000000|1|\n${t}|${id}|1420|${agent}|CONNECT|5|x|1\n`), 'call');
    callsOf.set(agent, id);
  }
  return callsOf.get(agent);
}

// ---- running a route's cells ----

const TABLE = routes();
const keyOf = (r) => `${r.method} ${r.path}`;

/** The audit rows written since the watermark by a login. */
async function deniedSince(mark, login) {
  const r = await call('auditor', 'GET', `/api/v1/audit?user=${encodeURIComponent(login)}&limit=200`);
  assert.equal(r.status, 200, r.text);
  return r.json.items.filter((i) => i.id > mark && i.outcome === 'denied');
}
async function watermark() {
  const r = await call('auditor', 'GET', '/api/v1/audit?limit=1');
  return r.json.items[0]?.id ?? 0;
}

/** Does an audit row record this handler's refusal? */
function records(row, kind, target, value) {
  const missing = target === 'missing';
  if (kind === 'case')
    return row.action === 'case_read' && (missing ? row.case_number === null && row.reason.includes(String(value))
      : row.case_number === other.case.number);
  if (kind === 'record')
    return row.action === 'record_read' && (missing ? row.national_id === null && row.reason.includes(value)
      : row.national_id === value);
  if (kind === 'workshop') return row.action === 'workshop_read' && row.reason === value;
  if (kind === 'document') return row.action === 'document_issue' && row.reason === `clearance ${value}`;
  if (kind === 'call') return row.action === 'call_read' && row.reason.includes(value);
  if (kind === 'attachment')
    return row.action.startsWith('attachment_') && (missing ? row.case_number === null && row.reason.includes(String(value[0] ?? value))
      : row.case_number === other.case.number);
  return false;
}

const results = new Map(); // route key -> {routeRefusals: [{login, what}], ...}
let cells = 0;

for (const route of TABLE) {
  const key = keyOf(route);
  const e = EXPECT[key];
  const targets = e?.targets ?? { none: () => undefined };

  test(`${key}: each role's status${e?.personal ? ', each refusal audited' : ''}`, async () => {
    assert.ok(e, `${key} has no entry in the role matrix (tests/http/roles.test.mjs): add one`);
    const wrong = [];
    // the table and the route table agree on who may call
    if (!e.public) {
      const allowed = Object.keys(e.roles).sort();
      assert.deepEqual(allowed, [...route.roles].sort(), `${key}: the roles the table expects answers for`);
    } else {
      assert.deepEqual(route.roles, [], `${key} is public in the table`);
    }
    const mark = e.personal ? await watermark() : 0;
    const handlerRefusals = []; // {role, target, value}
    const routeRefusals = []; // {role, what}
    for (const role of [NOBODY, ...ROLES]) {
      const texts = {};
      for (const [target, of] of Object.entries(targets)) {
        const value = await of(role);
        // each {} in turn: a value that is a list names several (a case and its file)
        let path = e.inBody || value === undefined ? route.path
          : [].concat(value).reduce((p, v) => p.replace('{}', encodeURIComponent(v)), route.path);
        path += e.query ?? ''; // a route whose query is required
        const body = e.body ? await e.body(role, value) : undefined;
        let want;
        if (e.public) want = e.public;
        else if (role === NOBODY) want = 401;
        else if (!e.roles[role]) want = 403;
        else want = typeof e.roles[role] === 'number' ? e.roles[role] : e.roles[role][target];
        let r;
        if (e.ownSession && role !== NOBODY) {
          const s = await S.login(LOGINS[role]);
          r = await S.call(route.method, path, { token: s.token, body: {} });
        } else {
          r = await call(role, route.method, path, body);
        }
        cells++;
        texts[target] = r.text;
        const what = `${key} as ${role}, ${target}${value !== undefined ? ` (${value})` : ''}`;
        if (r.status !== want) {
          wrong.push(`${what}: want ${want}, got ${r.status} ${r.text.slice(0, 160)}`);
          continue;
        }
        if (r.status === 403) {
          const byRoute = !r.json?.error?.field;
          if (byRoute !== !e.roles[role]) wrong.push(`${what}: a 403 ${byRoute ? 'by the route' : 'by the handler'} ${r.text}`);
          if (!e.personal) continue;
          if (byRoute) routeRefusals.push({ role, what });
          else handlerRefusals.push({ role, target, value, what });
        }
      }
      // one not on record is refused word for word as another's (defect 5)
      if (e.roles?.[role]?.missing === 403 && texts.missing !== texts.other)
        wrong.push(`${key} as ${role}: the refusal of one not on record differs from another's: ${texts.missing} / ${texts.other}`);
    }
    // each handler's refusal of personal data has its row
    for (const h of handlerRefusals) {
      const rows = await deniedSince(mark, LOGINS[h.role]);
      if (!rows.some((row) => records(row, e.personal, h.target, h.value)))
        wrong.push(`${h.what}: no denied ${e.personal} row in the audit log: ${JSON.stringify(rows.slice(0, 3))}`);
    }
    results.set(key, { mark, routeRefusals, handlerRefusals });
    assert.deepEqual(wrong, [], `the server disagrees with the role matrix:\n${wrong.join('\n')}`);
  });

  // a route every role may call has no role check to audit
  if (!e?.personal || ROLES.every((r) => e.roles[r])) continue;
  test(`${key}: each refusal by the route's role check is audited`, async () => {
    const res = results.get(key);
    assert.ok(res, 'the route\'s cells ran');
    const missing = [];
    const byLogin = new Map();
    for (const x of res.routeRefusals) byLogin.set(LOGINS[x.role], [...(byLogin.get(LOGINS[x.role]) ?? []), x]);
    for (const [login, refusals] of byLogin) {
      const handlerRows = res.handlerRefusals.filter((h) => LOGINS[h.role] === login).length;
      const rows = await deniedSince(res.mark, login);
      if (rows.length - handlerRows < refusals.length)
        missing.push(`${login}: ${refusals.length} refusal(s), ${rows.length - handlerRows} denied row(s): ${refusals.map((x) => x.what).join('; ')}`);
    }
    assert.deepEqual(missing, [], `route refusals without an audit row:\n${missing.join('\n')}`);
  });
}

test('the table has no row for a route that is gone, and every cell was asked', (t) => {
  const known = new Set(TABLE.map(keyOf));
  assert.deepEqual(Object.keys(EXPECT).filter((k) => !known.has(k)), []);
  const size = TABLE.reduce((n, r) => n + (ROLES.length + 1) * Object.keys(EXPECT[keyOf(r)]?.targets ?? { none: 0 }).length, 0);
  assert.equal(cells, size, `${TABLE.length} routes, ${size} cells`);
  t.diagnostic(`${TABLE.length} routes, ${ROLES.length} roles and no session, ${size} requests`);
});
