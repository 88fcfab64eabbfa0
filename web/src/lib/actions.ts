// What a user may do to a case: the server says which events its state allows for this user
// (`allowed_events`, from the state machine in src/cases/machine.c) and still enforces them.
// This maps each to a button, the fields its form needs and a keyboard shortcut.

export type FieldKind = 'text' | 'method' | 'on' | 'rating' | 'assignee' | 'department' | 'into';

export interface Action {
  type: string;
  label: string;
  key: string; // Alt+key, matched by KeyboardEvent.code (the key's place, whatever the layout)
  fields: { name: string; kind: FieldKind; required: boolean; label: string }[];
}

const ALL: Action[] = [
  { type: 'start', label: 'شروع رسیدگی', key: 's', fields: [] },
  { type: 'reply', label: 'پاسخ به شهروند', key: 'p',
    fields: [{ name: 'text', kind: 'text', required: true, label: 'متن پیام (شهروند آن را می‌بیند)' }] },
  { type: 'note', label: 'یادداشت داخلی', key: 'n',
    fields: [{ name: 'text', kind: 'text', required: true, label: 'متن یادداشت (فقط کارکنان می‌بینند)' }] },
  { type: 'assign', label: 'ارجاع', key: 'g',
    fields: [
      // the department first: the people offered are the chosen department's
      { name: 'department', kind: 'department', required: false, label: 'به واحد' },
      { name: 'assignee', kind: 'assignee', required: false, label: 'به کارشناس' },
    ] },
  { type: 'wait', label: 'انتظار', key: 'w',
    fields: [
      { name: 'on', kind: 'on', required: true, label: 'در انتظار' },
      { name: 'text', kind: 'text', required: true, label: 'چه چیزی لازم است' },
    ] },
  { type: 'resume', label: 'ادامه رسیدگی', key: 'u', fields: [] },
  { type: 'answer', label: 'ثبت پاسخ', key: 'a',
    fields: [{ name: 'text', kind: 'text', required: true, label: 'پاسخ واحد' }] },
  { type: 'report_back', label: 'اعلام نتیجه به شهروند', key: 'r',
    fields: [
      { name: 'method', kind: 'method', required: true, label: 'روش اعلام' },
      { name: 'text', kind: 'text', required: false, label: 'توضیح' },
    ] },
  { type: 'contact_failed', label: 'تماس ناموفق', key: 'f',
    fields: [
      { name: 'method', kind: 'method', required: true, label: 'روش تماس' },
      { name: 'text', kind: 'text', required: false, label: 'توضیح' },
    ] },
  { type: 'solve_on_call', label: 'حل‌شده در همین تماس', key: 'l',
    fields: [{ name: 'text', kind: 'text', required: true, label: 'پاسخی که در تماس داده شد' }] },
  { type: 'close', label: 'بستن پرونده', key: 'c', fields: [] },
  { type: 'merge', label: 'ادغام در پرونده دیگر', key: 'm',
    fields: [
      { name: 'into', kind: 'into', required: true, label: 'پرونده باز دیگر همین شهروند' },
      { name: 'text', kind: 'text', required: false, label: 'توضیح' },
    ] },
  { type: 'reopen', label: 'بازگشایی', key: 'o',
    fields: [{ name: 'text', kind: 'text', required: true, label: 'چرا مشکل حل نشده است' }] },
  { type: 'rate', label: 'امتیاز به خدمت', key: 'e',
    fields: [{ name: 'rating', kind: 'rating', required: true, label: 'امتیاز (۱ تا ۵)' }] },
];

/** The actions for a case's allowed events, in a stable order (the order above). */
export function actionsFor(allowed: readonly string[]): Action[] {
  return ALL.filter((a) => allowed.includes(a.type));
}

/** Whether a keydown is the shortcut Alt+key of an action: by the key's place
 * (`code`), so that it works on the Persian layout too, where `key` is «ش» for S. */
export function isShortcut(e: { altKey: boolean; ctrlKey: boolean; code: string }, key: string): boolean {
  return e.altKey && !e.ctrlKey && e.code === `Key${key.toUpperCase()}`;
}

/** The citizen's words for the same events. */
export function citizenLabel(a: Action): string {
  return ({ close: 'مشکلم حل شد؛ بستن', reopen: 'مشکلم حل نشده است', reply: 'افزودن توضیح' } as
    Record<string, string>)[a.type] || a.label;
}

/** The JSON body for an event from the form's values; missing required → the field name. */
export function eventBody(a: Action, values: Record<string, string>):
  { body: Record<string, unknown> } | { missing: string } {
  const body: Record<string, unknown> = { type: a.type };
  for (const f of a.fields) {
    const v = (values[f.name] ?? '').trim();
    if (!v) {
      if (f.required) return { missing: f.name };
      continue;
    }
    body[f.name] = f.kind === 'rating' || f.kind === 'into' ? Number(v) : v;
  }
  // an assignment names a person, a department, or both
  if (a.type === 'assign' && !body.assignee && !body.department) return { missing: 'assignee' };
  return { body };
}
