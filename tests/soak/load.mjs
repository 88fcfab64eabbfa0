// (e) A mixed load for SOAK_LOAD_SECONDS: wrk with tests/soak/load.lua (audited reads of
// cases, cards and records, case lists, creations and notes), run a minute at a time so
// that each minute has its own p99, while the server's RSS is read from /proc every
// second. Reports RSS at start, after the first minute, at most and at the end (flat: the
// end within 10% of the value after the first minute), p99 per minute (steady: none over
// three times the median minute's), and fails on any 5xx or socket error.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, createDemo, envInt, logger, row, rssParts, sleep, sql, sql1, startServer, track, workDir } from './lib.mjs';

function wrkRun(started, args, env) {
  return new Promise((resolve) => {
    const p = track(spawn('wrk', args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }));
    started(p);
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { out += d; });
    p.on('exit', (code) => resolve({ code, out }));
  });
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[(s.length - 1) >> 1] : null; };
const ms = (us) => (us / 1000).toFixed(1);
const mb = (kb) => (kb / 1024).toFixed(1);

export async function run() {
  if (spawnSync('wrk', ['--version']).error) return [row('e', 'load', 'mixed load', 'wrk is missing (scripts/deps.sh installs it)', false)];
  const seconds = envInt('SOAK_LOAD_SECONDS', 600);
  const conns = envInt('SOAK_LOAD_CONNECTIONS', 16);
  const dir = workDir('load');
  const log = logger('load', dir);
  const demo = createDemo(dir, { people: 2000, cases: 3000 });
  const nids = path.join(dir, 'nids.txt');
  fs.writeFileSync(nids, sql(demo.db, 'SELECT national_id FROM people').map((r) => r[0]).join('\n') + '\n');
  const maxCase = sql1(demo.db, 'SELECT max(id) FROM cases');
  const S = await startServer(demo.db, { args: ['--rate-limit', '0'], log: path.join(dir, 'serve.log') });
  const token = (await S.login('supervisor')).token;
  await sleep(500);
  const t0 = Date.now();
  const walFiles = [`${demo.db}-wal`, `${demo.journal}-wal`];
  const walKb = () => walFiles.reduce((a, f) => { try { return a + fs.statSync(f).size / 1024; } catch { return a; } }, 0);
  const sample = () => {
    const p = rssParts(S.pid);
    return p && { t: (Date.now() - t0) / 1000, kb: p.rss, anon: p.anon, file: p.file, shmem: p.shmem, wal: walKb() };
  };
  const rss = [sample()];
  // a WAL that grows without bound would fill the disk the machine shares: the load stops
  // early when the WAL files pass SOAK_WAL_STOP_MB or the disk has less than 8 GiB free
  const walStop = envInt('SOAK_WAL_STOP_MB', 16384) * 1024;
  let stopped = null, wrkProc = null;
  const sampler = setInterval(() => {
    const x = sample();
    if (!x) return;
    rss.push(x);
    let free = Infinity;
    try { const f = fs.statfsSync(dir); free = (f.bavail * f.bsize) / 1024; } catch { /* unknown */ }
    if (!stopped && (x.wal > walStop || free < 8 * 1024 * 1024)) {
      stopped = `stopped after ${Math.round(x.t)} s: WAL files ${mb(x.wal)} MB, ${mb(free)} MB free on the disk`;
      log(stopped);
      try { wrkProc?.kill('SIGTERM'); } catch { /* gone */ }
    }
  }, 1000);
  const minutes = [];
  const env = { SOAK_TOKEN: token, SOAK_NIDS: nids, SOAK_MAX_CASE: maxCase, SOAK_LOAD_MIX: process.env.SOAK_LOAD_MIX || '' };
  let left = seconds;
  while (left > 0 && !stopped) {
    const d = Math.min(60, left);
    left -= d;
    const r = await wrkRun((p) => { wrkProc = p; }, ['-t1', `-c${conns}`, `-d${d}s`, '--timeout', '10s', '-s', path.join(ROOT, 'tests/soak/load.lua'), S.url], env);
    const line = r.out.split('\n').find((l) => l.startsWith('SOAK '));
    if (!line) { log(`wrk said: ${r.out}`); minutes.push(null); continue; }
    const m = Object.fromEntries(line.slice(5).split(' ').map((kv) => kv.split('=')).map(([k, v]) => [k, Number(v)]));
    const x = sample();
    m.rss_kb = x?.kb;
    m.anon_kb = x?.anon;
    m.file_kb = x?.file;
    m.shmem_kb = x?.shmem;
    m.wal_kb = x?.wal;
    minutes.push(m);
    log(`minute ${minutes.length}: ${m.requests} requests (${Math.round(m.requests / (m.duration_us / 1e6))}/s), ${m.created} created, p50 ${ms(m.p50_us)} ms, p99 ${ms(m.p99_us)} ms, max ${ms(m.max_us)} ms, 4xx ${m.c4xx}, 5xx ${m.c5xx}, socket errors ${m.connect_err + m.read_err + m.write_err}, timeouts ${m.timeout_err}, RSS ${mb(m.rss_kb)} MB (heap ${mb(m.anon_kb)}, files ${mb(m.file_kb)}, shared ${mb(m.shmem_kb)}), WAL files ${mb(m.wal_kb)} MB`);
    if (!S.alive) break;
  }
  clearInterval(sampler);
  const alive = S.alive;
  const last = sample() || rss[rss.length - 1];
  rss.push(last);
  const endKb = last.kb;
  await S.stop();
  fs.writeFileSync(path.join(dir, 'rss.tsv'), 'seconds\tVmRSS\tRssAnon\tRssFile\tRssShmem\tWAL files (kB)\n'
    + rss.map((x) => `${x.t.toFixed(1)}\t${x.kb}\t${x.anon}\t${x.file}\t${x.shmem}\t${Math.round(x.wal)}`).join('\n') + '\n');
  fs.writeFileSync(path.join(dir, 'minutes.json'), JSON.stringify(minutes, null, 1));

  const good = minutes.filter(Boolean);
  const startKb = rss[0].kb;
  const first = rss.find((x) => x.t >= 60) || rss[rss.length - 1];
  const firstMin = first.kb;
  const maxKb = Math.max(...rss.map((x) => x.kb));
  const flat = Math.abs(endKb - firstMin) <= firstMin * 0.1;
  // the WAL files (NAME.db-wal, NAME-journal.db-wal) must stop growing: a checkpoint that
  // never lets the WAL start over fills the disk
  const walMax = Math.max(...rss.map((x) => x.wal));
  const walBounded = walMax <= Math.max(2 * first.wal, 64 * 1024);
  const p99s = good.map((m) => m.p99_us);
  const med = median(p99s);
  const steady = p99s.every((p) => p <= 3 * med);
  const total = good.reduce((a, m) => a + m.requests, 0);
  const created = good.reduce((a, m) => a + m.created, 0);
  const c5xx = good.reduce((a, m) => a + m.c5xx, 0);
  const sockErr = good.reduce((a, m) => a + m.connect_err + m.read_err + m.write_err, 0);
  const timeouts = good.reduce((a, m) => a + m.timeout_err, 0);
  const pass = !stopped && alive && flat && walBounded && steady && c5xx === 0 && sockErr === 0 && timeouts === 0 && good.length === minutes.length && good.length > 0;
  const ran = Math.round((Date.now() - t0) / 1000);
  const figure = `${stopped ? `${stopped}; ` : ''}${ran} s, ${conns} connections: ${total} requests (${Math.round(total / ran)}/s), ${created} created; `
    + `RSS start ${mb(startKb)} MB, after 1 min ${mb(firstMin)} MB, max ${mb(maxKb)} MB, end ${mb(endKb)} MB (${flat ? 'flat' : 'NOT flat'}: ${((endKb / firstMin - 1) * 100).toFixed(1)}%; heap ${mb(first.anon)} -> ${mb(last.anon)} MB, `
    + `mapped files ${mb(first.file + first.shmem)} -> ${mb(last.file + last.shmem)} MB); `
    + `WAL files after 1 min ${mb(first.wal)} MB, at most ${mb(walMax)} MB (${walBounded ? 'bounded' : 'NOT bounded'}); `
    + `p99 per minute ${p99s.map((p) => ms(p)).join('/')} ms (${steady ? 'steady' : 'NOT steady'}); 5xx ${c5xx}, socket errors ${sockErr}, timeouts ${timeouts}`;
  const mixText = process.env.SOAK_LOAD_MIX || '35% case reads, 15% cards, 15% records, 10% lists, 20% creates, 5% notes';
  return [row('e', 'load', `wrk a minute at a time: ${mixText}; RSS and WAL every second`, figure, pass)];
}
