// The pulse at national scale for `make bench` (issue 13): a year of 5,000,000 calls and
// 100,000,000 other contacts, each counted by the pulse's own counting code
// (pulse_tally_add_ids, as the refresh counts a case or a call) by `tamin pulse national`
// (src/demo/pulse.c: the hour by a daily and weekly profile with holidays and +48% over the
// year, the topic, province and channel by the catalogue's weights, an incident in the last
// week) and written as the refresh writes its counts; no case or call row is stored. The
// store is made once and kept in build/bench while its generator and counting code are
// unchanged. Then `tamin serve` on it answers, one request at a time, 40 times each: the
// movers (week and day windows) and pulse series (random source, dimension and key; by hour
// over 28 days, by day over a year, and by hour over a whole year); each p50 beside the p50
// of GET /api/v1/me (the cheapest signed-in route) measured in the same run. Target: p50 <
// 50 ms. Prints "ROW<TAB>name<TAB>value<TAB>anchor<TAB>ratio<TAB>target<TAB>result".
import fs from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = process.env.TAMIN_BIN || path.join(ROOT, 'build', 'tamin');
const BENCH = path.join(ROOT, 'build', 'bench');
const CALLS = Number(process.env.PULSE_CALLS || 5000000);
const CONTACTS = Number(process.env.PULSE_CONTACTS || 100000000);
const END = '2026-11-30'; // the year's last day: fixed, so that the store can be kept
const N = Number(process.env.PULSE_REQUESTS || 40);
const PASSWORD = 'a long-enough passphrase 2026';
const row = (...f) => console.log(['ROW', ...f].join('\t'));
const fail = (m) => { console.log(`pulse bench: ${m}`); process.exit(1); };

fs.mkdirSync(BENCH, { recursive: true });
const db = path.join(BENCH, `pulse-${CALLS}-${CONTACTS}.db`);
const made = `${db}.made`;
const sources = ['src/demo/pulse.c', 'src/pulse/count.c', 'src/store/migrations/026_pulse.sql'].map((f) => path.join(ROOT, f));
const stale = !fs.existsSync(made) || sources.some((f) => fs.statSync(f).mtimeMs > fs.statSync(made).mtimeMs);
if (stale) {
  for (const f of fs.readdirSync(BENCH)) if (f.startsWith(path.basename(db).replace(/\.db$/, ''))) fs.rmSync(path.join(BENCH, f), { force: true });
  for (const f of [db, `${db}-journal.db`]) fs.rmSync(f, { force: true });
  const t0 = process.hrtime.bigint();
  const r = spawnSync(BIN, ['pulse', 'national', '--db', db, '--calls', String(CALLS), '--contacts', String(CONTACTS), '--end', END], { encoding: 'utf8' });
  if (r.status !== 0) fail(`tamin pulse national failed: ${r.stderr}`);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const u = spawnSync(BIN, ['user', 'add', '--db', db, '--login', 'sup', '--role', 'supervisor'], { input: `${PASSWORD}\n`, encoding: 'utf8' });
  if (u.status !== 0) fail(`user add: ${u.stderr}`);
  fs.writeFileSync(made, `${r.stdout.trim()} in ${s.toFixed(1)} s\n`);
}
const counts = spawnSync('sqlite3', [db, 'SELECT (SELECT count(*) FROM pulse_counts), (SELECT count(*) FROM pulse_where), (SELECT count(DISTINCT source || dim || key) FROM pulse_counts)'], { encoding: 'utf8' }).stdout.trim().split('|');
console.log(`NOTE   store: ${path.relative(ROOT, db)}, ${(fs.statSync(db).size / 1048576).toFixed(0)} MiB, ${counts[0]} counts in ${counts[2]} series, ${counts[1]} where-rows; made ${fs.readFileSync(made, 'utf8').trim()}${stale ? '' : ' (kept from an earlier run)'}`);

// the server
const port = 20000 + Math.floor(Math.random() * 20000);
const proc = spawn(BIN, ['serve', '--db', db, '--listen', `127.0.0.1:${port}`, '--rate-limit', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
let stderr = '';
proc.stderr.on('data', (d) => { stderr += d; });
const url = `http://127.0.0.1:${port}`;
for (let i = 0; ; i++) {
  try { if ((await fetch(`${url}/healthz`)).ok) break; } catch { /* not yet */ }
  if (i > 200) fail(`serve did not start: ${stderr}`);
  await new Promise((r) => setTimeout(r, 50));
}
const login = await (await fetch(`${url}/api/v1/login`, { method: 'POST', body: JSON.stringify({ login: 'sup', password: PASSWORD }) })).json();
const headers = { authorization: `Bearer ${login.token}` };
const get = async (p) => {
  const t0 = process.hrtime.bigint();
  const r = await fetch(url + p, { headers });
  const body = await r.text();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 200) fail(`${p}: ${r.status} ${body.slice(0, 200)}`);
  return { ms, body };
};
const p50 = async (paths) => {
  for (const p of paths.slice(0, 3)) await get(p); // warm
  const t = [];
  for (let i = 0; i < N; i++) t.push((await get(paths[i % paths.length])).ms);
  t.sort((a, b) => a - b);
  return { p50: t[Math.floor(t.length / 2)], p90: t[Math.floor(t.length * 0.9)] };
};

const topics = JSON.parse((await get('/api/v1/topics')).body).items.map((t) => t.code);
const provinces = JSON.parse((await get('/api/v1/provinces')).body).items.map((p) => p.code);
const channels = ['phone', 'web', 'service_desk', 'retiree_association', 'in_person', 'media'];
let seed = 1420;
const rnd = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
const randomSeries = (extra) => Array.from({ length: N }, () => {
  const dim = ['all', 'topic', 'province', 'channel'][rnd(4)];
  const key = dim === 'topic' ? topics[rnd(topics.length)] : dim === 'province' ? provinces[rnd(provinces.length)] : dim === 'channel' ? channels[rnd(channels.length)] : '';
  return `/api/v1/pulse/series?source=${rnd(2) ? 'case' : 'call'}&dim=${dim}${key ? `&key=${key}` : ''}&${extra}`;
});
const anchor = await p50(['/api/v1/me']);
const cases = [
  ['pulse movers week p50 ms', [`/api/v1/pulse/movers?window=week&at=${END}`]],
  ['pulse movers day p50 ms', [`/api/v1/pulse/movers?window=day&at=${END}`]],
  ['pulse series 28d by hour p50 ms', randomSeries(`by=hour&to=${END}`)],
  ['pulse series 1y by day p50 ms', randomSeries(`by=day&from=2025-12-01&to=${END}`)],
  ['pulse series 1y by hour p50 ms', randomSeries(`by=hour&from=2025-12-01&to=${END}`)],
];
for (const [name, paths] of cases) {
  const m = await p50(paths);
  row(name, m.p50.toFixed(1), anchor.p50.toFixed(2), (m.p50 / anchor.p50).toFixed(1), '<50', m.p50 < 50 ? 'PASS' : 'MISS');
  console.log(`NOTE   ${name.replace(' p50 ms', '')}: p50 ${m.p50.toFixed(1)} ms, p90 ${m.p90.toFixed(1)} ms, ${N} requests one at a time`);
}
const top = JSON.parse((await get(`/api/v1/pulse/movers?at=${END}`)).body).movers[0];
console.log(`NOTE   anchor: GET /api/v1/me p50 ${anchor.p50.toFixed(2)} ms; the movers' first: ${top ? `${top.source} ${top.dim} ${top.key} ${top.value} vs ${top.expected} expected, since ${top.since}, where ${top.where.map((w) => w.province).join(',')}` : 'none'} (the injected week: case province 05 and its pension topics)`);
proc.kill('SIGTERM');
await new Promise((r) => proc.on('exit', r));
