// The attachment figure for `make bench` (issue 12): a 10 MiB file stored over HTTP
// by curl (POST /api/v1/cases/{id}/attachments: the multipart read, the SHA-256, the file written,
// synced and renamed, the row and the case's event committed) against `cp` of the same
// file to the same disk followed by `sync` of the copy (a copy as durable as the upload),
// each the median of RUNS. Every upload has bytes of its own (the store keeps one file per
// content: the same bytes twice would write nothing). Prints one
// "ROW<TAB>name<TAB>value<TAB>anchor<TAB>ratio<TAB>target<TAB>result" line for bench/run.sh.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = process.env.TAMIN_BIN || path.join(ROOT, 'build', 'tamin');
const RUN = process.env.RUN_DIR || fs.mkdtempSync(path.join(ROOT, 'build', 'attach-bench-'));
const RUNS = Number(process.env.ATTACH_RUNS || 7);
const SIZE = 10 << 20;
const row = (...f) => console.log(['ROW', ...f].join('\t'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
setTimeout(() => { console.log('attachment bench: gave up after 300 s'); process.exit(1); }, 300000).unref();

const dir = path.join(RUN, 'attach');
fs.rmSync(dir, { recursive: true, force: true });
fs.mkdirSync(dir, { recursive: true });
const db = path.join(dir, 'attach.db');
const demo = spawnSync(BIN, ['demo', '--db', db, '--people', '50', '--cases', '10', '--records', '0', '--calls-days', '0'],
  { cwd: ROOT, encoding: 'utf8' });
if (demo.status !== 0) { console.log(`attachment bench: demo failed: ${demo.stderr}`); process.exit(1); }
const nid = demo.stdout.trim().split('\n').at(-1).match(/\b\d{10}\b/)[0];
const proc = spawn(BIN, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--rate-limit', '0'],
  { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise((resolve) => {
  let out = '';
  proc.stdout.on('data', (d) => { out += d; const m = out.match(/listening on http:\/\/[^\s:]+:(\d+)/); if (m) resolve(m[1]); });
});
const url = `http://127.0.0.1:${port}/api/v1`;
const call = async (method, p, body, headers = {}) => {
  const r = await fetch(url + p, { method, body, headers: { authorization: `Bearer ${token}`, ...headers } });
  return { status: r.status, json: await r.json() };
};
let token = '';
token = (await (await fetch(`${url}/login`, { method: 'POST', body: JSON.stringify({ login: 'agent1', password: 'demo1234' }) })).json()).token;
const c = await call('POST', '/cases', JSON.stringify({ national_id: nid, channel: 'phone', topic: 'pension_not_paid', subject: 'bench' }));

const file = (i) => {
  const b = crypto.randomBytes(SIZE);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b);
  b.writeUInt32BE(i, 8);
  return b;
};
const up = [], cp = [];
for (let i = 0; i < RUNS; i++) {
  const bytes = file(i);
  const src = path.join(dir, `src-${i}.png`);
  fs.writeFileSync(src, bytes);
  spawnSync('sync', [src]);
  // the anchor: cp, then the copy synced
  const dst = path.join(dir, `copy-${i}.png`);
  let t = process.hrtime.bigint();
  spawnSync('cp', [src, dst]);
  spawnSync('sync', [dst]);
  cp.push(Number(process.hrtime.bigint() - t) / 1e9);
  // the upload, by curl (a process, as cp is) from the same file
  t = process.hrtime.bigint();
  const r = spawnSync('curl', ['-s', '-H', `Authorization: Bearer ${token}`, '-F', `file=@${src};filename=scan-${i}.png`,
    '-w', '\n%{http_code}', `${url}/cases/${c.json.id}/attachments`], { encoding: 'utf8' });
  up.push(Number(process.hrtime.bigint() - t) / 1e9);
  if (!r.stdout || !r.stdout.endsWith('201')) { console.log(`attachment bench: upload: ${r.stdout} ${r.stderr}`); process.exit(1); }
  fs.rmSync(src);
  fs.rmSync(dst);
}
proc.kill('SIGTERM');
const mibs = (secs) => (SIZE / (1 << 20)) / secs;
const value = mibs(median(up)), anchor = mibs(median(cp)), ratio = value / anchor;
row('attachment 10 MiB MiB/s', value.toFixed(0), anchor.toFixed(0), ratio.toFixed(2), 'ratio>=0.5', ratio >= 0.5 ? 'PASS' : 'MISS');
console.log(`NOTE   ${RUNS} uploads of 10 MiB: median ${(median(up) * 1000).toFixed(0)} ms; cp + sync of the same file: median ${(median(cp) * 1000).toFixed(0)} ms`);
await new Promise((r) => proc.on('exit', r));
fs.rmSync(dir, { recursive: true, force: true });
