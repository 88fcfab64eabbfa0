// The admin manages accounts and SLA targets; the auditor reads the audit log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, login, shot, ascii } from './harness.mjs';
import { addUser, USER_PASSWORD } from '../../tests/http/harness.mjs';

let app;
before(async () => {
  app = await startApp({ people: 60, cases: 150 });
});
after(async () => {
  await app?.stop();
});

test('admin: a weak password is refused next to its field, then the account is created and disabled', async () => {
  const page = await app.page();
  await login(app, page, 'admin');
  assert.match(page.url(), /\/admin$/);
  await page.fill('form.new-user input[name=login]', 'sp_new');
  await page.fill('form.new-user input[name=password]', 'short');
  await page.selectOption('form.new-user select[name=role]', 'specialist');
  await page.selectOption('form.new-user select[name=department]', 'pensions');
  await page.getByRole('button', { name: 'افزودن' }).click();
  await page.locator('[data-field=password] .error').waitFor();
  assert.equal(await page.inputValue('form.new-user input[name=login]'), 'sp_new');
  await page.fill('form.new-user input[name=password]', 'a-long-enough-password');
  await page.getByRole('button', { name: 'افزودن' }).click();
  const row = page.locator('tr[data-login=sp_new]');
  await row.waitFor();
  await shot(page, 'admin-users');
  page.once('dialog', (d) => d.accept());
  await row.getByRole('button', { name: 'غیرفعال کردن' }).click();
  await page.locator('tr[data-login=sp_new].disabled').waitFor();
});

test('admin: a topic\'s SLA target, a bad value refused by the server, then saved', async () => {
  const page = await app.page();
  await login(app, page, 'admin');
  await page.goto(`${app.url}/admin/catalog`);
  const row = page.locator('tr[data-topic=pension_not_paid]');
  await row.waitFor();
  await row.locator('input[name=resolution_min]').fill('0');
  await row.getByRole('button', { name: 'ذخیره' }).click();
  await row.locator('[data-field=resolution_min] .error').waitFor();
  await row.locator('input[name=resolution_min]').fill('۹۶۰');
  await row.getByRole('button', { name: 'ذخیره' }).click();
  await row.locator('.ok').waitFor();
  await shot(page, 'admin-catalog');
  // a department's name: an empty one is refused next to it, a new one is saved
  const dep = page.locator('tr[data-department=public_relations]');
  await dep.locator('input[name=name]').fill('');
  await dep.getByRole('button', { name: 'ذخیره' }).click();
  await dep.locator('[data-field=name] .error').waitFor();
  await dep.locator('input[name=name]').fill('روابط عمومی و اطلاع‌رسانی');
  await dep.getByRole('button', { name: 'ذخیره' }).click();
  await dep.locator('.ok').waitFor();
  const a = await app.server.login('admin');
  const t = await app.server.call('GET', '/api/v1/topics', { token: a.token });
  assert.equal(t.json.items.find((x) => x.code === 'pension_not_paid').sla_minutes.resolution, 960);
  const d = await app.server.call('GET', '/api/v1/departments', { token: a.token });
  assert.equal(d.json.items.find((x) => x.code === 'public_relations').name, 'روابط عمومی و اطلاع‌رسانی');
});

test('auditor: the reads of one person\'s record', async () => {
  const nid = app.citizens[0];
  const agent = await app.server.login('agent1');
  assert.equal((await app.server.call('GET', `/api/v1/people/${nid}`, { token: agent.token })).status, 200);
  const page = await app.page();
  await login(app, page, 'auditor');
  assert.match(page.url(), /\/audit$/);
  await page.fill('input[name=national_id]', nid);
  await page.getByRole('button', { name: 'نمایش' }).click();
  const rows = page.locator('table.audit tbody tr');
  await rows.first().waitFor();
  assert.match(await page.locator('table.audit').textContent(), /agent1/);
  await shot(page, 'auditor');
});

test('employer: sees the workshops the account acts for, and no other', async () => {
  const a = await app.server.login('admin');
  for (const [code, name] of [['1234567890', 'کارگاه نساجی البرز'], ['2234567891', 'کارگاه دیگر']]) {
    const r = await app.server.call('POST', '/api/v1/workshops', {
      token: a.token, body: { code, name, employer_name: 'شرکت نمونه', province: '10' },
    });
    assert.equal(r.status, 201, r.text);
  }
  assert.equal(addUser(app.db, { login: 'emp_e2e', role: 'employer', workshop: '1234567890' }).status, 0);
  const page = await app.page();
  await login(app, page, 'emp_e2e', { password: USER_PASSWORD });
  assert.match(page.url(), /\/employer$/);
  const card = page.locator('section[data-workshop="1234567890"]');
  await card.waitFor();
  assert.match(await card.textContent(), /کارگاه نساجی البرز/);
  assert.match(ascii(await card.textContent()), /1234567890/);
  assert.equal(await page.locator('section[data-workshop="2234567891"]').count(), 0);
  await shot(page, 'employer');
});
