import { describe, expect, it } from 'vitest';
import { dueOf } from './due';

const NOW = Date.parse('2026-12-01T10:00:00Z');
const day = (n: number) => new Date(NOW + n * 86400000).toISOString();
const base = { overdue: false, first_response_due: day(1), resolution_due: day(6), report_back_due: null };

describe('dueOf', () => {
  it('shows a new case overdue on its first response by that due, not by the resolution 6 days away', () => {
    // found on screen: «جدید · دیرکرد» beside «۶ روز دیگر»
    const d = dueOf({ ...base, status: 'new', overdue: true, first_response_due: day(-0.5) }, NOW);
    expect(d).toEqual({ kind: 'first_response', at: day(-0.5), passed: true });
  });
  it('shows a new case on time by its first response, the nearer due', () => {
    expect(dueOf({ ...base, status: 'assigned' }, NOW)?.kind).toBe('first_response');
  });
  it('shows a case under way by its resolution, and an answered one by its report back', () => {
    expect(dueOf({ ...base, status: 'in_progress' }, NOW)).toEqual({ kind: 'resolution', at: day(6), passed: false });
    expect(dueOf({ ...base, status: 'answered', report_back_due: day(-1), overdue: true }, NOW))
      .toEqual({ kind: 'report_back', at: day(-1), passed: true });
  });
  it('shows nothing due for a closed or reported-back case', () => {
    expect(dueOf({ ...base, status: 'closed' }, NOW)).toBeNull();
    expect(dueOf({ ...base, status: 'reported_back' }, NOW)).toBeNull();
  });
  it('shows a case under way, flagged for a missed first response, by that due', () => {
    expect(dueOf({ ...base, status: 'in_progress', overdue: true, first_response_due: day(-2) }, NOW))
      .toEqual({ kind: 'first_response', at: day(-2), passed: true });
  });
  it('shows a reopened case (first response made long ago, flag cleared) by its resolution', () => {
    expect(dueOf({ ...base, status: 'new', first_response_due: day(-30) }, NOW)?.kind).toBe('resolution');
  });
  it('shows a due that passed but is not flagged yet (the sweep runs each minute) as passed', () => {
    expect(dueOf({ ...base, status: 'in_progress', resolution_due: day(-0.001) }, NOW))
      .toEqual({ kind: 'resolution', at: day(-0.001), passed: true });
  });
});
