// The auditor reads the audit log: who read whose record, when and why.
import { useState } from 'preact/hooks';
import { api, Page, qs } from '../api';
import { showTime } from '../lib/jalali';
import { contactDid, contactWho, type Contact } from '../lib/access';
import { AUDIT_ACTION, label, ROLE } from '../lib/labels';
import { fa, ident, normalize } from '../lib/text';
import { Field, FormError } from '../ui/Field';

interface Row {
  id: number;
  at: string;
  user: string | null;
  role: string;
  action: string;
  national_id?: string | null;
  case_number?: string | null;
  reason: string;
  outcome: string;
  ip?: string;
}

export function Audit() {
  const [f, setF] = useState<Record<string, string>>({});
  const [items, setItems] = useState<Row[] | null>(null);
  const [groups, setGroups] = useState<Contact[] | null>(null);
  const [grouped, setGrouped] = useState(true);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const query = () => Object.fromEntries(Object.entries(f).map(([k, v]) => [k, normalize(v)]));
  async function load(cursor?: string) {
    setError(null);
    try {
      const group = grouped ? 'contact' : undefined;
      const p = await api<Page<Row & Contact>>('GET', `/audit${qs({ ...query(), group, cursor })}`);
      if (grouped) {
        setItems(null);
        setGroups((o) => (cursor && o ? [...o, ...p.items] : p.items));
      } else {
        setGroups(null);
        setItems((o) => (cursor && o ? [...o, ...p.items] : p.items));
      }
      setNext(p.next ?? null);
    } catch (e) {
      // a failed query shows no results: the old ones were for another query
      setItems(null);
      setGroups(null);
      setNext(null);
      setError(e);
    }
  }
  const set = (k: string) => (e: Event) => setF({ ...f, [k]: (e.target as HTMLInputElement).value });
  return (
    <div>
      <h2>گزارش دسترسی به پرونده‌ها</h2>
      <form class="filters" onSubmit={(e) => { e.preventDefault(); load(); }}>
        <Field label="کد ملی" name="national_id" error={error}>
          <input name="national_id" value={f.national_id ?? ''} onInput={set('national_id')} />
        </Field>
        <Field label="کاربر" name="user" error={error}>
          <input name="user" value={f.user ?? ''} onInput={set('user')} />
        </Field>
        <Field label="از" name="from" error={error}>
          <input name="from" value={f.from ?? ''} onInput={set('from')} placeholder="۱۴۰۵/۰۹/۰۱" />
        </Field>
        <Field label="تا" name="to" error={error}>
          <input name="to" value={f.to ?? ''} onInput={set('to')} />
        </Field>
        <label class="check">
          <input type="checkbox" name="grouped" checked={grouped}
            onChange={(e) => setGrouped((e.target as HTMLInputElement).checked)} /> هر تماس یک سطر
        </label>
        <button class="primary" type="submit">نمایش</button>
        <a class="button" download href={`/api/v1/audit.xlsx${qs({ ...query(), group: grouped ? 'contact' : undefined })}`}
          data-export="audit">دریافت فایل اکسل</a>
      </form>
      <FormError error={error} fields={['national_id', 'user', 'from', 'to']} />
      {items && (
        <table class="audit">
          <thead>
            <tr><th>زمان</th><th>کاربر</th><th>نقش</th><th>کار</th><th>شخص</th><th>پرونده / سبب</th><th>نتیجه</th></tr>
          </thead>
          <tbody>
            {items.map((a) => (
              <tr key={a.id}>
                <td>{showTime(a.at)}</td>
                <td>{a.user ? ident(a.user) : '—'}</td>
                <td>{label(ROLE, a.role)}</td>
                <td>{label(AUDIT_ACTION, a.action)}</td>
                <td>{fa(a.national_id ?? '')}</td>
                <td>{fa(a.case_number || a.reason)}</td>
                <td>{a.outcome === 'allowed' ? 'مجاز' : 'رد شد'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {groups && (
        <table class="audit grouped">
          <thead>
            <tr><th>از</th><th>تا</th><th>چه کسی</th><th>شخص</th><th>چه کرد</th><th>بار</th><th>نتیجه</th></tr>
          </thead>
          <tbody>
            {groups.map((g) => (
              <tr>
                <td>{showTime(g.first_at)}</td>
                <td>{showTime(g.last_at)}</td>
                <td>{contactWho(g)}{g.user && <> {ident(g.user)}</>}</td>
                <td>{fa(g.national_id ?? '')}</td>
                <td>{contactDid(g).replace(/شما/g, 'او')}</td>
                <td>{fa(g.count)}</td>
                <td>{g.outcome === 'allowed' ? 'مجاز' : 'رد شد'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next && <button class="more" onClick={() => load(next)}>بیشتر</button>}
    </div>
  );
}
