// The supervisor's pulse (/pulse): the demo's pension-increase week in Khuzestan among the
// movers with its Jalali since-when and Persian digits, a case behind it opened in one
// click, a series drawn beside its band, and the movers' Excel file read back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { startApp, login } from './harness.mjs';

const ExcelJS = createRequire(new URL('../../tests/http/package.json', import.meta.url))('exceljs');

let app;
before(async () => {
  app = await startApp({ people: 500, cases: 3000 });
});
after(async () => {
  await app?.stop();
});

test('supervisor: the pulse shows the incident, its case, a series with its band, and the Excel file', async () => {
  const page = await app.page();
  await login(app, page, 'supervisor');
  await page.locator('a[href="/pulse"]').first().click();
  const row = page.locator('tr[data-mover="case:province:05"]');
  await row.waitFor();
  const text = await row.textContent();
  assert.match(text, /افزایش/);
  assert.match(text, /خوزستان/);
  assert.match(text, /[۰-۹]+ (آذر|آبان|دی) [۰-۹]{4}/, `since, in Jalali: ${text}`);
  assert.doesNotMatch(text.replace(/\d{4}-\d{7}/g, ''), /[0-9]/, 'Persian digits where people read');
  // a case behind it, opened from its number
  const link = row.locator('td.examples a').first();
  const number = await link.getAttribute('data-case');
  await link.click();
  await page.waitForURL(/\/cases\/\d+$/);
  // the case page shows its number in Persian digits
  const fa = number.replace(/[0-9]/g, (d) => '۰۱۲۳۴۵۶۷۸۹'[d]);
  await page.locator(`text=${fa}`).first().waitFor();
  await page.goBack();
  // the series of the mover, drawn with its band
  await page.locator('tr[data-mover="case:province:05"] button.link').click();
  await page.locator('.chart canvas').waitFor();
  assert.equal(await page.locator('select[name=dim]').inputValue(), 'province');
  assert.equal(await page.locator('select[name=key]').inputValue(), '05');
  // the movers as Excel
  const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('a[data-export=movers]').click()]);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-')), 'movers.xlsx');
  await dl.saveAs(file);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const rows = await page.locator('table.movers tbody tr').count();
  assert.equal(wb.worksheets[0].rowCount, rows + 1);
});
