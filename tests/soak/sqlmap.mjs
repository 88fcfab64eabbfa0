// (d) sqlmap against every route with parameters (docs/openapi.yaml): query parameters,
// path parameters (marked with sqlmap's `*`) and each JSON body (each value of it),
// authenticated with a bearer token of a role the route admits; level 3, risk 2, --batch,
// one run per route (and per body form), each bounded by SOAK_SQLMAP_SECONDS. Reports the
// injectable parameters found (0 expected), the parameters tested, the runs cut short, and
// any 5xx sqlmap saw.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { addUser, createDemo, envInt, logger, row, startServer, track, workDir } from './lib.mjs';
import { operations, bodyVariants } from './api.mjs';

/** The HTTP statuses sqlmap reports it saw: [[status, times]]. */
function codes(text) {
  const at = text.lastIndexOf('HTTP error codes detected during run:');
  if (at < 0) return [];
  const line = text.slice(at).split('\n')[1] || '';
  return [...line.matchAll(/(\d{3}) \([^)]*\) - (\d+) times/g)].map((m) => [Number(m[1]), Number(m[2])]);
}

function runSqlmap(args, seconds, out) {
  return new Promise((resolve) => {
    const p = track(spawn('sqlmap', args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true }), { detached: true });
    let text = '';
    p.stdout.on('data', (d) => { text += d; });
    p.stderr.on('data', (d) => { text += d; });
    let timedOut = false;
    const t = setTimeout(() => { timedOut = true; try { process.kill(-p.pid, 'SIGKILL'); } catch { /* gone */ } }, seconds * 1000);
    p.on('exit', (code) => {
      clearTimeout(t);
      fs.writeFileSync(out, text);
      resolve({ code, text, timedOut });
    });
  });
}

export async function run() {
  if (spawnSync('sqlmap', ['--version']).error) {
    return [row('d', 'sqlmap', 'sqlmap against every route with parameters', 'sqlmap is not installed (scripts/deps-soak.sh installs it)', false)];
  }
  const seconds = envInt('SOAK_SQLMAP_SECONDS', 180);
  const extra = (process.env.SOAK_SQLMAP_ARGS ?? '--dbms=SQLite').split(/\s+/).filter(Boolean);
  const dir = workDir('sqlmap');
  const log = logger('sqlmap', dir);
  const demo = createDemo(dir, { people: 100, cases: 80 });
  if (addUser(demo.db, { login: 'sqlmap_victim', role: 'agent' }).status !== 0) throw new Error('user add');
  const S = await startServer(demo.db, { args: ['--rate-limit', '0'], log: path.join(dir, 'serve.log') });
  const tok = {};
  for (const [role, login] of [['admin', 'admin'], ['supervisor', 'supervisor'], ['agent', 'agent1'], ['specialist', 'sp_pensions'],
    ['desk', 'desk1'], ['citizen', demo.citizens[0]], ['auditor', 'auditor'], ['employer', 'emp1']]) tok[role] = (await S.login(login)).token;
  const caseId = (await S.call('GET', `/api/v1/cases?national_id=${demo.citizens[0]}`, { token: tok.supervisor })).json.items[0].id;
  const batch = (await S.call('POST', '/api/v1/pensions/batches', { token: tok.admin, body: { kind: 'increase', date: '1405/01/01' } })).json.id;
  const values = {
    id: (op) => (op.path.includes('batches') ? batch : caseId),
    national_id: () => demo.citizens[0],
    code: (op) => (op.path.includes('topics') ? 'pension_not_paid' : op.path.includes('departments') ? 'pensions' : demo.workshop),
    login: () => 'sqlmap_victim',
  };
  const ROLE_ORDER = ['admin', 'supervisor', 'agent', 'specialist', 'employer', 'citizen', 'auditor', 'desk'];
  const tokenFor = (op) => tok[ROLE_ORDER.find((x) => op.roles.includes(x))];
  const query = {
    limit: '5', cursor: '', department: 'pensions', topic: 'pension_not_paid', from: '1405/01/01', to: '1405/12/29', days: '30', status: 'new', open: '1',
    pending: '1', channel: 'phone', overdue: '0', reopened: '0', assignee: 'me', closed_from: '1405/01/01', closed_to: '1405/12/29',
    national_id: demo.citizens[0], mobile: '09121234567', number: '1405-0000001', q: 'مستمری', sort: 'new', user: 'agent1', date: '1405/01/01',
  };
  const bodies = {
    login: [{ login: 'agent2', password: 'demo1234' }],
    editTopic: [{ name: 'موضوع', department: 'pensions', first_response_min: 60, resolution_min: 600, report_back_min: 60 }],
    editDepartment: [{ name: 'مستمری' }],
    createCase: [{ national_id: demo.citizens[1], channel: 'phone', topic: 'pension_not_paid', subject: 'تست', description: 'd', mobile: '09121234567', priority: 'normal' }],
    addCaseEvent: [{ type: 'note', text: 'یادداشت' }],
    previewPensionBatch: [{ kind: 'increase', date: '1405/01/01' }],
    createWorkshop: [{ code: '1234567890', name: 'ک', employer_name: 'ک', province: '01', branch: 'b', activity: 'a', hard_job: false, address: 'x' }],
    linkEmployer: [{ login: 'emp1' }],
    recordPayment: [{ amount: 1000, year: 1405, month: 1, reference: 'r' }],
    uploadList: [{ csv: { kar: 'DSK_ID,DSK_YY\r\n1,2\r\n', wor: 'DSW_ID\r\n1\r\n' } },
      { header: { workshop: demo.workshop, year: 1405, month: 3, list_no: '7', workers: 1, days: 30, daily_wages: 6666666, monthly_wages: 200000000, benefits: 0,
        insurable: 200000000, total: 200000000, worker_share: 14000000, employer_share: 40000000, unemployment: 6000000, hard_job_share: 0, rate: 23 },
      rows: [{ national_id: '0012345679', insurance_no: '12345678', first_name: 'الف', last_name: 'ب', birth_date: '1370/05/12', sex: 'm', days: 30,
        daily_wage: 6666666, monthly_wage: 200000000, benefits: 0, insurable: 200000000, total: 200000000, worker_share: 14000000 }] }],
    createUser: [{ login: 'sqlmap_u', password: 'correct horse battery', role: 'agent', name: 'n' }],
  };

  // the runs: [name, url, data|null, token]
  const runs = [];
  const ops = operations().filter((o) => o.query.length || o.pathParams.length || o.body);
  // the login last: its failures lock the address out of logging in (not out of the
  // tokens the other runs use). Its baseline is a right password; once forty payloads
  // failed, the lockout answers 429 before the query runs, so sqlmap tests the login's
  // parameters only that far (said in the summary).
  ops.sort((a, b) => (a.id === 'login') - (b.id === 'login'));
  for (const op of ops) {
    const marked = op.path.replace(/\{([^}]+)\}/g, (_, n) => `${encodeURIComponent(String(values[n](op)))}*`);
    const plain = op.path.replace(/\{([^}]+)\}/g, (_, n) => encodeURIComponent(String(values[n](op))));
    const qs = op.query.map((q) => `${q.name}=${encodeURIComponent(query[q.name] ?? '1')}${op.pathParams.length ? '*' : ''}`).join('&');
    const t = tokenFor(op);
    if (op.body) {
      const bs = bodies[op.id] || bodyVariants(op.body).map(() => ({}));
      if (op.pathParams.length) runs.push([`${op.id} path`, marked, JSON.stringify(bs[0]), t]);
      bs.forEach((b, i) => runs.push([`${op.id} body${bs.length > 1 ? ` ${i + 1}` : ''}`, plain, JSON.stringify(b), t]));
    } else {
      runs.push([op.id, `${op.pathParams.length ? marked : plain}${qs ? `?${qs}` : ''}`, null, t]);
    }
  }
  if (process.env.SOAK_SQLMAP_ROUTES) {
    const re = new RegExp(process.env.SOAK_SQLMAP_ROUTES);
    runs.splice(0, runs.length, ...runs.filter(([name]) => re.test(name)));
  }
  log(`${runs.length} runs of sqlmap (level 3, risk 2, ${extra.join(' ')}), at most ${seconds} s each`);
  const injectable = [], cut = [], failed = [], fivexx = [];
  const tested = new Set();
  const t0 = Date.now();
  for (const [i, [name, url, data, token]] of runs.entries()) {
    const args = ['-u', `${S.url}${url}`, '--batch', '--level=3', '--risk=2', '--threads=4', '--flush-session', '--disable-coloring',
      `--output-dir=${path.join(dir, 'out')}`, `--headers=Authorization: Bearer ${token}\nAccept: application/json`, ...extra];
    if (data) args.push(`--data=${data}`, '--method=' + (url.includes('?') ? 'GET' : 'POST'));
    // a wrong login is a 401, and forty from one address lock it (429): sqlmap must read on
    if (name.startsWith('login')) args.push('--ignore-code=401,429');
    const out = path.join(dir, `${String(i + 1).padStart(2, '0')}-${name.replace(/\W+/g, '_')}.txt`);
    const r = await runSqlmap(args, seconds, out);
    const inj = [...r.text.matchAll(/^Parameter: (.+?) \(/gm)].map((m) => m[1]);
    for (const m of r.text.matchAll(/testing for SQL injection on [^']*?parameter '([^']+)'/g)) tested.add(`${name}: ${m[1]}`);
    const complete = /all tested parameters do not appear to be injectable|identified the following injection point/.test(r.text);
    const errs = codes(r.text).filter(([c]) => c >= 500).map(([c, n]) => `${c}x${n}`);
    if (inj.length) injectable.push(...inj.map((p) => `${name}: ${p}`));
    if (errs.length) fivexx.push(`${name}: ${errs.join(',')}`);
    if (r.timedOut) cut.push(name);
    else if (!complete) failed.push(name);
    log(`${name}: ${inj.length ? `INJECTABLE ${inj.join(', ')}` : 'no injection found'}${r.timedOut ? ' (cut at the time limit)' : complete ? '' : ' (did not complete: see its output)'}${errs.length ? `; 5xx ${errs.join(',')}` : ''}`);
  }
  const loginFile = fs.readdirSync(dir).find((f) => /login_body/.test(f));
  const loginOut = loginFile ? fs.readFileSync(path.join(dir, loginFile), 'utf8') : '';
  const locked = (codes(loginOut).find(([c]) => c === 429) || [])[1];
  const alive = S.alive;
  await S.stop();
  const figure = `${runs.length} runs over ${ops.length} routes, ${tested.size} parameters tested in ${Math.round((Date.now() - t0) / 1000)} s; `
    + `injectable: ${injectable.length}${injectable.length ? ` (${injectable.join('; ')})` : ''}; cut at ${seconds} s: ${cut.length}${cut.length ? ` (${cut.join(', ')})` : ''}; `
    + `not completed: ${failed.length}${failed.length ? ` (${failed.join(', ')})` : ''}; 5xx: ${fivexx.length ? fivexx.join('; ') : 0}`
    + (locked ? `; the login's lockout answered 429 to ${locked} of its payloads` : '');
  return [row('d', 'sqlmap', 'sqlmap --level=3 --risk=2 on every query, path and JSON body parameter, bearer-authenticated', figure,
    injectable.length === 0 && failed.length === 0 && fivexx.length === 0 && alive)];
}
