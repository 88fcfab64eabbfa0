// The citizen's window: my cases, a new request, and who has read my record.
import { useEffect, useState } from 'preact/hooks';
import { api, Case, Page, qs } from '../api';
import type { Ctx } from '../main';
import { contactSentence, type Contact } from '../lib/access';
import { navigate } from '../router';
import { CaseList } from '../ui/CaseList';
import { FormError } from '../ui/Field';
import { NewCase } from '../ui/NewCase';
import { RecordPanel } from '../ui/Record';
import { ServiceList } from './Services';

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
      <ServiceList />
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

export function AccessLog() {
  const [items, setItems] = useState<Contact[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  async function load(cursor?: string) {
    try {
      // one row per staff member per contact, not one per request
      const p = await api<Page<Contact>>('GET', `/me/access-log${qs({ group: 'contact', cursor })}`);
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
      <p class="muted">هر بار که کارکنان سازمان اطلاعات شما را می‌بینند، اینجا ثبت می‌شود: هر تماس یک سطر.</p>
      <FormError error={error} />
      <ul class="access-log">
        {items.map((g) => (
          <li class={g.outcome === 'denied' ? 'denied' : ''} data-count={g.count}>
            {contactSentence(g)}
          </li>
        ))}
      </ul>
      {!items.length && !error && <p class="muted">هنوز کسی اطلاعات شما را ندیده است.</p>}
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
