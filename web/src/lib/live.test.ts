import { describe as suite, expect, it } from 'vitest';
import { describe, debounce, LiveEvent } from './live';

const ev = (o: Partial<LiveEvent>): LiveEvent => ({
  id: '1-1', type: 'assign', case_id: 7, number: '1405-0000007', status: 'assigned', reason: 'assignee',
  at: '2026-12-07T03:36:51Z', ...o,
});

suite('describe', () => {
  it('says an assignment to the reader, the number isolated in Persian digits', () => {
    expect(describe(ev({}))).toBe('پرونده \u2068۱۴۰۵-۰۰۰۰۰۰۷\u2069 به شما ارجاع شد');
  });
  it('says nothing of the reader\'s own act, nor of a note', () => {
    expect(describe(ev({ self: true }))).toBeNull();
    expect(describe(ev({ type: 'note', reason: 'department' }))).toBeNull();
  });
  it('tells that a transferred case left', () => {
    expect(describe(ev({ reason: 'left', status: 'new' }))).toContain('خارج شد');
  });
  it('tells a citizen that their case waits on them', () => {
    expect(describe(ev({ reason: 'person', type: 'wait', status: 'waiting' }))).toContain('منتظر پاسخ شماست');
  });
});

suite('debounce', () => {
  it('runs once after a burst', async () => {
    let n = 0;
    const f = debounce(() => n++, 10);
    f(); f(); f();
    await new Promise((r) => setTimeout(r, 30));
    expect(n).toBe(1);
  });
});
