// A specialist assigns a case from the list of the department's people, answers it with a
// canned answer inserted by its shortcut (Ctrl+K) with the case's number and the citizen's
// name filled in, and transfers another case to another department: the page says at once
// that it has left the queue, and a reload says in words that it is no longer theirs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, login, shot, ascii } from './harness.mjs';

let app, first, second;
const NAME_B = 'زهرا نیک‌نام';
before(async () => {
  app = await startApp({
    people: 40, cases: 20,
    users: [{ login: 'sp_pensions_b', role: 'specialist', department: 'pensions', name: NAME_B }],
  });
  const sv = await app.server.login('sv_pensions');
  const c = await app.server.call('POST', '/api/v1/canned', {
    token: sv.token,
    body: { title: 'پیگیری واریز مستمری', body: '{name} گرامی، درخواست شما به شماره {number} بررسی شد؛ مستمری تا {due} واریز می‌شود.' },
  });
  assert.equal(c.status, 201, c.text);
  const other = await app.server.call('POST', '/api/v1/canned', {
    token: sv.token, body: { title: 'مدارک لازم', body: 'لطفاً مدارک را بیاورید.' },
  });
  assert.equal(other.status, 201, other.text);
  const agent = await app.server.login('agent1');
  const open = async (subject) => {
    const r = await app.server.call('POST', '/api/v1/cases', {
      token: agent.token,
      body: { national_id: app.citizens[0], channel: 'phone', topic: 'pension_not_paid', subject },
    });
    assert.equal(r.status, 201, r.text);
    return r.json;
  };
  first = await open('واریز نشدن مستمری آبان');
  second = await open('سابقه بیمه ناقص است');
});
after(async () => {
  await app?.stop();
});

test('department supervisor: writes a canned answer; an unknown placeholder is refused next to the body', async () => {
  const page = await app.page();
  await login(app, page, 'sv_pensions');
  await page.getByRole('link', { name: 'پاسخ‌های آماده' }).click();
  await page.waitForURL(/\/canned$/);
  await page.locator('[data-canned]').first().waitFor();
  const form = page.locator('form[data-canned-editor=new]');
  assert.equal(await form.locator('select[name=department]').count(), 0, 'a department supervisor writes their own department\'s');
  await form.locator('input[name=title]').fill('خوشامد');
  await form.locator('textarea[name=body]').fill('سلام {nam}، لطفاً منتظر بمانید.');
  await form.locator('button[type=submit]').click();
  const err = form.locator('[data-field=body] .error');
  await err.waitFor();
  assert.match(await err.textContent(), /جای‌نگهدار ناشناخته/);
  await form.locator('textarea[name=body]').fill('سلام {name}، لطفاً منتظر بمانید.');
  await form.locator('button[type=submit]').click();
  await page.locator('.canned-list li', { hasText: 'خوشامد' }).waitFor();
  assert.equal(await form.locator('input[name=title]').inputValue(), '', 'the form is cleared for the next one');
  await shot(page, 'canned-admin');
});

test('specialist: assign from the department\'s people, answer with a canned answer by Ctrl+K', async () => {
  const page = await app.page();
  await login(app, page, 'sp_pensions');
  await page.goto(`${app.url}/cases/${first.id}`);
  await page.locator('article.case[data-status=new]').waitFor();

  // the assign form: the case's department chosen, its people to pick from by name
  await page.keyboard.press('Alt+g');
  const form = page.locator('form[data-action=assign]');
  assert.equal(await form.locator('select[name=department]').inputValue(), 'pensions');
  const people = form.locator('select[name=assignee]');
  await people.locator(`option[value=sp_pensions_b]`).waitFor({ state: 'attached' });
  const labels = await people.locator('option').allTextContents();
  assert.ok(labels.some((l) => l.startsWith(NAME_B) && /کارشناس/.test(l) && /پرونده باز/.test(l)), labels.join(' | '));
  assert.ok(!labels.some((l) => /agent|desk/.test(l)), 'no agent or desk officer offered');
  await people.selectOption('sp_pensions_b');
  await page.keyboard.press('Control+Enter');
  await page.locator('article.case[data-status=assigned]').waitFor();
  const assign = page.locator('.timeline li[data-event=assign]').last();
  assert.match(await assign.textContent(), new RegExp(`به: ${NAME_B}`));
  assert.doesNotMatch(await assign.textContent(), /sp_pensions_b/, 'named, not by login');

  // answer: Ctrl+K in the field opens the department's canned answers
  await page.keyboard.press('Alt+s');
  await page.locator('article.case[data-status=in_progress]').waitFor();
  await page.locator('button[data-act=answer]').click();
  const area = page.locator('form[data-action=answer] textarea');
  await area.focus();
  await page.keyboard.type('پاسخ: ');
  await page.keyboard.press('Control+k');
  const picker = page.locator('[data-canned-picker]');
  await picker.locator('li[role=option]').first().waitFor();
  assert.equal(await picker.locator('li[role=option]').count(), 3);
  await page.keyboard.type('واریز');
  await page.waitForFunction(() => document.querySelectorAll('[data-canned-picker] li[role=option]').length === 1);
  await shot(page, 'canned-picker');
  await page.keyboard.press('Enter');
  await picker.waitFor({ state: 'detached' });
  const text = await area.inputValue();
  assert.ok(text.startsWith(`پاسخ: ${first.person_name} گرامی`), text);
  assert.ok(ascii(text).includes(first.number), `the case number filled in: ${text}`);
  assert.ok(!/\{(name|number|due)\}/.test(text), text);
  assert.match(text, /تا [۰-۹]+ [^ ]+ [۰-۹]{4} واریز/, 'the due date in Jalali, Persian digits');
  // the cursor is after the inserted text: typing goes on from there
  await page.keyboard.type(' سپاس.');
  assert.ok((await area.inputValue()).endsWith('واریز می‌شود. سپاس.'));
  await page.keyboard.press('Control+Enter');
  await page.locator('article.case[data-status=answered]').waitFor();
  const answer = await page.locator('.timeline li[data-event=answer] .ev-text').textContent();
  assert.ok(ascii(answer).includes(first.number), answer);
  await shot(page, 'canned-answered');
});

test('specialist: a transfer to another department shows at once that the case has left', async () => {
  const page = await app.page();
  await login(app, page, 'sp_pensions');
  await page.goto(`${app.url}/cases/${second.id}`);
  await page.locator('article.case[data-status=new]').waitFor();
  await page.locator('button[data-act=assign]').click();
  const form = page.locator('form[data-action=assign]');
  await form.locator('select[name=department]').selectOption('records');
  // the people offered follow the department chosen
  await form.locator('select[name=assignee] option[value=sp_records]').waitFor({ state: 'attached' });
  assert.equal(await form.locator('select[name=assignee] option[value=sp_pensions_b]').count(), 0);
  await form.locator('button[type=submit]').click();
  const left = page.locator('[data-case-left]');
  await left.waitFor();
  assert.match(await left.textContent(), /امور بیمه‌شدگان و سوابق بیمه‌ای.*دیگر در کارتابل شما نیست/);
  assert.equal(await page.locator('section.actions').count(), 0, 'no action offered on a case that left');
  const transfer = await page.locator('.timeline li[data-event=assign] [data-assign=transfer]').textContent();
  assert.match(transfer, /ارجاع از واحد امور مستمری‌ها و بازنشستگان به واحد امور بیمه‌شدگان و سوابق بیمه‌ای/);
  await shot(page, 'case-transferred');

  // a reload: the case is no longer theirs to read, said in words with the way back
  await page.reload();
  const gone = page.locator('[data-case-forbidden]');
  await gone.waitFor();
  assert.match(await gone.textContent(), /دیگر اجازهٔ دیدن آن را ندارید/);
  await gone.locator('a', { hasText: 'بازگشت به کارتابل' }).click();
  await page.waitForURL(/\/queue/);
  await page.getByRole('heading', { name: /کارتابل/ }).waitFor();
});
