// The auditor reads the audit log: who read whose record, when and why.
import { useState } from 'preact/hooks';
import { api, Page, qs } from '../api';
import { showTime } from '../lib/jalali';
import { AUDIT_ACTION, label, ROLE } from '../lib/labels';
import { fa, normalize } from '../lib/text';
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
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  async function load(cursor?: string) {
    setError(null);
    try {
      const q = Object.fromEntries(Object.entries(f).map(([k, v]) => [k, normalize(v)]));
      const p = await api<Page<Row>>('GET', `/audit${qs({ ...q, cursor })}`);
      setItems((o) => (cursor && o ? [...o, ...p.items] : p.items));
      setNext(p.next ?? null);
    } catch (e) {
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
        <button class="primary" type="submit">نمایش</button>
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
                <td>{a.user ?? '—'}</td>
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
      {next && <button class="more" onClick={() => load(next)}>بیشتر</button>}
    </div>
  );
}
