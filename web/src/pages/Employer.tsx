// The employer's window: the workshops the account acts for, what each declared month by
// month, what it owes and what it paid.
import { useEffect, useState } from 'preact/hooks';
import { api, Page } from '../api';
import { MONTHS } from '../lib/jalali';
import { fa } from '../lib/text';
import { FormError } from '../ui/Field';

export interface Workshop {
  code: string;
  name: string;
  employer_name: string;
  province_name: string | null;
  activity: string;
  hard_job: boolean;
  lists: {
    id: number;
    year: number;
    month: number;
    workers: number;
    insurable: number;
    worker_share: number;
    employer_share: number;
    unemployment: number;
  }[];
  account: { due: number; paid: number; debt: number };
}

/** Rials with thousands separators, in Persian digits. */
export const rials = (n: number) => fa(n.toLocaleString('en-US').replace(/,/g, '٬'));

export function Employer() {
  const [items, setItems] = useState<Workshop[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    api<Page<Workshop>>('GET', '/workshops').then((p) => setItems(p.items), setError);
  }, []);
  return (
    <div class="employer">
      <h2>کارگاه‌های من</h2>
      <FormError error={error} />
      {items && !items.length && <p class="muted">هیچ کارگاهی به حساب شما پیوند نخورده است.</p>}
      {items?.map((w) => (
        <section class="card" data-workshop={w.code}>
          <h3>
            {w.name} <small class="muted">کد کارگاه {fa(w.code)}</small>
          </h3>
          <dl class="facts">
            <dt>کارفرما</dt>
            <dd>{w.employer_name}</dd>
            <dt>استان</dt>
            <dd>{w.province_name || '—'}</dd>
            <dt>فعالیت</dt>
            <dd>{w.activity || '—'}{w.hard_job ? ' (مشاغل سخت و زیان‌آور)' : ''}</dd>
            <dt>بدهی</dt>
            <dd class={w.account.debt > 0 ? 'overdue' : ''}>{rials(w.account.debt)} ریال</dd>
          </dl>
          {w.lists.length ? (
            <table class="lists">
              <thead>
                <tr><th>ماه</th><th>بیمه‌شدگان</th><th>دستمزد مشمول</th><th>سهم بیمه‌شده</th><th>سهم کارفرما</th><th>بیکاری</th></tr>
              </thead>
              <tbody>
                {w.lists.map((l) => (
                  <tr>
                    <td>{MONTHS[l.month - 1]} {fa(l.year)}</td>
                    <td>{fa(l.workers)}</td>
                    <td>{rials(l.insurable)}</td>
                    <td>{rials(l.worker_share)}</td>
                    <td>{rials(l.employer_share)}</td>
                    <td>{rials(l.unemployment)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p class="muted">هنوز فهرستی ثبت نشده است.</p>
          )}
        </section>
      ))}
    </div>
  );
}
