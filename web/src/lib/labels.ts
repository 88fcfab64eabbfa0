// Persian names for the API's codes. The API speaks codes; people read these.

export const STATUS: Record<string, string> = {
  new: 'جدید',
  assigned: 'ارجاع‌شده',
  in_progress: 'در حال رسیدگی',
  waiting: 'در انتظار',
  answered: 'پاسخ داده شده',
  reported_back: 'نتیجه اعلام شد',
  closed: 'بسته',
};

export const EVENT: Record<string, string> = {
  create: 'ثبت درخواست',
  note: 'یادداشت داخلی',
  reply: 'پیام',
  assign: 'ارجاع',
  start: 'شروع رسیدگی',
  wait: 'انتظار',
  resume: 'ادامه رسیدگی',
  answer: 'پاسخ واحد',
  report_back: 'اعلام نتیجه به شهروند',
  contact_failed: 'تماس ناموفق',
  close: 'بستن',
  reopen: 'بازگشایی',
  rate: 'امتیاز خدمت',
  solve_on_call: 'حل‌شده در همین تماس',
  merge: 'ادغام در پرونده دیگر',
  merged: 'پرونده‌ای در این پرونده ادغام شد',
  attachment: 'پیوست',
  escalate: 'ارجاع به سرپرست (تأخیر)',
  overdue: 'گذشت مهلت',
};

export const METHOD: Record<string, string> = {
  call: 'تماس تلفنی',
  sms: 'پیامک',
  portal: 'درگاه اینترنتی',
  letter: 'نامه',
  in_person: 'حضوری',
};

export const WAIT_ON: Record<string, string> = { citizen: 'شهروند', department: 'واحد دیگر' };

export const ROLE: Record<string, string> = {
  admin: 'مدیر سامانه',
  supervisor: 'سرپرست',
  agent: 'کارشناس ۱۴۲۰',
  specialist: 'کارشناس واحد',
  desk: 'میز خدمت',
  citizen: 'شهروند',
  auditor: 'حسابرس',
  employer: 'کارفرما',
};

export const PRIORITY: Record<string, string> = { low: 'کم', normal: 'عادی', high: 'فوری', urgent: 'بسیار فوری' };

export const AUDIT_ACTION: Record<string, string> = {
  case_read: 'مشاهده پرونده',
  case_list: 'جستجوی پرونده‌ها',
  person_read: 'مشاهده مشخصات',
  call_read: 'مشاهده تماس',
  case_create: 'ثبت درخواست',
  case_event: 'اقدام روی پرونده',
  record_read: 'مشاهده سوابق بیمه',
  workshop_read: 'مشاهده کارگاه',
  document_issue: 'صدور فیش یا گواهی',
  document_verify: 'استعلام اصالت فیش یا گواهی',
};

/** Where each role starts after logging in. */
export const HOME: Record<string, string> = {
  agent: '/agent',
  desk: '/desk',
  specialist: '/queue',
  supervisor: '/supervisor',
  citizen: '/me',
  admin: '/admin',
  auditor: '/audit',
  employer: '/employer',
};

export const label = (table: Record<string, string>, code: string | null | undefined) =>
  (code && table[code]) || code || '';
