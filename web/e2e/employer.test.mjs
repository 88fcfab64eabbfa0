// The employer sends the month's list from the Employer page: the official DBF pair is stored
// and shown with its totals, and the workshop's months refresh; a tampered pair is refused
// whole, with a table naming each problem's file, row and column, and nothing is stored.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startApp, login, shot, ascii, sql as sqlOn } from './harness.mjs';
import { runCli, tempDir } from '../../tests/http/harness.mjs';

let app, code, list;

const sql = (q) => sqlOn(app.db, q);

/** A stored list written out as DSKKAR00.DBF and DSKWOR00.DBF (Windows-1256): its folder. */
function exportList(id) {
  const d = tempDir('tamin-e2e-list-');
  const r = runCli(['list', 'export', '--db', app.db, '--list', String(id), '--out', d]);
  assert.equal(r.status, 0, r.stderr);
  return d;
}

/** Where a field of one record lies in a DBF file: {b, at, len}. */
function locate(file, recordNo, name) {
  const b = fs.readFileSync(file);
  const headerLen = b.readUInt16LE(8), recLen = b.readUInt16LE(10);
  let off = 1;
  for (let p = 32; b[p] !== 0x0d; p += 32) {
    const len = b[p + 16];
    if (b.toString('latin1', p, p + 11).replace(/\0.*$/, '') === name)
      return { b, at: headerLen + (recordNo - 1) * recLen + off, len };
    off += len;
  }
  throw new Error(`no field ${name} in ${file}`);
}
function getField(file, recordNo, name) {
  const { b, at, len } = locate(file, recordNo, name);
  return b.toString('latin1', at, at + len).trim();
}
/** Sets a numeric field of one record (right-aligned, as dBase keeps numbers). */
function setField(file, recordNo, name, value) {
  const { b, at, len } = locate(file, recordNo, name);
  b.write(String(value).padStart(len, ' '), at, len, 'latin1');
  fs.writeFileSync(file, b);
}

before(async () => {
  app = await startApp({ people: 120, cases: 50 });
  code = sql("SELECT w.code FROM workshops w JOIN workshop_users wu ON wu.workshop_id = w.id JOIN users u ON u.id = wu.user_id WHERE u.login = 'emp1'");
  list = Number(sql(`SELECT l.id FROM lists l JOIN workshops w ON w.id = l.workshop_id WHERE w.code = '${code}' ORDER BY l.year DESC, l.month DESC LIMIT 1`));
  assert.ok(list > 0, 'the demo has a list of emp1\'s workshop');
});
after(async () => {
  await app?.stop();
});

const stored = () => sql('SELECT count(*) FROM lists');

test('employer: sends the month\'s list; a tampered one is refused with every problem, and fixed', async () => {
  const good = exportList(list);
  const kar = path.join(good, 'DSKKAR00.DBF'), wor = path.join(good, 'DSKWOR00.DBF');
  const workers = Number(getField(kar, 1, 'DSK_NUM'));
  assert.ok(workers > 0);
  assert.equal(fs.readFileSync(wor).readUInt32LE(4), workers, 'a record per worker');

  const page = await app.page();
  await login(app, page, 'emp1');
  assert.match(page.url(), /\/employer$/);
  const card = page.locator(`section[data-workshop="${code}"]`);
  await card.locator(`tr[data-list="${list}"]`).waitFor();
  const form = card.locator('.list-upload form');
  const send = form.getByRole('button', { name: 'ارسال فهرست' });
  const count0 = stored();

  // nothing chosen: refused in the browser, under each file's field
  await send.click();
  await form.locator('[data-field="dbf.kar"] .error').waitFor();
  assert.match(await form.locator('[data-field="dbf.wor"] .error').textContent(), /انتخاب کنید/);
  // a file that is no dBase file is named under its own field
  await form.getByLabel('فایل کارگاه (DSKKAR00.DBF)').setInputFiles({ name: 'DSKKAR00.DBF', mimeType: 'application/octet-stream', buffer: Buffer.from('not a dBase file') });
  await form.getByLabel('فایل بیمه‌شدگان (DSKWOR00.DBF)').setInputFiles(wor);
  await send.click();
  await form.locator('[data-field="dbf.kar"] .error').filter({ hasText: 'dBase' }).waitFor();
  assert.equal(await form.locator('[data-field="dbf.wor"] .error').count(), 0);
  assert.equal(stored(), count0, 'nothing was sent');

  // the pair as the list software writes it: stored, its totals shown, the months refreshed
  await form.locator('input[name=kar]').setInputFiles(kar);
  await send.click();
  const result = card.locator('.list-result.stored');
  await result.waitFor();
  assert.equal(ascii(await result.locator('.workers').textContent()), String(workers));
  assert.match(await result.textContent(), /ویندوز ۱۲۵۶/);
  assert.match(ascii(await result.locator('.supersedes').textContent()), new RegExp(`\\b${list}\\b`), 'it corrects the month\'s list');
  const id = Number(sql(`SELECT max(id) FROM lists`));
  assert.equal(Number(sql(`SELECT count(*) FROM record_entries WHERE list_id = ${id}`)), workers);
  await card.locator(`tr[data-list="${id}"]`).waitFor();
  assert.equal(await card.locator(`tr[data-list="${list}"]`).count(), 0, 'the corrected list left the months');
  assert.equal(await form.locator('input[name=kar]').evaluate((i) => i.files.length), 0, 'the form is emptied');
  assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('list-result')), true, 'the result has the focus');
  await shot(page, 'employer-list-stored');

  // a worker's share one rial off: refused whole; the row and the column named in Persian
  const bad = exportList(id);
  const badWor = path.join(bad, 'DSKWOR00.DBF');
  setField(badWor, 1, 'DSW_BIME', Number(getField(badWor, 1, 'DSW_BIME')) + 1);
  const count1 = stored();
  await form.locator('input[name=kar]').setInputFiles(path.join(bad, 'DSKKAR00.DBF'));
  await form.locator('input[name=wor]').setInputFiles(badWor);
  await send.click();
  const refused = card.locator('.list-result.refused');
  await refused.waitFor();
  assert.equal(await card.locator('.list-result.stored').count(), 0);
  const share = refused.locator('table.problems tr[data-file=DSKWOR00][data-row="1"][data-field=DSW_BIME]');
  const cells = await share.locator('td').allTextContents();
  assert.equal(cells[0], 'فایل بیمه‌شدگان');
  assert.equal(cells[1], '۱');
  assert.match(cells[2], /سهم بیمه‌شده.*DSW_BIME/);
  assert.ok(cells[3].length > 0 && /[\u0600-\u06ff]/.test(cells[3]), `a Persian message: ${cells[3]}`);
  const total = refused.locator('table.problems tr[data-file=DSKKAR00][data-field=DSK_TBIME] td').first();
  assert.equal(await total.textContent(), 'فایل کارگاه');
  const rows = await refused.locator('table.problems tbody tr').count();
  assert.equal(ascii(await refused.locator('.count').textContent()), String(rows));
  assert.equal(stored(), count1, 'nothing stored');
  await card.locator(`tr[data-list="${id}"]`).waitFor();
  const chosen = await form.locator('input[type=file]').evaluateAll((is) => is.map((i) => i.files[0]?.name));
  assert.deepEqual(chosen, ['DSKKAR00.DBF', 'DSKWOR00.DBF'], 'the chosen files are kept');
  await shot(page, 'employer-list-refused');

  // the employer fixes the workers' file where it lies and sends again: the browser will not
  // read a file changed since it was chosen, so the page asks for it again, and takes it
  fs.copyFileSync(path.join(good, 'DSKWOR00.DBF'), badWor);
  await send.press('Enter');
  await form.locator('[data-field="dbf.wor"] .error').filter({ hasText: 'دوباره انتخابش کنید' }).waitFor();
  assert.equal(await form.locator('input[name=wor]').evaluate((i) => i.files.length), 0);
  assert.equal(stored(), count1, 'nothing sent');
  await form.locator('input[name=wor]').setInputFiles(badWor);
  await send.press('Enter');
  await card.locator('.list-result.stored').waitFor();
  assert.equal(await card.locator('.list-result.refused').count(), 0);
  assert.equal(Number(stored()), Number(count1) + 1);
});
