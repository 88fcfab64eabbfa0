// Makes the seeds of the list targets that are files rather than text typed by hand:
// real list pairs written by `tamin list export` from a small demo database, in
// Windows-1256 and Iran System, and the same lists in the CSV form. Run from the
// repository root after `make build/tamin`; it writes into tests/fuzz/corpus/ (dbf,
// listfile, csv, codec, and api's list uploads), and the audit spool's lines with their
// sums (spool). The other seeds are small texts kept as they are.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const BIN = 'build/tamin';
const SEP = Buffer.from('\n@@DSKWOR00@@\n'); // fuzz_listfile.c's separator
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tamin-seeds-'));
const db = path.join(tmp, 't.db');

function run(args) {
  const r = spawnSync(BIN, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tamin ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
function sql(q) {
  const r = spawnSync('sqlite3', [db, q], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
}
function put(target, name, bytes) {
  const d = path.join('tests/fuzz/corpus', target);
  fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(path.join(d, name), bytes);
}

// The fields of a dBase file: name, offset in a record, width, type.
function fields(b) {
  const out = [];
  let off = 1;
  for (let p = 32; b[p] !== 0x0d; p += 32) {
    out.push({ name: b.toString('latin1', p, p + 11).replace(/\0.*$/, ''), off, len: b[p + 16], type: String.fromCharCode(b[p + 11]) });
    off += b[p + 16];
  }
  return out;
}

// The CSV form of a Windows-1256 file, as tests/http/lists.test.mjs makes it.
function toCsv(b) {
  const f = fields(b), headerLen = b.readUInt16LE(8), recLen = b.readUInt16LE(10), n = b.readUInt32LE(4);
  const dec = new TextDecoder('windows-1256');
  const quote = (v) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const lines = [f.map((x) => x.name).join(',')];
  for (let i = 0; i < n; i++) {
    const at = headerLen + i * recLen;
    lines.push(f.map((x) => quote(dec.decode(b.subarray(at + x.off, at + x.off + x.len)).trim())).join(','));
  }
  return Buffer.from(lines.join('\r\n') + '\r\n');
}

// The text fields of a file's records, each ended by a NUL (fuzz_codec.c's input).
function texts(b) {
  const f = fields(b).filter((x) => x.type === 'C'), headerLen = b.readUInt16LE(8), recLen = b.readUInt16LE(10), n = b.readUInt32LE(4);
  const parts = [];
  for (let i = 0; i < n; i++)
    for (const x of f) {
      const at = headerLen + i * recLen + x.off;
      parts.push(b.subarray(at, at + x.len), Buffer.from([0]));
    }
  return Buffer.concat(parts);
}

run(['demo', '--db', db, '--people', '40', '--cases', '0']);
const lists = [
  ['two', sql('SELECT id FROM lists WHERE workers = 2 ORDER BY id LIMIT 1')],
  ['nine', sql('SELECT id FROM lists ORDER BY workers DESC, id LIMIT 1')],
];
for (const [name, id] of lists) {
  for (const enc of ['cp1256', 'iransys']) {
    const out = path.join(tmp, `${name}-${enc}`);
    fs.mkdirSync(out);
    run(['list', 'export', '--db', db, '--list', id, '--out', out, '--encoding', enc]);
    const kar = fs.readFileSync(path.join(out, 'DSKKAR00.DBF'));
    const wor = fs.readFileSync(path.join(out, 'DSKWOR00.DBF'));
    put('dbf', `${name}-${enc}-kar.dbf`, kar);
    put('dbf', `${name}-${enc}-wor.dbf`, wor);
    // flags 0: the code page detected; 2 Windows-1256, 4 Iran System as given
    put('listfile', `${name}-${enc}`, Buffer.concat([Buffer.from([0]), kar, SEP, wor]));
    put('listfile', `${name}-${enc}-given`, Buffer.concat([Buffer.from([enc === 'cp1256' ? 2 : 4]), kar, SEP, wor]));
    put('codec', `${name}-${enc}-wor`, texts(wor));
    if (enc === 'cp1256') {
      const kcsv = toCsv(kar), wcsv = toCsv(wor);
      // the same pair uploaded over HTTP (fuzz_api.c: the route's name, then the body);
      // the fuzzer's database is made with the same demo seed, so the workshop is there
      const upload = (form) => Buffer.from(`list agent\n${JSON.stringify(form)}`);
      put('api', `list-dbf-${name}`, upload({ dbf: { kar: kar.toString('base64'), wor: wor.toString('base64') } }));
      put('api', `list-csv-${name}`, upload({ csv: { kar: kcsv.toString(), wor: wcsv.toString() } }));
      put('csv', `${name}-kar.csv`, kcsv);
      put('csv', `${name}-wor.csv`, wcsv);
      put('listfile', `${name}-csv`, Buffer.concat([Buffer.from([1]), kcsv, SEP, wcsv]));
    }
  }
}
// a list long enough for the import's threads to share (list_reader_split: 24 rows and more)
const batch = path.join(tmp, 'batch');
fs.mkdirSync(batch);
run(['demo', '--db', db, '--batch', batch, '--lists', '1', '--workers', '30']);
put('listfile', 'thirty-batch', Buffer.concat([Buffer.from([0]), fs.readFileSync(path.join(batch, 'DSKKAR00.DBF')),
  SEP, fs.readFileSync(path.join(batch, 'DSKWOR00.DBF'))]));
fs.rmSync(tmp, { recursive: true, force: true });

// The audit spool's lines as audit/spool.c's put_line writes them: seq, at, user, role,
// action, person, case, outcome, ip, reason, then the FNV-1a sum of all before it.
function spoolLine(...fields) {
  const body = Buffer.from(fields.join('\t') + '\t');
  let h = 0xcbf29ce484222325n;
  for (const b of body) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return Buffer.concat([body, Buffer.from(h.toString(16).padStart(16, '0') + '\n')]);
}
const SPOOL_SEP = Buffer.from('\n@@SPOOL-B@@\n'); // fuzz_spool.c's separator
const at = 1796520126;
const line = (seq, reason = '1405-0000001') =>
  spoolLine(seq, at + seq, 3, 'agent', 'case_read', 7, 1, seq % 5 ? 'allowed' : 'denied', '127.0.0.1', reason);
put('spool', 'two-files', Buffer.concat([line(1), line(2), SPOOL_SEP, line(3), line(4)]));
put('spool', 'b-first', Buffer.concat([line(7), line(8), SPOOL_SEP, line(5), line(6)]));
put('spool', 'torn', Buffer.concat([line(1), line(2), line(3).subarray(0, 30)]));
put('spool', 'older-behind', Buffer.concat([line(5), line(6), line(2), SPOOL_SEP]));
put('spool', 'escapes', Buffer.concat([line(1, 'a\\tb\\nc\\\\d'), line(2, 'پرونده ۱۴۰۵'), spoolLine(3, at, 0, 'none', 'person_read', 0, 0, 'denied', '', '')]));
