// `make soak`: runs the soak's parts in turn, (a) crash, (b) storm, (c) abuse, (d) sqlmap,
// (e) load, (f) failover, prints one summary table and writes it to build/soak/summary.txt.
// Exits 1 if any check failed. SOAK_ONLY=crash|storm|abuse|sqlmap|load|failover (or several, comma-separated)
// runs only those; SOAK_SQLMAP=0 skips sqlmap. See tests/soak/README.md for every knob.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { OUT, ROOT, row } from './lib.mjs';

const PARTS = [
  ['crash', 'a', './crash.mjs'],
  ['storm', 'b', './storm.mjs'],
  ['abuse', 'c', './abuse.mjs'],
  ['sqlmap', 'd', './sqlmap.mjs'],
  ['load', 'e', './load.mjs'],
  ['failover', 'f', './failover.mjs'],
];
const only = (process.env.SOAK_ONLY || '').split(',').map((s) => s.trim()).filter(Boolean);
for (const o of only) {
  if (!PARTS.some(([n]) => n === o)) {
    console.error(`soak: SOAK_ONLY wants crash, storm, abuse, sqlmap, load or failover, not ${o}`);
    process.exit(2);
  }
}
const KNOBS = ['SOAK_ONLY', 'SOAK_CYCLES', 'SOAK_STORM_REQUESTS', 'SOAK_STORM_SLOW', 'SOAK_SEED', 'SOAK_SLOW_SECONDS', 'SOAK_SQLMAP',
  'SOAK_SQLMAP_SECONDS', 'SOAK_SQLMAP_ARGS', 'SOAK_SQLMAP_ROUTES', 'SOAK_LOAD_SECONDS', 'SOAK_LOAD_CONNECTIONS',
  'SOAK_FAILOVER_CLIENTS', 'SOAK_FAILOVER_BEFORE', 'SOAK_FAILOVER_AFTER', 'SOAK_FAILOVER_LIMIT', 'SOAK_FAILOVER_TTL'];

// the commit tested, read before the parts run
const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim() ? ' (with local changes)' : '';
fs.mkdirSync(OUT, { recursive: true });
const t0 = Date.now();
const rows = [];
for (const [name, part, file] of PARTS) {
  if (only.length && !only.includes(name)) continue;
  if (name === 'sqlmap' && process.env.SOAK_SQLMAP === '0') {
    rows.push(row(part, 'sqlmap', 'skipped (SOAK_SQLMAP=0)', '', null));
    continue;
  }
  const t = Date.now();
  console.log(`soak: part (${part}) ${name}`);
  try {
    const mod = await import(file);
    rows.push(...(await mod.run()));
  } catch (e) {
    console.error(e);
    rows.push(row(part, name, 'the part did not run to its end', String(e.stack || e).split('\n').slice(0, 3).join(' '), false));
  }
  console.log(`soak: part (${part}) ${name} took ${Math.round((Date.now() - t) / 1000)} s`);
}

const knobs = KNOBS.filter((k) => process.env[k] !== undefined).map((k) => `${k}=${process.env[k]}`).join(' ') || 'defaults';
const failed = rows.filter((r) => r.result === 'FAIL');
const lines = [
  `tamin soak, ${new Date().toISOString().slice(0, 19)}Z, commit ${commit}${dirty}, ${knobs}, ${Math.round((Date.now() - t0) / 60000)} min`,
  '',
  '| part | check | result | what was done | figure |',
  '| --- | --- | --- | --- | --- |',
  ...rows.map((r) => `| ${r.part} | ${r.check} | ${r.result} | ${r.done} | ${r.figure.replace(/\|/g, '/').replace(/\n/g, ' ')} |`),
  '',
  `${rows.filter((r) => r.result === 'PASS').length} passed, ${failed.length} failed`
    + `${rows.some((r) => r.result === 'SKIP') ? `, ${rows.filter((r) => r.result === 'SKIP').length} skipped` : ''}`,
  ...(failed.length ? [`failed: ${failed.map((r) => `${r.part} ${r.check}`).join(', ')}`] : []),
];
const text = lines.join('\n') + '\n';
fs.writeFileSync(path.join(OUT, 'summary.txt'), text);
console.log('\n' + text + `(also in build/soak/summary.txt; each part's log and files in build/soak/PART/)`);
process.exit(failed.length ? 1 : 0);
