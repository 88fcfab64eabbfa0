// The 1420 agent: finds the caller, opens a case in a few keystrokes, sees a refused request
// explained next to its field without losing what was typed, and works the case by keyboard.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, login, shot, toPersianDigits, ascii } from './harness.mjs';
import { makeNationalId } from '../../tests/http/harness.mjs';

let app;
before(async () => {
  app = await startApp();
});
after(async () => {
  await app?.stop();
});

test('agent: caller by national id in Persian digits, new case by keyboard, a refused request kept', async () => {
  const page = await app.page();
  await login(app, page, 'agent1');
  assert.match(page.url(), /\/agent$/);
  const nid = app.citizens[0];

  // one field, Persian digits, Enter
  await page.fill('input[name=q]', toPersianDigits(nid));
  await page.keyboard.press('Enter');
  const card = page.locator(`.caller[data-national-id="${nid}"]`);
  await card.waitFor();
  assert.match(ascii(await card.textContent()), new RegExp(nid));
  assert.ok(await page.locator('.shortcuts kbd').count() >= 5, 'the shortcuts are shown on screen');
  await shot(page, 'agent-caller-card');

  // the caller's insurance record, on request (each read goes to their access log)
  await page.locator('button[data-act=record]').click();
  const rec = page.locator(`section.record[data-record="${nid}"]`);
  await rec.locator('[data-fact=record]').waitFor();
  assert.match(await rec.locator('[data-fact=record]').textContent(), /سال/);
  await rec.locator('[data-fact=eligible]').waitFor();
  assert.match(await rec.locator('[data-fact=pension]').textContent(), /ریال/);
  await rec.locator('details.steps summary').first().click();
  assert.ok(await rec.locator('details.steps li').count() > 0, 'the steps are shown');
  assert.doesNotMatch(await rec.textContent(), /undefined|null|NaN/);
  await shot(page, 'agent-record');

  // F4: a new case; the subject is typed before a topic was picked -> refused, kept
  await page.keyboard.press('F4');
  await page.fill('textarea[name=description]', 'مستمری این ماه واریز نشده است');
  await page.fill('input[name=subject]', 'مستمری آبان واریز نشد');
  await page.getByRole('button', { name: 'ثبت درخواست' }).click();
  const topicError = page.locator('[data-field=topic] .error');
  await topicError.waitFor();
  assert.match(await topicError.textContent(), /پر کنید/);
  assert.equal(await page.inputValue('input[name=subject]'), 'مستمری آبان واریز نشد', 'the subject survived');
  assert.equal(await page.inputValue('textarea[name=description]'), 'مستمری این ماه واریز نشده است');
  await shot(page, 'agent-new-case-refused');

  // the topic picker: Arabic yeh typed, Enter takes the first match and moves to the subject
  await page.fill('input[name=topic_search]', 'مستمري');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'subject');
  await page.getByRole('button', { name: 'ثبت درخواست' }).click();
  const head = page.locator('article.case .case-head');
  await head.waitFor();
  const number = ascii(await head.locator('.num').textContent());
  assert.match(number, /^14\d\d-\d{7}$/);
  assert.equal(await page.locator('article.case').getAttribute('data-status'), 'new');

  // the case appears among the caller's open cases
  await page.locator(`.caller tr[data-case="${number}"]`).waitFor();

  // Alt+N: a note, submitted with Ctrl+Enter
  await page.keyboard.press('Alt+n');
  await page.locator('form[data-action=note] textarea').waitFor();
  // the form focuses its field once it is painted: type after that, as a person would see
  await page.waitForFunction(() => document.activeElement?.matches('form[data-action=note] textarea'));
  await page.keyboard.type('شهروند شماره حساب جدید را اعلام کرد');
  await page.keyboard.press('Control+Enter');
  await page.locator('.timeline li[data-event=note]').waitFor();
  assert.match(await page.locator('.timeline li[data-event=note]').textContent(), /شماره حساب جدید/);
  await shot(page, 'agent-case');

  // a lookup by case number finds the same case and its caller
  await page.fill('input[name=q]', toPersianDigits(number));
  await page.keyboard.press('Enter');
  await page.locator(`.caller[data-national-id="${nid}"]`).waitFor();
  await page.locator('article.case').waitFor();
  assert.equal(ascii(await page.locator('article.case .num').textContent()), number);
});

test('agent: an unknown or invalid national id is explained next to the search field', async () => {
  const page = await app.page();
  await login(app, page, 'agent2');
  const unknown = makeNationalId(187654321);
  await page.fill('input[name=q]', unknown);
  await page.keyboard.press('Enter');
  const err = page.locator('[data-field=q] .error');
  await err.waitFor();
  assert.match(await err.textContent(), /پیدا نشد/);
  assert.equal(await page.inputValue('input[name=q]'), unknown);

  const bad = unknown.slice(0, 9) + String((Number(unknown[9]) + 1) % 10);
  await page.fill('input[name=q]', bad);
  await page.keyboard.press('Enter');
  await page.locator('[data-field=q] .error', { hasText: 'کد ملی معتبر نیست' }).waitFor();
});

test('agent: a keyboard-only call: F4, a highlighted topic, solved on the call; shortcuts on the Persian layout', async () => {
  const page = await app.page();
  await login(app, page, 'agent2');
  const nid = app.citizens[1];
  await page.fill('input[name=q]', nid);
  await page.keyboard.press('Enter');
  await page.locator(`.caller[data-national-id="${nid}"]`).waitFor();

  // F4: the new-case form opens with the cursor in the topic field
  await page.keyboard.press('F4');
  await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'topic_search');
  await page.keyboard.type('مستمری');
  const options = page.locator('#topic-options li[role=option]');
  await options.nth(1).waitFor();
  const second = (await options.nth(1).textContent()).trim();
  // the arrow moves the highlight; Enter takes the highlighted match, not the first
  await page.keyboard.press('ArrowDown');
  // the page draws the highlight after the key: waited for, not read at once
  await page.locator('#topic-options li[role=option][aria-selected=true]', { hasText: second.split(' ')[0] }).waitFor();
  assert.equal(await options.nth(1).getAttribute('aria-selected'), 'true');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'subject');
  const hint = await page.locator('[data-field=topic] .hint').textContent();
  assert.ok(second.startsWith(hint.replace('انتخاب شد: ', '').trim()), `picked «${hint}», highlighted «${second}»`);
  await page.keyboard.type('پرسش درباره واریز');
  // to the "solved on the call" box by keyboard, then the answer
  await page.focus('input[name=solve]');
  await page.keyboard.press('Space');
  await page.locator('textarea[name=answer]').waitFor();
  await page.focus('textarea[name=answer]');
  await page.keyboard.type('واریز روز دهم هر ماه است؛ به شهروند گفته شد.');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  const article = page.locator('article.case[data-status=closed]');
  await article.waitFor();
  await page.locator('[data-notice=first-contact]').waitFor();
  assert.deepEqual(await page.locator('.timeline li').evaluateAll((ls) => ls.map((l) => l.dataset.event)),
    ['create', 'answer', 'report_back', 'close']);
  await shot(page, 'agent-solved-on-call');

  // a new open case, and its note by Alt+N typed on the Persian layout (key «د», code KeyN)
  await page.keyboard.press('F4');
  await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'topic_search');
  await page.keyboard.type('مستمری');
  await page.keyboard.press('Enter');
  await page.keyboard.type('پیگیری دوباره');
  await page.keyboard.press('Enter');
  await page.locator('article.case[data-status=new]').waitFor();
  await page.evaluate(() => window.dispatchEvent(new KeyboardEvent('keydown', { key: 'د', code: 'KeyN', altKey: true, bubbles: true })));
  await page.locator('form[data-action=note] textarea').waitFor();
});
