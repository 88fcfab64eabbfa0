// The web app's two figures for `make bench` (issue: the web app):
//  1. the JavaScript the first page loads, gzipped (target: under 150 KB);
//  2. the agent console's caller lookup, measured in the browser from the Enter key to the
//     caller's card on screen, p95 over many lookups against the demo database (target:
//     under 300 ms). Its anchor is the same lookup's API call made by fetch() in the same
//     page: the rest is the app's own work (rendering the card and its cases).
// Prints one "ROW<TAB>name<TAB>value<TAB>anchor<TAB>ratio<TAB>target<TAB>result" line per figure
// for bench/run.sh, and a few notes.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { spawn, spawnSync } from 'node:child_process';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(ROOT, 'web', 'package.json'));
const { chromium } = require('playwright-core');
const WEB = path.join(ROOT, 'build', 'web');
const BIN = process.env.TAMIN_BIN || path.join(ROOT, 'build', 'tamin');
const RUN = process.env.RUN_DIR || fs.mkdtempSync('/tmp/tamin-webbench-');
const LOOKUPS = Number(process.env.LOOKUPS || 60);

// a stuck browser must not hang the whole bench
setTimeout(() => {
  console.log('web bench: gave up after 300 s');
  process.exit(1);
}, 300000).unref();

const row = (...f) => console.log(['ROW', ...f].join('\t'));
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

// ---- 1. first-page JavaScript, gzipped ----
const html = fs.readFileSync(path.join(WEB, 'index.html'), 'utf8');
const scripts = [...html.matchAll(/<(?:script[^>]*src|link[^>]*rel="modulepreload"[^>]*href)="([^"]+\.js)"/g)]
  .map((m) => m[1]);
let gz = 0;
for (const s of new Set(scripts)) gz += zlib.gzipSync(fs.readFileSync(path.join(WEB, s)), { level: 9 }).length;
const kb = gz / 1024;
row('first page JS gzip KB', kb.toFixed(1), '150', (kb / 150).toFixed(2), '<150', kb < 150 ? 'PASS' : 'MISS');
console.log(`NOTE   first page: ${[...new Set(scripts)].join(', ')}; the supervisor's charts load on demand`);

// ---- 2. the caller lookup in the browser ----
const db = path.join(RUN, 'web-demo.db');
fs.rmSync(db, { force: true });
fs.rmSync(db.replace(/\.db$/, '-journal.db'), { force: true });
const demo = spawnSync(BIN, ['demo', '--db', db], { cwd: ROOT, encoding: 'utf8' });
if (demo.status !== 0) throw new Error(`demo: ${demo.stderr}`);
const server = spawn(BIN, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--web', WEB], { cwd: ROOT });
const url = await new Promise((resolve, reject) => {
  let out = '';
  server.stdout.on('data', (d) => {
    out += d;
    const m = out.match(/listening on (http:\/\/[^\s]+)/);
    if (m) resolve(m[1].replace(/\/$/, ''));
  });
  server.on('exit', (c) => reject(new Error(`tamin exited ${c}`)));
});
const sqlite = spawnSync('sqlite3', [db, 'SELECT national_id FROM people ORDER BY random() LIMIT ' + LOOKUPS], {
  encoding: 'utf8',
});
const ids = sqlite.stdout.trim().split('\n');

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
try {
  const page = await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
  await page.goto(`${url}/login`);
  await page.fill('input[name=login]', 'agent1');
  await page.fill('input[name=password]', 'demo1234');
  await page.click('button[type=submit]');
  await page.waitForSelector('input[name=q]');
  const ui = [];
  const api = [];
  const failed = [];
  page.on('console', (m) => {
    if (m.type() === 'error') console.log(`NOTE   page console: ${m.text()}`);
  });
  for (const [i, nid] of ids.entries()) {
    // in the page: type the id, press Enter, and time until the card for that id is shown
    const ms = await page.evaluate(async (nid) => {
      const input = document.querySelector('input[name=q]');
      const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
      set.call(input, nid);
      input.dispatchEvent(new Event('input', { bubbles: true }));
      await new Promise((r) => requestAnimationFrame(() => r()));
      return await new Promise((resolve) => {
        const t0 = performance.now();
        const done = () => {
          if (document.querySelector(`.caller[data-national-id="${nid}"]`)) {
            obs.disconnect();
            // the card is in the DOM; wait for the frame that paints it
            requestAnimationFrame(() => resolve(performance.now() - t0));
            return true;
          }
          return false;
        };
        const obs = new MutationObserver(done);
        obs.observe(document.body, { childList: true, subtree: true, attributes: true });
        // a lookup that never shows its card counts as failed, not as a hang
        setTimeout(() => {
          obs.disconnect();
          resolve(-1);
        }, 10000);
        input.form.requestSubmit();
      });
    }, nid);
    const a = await page.evaluate(async (nid) => {
      const t0 = performance.now();
      const r = await fetch(`/api/v1/people/${nid}`, { credentials: 'same-origin' });
      await r.json();
      return performance.now() - t0;
    }, nid);
    if (ms < 0) {
      failed.push(nid);
      console.log(`NOTE   lookup of ${nid} showed no card in 10 s; the page says: ` +
        `${(await page.textContent('main').catch(() => '')).slice(0, 200)}`);
      continue;
    }
    if (i >= 5) {
      // the first few warm up the page and the server's caches
      ui.push(ms);
      api.push(a);
    }
  }
  const p95 = pct(ui, 95), p50 = pct(ui, 50), a95 = pct(api, 95);
  row('caller lookup p95 ms (browser)', p95.toFixed(1), a95.toFixed(1), (p95 / a95).toFixed(1), '<300',
    p95 < 300 && !failed.length ? 'PASS' : 'MISS');
  if (failed.length) console.log(`NOTE   ${failed.length} lookups failed`);
  console.log(`NOTE   caller lookup: ${ui.length} lookups of random people on the demo database ` +
    `(2000 people, 5000 cases); p50 ${p50.toFixed(1)} ms, max ${Math.max(...ui).toFixed(1)} ms; ` +
    `anchor: the same GET /api/v1/people/{id} by fetch() in the page, p95 ${a95.toFixed(1)} ms, ` +
    `p50 ${pct(api, 50).toFixed(1)} ms`);
} finally {
  await browser.close();
  server.kill('SIGTERM');
}
