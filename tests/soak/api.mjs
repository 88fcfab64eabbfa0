// The API as docs/openapi.yaml describes it, for the soak's generators: every operation
// with its method, path, roles, query parameters and request body schema ($refs resolved).
// The YAML parser is the one tests/http already installs from its lockfile.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { ROOT } from './lib.mjs';

const require = createRequire(path.join(ROOT, 'tests/http/package.json'));

let cached = null;

/** [{method, path, id, roles, query: [{name, schema}], pathParams: [name], body: schema|null}] */
export function operations() {
  if (cached) return cached;
  const YAML = require('yaml');
  const doc = YAML.parse(fs.readFileSync(path.join(ROOT, 'docs/openapi.yaml'), 'utf8'));
  const resolve = (x, seen = 0) => {
    if (seen > 20 || x === null || typeof x !== 'object') return x;
    if (Array.isArray(x)) return x.map((v) => resolve(v, seen + 1));
    if (x.$ref) {
      const target = x.$ref.replace(/^#\//, '').split('/').reduce((o, k) => o[k], doc);
      return resolve(target, seen + 1);
    }
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, resolve(v, seen + 1)]));
  };
  const ops = [];
  for (const [p, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const params = resolve(op.parameters || []);
      const body = op.requestBody ? resolve(op.requestBody.content?.['application/json']?.schema || null) : null;
      ops.push({
        method: method.toUpperCase(),
        path: p,
        id: op.operationId,
        roles: op['x-roles'] || [],
        query: params.filter((x) => x.in === 'query').map((x) => ({ name: x.name, schema: x.schema || {} })),
        pathParams: params.filter((x) => x.in === 'path').map((x) => x.name),
        body,
      });
    }
  }
  cached = ops;
  return ops;
}

/** The body schema's alternatives (oneOf) as plain object schemas. */
export function bodyVariants(schema) {
  if (!schema) return [];
  if (schema.oneOf) return schema.oneOf;
  return [schema];
}

/** The leaf fields of an object schema, as paths (['header', 'year'], ['rows', 0, 'days']),
 * down to depth levels, with each field's schema. */
export function fields(schema, depth = 3, prefix = []) {
  const out = [];
  if (!schema || depth <= 0) return out;
  for (const [k, s] of Object.entries(schema.properties || {})) {
    const p = [...prefix, k];
    out.push({ path: p, schema: s });
    if (s.type === 'object' && s.properties) out.push(...fields(s, depth - 1, p));
    if (s.type === 'array' && s.items?.properties) out.push(...fields(s.items, depth - 1, [...p, 0]));
  }
  return out;
}

/** A copy of obj with the value at path set (undefined: removed). */
export function setPath(obj, p, value) {
  const copy = structuredClone(obj);
  let o = copy;
  for (let i = 0; i < p.length - 1; i++) {
    if (o[p[i]] === null || typeof o[p[i]] !== 'object') o[p[i]] = typeof p[i + 1] === 'number' ? [] : {};
    o = o[p[i]];
  }
  const last = p[p.length - 1];
  if (value === undefined) delete o[last];
  else o[last] = value;
  return copy;
}

/** The path with its {params} filled from values (a function of the operation and name). */
export function fillPath(op, value) {
  return op.path.replace(/\{([^}]+)\}/g, (_, name) => encodeURIComponent(String(value(op, name))));
}
