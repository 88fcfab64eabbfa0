// The supervisor's outcomes and their Excel file, downloaded in the browser and read back
// with a library; the chart speaks Persian digits; the citizen's access log in sentences;
// the auditor's page drops old results when a query fails.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { startApp, login, shot, ascii } from './harness.mjs';

// exceljs is the HTTP tests' (tests/http/package.json), installed by the Makefile's e2e target
const ExcelJS = createRequire(new URL('../../tests/http/package.json', import.meta.url))('exceljs');

let app;
before(async () => {
  app = await startApp({ people: 120, cases: 400 });
});
after(async () => {
  await app?.stop();
});

test('supervisor: outcomes, per person, the chart in Persian digits, and the Excel file', async () => {
  const page = await app.page();
  await login(app, page, 'supervisor');
  const solved = page.locator('a.tile[data-tile=solved] .n');
  await solved.waitFor();
  const api = await (await page.request.get(`${app.url}/api/v1/stats/cases?days=30`)).json();
  assert.equal(Number(ascii(await solved.textContent())), api.totals.solved);
  assert.match(await page.locator('[data-tile=in_time] .n').textContent(), /^[۰-۹٫]+٪$/);
  assert.equal(await page.locator('table.people tbody tr').count(), api.by_person.length);
  // the chart: its tooltip says the day and the counts in Persian digits
  const chart = page.locator('.chart').first();
  await chart.locator('canvas').waitFor();
  const box = await chart.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const tip = page.locator('div', { hasText: 'ثبت‌شده:' }).last();
  await tip.waitFor();
  const tipText = await tip.textContent();
  assert.match(tipText, /[۰-۹]/);
  assert.doesNotMatch(tipText, /[0-9]/, tipText);
  await shot(page, 'supervisor-outcomes');

  // the download, in the browser, read back
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('a[data-export=figures]').click()]);
  assert.match(download.suggestedFilename(), /^tamin-figures-14\d\d-\d\d-\d\d\.xlsx$/);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tamin-e2e-')), 'figures.xlsx');
  await download.saveAs(file);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  fs.rmSync(path.dirname(file), { recursive: true });
  assert.deepEqual(wb.worksheets.map((w) => w.name), ['کل', 'واحدها', 'موضوع‌ها', 'کارشناسان', 'روزها']);
  for (const ws of wb.worksheets) assert.equal(ws.views[0].rightToLeft, true);
  const total = wb.getWorksheet('کل');
  const head = total.getRow(1).values.slice(1);
  const row = total.getRow(2).values.slice(1);
  assert.equal(row[head.indexOf('حل‌شده')], api.totals.solved);
  assert.equal(row[head.indexOf('ایجادشده')], api.totals.created);
  const people = wb.getWorksheet('کارشناسان');
  assert.deepEqual(people.getRow(1).values.slice(1, 4), ['نام کاربری', 'نام', 'نقش']);
  assert.equal(people.rowCount - 1, api.by_person.length);
  assert.equal(people.getRow(2).values[4], api.by_person[0].handled);
  const days = wb.getWorksheet('روزها');
  assert.equal(days.rowCount - 1, 30);
  assert.ok(days.getRow(2).values[2] instanceof Date);
});

test('citizen: the access log is one Persian sentence per contact, no codes', async () => {
  const nid = app.citizens[0];
  const agent = await app.server.login('agent1');
  for (const p of [`/api/v1/people/${nid}`, `/api/v1/cases?national_id=${nid}`])
    assert.equal((await app.server.call('GET', p, { token: agent.token })).status, 200);
  const page = await app.page({ phone: true });
  await login(app, page, nid, { citizen: true });
  await page.goto(`${app.url}/me/access-log`);
  const first = page.locator('ul.access-log li').first();
  await first.waitFor();
  const text = await first.textContent();
  assert.match(text, /کارشناس ۱۴۲۰/);
  assert.match(text, /هنگام تماس شما/);
  assert.match(text, /مشخصات شما را دید/);
  assert.doesNotMatch(text, /person_read|case_list|record_read|caller lookup/);
  await shot(page, 'citizen-access-log');
});

test('auditor: contacts grouped, and a failed query clears the old results', async () => {
  const page = await app.page();
  await login(app, page, 'auditor');
  await page.fill('input[name=national_id]', app.citizens[0]);
  await page.getByRole('button', { name: 'نمایش' }).click();
  await page.locator('table.audit.grouped tbody tr').first().waitFor();
  assert.ok(await page.locator('a[data-export=audit]').getAttribute('href').then((h) => h.includes('group=contact')));
  await page.fill('input[name=national_id]', '123');
  await page.getByRole('button', { name: 'نمایش' }).click();
  await page.locator('.error, [role=alert]').first().waitFor();
  assert.equal(await page.locator('table.audit').count(), 0, 'no results of the earlier query');
});
