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
  // the login reads as typed, left to right: not «sp_new» in Persian digits or reordered
  assert.equal(await row.locator('bdi[dir=ltr]').first().textContent(), 'sp_new');
  await row.locator('button[data-act=manage]').click();
  page.once('dialog', (d) => d.accept());
  await page.locator('.manage[data-login=sp_new] button[data-act=disable]').click();
  await page.locator('tr[data-login=sp_new].disabled').waitFor();
  // and back again
  await page.locator('tr[data-login=sp_new] button[data-act=manage]').click();
  await page.locator('.manage[data-login=sp_new] button[data-act=enable]').click();
  await page.locator('tr[data-login=sp_new]:not(.disabled)').waitFor();
  const again = await app.server.call('POST', '/api/v1/login', { body: { login: 'sp_new', password: 'a-long-enough-password' } });
  assert.equal(again.status, 200, again.text);
});

test('admin: finds a user, changes the role, resets the password; the user must choose a new one at the next login', async () => {
  const page = await app.page();
  await login(app, page, 'admin');
  await page.fill('form.new-user input[name=login]', 'clerk_reset');
  await page.fill('form.new-user input[name=password]', 'the-first-passphrase');
  await page.fill('form.new-user input[name=name]', 'زهرا كريمي'); // Arabic kaf and yeh, as some keyboards type
  await page.selectOption('form.new-user select[name=role]', 'agent');
  await page.getByRole('button', { name: 'افزودن' }).click();
  await page.locator('tr[data-login=clerk_reset]').waitFor();
  // the search: a part of the name in Persian letters finds it; the list holds nothing else
  await page.fill('input[name=q]', 'کریمی');
  await page.waitForFunction(() => document.querySelectorAll('table.users tbody tr[data-login]').length >= 1 &&
    [...document.querySelectorAll('table.users tbody tr[data-login]')].every((r) => /کریمی/.test(r.textContent)));
  assert.equal(await page.locator('tr[data-login=clerk_reset]').count(), 1);
  await page.fill('input[name=q]', 'no-such-login-anywhere');
  await page.locator('text=کاربری پیدا نشد.').waitFor();
  await page.fill('input[name=q]', 'CLERK_RESET');
  const row = page.locator('tr[data-login=clerk_reset]');
  await row.waitFor();
  // the role: agent to desk
  await row.locator('button[data-act=manage]').click();
  const manage = page.locator('.manage[data-login=clerk_reset]');
  await manage.locator('select[name=role]').selectOption('desk');
  await manage.locator('button[data-act=role]').click();
  await page.locator('p.ok[role=status]').waitFor();
  // the list is read again after the message: the row is waited for, not read at once
  await page.locator('tr[data-login=clerk_reset]', { hasText: 'میز خدمت' }).waitFor();
  // the telephone agent: one another account has is refused next to its field; one typed
  // in Persian digits is set (the screen pop) and shown in the row; then cleared
  await row.locator('button[data-act=manage]').click();
  await manage.locator('input[name=phone_agent]').fill('SIP/8001');
  await manage.locator('button[data-act=phone]').click();
  await manage.locator('[data-field=phone_agent] .error').waitFor();
  await manage.locator('input[name=phone_agent]').fill('SIP/۸۰۵۰');
  await manage.locator('button[data-act=phone]').click();
  await page.locator('p.ok[role=status]', { hasText: 'داخلی تلفن' }).waitFor();
  await row.locator('.phone-agent', { hasText: 'SIP/8050' }).waitFor();
  await row.locator('button[data-act=manage]').click();
  await manage.locator('button[data-act=phone-clear]').click();
  await page.locator('p.ok[role=status]', { hasText: 'برداشته شد' }).waitFor();
  assert.equal(await row.locator('.phone-agent').count(), 0);
  // a weak temporary password is refused next to its field; a good one is set
  await row.locator('button[data-act=manage]').click();
  await manage.locator('input[name=password]').fill('password');
  await manage.locator('button[data-act=reset]').click();
  await manage.locator('[data-field=password] .error').waitFor();
  await manage.locator('input[name=password]').fill('temporary-cedar-41');
  await manage.locator('button[data-act=reset]').click();
  await page.locator('p.ok[role=status]', { hasText: 'در ورود بعدی' }).waitFor();
  await page.locator('tr[data-login=clerk_reset]', { hasText: 'گذرواژه باید عوض شود' }).waitFor();
  await shot(page, 'admin-reset');

  // the user logs in with the temporary password and is held on the change form
  const user = await app.page();
  await user.goto(`${app.url}/login`);
  await user.fill('input[name=login]', 'clerk_reset');
  await user.fill('input[name=password]', 'temporary-cedar-41');
  await user.getByRole('button', { name: 'ورود', exact: true }).click();
  const form = user.locator('form.change-password');
  await form.waitFor();
  assert.equal(await user.locator('header.top').count(), 0, 'nothing else until the password is changed');
  // the API refuses the rest meanwhile, even to a page that asks directly
  const status = await user.evaluate(async () => (await fetch('/api/v1/cases')).status);
  assert.equal(status, 403);
  await shot(user, 'must-change-password');
  // a mismatch, then a wrong current password, each said next to its field
  await form.locator('input[name=current_password]').fill('temporary-cedar-41');
  await form.locator('input[name=password]').fill('my-own-lantern-phrase');
  await form.locator('input[name=again]').fill('my-own-lantern-phrasE');
  await form.getByRole('button', { name: 'ذخیره گذرواژه' }).click();
  await form.locator('[data-field=again] .error').waitFor();
  await form.locator('input[name=current_password]').fill('not-the-temporary-1');
  await form.locator('input[name=again]').fill('my-own-lantern-phrase');
  await form.getByRole('button', { name: 'ذخیره گذرواژه' }).click();
  await form.locator('[data-field=current_password] .error').waitFor();
  await form.locator('input[name=current_password]').fill('temporary-cedar-41');
  await form.getByRole('button', { name: 'ذخیره گذرواژه' }).click();
  // in, to the desk's home (the new role)
  await user.locator('header.top').waitFor();
  assert.match(user.url(), /\/desk$/);
  assert.equal(await user.locator('header.top .who bdi, header.top .who').first().isVisible(), true);
  // the new password is the one now; the temporary one is gone
  const ok = await app.server.call('POST', '/api/v1/login', { body: { login: 'clerk_reset', password: 'my-own-lantern-phrase' } });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.must_change_password, false);
  const old = await app.server.call('POST', '/api/v1/login', { body: { login: 'clerk_reset', password: 'temporary-cedar-41' } });
  assert.equal(old.status, 401);
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
