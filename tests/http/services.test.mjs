// The e-services: the catalogue (public, by audience), request services opening cases in
// their department with the form kept, each field type refusing bad input by name with a
// Persian message, and who may ask for what (a pensioner's service, another's workshop:
// refused, the latter audited); every use counted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startDemo, createDemo, addUser, assertError, assertNoSecrets, cleanupTemp, toPersianDigits, freshNationalId, runCli,
  USER_PASSWORD, sql as sqlOn,
} from './harness.mjs';

let S, D, citizen, pensioner, emp, auditor, w1, w2, pensionerNid;
const sql = (q) => sqlOn(D.db, q);

/** A valid Sheba (ISO 13616) for 22 account digits: IR, two check digits, the digits. */
function sheba(bban) {
  const num = `${bban}182700`; // I = 18, R = 27, check digits 00
  let rem = 0;
  for (const c of num) rem = (rem * 10 + Number(c)) % 97;
  return `IR${String(98 - rem).padStart(2, '0')}${bban}`;
}
const SHEBA = sheba('0170000000123456789012');

before(async () => {
  D = await startDemo({ people: 80, cases: 20, args: ['--rate-limit', '0'] });
  S = D.server;
  citizen = await S.login(D.citizens[0]);
  emp = await S.login('emp1');
  auditor = await S.login('auditor');
  w1 = sql("SELECT w.code FROM workshops w JOIN workshop_users wu ON wu.workshop_id = w.id JOIN users u ON u.id = wu.user_id WHERE u.login = 'emp1'");
  w2 = sql(`SELECT code FROM workshops WHERE code <> '${w1}' LIMIT 1`);
  // a pensioner of the demo, given an account
  pensionerNid = sql(`SELECT p.national_id FROM pensioners x JOIN people p ON p.id = x.person_id WHERE p.national_id NOT IN ('${D.citizens.join("','")}') LIMIT 1`);
  const r = addUser(D.db, { login: 'pens1', role: 'citizen', nationalId: pensionerNid });
  assert.equal(r.status, 0, r.stderr);
  pensioner = await S.login('pens1', USER_PASSWORD);
});

after(async () => {
  if (S) {
    assertNoSecrets(S);
    await S.stop();
  }
  cleanupTemp();
});

const post = (who, path, body) => S.call('POST', path, { token: who.token, body });
const get = (who, path) => S.call('GET', path, { token: who?.token });
const ask = (who, code, body) => post(who, `/api/v1/services/${code}/requests`, body);

test('the catalogue: 30 services and more, each with its audience and kind, public, filtered by audience', async () => {
  const r = await get(null, '/api/v1/services');
  assert.equal(r.status, 200, r.text);
  const items = r.json.items;
  assert.ok(items.length >= 30, `${items.length} services`);
  const codes = new Set(items.map((s) => s.code));
  assert.equal(codes.size, items.length, 'codes are unique');
  for (const s of items) {
    assert.ok(['insured', 'pensioner', 'employer'].includes(s.audience), s.code);
    assert.ok(/[\u0600-\u06ff]/.test(s.title) && s.description, `${s.code}: a Persian title and description`);
    if (s.kind === 'instant') assert.match(s.path, /^\/api\/v1\//, s.code);
    else {
      assert.equal(s.kind, 'request');
      assert.ok(s.department && s.fields.length > 0, `${s.code}: a department and a form`);
      for (const f of s.fields) assert.ok(f.name && f.label && f.type && typeof f.required === 'boolean', `${s.code}.${f.name}`);
    }
  }
  for (const c of ['missing_records', 'retirement', 'marriage_gift', 'maternity', 'sickness', 'loan', 'bank_account',
    'debt_objection', 'debt_clearance', 'history', 'treatment', 'average_wage', 'workshop_debt', 'payslip'])
    assert.ok(codes.has(c), `the catalogue has ${c}`);
  const p = await get(null, '/api/v1/services?audience=pensioner');
  assert.ok(p.json.items.length >= 5 && p.json.items.every((s) => s.audience === 'pensioner'));
  assertError(await get(null, '/api/v1/services?audience=nobody'), 400, 'invalid_field', 'audience');
  // a choice lists its options
  const loan = items.find((s) => s.code === 'loan');
  assert.deepEqual(loan.fields.find((f) => f.name === 'instalments').options.map((o) => o.value), ['12', '24', '36']);
});

test('an objection to a missing month opens a case in the records department with the form kept', async () => {
  const r = await ask(citizen, 'missing_records', {
    month: toPersianDigits('1403/7'), workshop: toPersianDigits(w1), days: '۲۰', description: 'کار کرده‌ام',
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.case.department, 'records');
  assert.deepEqual(r.json.fields, { month: '1403/07', workshop: w1, days: '20', description: 'کار کرده‌ام' });
  assert.deepEqual(r.json.attachments.map((a) => [a.name, a.required]), [['scan', true]]);
  // the case is the citizen's, followed like any case, with the form in its description
  const c = await get(citizen, `/api/v1/cases/${r.json.case.id}`);
  assert.equal(c.status, 200, c.text);
  assert.equal(c.json.number, r.json.case.number);
  assert.equal(c.json.channel, 'web');
  assert.match(c.json.description, /ماهی که در سابقه نیست: 1403\/07/);
  assert.equal(sql(`SELECT service || ' ' || fields FROM service_requests WHERE case_id = ${r.json.case.id}`),
    `missing_records ${JSON.stringify(r.json.fields)}`);
  // the scanned page through the case's attachments
  const f = new FormData();
  f.append('file', new Blob([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3])]), 'scan.png');
  const a = await S.call('POST', `/api/v1/cases/${r.json.case.id}/attachments`, { token: citizen.token, body: f });
  assert.equal(a.status, 201, a.text);
});

test('each request service opens a case in its department', async () => {
  const want = [
    [citizen, 'retirement', { from_date: '1405/01/01', sheba: SHEBA, mobile: '09121234567' }, 'pensions'],
    [citizen, 'marriage_gift', { marriage_date: '1404/02/10', spouse_national_id: freshNationalId(), sheba: SHEBA }, 'benefits'],
    [citizen, 'maternity', { from_date: '1404/05/01', days: 270, sheba: SHEBA }, 'benefits'],
    [citizen, 'sickness', { from_date: '1404/05/01', days: '12', sheba: SHEBA }, 'benefits'],
    [pensioner, 'loan', { amount: '300,000,000', instalments: '24', mobile: '۰۹۱۲۱۲۳۴۵۶۷' }, 'loans'],
    [pensioner, 'bank_account', { sheba: SHEBA.toLowerCase().replace(/(.{4})/g, '$1 '), mobile: '09121234567' }, 'pensions'],
    [emp, 'debt_objection', { workshop: w1, national_id: freshNationalId(), from_month: '1404/01', to_month: '1404/03', reason: 'پرداخت کرده‌ایم' }, 'legal'],
    [emp, 'debt_clearance', { workshop: w1, national_id: freshNationalId(), purpose: 'contract', contract_amount: 5000000000 }, 'contributions'],
  ];
  for (const [who, code, body, dep] of want) {
    const r = await ask(who, code, body);
    assert.equal(r.status, 201, `${code}: ${r.text}`);
    assert.equal(r.json.case.department, dep, code);
    const topic = sql(`SELECT t.code FROM cases c JOIN topics t ON t.id = c.topic_id WHERE c.id = ${r.json.case.id}`);
    assert.equal(topic, r.json.case.topic, code);
  }
  // the Sheba kept as one canonical string, the amount as digits
  const b = sql("SELECT fields FROM service_requests WHERE service = 'bank_account'");
  assert.equal(JSON.parse(b).sheba, SHEBA);
  const l = sql("SELECT fields FROM service_requests WHERE service = 'loan'");
  assert.equal(JSON.parse(l).amount, '300000000');
});

test('bad input: each field type refused by name, with a Persian message, nothing stored', async () => {
  const before = sql('SELECT count(*) FROM service_requests');
  const base = { marriage_date: '1404/02/10', spouse_national_id: freshNationalId(), sheba: SHEBA };
  const bad = [
    ['marriage_gift', { ...base, sheba: SHEBA.slice(0, -1) + ((Number(SHEBA.at(-1)) + 1) % 10) }, 'invalid_field', 'sheba'],
    ['marriage_gift', { ...base, sheba: 'IR12' }, 'invalid_field', 'sheba'],
    ['marriage_gift', { ...base, marriage_date: '1404/12/31' }, 'invalid_field', 'marriage_date'], // 1404 is no leap year
    ['marriage_gift', { ...base, spouse_national_id: '1234567890' }, 'invalid_field', 'spouse_national_id'],
    ['marriage_gift', { ...base, sheba: undefined }, 'missing_field', 'sheba'],
    ['marriage_gift', { ...base, sheba: '   ' }, 'missing_field', 'sheba'],
    ['marriage_gift', { ...base, certificate: 'x.png' }, 'invalid_field', 'certificate'],
    ['marriage_gift', { ...base, extra: 1 }, 'unknown_field', 'extra'],
    ['missing_records', { month: '1403/13', workshop: w1 }, 'invalid_field', 'month'],
    ['missing_records', { month: '1403/07', workshop: '12345' }, 'invalid_field', 'workshop'],
    ['missing_records', { month: '1403/07', workshop: w1, days: 32 }, 'invalid_field', 'days'],
    ['missing_records', { month: '1403/07', workshop: w1, description: 'ب'.repeat(1001) }, 'field_too_long', 'description'],
    ['missing_records', { month: 1403, workshop: w1 }, 'invalid_field', 'month'],
    ['retirement', { from_date: '1405/01/01', sheba: SHEBA, mobile: '0212345678' }, 'invalid_field', 'mobile'],
  ];
  for (const [code, body, err, field] of bad) {
    const e = assertError(await ask(citizen, code, body), 400, err, field);
    assert.match(e.message, /[\u0600-\u06ff]/, `${code}.${field}: a Persian message`);
  }
  assertError(await ask(citizen, 'nope', {}), 404, 'not_found', 'code');
  assertError(await ask(citizen, 'history', {}), 404, 'not_found', 'code'); // instant: no form
  assertError(await S.call('POST', '/api/v1/services/marriage_gift/requests', { token: citizen.token, body: '[1' }), 400);
  assert.equal(sql('SELECT count(*) FROM service_requests'), before, 'nothing stored');
  assert.ok(Number(sql("SELECT count(*) FROM service_uses WHERE outcome = 'refused'")) >= bad.length);
});

test('a pensioner\'s service for pensioners only; an employer\'s for their workshops only, refused and audited', async () => {
  assertError(await ask(citizen, 'loan', { amount: 1000, instalments: '12', mobile: '09121234567' }), 403, 'not_pensioner', 'code');
  assertError(await ask(citizen, 'debt_clearance', {}), 403, 'forbidden', 'code');
  assertError(await ask(emp, 'missing_records', {}), 403, 'forbidden', 'code');
  const mark = (await get(auditor, '/api/v1/audit?limit=1')).json.items[0]?.id ?? 0;
  const body = { workshop: w2, national_id: freshNationalId(), purpose: 'transfer' };
  assertError(await ask(emp, 'debt_clearance', body), 403, 'forbidden', 'workshop');
  const rows = (await get(auditor, '/api/v1/audit?user=emp1&limit=20')).json.items.filter((i) => i.id > mark);
  assert.ok(rows.some((i) => i.outcome === 'denied' && i.action === 'service_request' && i.reason.includes(w2)),
    JSON.stringify(rows.slice(0, 3)));
});

test('every use is counted with its service, province, channel and outcome', async () => {
  const rows = sql("SELECT service, channel, outcome FROM service_uses WHERE outcome = 'opened' ORDER BY id").split('\n');
  assert.ok(rows.includes('missing_records|web|opened'));
  assert.ok(rows.includes('debt_clearance|web|opened'));
  // the province: the person's, or the workshop's
  const prov = sql(`SELECT province FROM workshops WHERE code = '${w1}'`);
  assert.equal(sql("SELECT province FROM service_uses WHERE service = 'debt_clearance' AND outcome = 'opened' LIMIT 1"), prov);
});

/** A monthly list of one worker for the workshop (the JSON form), days 30 at a monthly wage. */
function oneWorkerList(code, hard, year, month, nid, wage) {
  const daily = Math.floor(wage / 30);
  const worker = Math.round(wage * 0.07);
  return {
    header: {
      workshop: code, year, month, list_no: '1', workers: 1, days: 30, daily_wages: daily,
      monthly_wages: wage, benefits: 0, insurable: wage, total: wage, worker_share: worker,
      employer_share: Math.round(wage * 0.2), unemployment: Math.round(wage * 0.03),
      hard_job_share: hard ? Math.round(wage * 0.04) : 0, rate: 23,
    },
    rows: [{
      national_id: nid, insurance_no: '12345678', first_name: 'سارا', last_name: 'کریمی', birth_date: '1370/05/12',
      sex: 'f', days: 30, daily_wage: daily, monthly_wage: wage, benefits: 0, insurable: wage, total: wage,
      worker_share: worker,
    }],
  };
}

test('instant services answer from records built in the test: the average wage and treatment eligibility; each ask counted', async () => {
  const nid = freshNationalId();
  const hard = (await get(emp, `/api/v1/workshops/${w1}`)).json.hard_job;
  for (const [month, wage] of [[6, 200000000], [7, 250000000]]) {
    const r = await post(emp, '/api/v1/lists', oneWorkerList(w1, hard, 1405, month, nid, wage));
    assert.equal(r.status, 201, r.text);
  }
  assert.equal(addUser(D.db, { login: 'sara', role: 'citizen', nationalId: nid }).status, 0);
  const sara = await S.login('sara', USER_PASSWORD);
  const a = await get(sara, `/api/v1/people/${nid}/average-wage?date=1405/09/01`);
  assert.equal(a.status, 200, a.text);
  assert.deepEqual(a.json.average_wage, {
    months: 2, from: '1405/06', to: '1405/07', wages: 450000000, average: 225000000,
    reference: a.json.average_wage.reference,
  });
  const t = await get(sara, `/api/v1/people/${toPersianDigits(nid)}/treatment?date=1405/09/01`);
  assert.equal(t.status, 200, t.text);
  assert.deepEqual({ ...t.json.treatment }, {
    eligible: true, basis: 'record', pensioner: false, days: 60, days_needed: 30, from: '1404/09', to: '1405/08',
  });
  // a year on, nothing in the last 12 months: not eligible
  const later = await get(sara, `/api/v1/people/${nid}/treatment?date=1406/09/01`);
  assert.equal(later.json.treatment.eligible, false);
  assert.equal(later.json.treatment.basis, 'none');
  // a pensioner is covered whatever the record
  const p = await get(pensioner, `/api/v1/people/${pensionerNid}/treatment`);
  assert.equal(p.status, 200, p.text);
  assert.equal(p.json.treatment.basis, 'pensioner');
  // another's: refused (and audited, as every record read)
  assertError(await get(sara, `/api/v1/people/${pensionerNid}/treatment`), 403, 'forbidden', 'national_id');
  // each ask of an instant service by its audience is a use, counted in the writer's next group
  let n = 0;
  for (let i = 0; i < 50 && n < 3; i++) {
    n = Number(sql("SELECT count(*) FROM service_uses WHERE outcome = 'answered' AND service IN ('average_wage', 'treatment')"));
    if (n < 3) await new Promise((res) => setTimeout(res, 100));
  }
  assert.ok(n >= 3, `${n} uses counted`);
});

test('the uses feed the pulse (source service, by topic) and the public figures per month', async () => {
  const r = runCli(['pulse', 'refresh', '--db', D.db, '--from', new Date(Date.now() - 86400000).toISOString().slice(0, 10)]);
  assert.equal(r.status, 0, r.stderr);
  const sv = await S.login('supervisor');
  const s = await get(sv, '/api/v1/pulse/series?source=service&dim=topic&key=record_missing_months&by=day');
  assert.equal(s.status, 200, s.text);
  const total = s.json.points.reduce((a, p) => a + (p.value ?? 0), 0);
  const want = Number(sql("SELECT count(*) FROM service_uses WHERE service IN ('missing_records', 'part_month')"));
  assert.equal(total, want);
  const f = await get(null, '/api/v1/public/figures?months=1');
  assert.equal(f.status, 200, f.text);
  assert.equal(f.json.eservices.available, true);
  const [m] = f.json.eservices.months;
  const uses = Number(sql("SELECT count(*) FROM service_uses WHERE outcome <> 'refused'"));
  if (uses < 10) assert.deepEqual([m.uses, m.suppressed], [null, ['uses']]);
  else assert.equal(m.uses, uses);
});

test('my services: a citizen\'s as insured, a pensioner\'s too, an employer\'s', async () => {
  const audiences = async (who) => new Set((await get(who, '/api/v1/me/services')).json.items.map((s) => s.audience));
  assert.deepEqual([...await audiences(citizen)], ['insured']);
  assert.deepEqual([...await audiences(pensioner)].sort(), ['insured', 'pensioner']);
  assert.deepEqual([...await audiences(emp)], ['employer']);
});

test('every request service of the catalogue opens a case in its department, its form kept', async () => {
  const all = (await get(null, '/api/v1/services')).json.items.filter((s) => s.kind === 'request');
  const topics = (await get(citizen, '/api/v1/topics')).json.items;
  const sample = {
    text: () => 'متن آزمون', number: () => '1', amount: () => '1000', month: () => '1403/07', date: () => '1403/07/15',
    national_id: () => freshNationalId(), sheba: () => SHEBA, mobile: () => '09121234567', workshop: () => w1,
  };
  for (const s of all) {
    const body = {};
    for (const f of s.fields) {
      if (f.type === 'attachment') continue;
      body[f.name] = f.type === 'choice' ? f.options[0].value : sample[f.type]();
    }
    const who = { insured: citizen, pensioner, employer: emp }[s.audience];
    const r = await ask(who, s.code, body);
    assert.equal(r.status, 201, `${s.code}: ${r.text}`);
    assert.equal(r.json.case.department, topics.find((t) => t.code === s.topic).department, s.code);
    assert.equal(r.json.case.department, s.department, `${s.code}: the catalogue says where it goes`);
    assert.deepEqual(JSON.parse(sql(`SELECT fields FROM service_requests WHERE case_id = ${r.json.case.id}`)), r.json.fields);
  }
  assert.ok(all.length >= 20, `${all.length} request services`);
});

test('the demo\'s year of e-service uses (make run): growing, quiet on Fridays, counted by the pulse', () => {
  const d = createDemo({ people: 20, cases: 5, serviceUses: 40 });
  const q = (x) => sqlOn(d.db, x);
  assert.match(d.stdout, /e-services: \d+ uses over the last year/);
  const [n, services, provinces] = q(`SELECT count(*), count(DISTINCT service), count(DISTINCT province) FROM service_uses`).split('|').map(Number);
  assert.ok(n > 40 * 300 && n < 40 * 1.6 * 366, `uses: ${n}`);
  assert.ok(services >= 30 && provinces >= 20, `${services} services, ${provinces} provinces`);
  assert.equal(q(`SELECT count(*) FROM service_uses WHERE outcome NOT IN ('answered', 'opened', 'refused') OR channel <> 'web'`), '0');
  // the year's last month against its first, Fridays against other days (Tehran days)
  const day = "((at + 12600) / 86400)";
  const [first, last] = q(`SELECT sum(CASE WHEN at < (SELECT min(at) FROM service_uses) + 30 * 86400 THEN 1 ELSE 0 END),
    sum(CASE WHEN at >= (SELECT max(at) FROM service_uses) - 30 * 86400 THEN 1 ELSE 0 END) FROM service_uses`).split('|').map(Number);
  assert.ok(last > first * 1.4, `first month ${first}, last ${last}`);
  const [fri, other] = q(`SELECT avg(n) FILTER (WHERE f), avg(n) FILTER (WHERE NOT f) FROM (SELECT ${day} % 7 = 1 AS f, count(*) AS n FROM service_uses GROUP BY ${day}) AS days`).split('|').map(Number);
  assert.ok(fri < other / 2, `Fridays ${fri}, other days ${other}`);
  // the pulse counted them as the refresher does: source service, every use once a day
  assert.equal(q(`SELECT sum(n) FROM pulse_counts WHERE source = 'service' AND dim = 'all' AND span = 86400`), String(n));
  assert.ok(Number(q(`SELECT count(DISTINCT key) FROM pulse_counts WHERE source = 'service' AND dim = 'topic'`)) >= 10);
});
