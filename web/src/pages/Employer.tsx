// The employer's window: the workshops the account acts for, what each declared month by
// month, what it owes and what it paid; and the month's list sent from here (the form is
// loaded with the page, not with the app: only employers need it).
import { useEffect, useState } from 'preact/hooks';
import { api, Page } from '../api';
import { MONTHS } from '../lib/jalali';
import { fa, num, rials, signedRials } from '../lib/text';
import { FormError } from '../ui/Field';
import type { ListUpload } from '../ui/ListUpload';
import { ServiceList } from './Services';

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

export function Employer() {
  const [items, setItems] = useState<Workshop[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [Upload, setUpload] = useState<typeof ListUpload | null>(null);
  const load = () => api<Page<Workshop>>('GET', '/workshops').then((p) => setItems(p.items), setError);
  useEffect(() => {
    load();
    import('../ui/ListUpload').then((m) => setUpload(() => m.ListUpload), setError);
  }, []);
  return (
    <div class="employer">
      <ServiceList />
      <h2>کارگاه‌های من</h2>
      <FormError error={error} />
      {items && !items.length && <p class="muted">هیچ کارگاهی به حساب شما پیوند نخورده است.</p>}
      {items?.map((w) => (
        <section class="card" data-workshop={w.code} key={w.code}>
          <h3>
            {fa(w.name)} <small class="muted">کد کارگاه {num(w.code)}</small>
          </h3>
          <dl class="facts">
            <dt>کارفرما</dt>
            <dd>{w.employer_name}</dd>
            <dt>استان</dt>
            <dd>{w.province_name || '—'}</dd>
            <dt>فعالیت</dt>
            <dd>{w.activity || '—'}{w.hard_job ? ' (مشاغل سخت و زیان‌آور)' : ''}</dd>
            <dt>بدهی</dt>
            <dd class={w.account.debt > 0 ? 'overdue' : ''}>{signedRials(w.account.debt)} ریال</dd>
          </dl>
          {w.account.debt > 0 ? (
            <p class="muted">مفاصاحساب پس از پرداخت همهٔ بدهی صادر می‌شود.</p>
          ) : (
            <p>
              <a class="download" href={`/api/v1/workshops/${w.code}/documents/clearance`} download>دریافت مفاصاحساب (PDF)</a>
            </p>
          )}
          {Upload && <Upload workshop={w.code} onStored={load} />}
          {w.lists.length ? (
            /* a region that scrolls on a phone: reachable by keyboard, named (axe-core) */
            <div class="table-scroll" tabIndex={0} role="region" aria-label={`فهرست‌های ماهانه ${w.name}`}>
              <table class="lists">
                <thead>
                  <tr><th>ماه</th><th>بیمه‌شدگان</th><th>دستمزد مشمول</th><th>سهم بیمه‌شده</th><th>سهم کارفرما</th><th>بیکاری</th></tr>
                </thead>
                <tbody>
                  {w.lists.map((l) => (
                    <tr data-list={l.id} key={l.id}>
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
            </div>
          ) : (
            <p class="muted">هنوز فهرستی ثبت نشده است.</p>
          )}
        </section>
      ))}
    </div>
  );
}
