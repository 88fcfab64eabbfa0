// The citizen's window: my cases, a new request, and who has read my record.
import { useEffect, useState } from 'preact/hooks';
import { api, Case, Page } from '../api';
import type { Ctx } from '../main';
import { showTime } from '../lib/jalali';
import { AUDIT_ACTION, label, ROLE } from '../lib/labels';
import { fa, ident, num } from '../lib/text';
import { navigate } from '../router';
import { CaseList } from '../ui/CaseList';
import { FormError } from '../ui/Field';
import { NewCase } from '../ui/NewCase';
import { RecordPanel } from '../ui/Record';

export function Citizen(_props: { ctx: Ctx }) {
  return (
    <div class="citizen">
      <div class="row between">
        <h2>درخواست‌های من</h2>
        <a class="button primary" href="/me/new">
          درخواست تازه
        </a>
      </div>
      <CaseList filters={{}} showPerson={false} empty="هنوز درخواستی ثبت نکرده‌اید." />
      <p>
        <a href="/me/access-log">چه کسانی پرونده مرا دیده‌اند؟</a>
      </p>
    </div>
  );
}

export function CitizenNew(props: { ctx: Ctx }) {
  return (
    <section class="card narrow">
      <h2>طرح مشکل یا درخواست</h2>
      <p class="muted">درخواست شما به واحد مسئول می‌رود و نتیجه به شما اعلام می‌شود.</p>
      <NewCase catalog={props.ctx.catalog} onCreated={(c: Case) => navigate(`/cases/${c.id}`)} autofocus />
    </section>
  );
}

interface Access {
  id: number;
  at: string;
  role: string;
  action: string;
  reason: string;
  outcome: string;
  user: string | null;
  user_name: string | null;
  department: string | null;
  case_number: string | null;
}

export function AccessLog() {
  const [items, setItems] = useState<Access[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  async function load(cursor?: string) {
    try {
      const p = await api<Page<Access>>('GET', `/me/access-log${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`);
      setItems((o) => (cursor ? [...o, ...p.items] : p.items));
      setNext(p.next ?? null);
    } catch (e) {
      setError(e);
    }
  }
  useEffect(() => {
    load();
  }, []);
  return (
    <div class="narrow">
      <h2>چه کسی پرونده مرا دیده است</h2>
      <p class="muted">هر بار که کارکنان سازمان اطلاعات شما را می‌بینند، اینجا ثبت می‌شود.</p>
      <FormError error={error} />
      <table class="access-log">
        <thead>
          <tr>
            <th>زمان</th>
            <th>کارمند</th>
            <th>سمت</th>
            <th>کار</th>
            <th>به سبب</th>
          </tr>
        </thead>
        <tbody>
          {items.map((a) => (
            <tr key={a.id}>
              <td>{showTime(a.at)}</td>
              <td>{a.user_name || (a.user ? ident(a.user) : '—')}</td>
              <td>{label(ROLE, a.role)}</td>
              <td>{label(AUDIT_ACTION, a.action)}{a.outcome !== 'allowed' ? ' (رد شد)' : ''}</td>
              <td>{a.case_number ? <>پرونده {num(a.case_number)}</> : a.reason === 'caller lookup' ? 'تماس شما با ۱۴۲۰' : fa(a.reason)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {next && <button class="more" onClick={() => load(next)}>بیشتر</button>}
    </div>
  );
}

export function MyRecord(props: { ctx: Ctx }) {
  return (
    <div class="narrow">
      <h2>سابقه بیمه من</h2>
      {props.ctx.me.national_id && <RecordPanel nationalId={props.ctx.me.national_id} open />}
    </div>
  );
}
