// docs/openapi.yaml held against the route table and the running server: the document is
// valid OpenAPI; its operations are exactly the routes `tamin routes` prints, each with the
// route's roles in x-roles; and a real server answers as those roles say (401 without a
// login, 403 for every role not listed, neither for every role listed).
//
// yaml and the validator come from tests/http/package-lock.json (the Makefile's npm ci).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { Validator } from '@seriousme/openapi-schema-validator';
import { ROOT, runCli, startDemo, cleanupTemp, freshNationalId } from './harness.mjs';

const DOC_PATH = path.join(ROOT, 'docs', 'openapi.yaml');
const doc = YAML.parse(fs.readFileSync(DOC_PATH, 'utf8'));
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const ALL_ROLES = ['admin', 'supervisor', 'agent', 'specialist', 'desk', 'citizen', 'auditor', 'employer', 'telephony'];

/** The document's operations: {method, path, pattern ("{}" for each parameter), op, params}. */
function operations() {
  const out = [];
  for (const [p, item] of Object.entries(doc.paths || {})) {
    for (const m of HTTP_METHODS) {
      if (!item[m]) continue;
      out.push({
        method: m.toUpperCase(),
        path: p,
        pattern: p.replace(/\{[^}]+\}/g, '{}'),
        op: item[m],
        params: [...(item.parameters || []), ...(item[m].parameters || [])],
      });
    }
  }
  return out;
}
const OPS = operations();
const key = (method, pattern) => `${method} ${pattern}`;

/** The route table, as `tamin routes` prints it: one JSON line per route. */
function routes() {
  const r = runCli(['routes']);
  assert.equal(r.status, 0, `tamin routes failed: ${r.stderr}`);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l));
}

/** A parameter from components, or the parameter itself. */
function deref(p) {
  if (!p.$ref) return p;
  const name = p.$ref.replace('#/components/parameters/', '');
  const found = doc.components?.parameters?.[name];
  assert.ok(found, `unknown parameter ${p.$ref}`);
  return found;
}

test('docs/openapi.yaml is a valid OpenAPI document', async () => {
  const v = new Validator();
  const res = await v.validate(doc);
  assert.ok(res.valid, `not valid OpenAPI:\n${JSON.stringify(res.errors, null, 2)}`);
  assert.match(doc.openapi, /^3\./);
});

test('every route is documented with its roles, and every operation is a route', () => {
  const table = routes();
  assert.ok(table.length > 20, 'the route table looks empty');
  const documented = new Map(OPS.map((o) => [key(o.method, o.pattern), o]));
  const routed = new Map(table.map((r) => [key(r.method, r.path), r]));
  const missing = [...routed.keys()].filter((k) => !documented.has(k));
  const extra = [...documented.keys()].filter((k) => !routed.has(k));
  assert.deepEqual(missing, [], `routes missing from docs/openapi.yaml: ${missing.join(', ')}`);
  assert.deepEqual(extra, [], `operations in docs/openapi.yaml that are no route: ${extra.join(', ')}`);
  for (const [k, r] of routed) {
    const o = documented.get(k);
    assert.ok(Array.isArray(o.op['x-roles']), `${k}: x-roles is missing`);
    assert.deepEqual([...o.op['x-roles']].sort(), [...r.roles].sort(), `${k}: x-roles differ from the route table`);
    // a public route says so in its security too, so that readers and tools agree
    if (r.roles.length === 0) assert.deepEqual(o.op.security, [], `${k}: a public route has security: []`);
    else assert.notDeepEqual(o.op.security, [], `${k}: a route with roles cannot be public`);
  }
});

test('every operation names its path parameters and documents its errors', () => {
  for (const o of OPS) {
    const k = key(o.method, o.path);
    const inPath = [...o.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
    const declared = o.params.map(deref).filter((p) => p.in === 'path').map((p) => p.name).sort();
    assert.deepEqual(declared, inPath, `${k}: path parameters declared ${declared} for ${inPath}`);
    const statuses = Object.keys(o.op.responses || {});
    assert.ok(statuses.some((s) => /^2\d\d$/.test(s)), `${k}: no success response`);
    for (const s of statuses) {
      if (!/^2|^3/.test(s)) continue;
      const res = o.op.responses[s];
      if (s === '200' || s === '201')
        assert.ok(res.content || res.$ref, `${k}: ${s} has no schema`);
    }
    const need = ['429'];
    if (o.op['x-roles'].length) need.push('401', '403');
    if (o.op.requestBody) need.push('400');
    if (o.method === 'POST') need.push('413');
    if (o.params.map(deref).some((p) => p.in === 'path')) need.push('404');
    for (const s of need) assert.ok(statuses.includes(s), `${k}: response ${s} is not documented`);
  }
});

// ---- against a running server ----

// One demo login per role (every demo password is demo1234).
const LOGINS = {
  admin: 'admin', supervisor: 'supervisor', agent: 'agent1', specialist: 'sp_pensions',
  desk: 'desk1', auditor: 'auditor', employer: 'emp1', telephony: 'pbx', citizen: null, // a demo citizen's national id
};
let S, citizen;
const tokens = {};

before(async () => {
  const d = await startDemo({ args: ['--rate-limit', '0'] });
  S = d.server;
  citizen = d.citizens[0];
  LOGINS.citizen = citizen;
  for (const role of ALL_ROLES) {
    const s = await S.login(LOGINS[role]);
    assert.equal(s.role, role, `${LOGINS[role]} is no ${role}`);
    tokens[role] = s.token;
  }
});

after(async () => {
  if (S) await S.stop();
  cleanupTemp();
});

// Path parameters well formed but naming nothing stored, so that the route's roles decide
// the answer; nothing is changed (an unknown login is not disabled, an unknown batch not
// applied). A handler refuses an object it may not show the caller with a 403 that names
// the parameter in its field, whether or not the object exists (a citizen gets the same
// answer for a case id no case has as for another's case: issue 11, defect 5); the
// route's own refusal of a role names no field.
const FILL = {
  id: () => '999999999',
  aid: () => '1',
  national_id: () => freshNationalId(),
  code: () => '9999999999', // no topic, department or workshop has it
  login: () => 'no_such_login',
  callid: () => 'no-such-call',
  kind: () => 'salary', // a paper's kind (documents)
};
function fill(o) {
  return o.path.replace(/\{([^}]+)\}/g, (_, name) => {
    assert.ok(FILL[name], `${o.method} ${o.path}: the test has no value for {${name}}: add one to FILL`);
    return encodeURIComponent(FILL[name]());
  });
}

// A harmless request: POST sends {}; logout ends a session of its own, not the shared one.
async function call(o, role) {
  let token = role ? tokens[role] : undefined;
  if (role && o.path === '/api/v1/logout') token = (await S.login(LOGINS[role])).token;
  return S.call(o.method, fill(o), { token, body: o.method === 'POST' ? {} : undefined });
}

test('public operations answer without a login', async () => {
  for (const o of OPS.filter((x) => x.op['x-roles'].length === 0)) {
    const r = await call(o, null);
    assert.notEqual(r.status, 401, `${o.method} ${o.path}: 401 on a public route: ${r.text}`);
    assert.notEqual(r.status, 403, `${o.method} ${o.path}: 403 on a public route: ${r.text}`);
  }
});

test('every operation with roles: 401 without a login, 403 for every other role, neither for its own', async () => {
  const wrong = [];
  for (const o of OPS.filter((x) => x.op['x-roles'].length > 0)) {
    const k = `${o.method} ${o.path}`;
    const anon = await call(o, null);
    if (anon.status !== 401) wrong.push(`${k} without a login: ${anon.status} ${anon.text}`);
    for (const role of ALL_ROLES) {
      const r = await call(o, role);
      const listed = o.op['x-roles'].includes(role);
      if (!listed && (r.status !== 403 || r.json?.error?.code !== 'forbidden'))
        wrong.push(`${k} as ${role} (not in x-roles): ${r.status} ${r.text.slice(0, 200)}`);
      const byRoute = r.status === 403 && !r.json?.error?.field;
      if (listed && (r.status === 401 || byRoute))
        wrong.push(`${k} as ${role} (in x-roles): ${r.status} ${r.text.slice(0, 200)}`);
    }
  }
  assert.deepEqual(wrong, [], `the server disagrees with x-roles:\n${wrong.join('\n')}`);
});

test('a documented path answers 405 to a method it does not serve', async () => {
  for (const p of Object.keys(doc.paths)) {
    const o = { method: 'DELETE', path: p };
    if (doc.paths[p].delete) continue;
    const r = await S.call('DELETE', fill(o));
    assert.equal(r.status, 405, `DELETE ${p}: ${r.status} ${r.text}`);
    assert.equal(r.json?.error?.code, 'method_not_allowed');
  }
});
