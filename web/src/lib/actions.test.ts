import { describe, expect, it } from 'vitest';
import { actionsFor, citizenLabel, eventBody, isShortcut } from './actions';

describe('state → actions', () => {
  it('shows exactly the events the server allows, in a stable order', () => {
    expect(actionsFor(['answer', 'note', 'assign']).map((a) => a.type)).toEqual(['note', 'assign', 'answer']);
    expect(actionsFor([])).toEqual([]);
    expect(actionsFor(['bogus'])).toEqual([]);
  });
  it('gives every action a distinct shortcut', () => {
    const all = actionsFor(['start', 'reply', 'note', 'assign', 'wait', 'resume', 'answer', 'report_back',
      'contact_failed', 'solve_on_call', 'close', 'merge', 'reopen', 'rate']);
    expect(all.length).toBe(14);
    expect(new Set(all.map((a) => a.key)).size).toBe(14);
  });
  it('uses the citizen\'s words for closing and reopening', () => {
    const [close] = actionsFor(['close']);
    expect(citizenLabel(close)).toContain('حل شد');
    expect(citizenLabel(actionsFor(['reply'])[0])).toBe('افزودن توضیح');
  });
});

describe('shortcuts', () => {
  it('match the key\'s place, so Alt+N works on the Persian layout (key «د»)', () => {
    expect(isShortcut({ altKey: true, ctrlKey: false, code: 'KeyN' }, 'n')).toBe(true);
    expect(isShortcut({ altKey: true, ctrlKey: false, code: 'KeyM' }, 'n')).toBe(false);
    expect(isShortcut({ altKey: false, ctrlKey: false, code: 'KeyN' }, 'n')).toBe(false);
    expect(isShortcut({ altKey: true, ctrlKey: true, code: 'KeyN' }, 'n')).toBe(false);
  });
});

describe('event bodies', () => {
  const one = (t: string) => actionsFor([t])[0];
  it('names the missing required field', () => {
    expect(eventBody(one('answer'), {})).toEqual({ missing: 'text' });
    expect(eventBody(one('report_back'), { text: 'x' })).toEqual({ missing: 'method' });
    expect(eventBody(one('assign'), {})).toEqual({ missing: 'assignee' });
  });
  it('builds the JSON the API takes', () => {
    expect(eventBody(one('report_back'), { method: 'sms', text: ' ' })).toEqual({ body: { type: 'report_back', method: 'sms' } });
    expect(eventBody(one('rate'), { rating: '4' })).toEqual({ body: { type: 'rate', rating: 4 } });
    expect(eventBody(one('assign'), { department: 'pensions' })).toEqual({ body: { type: 'assign', department: 'pensions' } });
    expect(eventBody(one('close'), {})).toEqual({ body: { type: 'close' } });
    expect(eventBody(one('merge'), { into: '42' })).toEqual({ body: { type: 'merge', into: 42 } });
    expect(eventBody(one('solve_on_call'), {})).toEqual({ missing: 'text' });
  });
});
