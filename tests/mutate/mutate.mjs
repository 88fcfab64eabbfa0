// make mutate: plants one-line bugs (mutants.mjs), one at a time, in a copy of the tree
// under build/mutate/tree, and runs the tests that should catch each. Prints a line per
// mutant, the share caught and the survivors; writes the same to build/mutate/report.txt.
//
// The repository itself is never written: the copy is refreshed from it at every run (only
// files whose bytes differ are copied, so the copy's build stays incremental), and a
// mutated file is restored, with its object, after its tests. A mutant is caught when a
// test file fails, and fails again when run a second time (tests/mutate/README.md).
//
//   MUTATE_ONLY=<text>   only the mutants whose file contains it, or of that id (write.3);
//                        several: a,b,c
//   MUTATE_LIST=1        list the mutants (and whether each still applies), run nothing
//   MUTATE_TIMEOUT=<s>   the most one mutant may take, build and tests (default 300)
//   MUTATE_FALLBACK=0    a mutant the mapped tests miss survives (default: every other
//                        test runs before it is called a survivor)
//   MUTATE_BASELINE=0    skip the run of the tests on the unmutated copy
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MUTANTS, TESTS_FOR } from './mutants.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUT = path.join(ROOT, 'build', 'mutate');
const TREE = path.join(OUT, 'tree');
const ORIG = path.join(OUT, 'orig'); // the unmutated objects of the mutated files
const TMP = path.join(OUT, 'tmp');
const COPY_DIRS = ['src', 'tests', 'data', 'docs', 'scripts'];
const COPY_FILES = ['Makefile'];
const SKIP = new Set(['tests/http/node_modules', 'tests/mutate']);

const env = (k, d) => (process.env[k] === undefined || process.env[k] === '' ? d : process.env[k]);
const ONLY = env('MUTATE_ONLY', '');
const LIST = env('MUTATE_LIST', '0') !== '0';
const TIMEOUT_S = Number(env('MUTATE_TIMEOUT', '300'));
const FALLBACK = env('MUTATE_FALLBACK', '1') !== '0';
const BASELINE = env('MUTATE_BASELINE', '1') !== '0';

// ---- the mutants ----

const ALL_UNIT = fs.readdirSync(path.join(ROOT, 'tests', 'unit'))
  .filter((f) => /^test_.*\.c$/.test(f)).map((f) => f.slice(0, -2)).sort();
const ALL_HTTP = fs.readdirSync(path.join(ROOT, 'tests', 'http'))
  .filter((f) => f.endsWith('.test.mjs')).sort();

/** Ids: the file's base name and the mutant's rank in that file (machine.3). */
function withIds(list) {
  const seen = {};
  return list.map((m) => {
    const base = path.basename(m.file, '.c');
    seen[base] = (seen[base] || 0) + 1;
    return { ...m, id: `${base}.${seen[base]}` };
  });
}

/** The tests for a mutant, most likely catcher first: its own, else its file's, else all. */
const missing = new Set();
function testsOf(m) {
  const t = m.tests || TESTS_FOR[m.file] || { unit: ALL_UNIT, http: ALL_HTTP };
  // a test named here that is not in the tree (yet, or any more) is skipped, and said once
  const have = (list, all) => (list || []).filter((x) => {
    if (all.includes(x)) return true;
    if (!missing.has(x)) console.error(`mutate: ${m.file} maps to ${x}, which is not in tests/`);
    missing.add(x);
    return false;
  });
  return { unit: have(t.unit, ALL_UNIT), http: have(t.http, ALL_HTTP) };
}

/** Where the mutant applies in text: {line, before, after}, or {stale} when its pattern is
 * not on exactly one line (the code changed: the list needs a look). */
function locate(m, text) {
  const hits = [];
  for (let at = text.indexOf(m.find); at >= 0; at = text.indexOf(m.find, at + 1)) hits.push(at);
  if (hits.length !== 1)
    return { stale: hits.length ? `the pattern is in ${hits.length} places` : 'the pattern is gone' };
  const at = hits[0];
  const lead = m.find.match(/^\s*/)[0]; // the line of the first character that changes
  const line = text.slice(0, at + lead.length).split('\n').length;
  return { line, mutated: text.slice(0, at) + m.replace + text.slice(at + m.find.length) };
}

const shown = (s) => s.trim().replace(/\s*\n\s*/g, ' ');
function describe(m) {
  return shown(m.replace) === '' ? `drop \`${shown(m.find)}\`` : `\`${shown(m.find)}\` → \`${shown(m.replace)}\``;
}

// ---- processes ----

let current = null; // the child running now, killed with its group on a timeout or Ctrl-C

/** Runs cmd in TREE: {code, out, timedOut}. Its process group dies on the timeout. */
function run(cmd, args, { timeoutMs, extraEnv = {} } = {}) {
  return new Promise((resolve) => {
    const e = { ...process.env, TMPDIR: TMP, ...extraEnv };
    for (const k of ['MAKEFLAGS', 'MFLAGS', 'MAKELEVEL', 'MAKEOVERRIDES']) delete e[k];
    const p = spawn(cmd, args, { cwd: TREE, env: e, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    current = p;
    let out = '';
    const keep = (d) => { out += d; if (out.length > 4e6) out = out.slice(-2e6); };
    p.stdout.on('data', keep);
    p.stderr.on('data', keep);
    let timedOut = false;
    const t = timeoutMs > 0 ? setTimeout(() => { timedOut = true; killGroup(p); }, timeoutMs) : null;
    p.on('close', (code, signal) => {
      if (t) clearTimeout(t);
      current = null;
      resolve({ code: code ?? (signal ? 128 : 1), signal, out, timedOut });
    });
  });
}

function killGroup(p) {
  try { process.kill(-p.pid, 'SIGKILL'); } catch { /* gone */ }
}

// ---- the copy ----

function walk(dir, rel, out) {
  for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
    const r = path.join(rel, d.name);
    if (SKIP.has(r)) continue;
    if (d.isDirectory()) walk(path.join(dir, d.name), r, out);
    else if (d.isFile()) out.push(r);
  }
  return out;
}

/** Makes TREE hold the repository's files: copies those whose bytes differ (a fresh mtime,
 * so make rebuilds what they touch) and removes those the repository no longer has. */
function syncTree() {
  const want = new Set(COPY_FILES);
  for (const d of COPY_DIRS) walk(path.join(ROOT, d), d, []).forEach((f) => want.add(f));
  let copied = 0;
  for (const f of want) {
    const src = path.join(ROOT, f), dst = path.join(TREE, f);
    const a = fs.readFileSync(src);
    let b = null;
    try { b = fs.readFileSync(dst); } catch { /* new */ }
    if (b && a.equals(b)) continue;
    fs.mkdirSync(path.dirname(dst), { recursive: true });
    fs.writeFileSync(dst, a);
    fs.chmodSync(dst, fs.statSync(src).mode);
    copied++;
  }
  let removed = 0;
  for (const d of COPY_DIRS) {
    if (!fs.existsSync(path.join(TREE, d))) continue;
    for (const f of walk(path.join(TREE, d), d, []))
      if (!want.has(f)) { fs.rmSync(path.join(TREE, f)); removed++; }
  }
  const nm = path.join(TREE, 'tests', 'http', 'node_modules');
  if (!fs.existsSync(nm)) fs.symlinkSync(path.join(ROOT, 'tests', 'http', 'node_modules'), nm);
  return { copied, removed };
}

const objectOf = (file) => path.join(TREE, 'build', 'obj', file.replace(/^src\//, '').replace(/\.c$/, '.o'));
const unitBin = (u) => `build/tests/${u}`;

// ---- one mutant ----

function firstFailure(kind, out) {
  if (kind === 'unit') {
    const m = out.match(/\[\s*FAILED\s*\]\s+(test_\w+)/) || out.match(/\[\s*ERROR\s*\]\s*---\s*(.*)/);
    return m ? m[1].trim() : null;
  }
  const m = out.match(/^\s*not ok \d+ - (.*)$/m);
  return m ? m[1].trim() : null;
}

/** Runs one test file (a unit binary or an HTTP file): null when it passes, else why. */
async function runOne(kind, name, timeoutMs) {
  const r = kind === 'unit'
    ? await run(unitBin(name), [], { timeoutMs, extraEnv: { TAMIN_DATA: 'data' } })
    : await run('node', ['--test', `tests/http/${name}`], { timeoutMs, extraEnv: { TAMIN_BIN: 'build/tamin' } });
  if (r.timedOut) return `${name}: timeout`;
  if (r.code === 0) return null;
  const why = firstFailure(kind, r.out) || (r.signal ? `killed by ${r.signal}` : `exit ${r.code}`);
  return `${name} (${why.slice(0, 90)})`;
}

const flaky = []; // test files that failed once and passed when run again, with the mutant

/** Runs the unit binaries then the HTTP files, stopping at the first that fails twice
 * running (a test that fails once and then passes, timing-sensitive under a loaded
 * machine, catches nothing): {caught, by} or {caught: false}. */
async function runTests(set, deadline, m) {
  const left = () => deadline - Date.now();
  if (set.unit.length) {
    if (left() <= 0) return { caught: true, by: 'timeout (before the unit tests)' };
    const b = await run('make', set.unit.map(unitBin), { timeoutMs: left() });
    if (b.timedOut) return { caught: true, by: 'timeout (building the unit tests)' };
    if (b.code !== 0) return { caught: true, by: 'the unit tests do not build' };
  }
  const files = [...set.unit.map((u) => ['unit', u]), ...set.http.map((h) => ['http', h])];
  for (const [kind, name] of files) {
    if (left() <= 0) return { caught: true, by: `timeout (before ${name})` };
    const why = await runOne(kind, name, left());
    if (!why) continue;
    if (left() <= 0 || (await runOne(kind, name, left()))) return { caught: true, by: why };
    flaky.push(`${m ? m.id : 'baseline'}: ${why}`);
  }
  return { caught: false };
}

let restoreNow = null; // restores the file being mutated; also run on Ctrl-C
const DIRTY = path.join(OUT, 'dirty'); // names the file mutated now, until it is restored

/** Removes what may hold a mutant's code: the binaries always, and file's object. Make's
 * mtimes cannot be trusted to tell: the kernel stamps files by its clock tick, so a
 * restore and the next mutant's write may share a stamp. */
function forget(file) {
  if (file) fs.rmSync(objectOf(file), { force: true });
  fs.rmSync(path.join(TREE, 'build', 'tamin'), { force: true });
  fs.rmSync(path.join(TREE, 'build', 'tests'), { recursive: true, force: true });
}

async function runMutant(m, orig) {
  const loc = locate(m, orig.text);
  if (loc.stale) return { status: 'stale', by: loc.stale };
  const src = path.join(TREE, m.file), obj = objectOf(m.file);
  restoreNow = () => {
    // the unmutated object and source, and no binary linked with the mutant; the source
    // keeps its old mtime, so that the object (newer) is not rebuilt
    fs.copyFileSync(orig.object, obj);
    fs.writeFileSync(src, orig.text);
    fs.utimesSync(src, orig.atime, orig.mtime);
    forget(null);
    fs.rmSync(DIRTY, { force: true });
    restoreNow = null;
  };
  const started = Date.now(), deadline = started + TIMEOUT_S * 1000;
  fs.rmSync(TMP, { recursive: true, force: true });
  fs.mkdirSync(TMP, { recursive: true });
  let res;
  try {
    fs.writeFileSync(DIRTY, m.file);
    fs.writeFileSync(src, loc.mutated);
    forget(m.file);
    const b = await run('make', ['build/tamin'], { timeoutMs: deadline - Date.now() });
    if (b.timedOut) res = { status: 'caught', by: 'timeout (building)' };
    else if (b.code !== 0) res = { status: 'nocompile', by: (b.out.match(/error: .*/) || ['the build fails'])[0].slice(0, 100) };
    else {
      const set = testsOf(m);
      let r = await runTests(set, deadline, m);
      if (!r.caught && FALLBACK) {
        const rest = {
          unit: ALL_UNIT.filter((u) => !set.unit.includes(u)),
          http: ALL_HTTP.filter((h) => !set.http.includes(h)),
        };
        if (rest.unit.length || rest.http.length) {
          r = await runTests(rest, deadline, m);
          if (r.caught) r.by += ' [outside the mapping]';
        }
      }
      res = r.caught ? { status: 'caught', by: r.by } : { status: 'survived', by: '' };
    }
  } finally {
    if (restoreNow) restoreNow();
  }
  return { ...res, line: loc.line, seconds: Math.round((Date.now() - started) / 1000) };
}

// ---- the run ----

const report = [];
function say(s = '') {
  console.log(s);
  report.push(s);
}

function writeReport() {
  fs.mkdirSync(OUT, { recursive: true });
  fs.writeFileSync(path.join(OUT, 'report.txt'), report.join('\n') + '\n');
}

function summary(results, startedAt, interrupted) {
  const n = (s) => results.filter((r) => r.status === s).length;
  const caught = n('caught'), survived = n('survived');
  const share = caught + survived ? (100 * caught) / (caught + survived) : 0;
  say('');
  say(`${interrupted ? 'interrupted: ' : ''}${caught} of ${caught + survived} mutants caught: ` +
      `${share.toFixed(1)}% (aim: above 90%)`);
  say(`not compiled (discarded): ${n('nocompile')}; stale (the pattern no longer matches): ${n('stale')}`);
  if (flaky.length) {
    say('failed once, then passed (not counted as a catch):');
    for (const f of flaky) say(`  ${f}`);
  }
  const perFile = {};
  for (const r of results) {
    const f = (perFile[r.m.file] ||= { caught: 0, survived: 0, other: 0 });
    if (r.status === 'caught') f.caught++;
    else if (r.status === 'survived') f.survived++;
    else f.other++;
  }
  say('per file (caught / survived / discarded or stale):');
  for (const [f, c] of Object.entries(perFile)) say(`  ${f.padEnd(28)} ${c.caught} / ${c.survived} / ${c.other}`);
  const surv = results.filter((r) => r.status === 'survived');
  say(surv.length ? 'survivors:' : 'survivors: none');
  for (const r of surv) say(`  ${r.m.id}  ${r.m.file}:${r.line}  ${describe(r.m)}${r.m.why ? `  (${r.m.why})` : ''}`);
  for (const r of results.filter((x) => x.status === 'stale' || x.status === 'nocompile'))
    say(`  ${r.status}: ${r.m.id}  ${r.m.file}  ${describe(r.m)}: ${r.by}`);
  say(`time: ${Math.round((Date.now() - startedAt) / 1000)} s; ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`);
  writeReport();
}

async function main() {
  const only = ONLY.split(',').map((x) => x.trim()).filter(Boolean);
  const mutants = withIds(MUTANTS).filter((m) => !only.length ||
    only.some((o) => m.file.includes(o) || m.id === o || (!/\.\d+$/.test(o) && m.id.includes(o))));
  if (!mutants.length) {
    console.error(`mutate: no mutant matches MUTATE_ONLY=${ONLY}`);
    process.exit(2);
  }
  if (LIST) {
    for (const m of mutants) {
      const loc = locate(m, fs.readFileSync(path.join(ROOT, m.file), 'utf8'));
      const t = testsOf(m);
      console.log(`${m.id.padEnd(14)} ${`${m.file}:${loc.line ?? '?'}`.padEnd(30)} ${describe(m)}` +
        `${loc.stale ? `  STALE: ${loc.stale}` : ''}\n${''.padEnd(15)}tests: ${[...t.unit, ...t.http].join(' ')}`);
    }
    console.log(`${mutants.length} mutants`);
    return;
  }
  const startedAt = Date.now();
  const results = [];
  let interrupted = false;
  const stop = () => {
    if (interrupted) return;
    interrupted = true;
    if (current) killGroup(current);
    try { if (restoreNow) restoreNow(); } catch { /* the copy is refreshed next run anyway */ }
    summary(results, startedAt, true);
    process.exit(130);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  fs.mkdirSync(TREE, { recursive: true });
  fs.mkdirSync(TMP, { recursive: true });
  // a run stopped before it restored its file: nothing built since is to be trusted
  if (fs.existsSync(DIRTY)) {
    forget(fs.readFileSync(DIRTY, 'utf8').trim());
    fs.rmSync(DIRTY);
  }
  const s = syncTree();
  say(`mutate: ${mutants.length} mutants; the copy in build/mutate/tree (${s.copied} files refreshed, ${s.removed} removed)`);
  const b = await run('make', ['build/tamin', ...ALL_UNIT.map(unitBin)]);
  if (b.code !== 0) {
    console.error(b.out.slice(-3000));
    console.error('mutate: the unmutated copy does not build');
    process.exit(1);
  }
  // the unmutated state of every file a mutant touches: its text, mtime and object
  const orig = {};
  for (const f of new Set(mutants.map((m) => m.file))) {
    const src = path.join(TREE, f), st = fs.statSync(src);
    const saved = path.join(ORIG, f.replace(/^src\//, '').replace(/\.c$/, '.o'));
    fs.mkdirSync(path.dirname(saved), { recursive: true });
    fs.copyFileSync(objectOf(f), saved);
    orig[f] = { text: fs.readFileSync(src, 'utf8'), atime: st.atime, mtime: st.mtime, object: saved };
  }
  if (BASELINE) {
    const unit = new Set(), http = new Set();
    for (const m of mutants) {
      const t = testsOf(m);
      t.unit.forEach((u) => unit.add(u));
      t.http.forEach((h) => http.add(h));
    }
    if (FALLBACK) { ALL_UNIT.forEach((u) => unit.add(u)); ALL_HTTP.forEach((h) => http.add(h)); }
    const set = { unit: [...unit].sort(), http: [...http].sort() };
    say(`baseline: ${set.unit.length} unit and ${set.http.length} HTTP test files on the unmutated copy`);
    const t0 = Date.now();
    const r = await runTests(set, Date.now() + 1800 * 1000);
    if (r.caught) {
      console.error(`mutate: a test fails without any mutant: ${r.by}; fix it first (or MUTATE_BASELINE=0)`);
      process.exit(1);
    }
    say(`baseline: every test passes (${Math.round((Date.now() - t0) / 1000)} s)`);
  }
  say('');
  let i = 0;
  for (const m of mutants) {
    i++;
    const r = await runMutant(m, orig[m.file]);
    results.push({ m, ...r });
    const where = `${m.file}:${r.line ?? '?'}`;
    const what = r.status === 'caught' ? `CAUGHT by ${r.by}`
      : r.status === 'survived' ? 'SURVIVED'
        : r.status === 'nocompile' ? `not compiled: ${r.by}` : `stale: ${r.by}`;
    say(`[${String(i).padStart(2)}/${mutants.length}] ${m.id.padEnd(13)} ${where.padEnd(30)} ${describe(m)}`);
    say(`        ${what}${r.seconds !== undefined ? `  (${r.seconds} s)` : ''}`);
    writeReport();
  }
  summary(results, startedAt, false);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
