// The API's errors ({"error":{"code","message","field"}}) shown in Persian, next to the
// field they name.

export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
    public field: string = '',
    /** The whole error object, for what a refusal carries beside these (a list's `errors`). */
    public detail: Record<string, any> = {},
  ) {
    super(message);
  }
}

const CODES: Record<string, string> = {
  invalid_credentials: 'نام کاربری یا گذرواژه درست نیست.',
  too_many_attempts: 'تلاش‌های ناموفق زیاد بود؛ چند دقیقه دیگر دوباره امتحان کنید.',
  unauthenticated: 'نشست شما پایان یافته است؛ دوباره وارد شوید.',
  forbidden: 'شما اجازه این کار را ندارید.',
  csrf: 'نشست شما نامعتبر شد؛ صفحه را دوباره بارگذاری کنید.',
  not_found: 'پیدا نشد.',
  invalid_transition: 'این اقدام در وضعیت فعلی پرونده ممکن نیست.',
  stale_version: 'پرونده در این فاصله به دست همکار دیگری تغییر کرد؛ آخرین وضعیت بارگذاری شد. دوباره بررسی و اقدام کنید.',
  rate_limited: 'درخواست‌ها بیش از حد مجاز است؛ کمی صبر کنید.',
  body_too_large: 'متن ارسالی بیش از حد بلند است.',
  missing_field: 'این بخش را پر کنید.',
  field_too_long: 'متن این بخش بیش از حد بلند است.',
  invalid_national_id: 'کد ملی معتبر نیست.',
  invalid_mobile: 'شماره همراه معتبر نیست (مانند ۰۹۱۲۳۴۵۶۷۸۹).',
  invalid_code: 'رمز درست نیست، به کار رفته یا زمانش گذشته است. اگر باز هم نشد، رمز تازه بگیرید.',
  unknown_topic: 'موضوع انتخاب‌شده شناخته نیست.',
  unknown_channel: 'مجرای تماس شناخته نیست.',
  unknown_department: 'واحد شناخته نیست.',
  unknown_assignee: 'کاربر مورد نظر در این واحد پیدا نشد.',
  unknown_placeholder: 'جای‌نگهدار ناشناخته است؛ فقط {name}، {number}، {today} و {due} پذیرفته است.',
  invalid_field: 'مقدار این بخش درست نیست.',
  invalid_query: 'مقدار جستجو درست نیست.',
  invalid_login: 'نام کاربری درست نیست.',
  weak_password:
    'این گذرواژه پذیرفته نیست: دست‌کم ۸ نویسه، نه از گذرواژه‌های رایج، نه تکرار یا ردیفی مانند ۱۲۳۴۵۶۷۸، و نه همان نام کاربری، کد ملی یا نام. چند واژه در کنار هم گذرواژه خوبی است.',
  login_taken: 'این نام کاربری قبلاً ثبت شده است.',
  invalid_role: 'نقش انتخاب‌شده درست نیست.',
  unsupported_media_type: 'فقط پرونده \u2068PDF\u2069 یا تصویر \u2068JPEG\u2069 و \u2068PNG\u2069 پذیرفته می‌شود.',
  file_too_large: 'حجم پرونده بیش از ۱۰ مگابایت است.',
  invalid_multipart: 'پرونده کامل نرسید؛ دوباره بفرستید.',
  try_again: 'پرونده ذخیره نشد؛ دوباره بفرستید.',
  wrong_password: 'گذرواژه کنونی درست نیست.',
  password_change_required: 'نخست گذرواژه تازه‌ای برگزینید.',
  password_mismatch: 'دو گذرواژه تازه یکی نیستند.',
  self: 'این کار را روی حساب خودتان نمی‌توانید انجام دهید.',
  network: 'ارتباط با سرور برقرار نشد؛ دوباره تلاش کنید. آنچه نوشته‌اید حفظ شده است.',
  internal: 'خطای داخلی سرور؛ آنچه نوشته‌اید حفظ شده است.',
};

/** Persian text for an error; the server's English message is kept as a hint for staff. */
export function errorText(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.field === 'file' && e.code === 'body_too_large') return CODES.file_too_large;
    if (e.field === 'file' && e.code === 'invalid_field') return 'این پرونده پذیرفته نشد (خالی است یا نامش درست نیست).';
    const fa = CODES[e.code] || (e.status >= 500 ? CODES.internal : 'درخواست پذیرفته نشد.');
    return e.code === 'invalid_transition' && e.message ? `${fa} (${e.message})` : fa;
  }
  return CODES.network;
}

/** The error for one field, if the API named it. */
export function fieldError(e: unknown, field: string): string {
  return e instanceof ApiError && e.field === field ? errorText(e) : '';
}
