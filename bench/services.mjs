// The e-services' figure for `make bench` (issue 14): a request service's form
// (POST /api/v1/services/missing_records/requests: the form checked field by field, the
// case opened through the case desk, the form kept, the use counted, all in one write job)
// against the anchor of the same citizens opening the same case themselves
// (POST /api/v1/cases with the form's words as its description), on the same server, wrk
// -t2 -c64, in the order anchor, figure, figure, anchor: the figure is the mean of its two
// runs over the mean of the anchor's. 64 citizens, each request from one picked at random,
// so that no one person piles up thousands of cases on one topic (the desk's repeat
// marking reads a person's cases of the topic). Prints one
// "ROW<TAB>name<TAB>value<TAB>anchor<TAB>ratio<TAB>target<TAB>result" line for bench/run.sh.
import fs from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = process.env.TAMIN_BIN || path.join(ROOT, 'build', 'tamin');
const RUN = process.env.RUN_DIR || fs.mkdtempSync(path.join(ROOT, 'build', 'services-bench-'));
const SECS = Number(process.env.SERVICES_SECONDS || 5);
const CITIZENS = 64;
const PASSWORD = 'bench services passphrase 2026';
const row = (...f) => console.log(['ROW', ...f].join('\t'));
setTimeout(() => { console.log('services bench: gave up after 300 s'); process.exit(1); }, 300000).unref();

const dir = path.join(RUN, 'services');
fs.rmSync(dir, { recursive: true, force: true });
fs.mkdirSync(dir, { recursive: true });
const db = path.join(dir, 'services.db');
const demo = spawnSync(BIN, ['demo', '--db', db, '--people', String(CITIZENS + 20), '--cases', '10', '--records', '0',
  '--calls-days', '0'], { cwd: ROOT, encoding: 'utf8' });
if (demo.status !== 0) { console.log(`services bench: demo failed: ${demo.stderr}`); process.exit(1); }
const sql = (q) => spawnSync('sqlite3', [db, q], { encoding: 'utf8' }).stdout.trim();
const nids = sql(`SELECT national_id FROM people ORDER BY id LIMIT ${CITIZENS}`).split('\n');
for (const [i, nid] of nids.entries()) {
  const r = spawnSync(BIN, ['user', 'add', '--db', db, '--login', `bench_c${i}`, '--role', 'citizen', '--national-id', nid],
    { cwd: ROOT, input: `${PASSWORD}\n`, encoding: 'utf8' });
  if (r.status !== 0) { console.log(`services bench: user add failed: ${r.stderr}`); process.exit(1); }
}
const workshop = '1234567890'; // the form checks its shape; whose it is, only an employer's form

/** tamin serve on db: {server, url}. */
async function serve() {
  const server = spawn(BIN, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--rate-limit', '0'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await new Promise((resolve, reject) => {
    let out = '';
    const seen = (b) => {
      out += b;
      const m = out.match(/127\.0\.0\.1:(\d+)/);
      if (m) resolve(Number(m[1]));
    };
    server.stdout.on('data', seen);
    server.stderr.on('data', seen);
    server.on('exit', () => reject(new Error(`tamin serve stopped: ${out}`)));
  });
  return { server, url: `http://127.0.0.1:${port}` };
}
async function stop(server) {
  server.removeAllListeners('exit'); // not a failure to start now
  const gone = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGTERM');
  await gone;
}
const files = (base) => [base, base.replace(/\.db$/, '-journal.db')];
let { server, url } = await serve();

const tokens = [];
for (let i = 0; i < CITIZENS; i++) {
  const r = await fetch(`${url}/api/v1/login`, { method: 'POST', body: JSON.stringify({ login: `bench_c${i}`, password: PASSWORD }) });
  tokens.push((await r.json()).token);
}
await stop(server);
// every run starts from this copy (sessions included): the desk slows as one person's cases
// on a topic pile up, and a run after another would pay for the other's cases
for (const f of files(db)) if (fs.existsSync(f)) fs.copyFileSync(f, `${f}.pristine`);
const tokenFile = path.join(dir, 'tokens.txt');
fs.writeFileSync(tokenFile, tokens.join('\n') + '\n');
const lua = path.join(dir, 'post.lua');
fs.writeFileSync(lua, `
local tokens = {}
for l in io.lines(os.getenv("TOKEN_FILE")) do tokens[#tokens + 1] = l end
local path, body = os.getenv("P"), os.getenv("B")
math.randomseed(os.time())
local shown = false
function request()
  return wrk.format("POST", path, { ["Authorization"] = "Bearer " .. tokens[math.random(#tokens)],
    ["Content-Type"] = "application/json" }, body)
end
function response(status, headers, body)
  if status ~= 201 and not shown then shown = true; io.stderr:write(status .. " " .. body .. "\\n") end
end
function done(summary) io.write(string.format("BENCH requests=%d duration_us=%d errors=%d\\n", summary.requests,
  summary.duration, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout)) end
`);

async function wrk(p, b) {
  for (const f of files(db)) {
    for (const x of ['-wal', '-shm']) fs.rmSync(`${f}${x}`, { force: true });
    if (fs.existsSync(`${f}.pristine`)) fs.copyFileSync(`${f}.pristine`, f);
  }
  ({ server, url } = await serve());
  const r = spawnSync('wrk', ['-t2', '-c64', `-d${SECS}s`, '-s', lua, url],
    { env: { ...process.env, TOKEN_FILE: tokenFile, P: p, B: b }, encoding: 'utf8' });
  const m = r.stdout.match(/BENCH requests=(\d+) duration_us=(\d+) errors=(\d+)/);
  if (!m) throw new Error(`wrk: ${r.stdout}${r.stderr}`);
  if (r.stderr.trim()) console.log(`NOTE   ${p}: ${r.stderr.trim().slice(0, 300)}`);
  if (Number(m[3])) console.log(`NOTE   ${p}: ${m[3]} errors`);
  await stop(server);
  return Number(m[1]) / (Number(m[2]) / 1e6);
}
const words = `{"month":"۱۴۰۳/۷","workshop":"${workshop}","days":"20","description":"کار کرده‌ام"}`;
const anchorBody = JSON.stringify({ topic: 'record_missing_months', subject: 'اعتراض به سابقه ناقص',
  description: `ماهی که در سابقه نیست: 1403/07\nکد کارگاه: ${workshop}\nروزهای کارکرد آن ماه: 20\nتوضیح: کار کرده‌ام\n` });
const anchor = [], figure = [];
try {
  // each run on a fresh copy of the database and a fresh server; anchor, figure, figure,
  // anchor, so that neither side has the machine's quieter moments
  anchor.push(await wrk('/api/v1/cases', anchorBody));
  figure.push(await wrk('/api/v1/services/missing_records/requests', words));
  figure.push(await wrk('/api/v1/services/missing_records/requests', words));
  anchor.push(await wrk('/api/v1/cases', anchorBody));
} finally {
  server.kill('SIGTERM');
}
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const v = mean(figure), a = mean(anchor), ratio = v / a;
console.log(`NOTE   requests/s ${figure.map((x) => x.toFixed(0)).join(', ')}; cases/s ${anchor.map((x) => x.toFixed(0)).join(', ')} (64 citizens, -c64)`);
row('service request/s (c64)', v.toFixed(0), a.toFixed(0), ratio.toFixed(2), 'ratio>=0.8', ratio >= 0.8 ? 'PASS' : 'MISS');
