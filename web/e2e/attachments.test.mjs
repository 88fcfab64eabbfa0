// A citizen on a 390 px phone adds a file to a case that waits on them: the file is listed
// with its download link, the timeline shows it, and the case resumes. A file that is not
// a PDF, JPEG or PNG is refused in Persian first, and nothing is listed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startApp, login, shot } from './harness.mjs';

let app, caseId, dir;
before(async () => {
  app = await startApp({ people: 60, cases: 50 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tamin-e2e-files-'));
  const agent = await app.server.login('agent1');
  const sp = await app.server.login('sp_pensions');
  const c = await app.server.call('POST', '/api/v1/cases', {
    token: agent.token,
    body: { national_id: app.citizens[1], channel: 'phone', topic: 'pension_not_paid', subject: 'مستمری بهمن' },
  });
  assert.equal(c.status, 201, c.text);
  caseId = c.json.id;
  for (const body of [{ type: 'start' }, { type: 'wait', on: 'citizen', text: 'لطفاً تصویر حکم بازنشستگی را بفرستید.' }]) {
    const r = await app.server.call('POST', `/api/v1/cases/${caseId}/events`, { token: sp.token, body });
    assert.equal(r.status, 201, r.text);
  }
});
after(async () => {
  await app?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('citizen (phone, 390x844): adds a file to a case waiting on them, and the case resumes', async () => {
  const page = await app.page({ phone: true });
  await login(app, page, app.citizens[1], { citizen: true });
  await page.goto(`${app.url}/cases/${caseId}`);
  await page.locator('article.case[data-status=waiting]').waitFor();
  await page.locator('section.attachments').waitFor();
  // a text file named .pdf: refused in Persian, nothing listed
  const fake = path.join(dir, 'نامه.pdf');
  fs.writeFileSync(fake, 'this is not a pdf\n');
  await page.setInputFiles('section.attachments input[type=file]', fake);
  await page.locator('button[data-act=attach]').click();
  const err = page.locator('[data-field=file] .error');
  await err.waitFor();
  assert.match(await err.textContent(), /پذیرفته می‌شود/);
  assert.equal(await page.locator('.attachment-list li').count(), 0);
  // a PNG: listed with its link, the timeline says so, the case resumes
  const scan = path.join(dir, 'حکم بازنشستگی.png');
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(3000, 7)]);
  fs.writeFileSync(scan, png);
  await page.setInputFiles('section.attachments input[type=file]', scan);
  await page.locator('button[data-act=attach]').click();
  await page.locator('article.case[data-status=in_progress]').waitFor();
  const link = page.locator('.attachment-list li a');
  await link.waitFor();
  assert.equal(await link.textContent(), 'حکم بازنشستگی.png');
  assert.match(await page.locator('.attachment-list li').textContent(), /PNG.*کیلوبایت/);
  await page.locator('.timeline li[data-event=attachment]').waitFor();
  await page.locator('.timeline li[data-event=resume]').waitFor();
  // nothing overflows the phone's width
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 390, `the page is ${wide} px wide on a 390 px screen`);
  await shot(page, 'citizen-attachment');
  // the link downloads the same bytes
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const saved = path.join(dir, 'downloaded');
  await download.saveAs(saved);
  assert.ok(fs.readFileSync(saved).equals(png), 'the download is not the file sent');
});
