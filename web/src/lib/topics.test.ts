import { describe, expect, it } from 'vitest';
import { searchTopics } from './topics';
import { figureQuery } from './figures';

const topics = [
  { code: 'pension_estimate', name: 'برآورد مبلغ مستمری', keywords: 'بازنشستگی حقوق' },
  { code: 'pension_delay', name: 'تأخیر در پرداخت مستمری', keywords: 'واریز' },
  { code: 'loan', name: 'وام ضروری بازنشستگان', keywords: 'قرض' },
];

describe('topic search', () => {
  it('matches names and keywords, with Arabic letters normalised', () => {
    expect(searchTopics(topics, 'مستمري').map((t) => t.code)).toEqual(['pension_estimate', 'pension_delay']);
    expect(searchTopics(topics, 'واریز').map((t) => t.code)).toEqual(['pension_delay']);
    expect(searchTopics(topics, 'بازنشستگ').length).toBe(2);
  });
  it('needs every word and puts names starting with the first word first', () => {
    expect(searchTopics(topics, 'تأخیر مستمری').map((t) => t.code)).toEqual(['pension_delay']);
    expect(searchTopics(topics, 'وام')[0].code).toBe('loan');
    expect(searchTopics(topics, '')).toHaveLength(3);
  });
});

describe('figure → list', () => {
  it('opens the list the figure counted', () => {
    expect(figureQuery('overdue', { department: 'pensions' })).toBe('/queue?department=pensions&sort=due&open=1&overdue=1');
    expect(figureQuery('waiting', { topic: 'loan' })).toBe('/queue?topic=loan&sort=due&status=waiting');
    expect(figureQuery('reopened', {})).toBe('/queue?sort=due&open=1&reopened=1');
  });
});
