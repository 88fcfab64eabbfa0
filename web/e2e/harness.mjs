// Browser journeys: a real `tamin serve --web build/web` on a demo database, driven in
// Debian's chromium (from apt, not a download) by playwright-core. Screenshots of each main
// page go to tests/screenshots/ (git-ignored).
import fs from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { ROOT, PASSWORD, startDemo, cleanupTemp, toPersianDigits, sql } from '../../tests/http/harness.mjs';

// sql(db, query): a look inside the app's database on either store (TAMIN_STORE)
export { PASSWORD, toPersianDigits, sql };
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const SHOTS = path.join(ROOT, 'tests', 'screenshots');

/** Starts the server on a fresh demo database and a headless chromium. */
export async function startApp({ people = 200, cases = 600, users = [], args = [] } = {}) {
  const web = path.join(ROOT, 'build', 'web');
  assert.ok(fs.existsSync(path.join(web, 'index.html')), 'build/web is missing: run make web');
  const d = await startDemo({ people, cases, users, args: ['--web', web, ...args] });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  const pages = [];
  return {
    ...d,
    url: d.server.url,
    browser,
    /** A new browser context (its own cookies) and page; desktop or phone-sized. bypassCSP:
     *  the page's Content-Security-Policy lets a test inject a script (axe-core). */
    async page({ phone = false, bypassCSP = false } = {}) {
      const ctx = await browser.newContext({
        bypassCSP,
        viewport: phone ? { width: 390, height: 844 } : { width: 1366, height: 900 },
        deviceScaleFactor: 1,
        locale: 'fa-IR',
        timezoneId: 'Asia/Tehran',
      });
      const page = await ctx.newPage();
      page.errors = [];
      page.on('pageerror', (e) => page.errors.push(String(e)));
      page.on('console', (m) => {
        // a refused request logs a failed resource load; that is expected in some journeys
        if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) page.errors.push(m.text());
      });
      page.setDefaultTimeout(10000);
      pages.push(page);
      return page;
    },
    async stop() {
      for (const p of pages) assert.deepEqual(p.errors, [], `errors in the page's console: ${p.errors.join('\n')}`);
      await browser.close();
      await d.server.stop();
      cleanupTemp();
    },
  };
}

/** Logs in through the login page; a citizen by national id on the citizens' tab. */
export async function login(app, page, who, { citizen = false, password = PASSWORD } = {}) {
  await page.goto(`${app.url}/login`);
  if (citizen) await page.getByRole('tab', { name: 'شهروندان' }).click();
  await page.fill('input[name=login]', who);
  await page.fill('input[name=password]', password);
  await page.getByRole('button', { name: 'ورود', exact: true }).click();
  await page.waitForSelector('header.top');
}

export async function shot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/** Persian digits back to ASCII, for comparing what the page shows. */
export function ascii(s) {
  return String(s).replace(/[۰-۹]/g, (d) => String(d.charCodeAt(0) - 0x06f0));
}
