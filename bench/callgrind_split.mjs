// Where a `tamin list import` spends its instructions, from a callgrind profile (run with
// --compress-strings=no --compress-pos=no): the inclusive instructions (a function's own and
// those of everything it calls) of the steps named below, every thread counted.
//
//   node bench/callgrind_split.mjs CALLGRIND_OUT [FN,FN,...]
// Prints "label<TAB>inclusive instructions<TAB>percent of the program<TAB>calls" for each
// step, then "fn FN<TAB>..." the same for each FN named (e.g. SQLite's internals).
import fs from 'node:fs';

// [label, function]: the steps of src/lists/import.c and src/lists/rows.c, each a function
// that is not inlined (they are called across files, or by a thread)
const STEPS = [
  ['reading DSKWOR00 (every column decoded)', 'list_reader_next'],
  ['keeping each row: its line and its entry', 'list_rows_add'],
  ['compressing the blocks (zstd, other cores)', 'list_rows_compress'],
  ['sorting the entries by national id', 'list_rows_sort'],
  ['the rules (every row\'s share, the list\'s)', 'rules_contribution_list'],
  ['storing the record entries (open_months)', 'list_rows_store_entries'],
  ['storing the blocks (list_blocks)', 'list_rows_store_blocks'],
  ['the commit (WAL, fsync, checkpoint)', 'db_commit'],
  ['reading and checking, all of it (threads)', 'part_run'],
];

const [cgPath, fnList] = process.argv.slice(2);
const wanted = new Set([...STEPS.map(([, f]) => f), ...(fnList ? fnList.split(',') : [])]);
const incl = new Map(), calls = new Map();
const add = (m, k, n) => m.set(k, (m.get(k) || 0) + n);
let total = 0, fn = '', pendingCall = null;
for (const raw of fs.readFileSync(cgPath, 'utf8').split('\n')) {
  if (raw.startsWith('summary:') || raw.startsWith('totals:')) total = Math.max(total, Number(raw.split(/\s+/)[1]));
  if (raw.startsWith('fn=')) { fn = raw.slice(3); continue; }
  if (raw.startsWith('cfn=')) { pendingCall = raw.slice(4); continue; }
  if (raw.startsWith('calls=')) {
    if (wanted.has(pendingCall)) add(calls, pendingCall, Number(raw.slice(6).split(' ')[0]));
    continue;
  }
  if (!/^[+-]?\d/.test(raw)) continue;
  // a cost line: the function's own, or (after calls=) the inclusive cost of that call; a
  // call to itself is already inside the caller's figure
  if (wanted.has(fn) && pendingCall !== fn) add(incl, fn, Number(raw.split(' ')[1]));
  pendingCall = null;
}
if (!total) throw new Error('callgrind_split: no summary line (not a callgrind profile?)');
const line = (label, f) =>
  console.log(`${label}\t${incl.get(f) || 0}\t${((100 * (incl.get(f) || 0)) / total).toFixed(1)}\t${calls.get(f) || 0}`);
for (const [label, f] of STEPS) line(label, f);
for (const f of fnList ? fnList.split(',') : []) line(`fn ${f}`, f);
