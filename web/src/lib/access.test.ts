import { describe, expect, it } from 'vitest';
import { contactDid, contactSentence, contactWho, type Contact } from './access';

const g = (over: Partial<Contact> = {}): Contact => ({
  user: 'agent1', user_name: 'مریم احمدی', role: 'agent', department: 'contact_center', outcome: 'allowed',
  count: 5, first_at: '2026-12-07T03:37:00Z', last_at: '2026-12-07T03:40:00Z',
  actions: ['case_read', 'case_list', 'person_read'], cases: ['1405-0000038'], reasons: ['caller lookup'], ...over,
});

describe('the access log in words', () => {
  it('says who, during which call, what and how often, with no code left', () => {
    const s = contactSentence(g());
    expect(s).toContain('کارشناس ۱۴۲۰ مریم احمدی');
    expect(s).toContain('هنگام تماس شما');
    expect(s).toContain('پرونده \u2066۱۴۰۵-۰۰۰۰۰۳۸\u2069 را دید');
    expect(s).toContain('(۵ بار)');
    expect(s).not.toMatch(/[a-z_]{4,}|[0-9]/);
  });
  it('names no other citizen, and says a refusal', () => {
    expect(contactWho(g({ role: 'citizen', user: null, user_name: null }))).toBe('یک شهروند دیگر');
    expect(contactDid(g({ outcome: 'denied', actions: ['case_read'] }))).toContain('اجازه نیافت');
  });
  it('says the papers: a citizen\'s own issued, anyone\'s verification', () => {
    const own = g({ role: 'citizen', user: null, user_name: null, actions: ['document_issue'], cases: [], reasons: ['payslip X'] });
    expect(contactWho(own)).toBe('شما');
    expect(contactDid(own)).toBe('فیش یا گواهی گرفتید');
    const anyone = g({ role: 'none', user: null, user_name: null, actions: ['document_verify'], cases: [], reasons: [] });
    expect(contactSentence(anyone)).toMatch(/^کسی بدون ورود به سامانه در .* اصالت فیش یا گواهی شما را استعلام کرد/);
    // another citizen's read is still not named, even beside a paper
    expect(contactWho(g({ role: 'citizen', user: null, user_name: null, actions: ['case_read', 'document_issue'] }))).toBe('یک شهروند دیگر');
  });
  it('isolates a Latin login used as a name', () => {
    expect(contactWho(g({ user_name: '', user: 'agent1' }))).toBe('کارشناس ۱۴۲۰ \u2066agent1\u2069');
  });
  it('says an attempt to log in as the person by a one-time code, and its refusal', () => {
    const o = g({ user: null, user_name: null, role: 'none', actions: ['otp_start'], cases: [], reasons: ['otp_mobile_not_theirs'], count: 1 });
    expect(contactWho(o)).toBe('کسی پیش از ورود به سامانه');
    expect(contactDid(o)).toContain('پیامک شد');
    expect(contactDid({ ...o, outcome: 'denied' })).toContain('پذیرفته نشد');
    expect(contactSentence({ ...o, outcome: 'denied' })).not.toMatch(/[a-z_]{4,}|[0-9]/);
  });
});
