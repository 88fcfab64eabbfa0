import { describe, expect, it } from 'vitest';
import { alertText, sinceText, stateLabel, waitText } from './board';

describe('the wallboard words', () => {
  it('writes a wait as minutes and seconds in Persian digits', () => {
    expect(waitText(0)).toBe('۰:۰۰');
    expect(waitText(65)).toBe('۱:۰۵');
    expect(waitText(3725)).toBe('۱:۰۲:۰۵');
    expect(waitText(null)).toBe('—');
    expect(waitText(-1)).toBe('—');
  });
  it('says an alert in words, not by colour alone', () => {
    expect(alertText(80, 60)).toBe('انتظار \u2066۱:۲۰\u2069 از سقف \u2066۱:۰۰\u2069 گذشت');
  });
  it('counts a state from its start', () => {
    expect(sinceText('2026-03-01T06:30:00Z', Date.parse('2026-03-01T06:31:05Z'))).toBe('۱:۰۵');
    expect(sinceText(null, 0)).toBe('—');
  });
  it('names each state in Persian', () => {
    expect(stateLabel('paused')).toBe('در استراحت');
    expect(stateLabel('on_call')).toBe('در مکالمه');
  });
});
