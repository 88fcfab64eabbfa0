// Where a `tamin list import` spends its instructions, from a callgrind profile (run with
// --compress-strings=no --compress-pos=no). list_import's helpers (check_row, check_shares,
// store) are inlined, so the split is made by source line: every instruction that
// list_import executes itself, and every call it makes, is charged to a line of
// src/lists/import.c; each line belongs to the function it sits in and is put in a bucket by
// its text (the statement it binds or steps: ps the people upsert, is the insured insert, rs
// the list_rows insert). What the program does outside list_import (opening the files,
// loading the rules, the commit) is charged to the functions list_import's callers call.
//
//   node bench/callgrind_split.mjs CALLGRIND_OUT src/lists/import.c [FN,FN,...]
// Prints "bucket<TAB>instructions<TAB>percent of the program" lines, largest first; then for
// each FN named (e.g. SQLite's internals) "fn FN<TAB>inclusive instructions<TAB>percent<TAB>
// calls" (inclusive: its own instructions and its calls to other functions).
import fs from 'node:fs';

const [cgPath, srcPath, fnList] = process.argv.slice(2);
const named = new Set(fnList ? fnList.split(',') : []);
const incl = new Map(), calls = new Map();
const add = (m, k, n) => m.set(k, (m.get(k) || 0) + n);
const src = fs.readFileSync(srcPath, 'utf8').split('\n');
// the function each line of import.c sits in: a line at column 0 that opens a definition
const owner = [];
let current = '';
src.forEach((text, i) => {
  const m = text.match(/^(?:static )?(?:int|void|struct [a-z_]+ \*?|const char \*)\s*\*?([a-z_0-9]+)\(/);
  if (m) current = m[1];
  owner[i + 1] = current;
});

const BUCKETS = [
  // [label, test(function, text, callee)]
  ['reading DSKWOR00: pass 1 (check)', (f, t, c) => f === 'list_import' && /files_next|list_reader_next/.test(c)],
  ['reading DSKWOR00: pass 2 (shares)', (f, t, c) => f === 'check_shares' && /files_next|list_reader_next/.test(c)],
  ['reading DSKWOR00: pass 3 (store)', (f, t, c) => f === 'store' && /files_next|list_reader_next/.test(c)],
  ['rules', (f, t) => f === 'check_shares' && /rules_contribution_list|calloc|free\(each/.test(t)],
  ['people upsert', (f, t) => f === 'store' && /\(ps\b|db_col_int\(ps/.test(t)],
  ['list_rows insert', (f, t) => f === 'store' && /\(rs\b/.test(t)],
  ['insured insert', (f, t) => f === 'store' && /\(is\b/.test(t)],
  ['dates as text', (f, t) => f === 'store' && /jalali|birth|snprintf/.test(t)],
  ['row checks', (f) => f === 'check_row' || f === 'idset_add' || f === 'expect' || f === 'problem'],
  ['share checks', (f) => f === 'check_shares'],
  ['other store work', (f) => f === 'store'],
  ['other list_import work', () => true],
];

const total = { program: 0 };
const sums = new Map();
const charge = (label, n) => sums.set(label, (sums.get(label) || 0) + n);

let fn = '', file = '', lineFile = '', pendingCall = null;
let importFile = null;
for (const raw of fs.readFileSync(cgPath, 'utf8').split('\n')) {
  if (raw.startsWith('summary:')) total.program = Number(raw.split(/\s+/)[1]);
  if (raw.startsWith('fl=')) { file = raw.slice(3); lineFile = file; continue; }
  if (raw.startsWith('fi=') || raw.startsWith('fe=')) { lineFile = raw.slice(3); continue; }
  if (raw.startsWith('fn=')) { fn = raw.slice(3); lineFile = file; continue; }
  if (raw.startsWith('cfn=')) { pendingCall = raw.slice(4); continue; }
  if (raw.startsWith('calls=')) {
    if (named.has(pendingCall)) add(calls, pendingCall, Number(raw.slice(6).split(' ')[0]));
    continue;
  }
  if (/^\d/.test(raw) && named.has(fn) && pendingCall !== fn) add(incl, fn, Number(raw.split(' ')[1]));
  if (!/^\d/.test(raw) || fn !== 'list_import') {
    if (/^\d/.test(raw)) pendingCall = null;
    continue;
  }
  const [lineS, costS] = raw.split(' ');
  const line = Number(lineS), cost = Number(costS);
  const callee = pendingCall || '';
  pendingCall = null;
  if (!lineFile.endsWith('lists/import.c')) {
    charge('list_import inlined from other files', cost);
    continue;
  }
  importFile = lineFile;
  const f = owner[line] || '', text = src[line - 1] || '';
  const b = BUCKETS.find(([, test]) => test(f, text, callee));
  charge(b[0], cost);
}
if (!importFile) throw new Error('callgrind_split: no list_import lines in import.c (built without -g?)');
const inImport = [...sums.values()].reduce((a, b) => a + b, 0);
charge('open + rules + commit', total.program - inImport);
for (const [label, n] of [...sums].sort((a, b) => b[1] - a[1]))
  console.log(`${label}\t${n}\t${((100 * n) / total.program).toFixed(1)}`);
for (const f of named)
  console.log(`fn ${f}\t${incl.get(f) || 0}\t${((100 * (incl.get(f) || 0)) / total.program).toFixed(1)}\t${calls.get(f) || 0}`);
