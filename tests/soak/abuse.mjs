// (c) The abuse checks: one per defect of issue 11 (and the header-value one), each
// reporting PASS or FAIL with its figure. Each check that leaves state behind (a lockout,
// held connections) gets its own server on its own copy of one demo database; the
// lockout checks speak from their own loopback addresses (127.0.0.x) so they lock no one
// else out.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {
  SAN_BIN, PASSWORD, copyDb, createDemo, envInt, logger, makeNationalId, rawExchange, rawRequest, row, sleep, sql1,
  startServer, tamin, workDir,
} from './lib.mjs';

/** FNV-1a, 32 bits, as users.c's limiter hashes its keys. */
function fnv1a(s) {
  let h = 2166136261;
  for (const b of Buffer.from(s, 'utf8')) h = Math.imul(h ^ b, 16777619) >>> 0;
  return h >>> 0;
}
/** A login zzNNNN whose limiter key lands in the same slot (of 2048) as key. */
function colliding(key) {
  const want = fnv1a(key) % 2048;
  for (let i = 0; i < 1000000; i++) if (fnv1a(`l:zz${i}`) % 2048 === want) return `zz${i}`;
  throw new Error('no collision');
}

/** A login over a raw socket from a chosen loopback address: its status. */
async function loginFrom(port, localAddress, login, password) {
  const r = await rawExchange(port, rawRequest('POST', '/api/v1/login', { body: { login, password } }), { localAddress, idle: 10000, total: 20000, end: true });
  return { status: r.status, text: r.text };
}

const MB = (kb) => `${(kb / 1024).toFixed(0)} MB`;

export async function run() {
  const dir = workDir('abuse');
  const log = logger('abuse', dir);
  const demo = createDemo(dir, { people: 120, cases: 80, name: 'seed.db' });
  let n = 0;
  /** A server on a fresh copy of the demo database. */
  const fresh = async (opts = {}) => {
    n++;
    const db = copyDb(demo.db, path.join(dir, `t${n}.db`));
    const s = await startServer(db, { log: path.join(dir, `serve-${n}.log`), ...opts });
    s.db = db;
    return s;
  };
  const rows = [];
  const check = async (name, what, fn) => {
    const t0 = Date.now();
    let figure, pass;
    try {
      ({ figure, pass } = await fn());
    } catch (e) {
      figure = `the check failed to run: ${e.stack || e}`;
      pass = false;
    }
    log(`${pass ? 'PASS' : 'FAIL'} ${name} (${Math.round((Date.now() - t0) / 1000)} s): ${figure}`);
    rows.push(row('c', name, what, figure, pass));
  };

  // 1. the lockout cannot be reset by colliding logins
  await check('lockout-collision', '30 rounds of (wrong password for sp_pensions, 2 logins colliding in the limiter) from one address', async () => {
    const S = await fresh();
    try {
      const ip = '127.0.0.2';
      const a = colliding('l:sp_pensions'), b = colliding(`i:${ip}`);
      const st = {};
      for (let i = 0; i < 30; i++) {
        for (const [l, p] of [['sp_pensions', 'wrong-password'], [a, 'x'], [b, 'x']]) {
          const r = await loginFrom(S.port, ip, l, p);
          st[r.status] = (st[r.status] || 0) + 1;
        }
      }
      const right = await loginFrom(S.port, '127.0.0.3', 'sp_pensions', PASSWORD);
      const counts = Object.entries(st).map(([k, v]) => `${v}x${k}`).join(' ');
      return { figure: `colliding logins ${a}, ${b}: 90 attempts gave ${counts}; the right password then (another address): ${right.status}`, pass: (st[429] || 0) > 0 && right.status === 429 };
    } finally { await S.stop(); }
  });

  // 2. the limits hold under a spray: many logins from one address, one login from many
  await check('lockout-spray-logins', '60 unknown logins, one attempt each, from one address', async () => {
    const S = await fresh();
    try {
      let first = null;
      for (let i = 1; i <= 60 && first === null; i++) if ((await loginFrom(S.port, '127.0.0.4', `spray${i}`, 'x')).status === 429) first = i;
      return { figure: `first 429 at attempt ${first ?? 'never (of 60)'} (the address limit is 40)`, pass: first !== null && first <= 41 };
    } finally { await S.stop(); }
  });
  await check('lockout-spray-addresses', "sp_records' wrong password from 30 addresses, then the right one", async () => {
    const S = await fresh();
    try {
      let first = null;
      for (let i = 1; i <= 30; i++) {
        const r = await loginFrom(S.port, `127.0.1.${i}`, 'sp_records', 'wrong-password');
        if (r.status === 429 && first === null) first = i;
      }
      const right = await loginFrom(S.port, '127.0.1.200', 'sp_records', PASSWORD);
      return { figure: `first 429 at attempt ${first ?? 'never (of 30)'} (the login limit is 10); the right password then: ${right.status}`, pass: first !== null && first <= 11 && right.status === 429 };
    } finally { await S.stop(); }
  });

  // 3. unauthenticated 8 MiB bodies do not grow the server
  await check('body-rss', '100 connections each sending POST /api/v1/login with Content-Length: 8388608 (and the body but its last byte)', async () => {
    const S = await fresh();
    const socks = [];
    try {
      await sleep(300);
      const before = S.rssKb();
      const chunk = Buffer.alloc(1 << 20, 0x61);
      const head = Buffer.from('POST /api/v1/login HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 8388608\r\n\r\n', 'latin1');
      const statuses = {};
      const sendOne = () => new Promise((resolve) => {
        const s = net.connect({ port: S.port, host: '127.0.0.1', localAddress: '127.0.0.7' });
        socks.push(s);
        let got = '';
        s.on('data', (d) => { got += d.toString('latin1'); });
        s.on('error', () => {});
        s.on('close', () => { const m = got.match(/^HTTP\/1\.1 (\d+)/); const k = m ? m[1] : 'closed'; statuses[k] = (statuses[k] || 0) + 1; resolve(); });
        s.on('connect', async () => {
          const w = (b) => new Promise((r) => { if (s.destroyed) return r(); s.write(b, () => r()); });
          await w(head);
          for (let i = 0; i < 8 && !s.destroyed; i++) await w(i < 7 ? chunk : chunk.subarray(0, chunk.length - 1));
          resolve();
        });
      });
      // ten at a time, so the client's own memory stays small
      for (let i = 0; i < 100; i += 10) await Promise.all(Array.from({ length: 10 }, sendOne));
      await sleep(1000);
      let peak = S.rssKb();
      for (let i = 0; i < 3; i++) { await sleep(300); peak = Math.max(peak, S.rssKb() || 0); }
      const open = socks.filter((s) => !s.destroyed && s.readyState === 'open').length;
      const answered = Object.entries(statuses).map(([k, v]) => `${v}x${k}`).join(' ') || 'none';
      const grew = peak - before;
      return { figure: `RSS ${MB(before)} before, ${MB(peak)} with the bodies in flight (+${MB(grew)}); connections still held: ${open}; closed by the server: ${answered}`, pass: grew < 100 * 1024 };
    } finally {
      for (const s of socks) s.destroy();
      await S.stop();
    }
  });

  // 4. slow clients are dropped, and one address cannot hold every connection
  const slowSecs = envInt('SOAK_SLOW_SECONDS', 40);
  await check('slow-clients', `300 connections from one address sending a head at one byte a second for ${slowSecs} s`, async () => {
    const S = await fresh();
    const socks = [];
    let timer;
    try {
      const text = Buffer.from('GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: ' + 'a'.repeat(4000), 'latin1');
      let maxOpen = 0;
      for (let i = 0; i < 300; i++) {
        const s = net.connect({ port: S.port, host: '127.0.0.1', localAddress: '127.0.0.8' });
        s.on('error', () => {});
        s.on('data', () => {}); // read what the server says (a 503, a 408), so its close is seen
        s.pos = 0;
        socks.push(s);
      }
      timer = setInterval(() => {
        for (const s of socks) if (!s.destroyed && s.readyState === 'open' && s.pos < text.length) s.write(text.subarray(s.pos, ++s.pos));
      }, 1000);
      const t0 = Date.now();
      while (Date.now() - t0 < slowSecs * 1000) {
        await sleep(1000);
        maxOpen = Math.max(maxOpen, socks.filter((s) => !s.destroyed && s.readyState === 'open').length);
      }
      // a connection the server closed shows as ended once we try to write
      await sleep(1500);
      const open = socks.filter((s) => !s.destroyed && s.readyState === 'open').length;
      return { figure: `at most ${maxOpen} of 300 open at once; still open after ${slowSecs} s: ${open}`, pass: open === 0 && maxOpen < 300 };
    } finally {
      clearInterval(timer);
      for (const s of socks) s.destroy();
      await S.stop();
    }
  });

  // 5. out of descriptors, the server does not spin and still answers
  await check('emfile', 'ulimit -n 128: 200 connections at one byte a second for 21 s, and 7 health checks from another address', async () => {
    const S = await fresh({ nofile: 128 });
    const socks = [];
    let timer;
    try {
      for (let i = 0; i < 200; i++) {
        const s = net.connect({ port: S.port, host: '127.0.0.1', localAddress: '127.0.0.9' });
        s.on('error', () => {});
        socks.push(s);
      }
      timer = setInterval(() => { for (const s of socks) if (!s.destroyed && s.readyState === 'open') s.write('G'); }, 1000);
      await sleep(500);
      const c0 = S.cpuTicks(), t0 = Date.now();
      let ok = 0;
      for (let i = 0; i < 7; i++) {
        await sleep(2000);
        const r = await rawExchange(S.port, 'GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n', { localAddress: '127.0.0.10', idle: 2000, total: 3000 });
        if (r.status === 200) ok++;
      }
      while (Date.now() - t0 < 21000) await sleep(200);
      const cpu = (S.cpuTicks() - c0) / 100, wall = (Date.now() - t0) / 1000;
      return { figure: `${cpu.toFixed(1)} s of CPU in ${wall.toFixed(0)} s; health checks answered: ${ok} of 7`, pass: ok >= 6 && cpu < wall * 0.5 };
    } finally {
      clearInterval(timer);
      for (const s of socks) s.destroy();
      await S.stop();
    }
  });

  // the rest share one server
  const S = await fresh();
  try {
    const emp = await S.login('emp1'), aud = await S.login('auditor'), cit = await S.login(demo.citizens[0]);
    const sup = await S.login('supervisor'), admin = await S.login('admin');
    const userId = (l) => sql1(S.db, `SELECT id FROM users WHERE login = '${l}'`);
    const denied = (uid) => Number(sql1(S.db, `SELECT count(*) FROM journal.audit WHERE user_id = ${uid} AND outcome = 'denied'`));

    // 6. refusals by the route's role check are audited
    await check('route-403-audited', 'route-level refusals of personal data (employer, auditor) are in the audit log', async () => {
      const other = demo.citizens[1];
      const kase = (await S.call('GET', `/api/v1/cases?national_id=${other}`, { token: sup.token })).json.items[0].id;
      const tries = [[emp, `/api/v1/people/${other}/history`], [emp, `/api/v1/people/${other}/pension`], [emp, `/api/v1/people/${other}/eligibility`],
        [emp, `/api/v1/people/${other}`], [emp, `/api/v1/cases/${kase}`], [aud, `/api/v1/cases/${kase}`], [aud, `/api/v1/people/${other}/history`]];
      const before = { emp: denied(userId('emp1')), aud: denied(userId('auditor')) };
      const st = [];
      for (const [who, p] of tries) st.push((await S.call('GET', p, { token: who.token })).status);
      await S.call('GET', '/api/v1/audit?limit=1', { token: aud.token }); // imports the spool
      const got = denied(userId('emp1')) - before.emp + denied(userId('auditor')) - before.aud;
      const refused = st.filter((x) => x === 403).length;
      return { figure: `${refused} of ${tries.length} refused (403); ${got} denied entries audited`, pass: refused === tries.length && got >= refused };
    });

    // 7. a citizen cannot tell who is on record
    await check('citizen-enumeration', "a citizen asks for another's record and case, on record and not", async () => {
      const other = demo.citizens[1];
      let unknown;
      for (let i = 0; ; i++) {
        unknown = makeNationalId(880000000 + i);
        if (sql1(S.db, `SELECT count(*) FROM people WHERE national_id = '${unknown}'`) === '0') break;
      }
      const st = async (p) => { const r = await S.call('GET', p, { token: cit.token }); return `${r.status} ${r.json?.error?.code ?? ''}`.trim(); };
      const otherCase = sql1(S.db, `SELECT c.id FROM cases c JOIN people p ON p.id = c.person_id WHERE p.national_id = '${other}' LIMIT 1`);
      const maxCase = Number(sql1(S.db, 'SELECT max(id) FROM cases'));
      const uid = userId(demo.citizens[0]);
      const before = Number(sql1(S.db, `SELECT count(*) FROM journal.audit WHERE user_id = ${uid}`));
      const pairs = [
        ['history', await st(`/api/v1/people/${other}/history`), await st(`/api/v1/people/${unknown}/history`)],
        ['pension', await st(`/api/v1/people/${other}/pension`), await st(`/api/v1/people/${unknown}/pension`)],
        ['case', await st(`/api/v1/cases/${otherCase}`), await st(`/api/v1/cases/${maxCase + 1000}`)],
      ];
      await S.call('GET', '/api/v1/audit?limit=1', { token: aud.token });
      const audited = Number(sql1(S.db, `SELECT count(*) FROM journal.audit WHERE user_id = ${uid}`)) - before;
      const same = pairs.every(([, a, b]) => a === b);
      return { figure: `${pairs.map(([k, a, b]) => `${k}: on record ${a}, not on record ${b}`).join('; ')}; audited ${audited} of 6`, pass: same && audited >= 6 };
    });

    // 8. weak passwords are refused, passphrases and any script taken
    await check('weak-passwords', 'admin creates accounts with weak and with strong passwords', async () => {
      const mk = async (login, password) => (await S.call('POST', '/api/v1/users', { token: admin.token, body: { login, password, role: 'agent' } })).status;
      const weak = [['weak_a', '12345678'], ['weak_b', 'password'], ['weak_c', '        '], ['weak_d1234', 'weak_d1234']];
      const strong = [['strong_a', 'correct horse battery staple'], ['strong_b', 'اسب درست باتری منگنه ۱۴۰۵']];
      const ws = [], ss = [];
      for (const [l, p] of weak) ws.push(await mk(l, p));
      for (const [l, p] of strong) ss.push(await mk(l, p));
      const acceptedWeak = ws.filter((x) => x === 201).length;
      return { figure: `weak (12345678, password, 8 spaces, the login itself): ${ws.join(' ')} (${acceptedWeak} of 4 accepted); passphrases: ${ss.join(' ')}`, pass: acceptedWeak === 0 && ss.every((x) => x === 201) };
    });

    // 9. NUL and bare CR inside header values are refused
    await check('header-nul-cr', 'a NUL or a bare CR inside a header value', async () => {
      const body = JSON.stringify({ login: 'nobody', password: 'x' });
      const tries = [
        ['TE chunked\\0junk', `POST /api/v1/login HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\0junk\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`],
        ['TE chunked\\rjunk', `POST /api/v1/login HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\rjunk\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`],
        ['X-A: a\\0b', 'GET /healthz HTTP/1.1\r\nHost: t\r\nX-A: a\0b\r\n\r\n'],
        ['X-A: a\\rb', 'GET /healthz HTTP/1.1\r\nHost: t\r\nX-A: a\rb\r\n\r\n'],
      ];
      const out = [];
      for (const [k, t] of tries) out.push([k, (await rawExchange(S.port, t, { localAddress: '127.0.0.11', end: true })).status]);
      return { figure: out.map(([k, s]) => `${k}: ${s}`).join('; '), pass: out.every(([, s]) => s === 400) };
    });
  } finally {
    await S.stop();
  }

  // 10. static paths over 1024 bytes, under the sanitizers
  await check('long-static-paths', 'GET of static paths of 1000-70000 bytes against build/tamin-san --web', async () => {
    const web = path.join(dir, 'web');
    fs.mkdirSync(path.join(web, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(web, 'index.html'), '<!doctype html><title>t</title>');
    fs.writeFileSync(path.join(web, 'assets/a.js'), '1');
    const san = path.join(dir, 'sanitizer');
    fs.mkdirSync(san, { recursive: true });
    const env = { ASAN_OPTIONS: `log_path=${san}/asan:detect_leaks=1`, UBSAN_OPTIONS: `log_path=${san}/ubsan:print_stacktrace=1` };
    const Sw = await fresh({ bin: SAN_BIN, args: ['--web', web], env });
    const st = {};
    for (const len of [1000, 1023, 1024, 1025, 1030, 1100, 2000, 4000, 8000, 16000, 70000]) {
      for (const p of ['/' + 'a'.repeat(len), '/assets/' + 'b'.repeat(len) + '.js', '/' + 'c/'.repeat(len >> 1) + 'x.js']) {
        const r = await rawExchange(Sw.port, `GET ${p} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`, { end: true });
        st[r.status ?? 'none'] = (st[r.status ?? 'none'] || 0) + 1;
      }
    }
    const alive = Sw.alive;
    const ex = await Sw.stop();
    const reports = fs.readdirSync(san).filter((f) => fs.statSync(path.join(san, f)).size > 0);
    for (const f of reports) log(`long-static-paths: ${f}:\n${fs.readFileSync(path.join(san, f), 'utf8').split('\n').slice(0, 20).join('\n')}`);
    const fivexx = Object.keys(st).filter((k) => Number(k) >= 500).length;
    return { figure: `replies ${Object.entries(st).map(([k, v]) => `${k}:${v}`).join(' ')}; alive after: ${alive}; stop ${ex.signal ?? ex.code}; sanitizer reports: ${reports.length}`, pass: alive && reports.length === 0 && !fivexx && ex.code === 0 };
  });

  // 11. a serve option turns the cookie's Secure on, with HSTS
  await check('secure-cookie', '`tamin serve --help` names an option for TLS; with it, the session cookie is Secure and HSTS is sent', async () => {
    const help = tamin(['serve', '--help']);
    const text = help.stdout + help.stderr;
    const line = text.split('\n').find((l) => /^\s*--\S+/.test(l) && /secure|tls|https/i.test(l));
    if (!line) return { figure: 'no option of `tamin serve` mentions Secure, TLS or HTTPS', pass: false };
    const opt = line.trim().split(/\s+/)[0];
    const takes = line.trim().split(/\s+/)[1];
    const args = takes && /^[A-Z]/.test(takes) ? [opt, '1'] : [opt];
    const Sx = await fresh({ args });
    try {
      const r = await Sx.call('POST', '/api/v1/login', { body: { login: 'agent1', password: PASSWORD } });
      const cookie = r.headers.get('set-cookie') || '';
      const hsts = r.headers.get('strict-transport-security');
      return { figure: `${args.join(' ')}: Set-Cookie ${/;\s*Secure/i.test(cookie) ? 'has' : 'lacks'} Secure; HSTS ${hsts ? `"${hsts}"` : 'absent'}`, pass: /;\s*Secure/i.test(cookie) && !!hsts };
    } finally { await Sx.stop(); }
  });

  return rows;
}
