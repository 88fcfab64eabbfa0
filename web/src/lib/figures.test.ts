import { describe, expect, it } from 'vitest';
import { dayLabels, decimal, monthLabel, outcomeQuery, percent, publicCount } from './figures';

describe('the figures as people read them', () => {
  it('labels days by month and day, with the year when a range crosses one', () => {
    expect(dayLabels(['1405/09/01', '1405/09/02'])).toEqual(['۰۹/۰۱', '۰۹/۰۲']);
    expect(dayLabels(['1404/12/29', '1405/01/01'])).toEqual(['۱۴۰۴/۱۲/۲۹', '۱۴۰۵/۰۱/۰۱']);
  });
  it('writes shares and averages with Persian digits and the Persian decimal separator', () => {
    expect(percent(0.875)).toBe('۸۷٫۵٪');
    expect(percent(1)).toBe('۱۰۰٪');
    expect(percent(null)).toBe('—');
    expect(decimal(4.25)).toBe('۴٫۳');
  });
  it('opens the list each outcome counts', () => {
    expect(outcomeQuery('first_contact', { department: 'pensions' })).toBe('/queue?department=pensions&first_contact=1');
    expect(outcomeQuery('unreached', {})).toBe('/queue?unreached=1');
    expect(outcomeQuery('repeat_7d', { department: 'pensions' })).toBe('/queue?department=pensions&repeated=1');
    expect(outcomeQuery('solved_in_time', { handler: 'agent1' })).toBe('/queue?handler=agent1&in_time=1');
  });
  it('names Jalali months in words and marks a withheld count', () => {
    expect(monthLabel('1405-09')).toBe('آذر ۱۴۰۵');
    expect(monthLabel('1404-12')).toBe('اسفند ۱۴۰۴');
    expect(publicCount(null)).toBe('*');
    expect(publicCount(0)).toBe('۰');
    expect(publicCount(1234)).toBe('۱۲۳۴');
  });
});
