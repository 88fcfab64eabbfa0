// The e-services (GET /api/v1/me/services): the list a citizen's and an employer's home page
// shows, and a service's own page: an instant one answered at once from the records in
// readable Persian, a request one as a form made from the catalogue's fields, checked as
// the person types (lib/forms.ts), whose case is then followed like any other.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, Page } from '../api';
import type { Ctx } from '../main';
import { ApiError, errorText } from '../lib/errors';
import { checkField, checkForm, type Service, type ServiceField } from '../lib/forms';
import { MONTHS } from '../lib/jalali';
import { fa, num, rials, signedRials } from '../lib/text';
import { FormError } from '../ui/Field';
import type { Workshop } from './Employer';

const AUDIENCE: Record<string, string> = {
  insured: 'خدمات بیمه‌شدگان',
  pensioner: 'خدمات مستمری‌بگیران',
  employer: 'خدمات کارفرمایان',
};

let cache: Promise<Service[]> | null = null;
/** The caller's services, asked once per page load. */
export function myServices(): Promise<Service[]> {
  cache ??= api<Page<Service>>('GET', '/me/services').then((p) => p.items, (e) => {
    cache = null;
    throw e;
  });
  return cache;
}

/** The services grouped by audience, each a link to its page (one click from home). */
export function ServiceList(props: { workshop?: string }) {
  const [items, setItems] = useState<Service[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    myServices().then(setItems, setError);
  }, []);
  if (error) return <FormError error={error} />;
  if (!items) return <p class="muted">در حال بارگذاری خدمات…</p>;
  const groups = ['insured', 'pensioner', 'employer'].filter((a) => items.some((s) => s.audience === a));
  const q = props.workshop ? `?workshop=${props.workshop}` : '';
  return (
    <div class="services">
      {groups.map((a) => (
        <section class="service-group" aria-labelledby={`services-${a}`} key={a}>
          <h2 id={`services-${a}`}>{AUDIENCE[a]}</h2>
          <ul class="service-list">
            {items.filter((s) => s.audience === a).map((s) => (
              <li key={s.code} data-service={s.code}>
                <a href={`/services/${s.code}${q}`}>
                  <strong>{s.title}</strong>
                  <span class="muted">{s.description}</span>
                  <span class="kind">{s.kind === 'instant' ? 'پاسخ فوری' : 'ثبت درخواست'}</span>
                </a>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}

/** GET /services/:code: the service's page. */
export function ServicePage(props: { ctx: Ctx; code: string; query: URLSearchParams }) {
  const [s, setS] = useState<Service | null | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    myServices().then((all) => setS(all.find((x) => x.code === props.code) ?? null), setError);
  }, [props.code]);
  const home = props.ctx.me.role === 'employer' ? '/employer' : '/me';
  if (error) return <FormError error={error} />;
  if (s === undefined) return <p class="muted">در حال بارگذاری…</p>;
  if (s === null)
    return <p>این خدمت برای شما نیست. <a href={home}>بازگشت به خدمات</a></p>;
  return (
    <div class="narrow service-page">
      <p><a href={home}>خدمات من</a></p>
      <h1>{s.title}</h1>
      <p class="muted">{s.description}</p>
      {s.kind === 'instant'
        ? <Instant ctx={props.ctx} s={s} workshop={props.query.get('workshop')} />
        : <RequestForm s={s} workshop={props.query.get('workshop')} />}
    </div>
  );
}

// ---- instant services ----

/** The API path of an instant service for this person or workshop. */
function pathOf(s: Service, nationalId: string | undefined, workshop: string | null): string | null {
  let p = s.path!.replace('/api/v1', '');
  if (p.includes('{national_id}')) {
    if (!nationalId) return null;
    p = p.replace('{national_id}', nationalId);
  }
  if (p.includes('{workshop}')) {
    if (!workshop) return null;
    p = p.replace('{workshop}', workshop);
  }
  return p;
}

const isDocument = (s: Service) => /\/documents\//.test(s.path ?? '');

function Instant(props: { ctx: Ctx; s: Service; workshop: string | null }) {
  const { s } = props;
  const needsWorkshop = s.path?.includes('{workshop}');
  const [workshop, setWorkshop] = useState<string | null>(props.workshop);
  const [workshops, setWorkshops] = useState<Workshop[] | null>(null);
  const [data, setData] = useState<any>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (needsWorkshop)
      api<Page<Workshop>>('GET', '/workshops').then((p) => {
        setWorkshops(p.items);
        if (!workshop && p.items.length) setWorkshop(p.items[0].code);
      }, setError);
  }, []);
  const path = pathOf(s, props.ctx.me.national_id ?? undefined, workshop);
  useEffect(() => {
    if (!path || isDocument(s)) return;
    setData(null);
    setError(null);
    api('GET', path).then(setData, setError);
  }, [path]);
  return (
    <section class="card instant" aria-live="polite">
      {needsWorkshop && workshops && workshops.length > 1 && (
        <label class="field">
          <span class="label">کارگاه</span>
          <select value={workshop ?? ''} onChange={(e) => setWorkshop((e.target as HTMLSelectElement).value)}>
            {workshops.map((w) => <option value={w.code}>{w.name} ({fa(w.code)})</option>)}
          </select>
        </label>
      )}
      <FormError error={error} />
      {path && isDocument(s) && (
        <p><a class="button primary" href={`/api/v1${path}`} download>دریافت سند</a></p>
      )}
      {data && <Answer code={s.code} data={data} workshop={workshop} />}
      {!data && !error && path && !isDocument(s) && <p class="muted">در حال خواندن از سوابق…</p>}
    </section>
  );
}

const yes = (b: boolean) => (b ? 'بله' : 'خیر');
const month = (ym: string | null | undefined) => {
  if (!ym) return '—';
  const [y, m] = ym.split('/');
  return `${MONTHS[Number(m) - 1]} ${fa(y)}`;
};

/** An instant answer in readable Persian, by service. */
function Answer(props: { code: string; data: any; workshop: string | null }) {
  const d = props.data;
  switch (props.code) {
    case 'treatment': {
      const t = d.treatment;
      return (
        <div data-answer="treatment">
          <p class={t.eligible ? 'ok' : 'overdue'}>
            {t.eligible ? 'شما امروز استحقاق درمان دارید' : 'شما امروز استحقاق درمان ندارید'}
            {t.basis === 'pensioner' ? ' (مستمری‌بگیر هستید).' : '.'}
          </p>
          <dl class="facts">
            <dt>روزهای سابقه در ۱۲ ماه گذشته</dt><dd>{num(t.days)} روز (از {month(t.from)} تا {month(t.to)})</dd>
            <dt>روزهای لازم</dt><dd>{num(t.days_needed)} روز</dd>
          </dl>
        </div>
      );
    }
    case 'average_wage': {
      const a = d.average_wage;
      return (
        <dl class="facts" data-answer="average_wage">
          <dt>میانگین دستمزد ماهانه</dt><dd><strong>{rials(a.average)} ریال</strong></dd>
          <dt>ماه‌های شمرده</dt><dd>{num(a.months)} ماه، از {month(a.from)} تا {month(a.to)}</dd>
          <dt>جمع دستمزد این ماه‌ها</dt><dd>{rials(a.wages)} ریال</dd>
          <dt>مبنا</dt><dd>{a.reference}</dd>
        </dl>
      );
    }
    case 'history': {
      const h = d.history;
      return (
        <dl class="facts" data-answer="history">
          <dt>سابقه</dt><dd>{fa(`${h.record.years} سال، ${h.record.months} ماه و ${h.record.days} روز`)}</dd>
          <dt>سابقه با احتساب مشاغل سخت</dt><dd>{fa(`${h.credited.years} سال، ${h.credited.months} ماه و ${h.credited.days} روز`)}</dd>
          <dt>ماه‌های بی‌سابقه</dt><dd>{h.gaps.length ? h.gaps.map((g: any) => `${month(g.from)} تا ${month(g.to)}`).join('، ') : 'ندارد'}</dd>
        </dl>
      );
    }
    case 'eligibility':
      return (
        <p data-answer="eligibility" class={d.eligibility.eligible ? 'ok' : ''}>
          {d.eligibility.eligible ? 'شرایط بازنشستگی را دارید.' : 'هنوز شرایط بازنشستگی را ندارید.'}
          {d.eligibility.earliest && ` نخستین تاریخ: ${fa(d.eligibility.earliest)}`}
        </p>
      );
    case 'pension_estimate':
      return (
        <dl class="facts" data-answer="pension_estimate">
          <dt>مستمری برآوردی</dt><dd><strong>{rials(d.pension.amount)} ریال</strong></dd>
          <dt>میانگین دستمزد</dt><dd>{rials(d.pension.average)} ریال</dd>
          <dt>واجد شرایط امروز</dt><dd>{yes(d.eligible)}</dd>
        </dl>
      );
    case 'pension':
    case 'pension_decree': {
      const p = d.pension;
      if (!p) return <p data-answer="pension">مستمری‌ای برای شما ثبت نشده است.</p>;
      return (
        <div data-answer="pension">
          <dl class="facts">
            <dt>مستمری ماهانه</dt><dd><strong>{rials(p.amount)} ریال</strong></dd>
            <dt>برقراری از</dt><dd>{month(p.start)}</dd>
          </dl>
          {p.payments?.length > 0 && (
            <table class="lists">
              <caption>آخرین پرداخت‌ها</caption>
              <thead><tr><th scope="col">ماه</th><th scope="col">مبلغ (ریال)</th></tr></thead>
              <tbody>{p.payments.slice(0, 6).map((x: any) => <tr><td>{month(x.month)}</td><td>{rials(x.amount)}</td></tr>)}</tbody>
            </table>
          )}
          {p.changes?.length > 0 && (
            <ul>{p.changes.map((c: any) => <li>{fa(c.year)}: از {rials(c.before)} به {rials(c.after)} ریال</li>)}</ul>
          )}
        </div>
      );
    }
    case 'workshops':
      return (
        <ul data-answer="workshops">
          {d.items.map((w: Workshop) => (
            <li><a href={`/services/workshop_debt?workshop=${w.code}`}>{w.name}</a> <small class="muted">کد {num(w.code)}</small></li>
          ))}
        </ul>
      );
    case 'workshop_debt':
    case 'list_status':
      return (
        <div data-answer={props.code}>
          <h2 class="h3">{d.name} <small class="muted">کد کارگاه {num(d.code)}</small></h2>
          {props.code === 'workshop_debt' ? (
            <dl class="facts">
              <dt>بدهی امروز</dt><dd class={d.account.debt > 0 ? 'overdue' : ''}><strong data-debt={d.account.debt}>{signedRials(d.account.debt)} ریال</strong></dd>
              <dt>حق بیمه ماه‌ها</dt><dd>{rials(d.account.due)} ریال</dd>
              <dt>پرداخت‌شده</dt><dd>{rials(d.account.paid)} ریال</dd>
            </dl>
          ) : (
            <ul>{d.lists.map((l: any) => <li>{MONTHS[l.month - 1]} {fa(l.year)}: {num(l.workers)} بیمه‌شده، ثبت شده</li>)}</ul>
          )}
          {props.code === 'workshop_debt' && (
            <p><a class="button" href={`/services/debt_clearance?workshop=${d.code}`}>درخواست مفاصاحساب</a>{' '}
              <a class="button" href={`/services/debt_objection?workshop=${d.code}`}>اعتراض به بدهی</a></p>
          )}
        </div>
      );
  }
  return <pre class="muted">{JSON.stringify(d, null, 1)}</pre>;
}

// ---- request services ----

const INPUT_MODE: Partial<Record<ServiceField['type'], string>> = {
  number: 'numeric', amount: 'numeric', national_id: 'numeric', workshop: 'numeric', mobile: 'tel', month: 'numeric', date: 'numeric',
};
const HINT: Partial<Record<ServiceField['type'], string>> = {
  month: 'مانند ۱۴۰۳/۰۷', date: 'مانند ۱۴۰۳/۰۷/۱۵', sheba: 'IR و ۲۴ رقم', mobile: 'مانند ۰۹۱۲۱۲۳۴۵۶۷',
  amount: 'به ریال', national_id: '۱۰ رقم', workshop: '۱۰ رقم',
};

interface Opened {
  service: string;
  case: { id: number; number: string; department_name: string };
  attachments: { name: string; label: string; required: boolean }[];
}

function RequestForm(props: { s: Service; workshop: string | null }) {
  const fields = props.s.fields ?? [];
  const [typed, setTyped] = useState<Record<string, string>>(() =>
    props.workshop && fields.some((f) => f.name === 'workshop') ? { workshop: props.workshop } : ({} as Record<string, string>));
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [server, setServer] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<Opened | null>(null);
  const form = useRef<HTMLFormElement>(null);
  const id = (f: ServiceField) => `f-${f.name}`;

  /** The field's message: the server's (Persian) for the field it named, else the check's as typed. */
  function message(f: ServiceField): string {
    if (server instanceof ApiError && server.field === f.name)
      return /[\u0600-\u06ff]/.test(server.message) ? server.message : errorText(server);
    if (!touched[f.name]) return '';
    const v = typed[f.name] ?? '';
    const r = checkField(f, v);
    if (r.error) return r.error;
    return f.required && !r.value ? `«${f.label}» را وارد کنید` : '';
  }

  async function submit(e: Event) {
    e.preventDefault();
    const { body, errors } = checkForm(fields, typed);
    setTouched(Object.fromEntries(fields.map((f) => [f.name, true])));
    const first = fields.find((f) => errors[f.name]);
    if (first) {
      form.current?.querySelector<HTMLElement>(`#${id(first)}`)?.focus();
      return;
    }
    setBusy(true);
    setServer(null);
    try {
      setDone(await api<Opened>('POST', `/services/${props.s.code}/requests`, body));
    } catch (err) {
      // what was typed stays; the field the server named shows its message
      setServer(err);
      if (err instanceof ApiError && err.field)
        form.current?.querySelector<HTMLElement>(`#f-${err.field}`)?.focus();
    } finally {
      setBusy(false);
    }
  }

  if (done)
    return (
      <section class="card" role="status" data-opened={done.case.id}>
        <h2 class="h3">درخواست شما ثبت شد</h2>
        <p>شماره پیگیری: {num(done.case.number)}؛ به {done.case.department_name} رفت و نتیجه به شما اعلام می‌شود.</p>
        {done.attachments.length > 0 && (
          <p>
            این مدارک را به پرونده پیوست کنید: {done.attachments.map((a) => a.label + (a.required ? '' : ' (اختیاری)')).join('، ')}.
          </p>
        )}
        <p><a class="button primary" href={`/cases/${done.case.id}`}>دیدن پرونده و پیوست مدارک</a></p>
      </section>
    );

  const named = server instanceof ApiError && fields.some((f) => f.name === server.field);
  return (
    <form class="card service-form" ref={form} onSubmit={submit} noValidate data-service={props.s.code}>
      <p class="muted">درخواست به {props.s.department_name} می‌رود. خانه‌های ستاره‌دار لازم است.</p>
      {fields.map((f) => {
        if (f.type === 'attachment')
          return (
            <p class="hint" key={f.name} data-attachment-field={f.name}>
              {f.label}{f.required ? '' : ' (اختیاری)'}: پس از ثبت درخواست، در صفحه پرونده پیوست می‌کنید.
            </p>
          );
        const msg = message(f);
        const set = (v: string) => {
          setTyped((o) => ({ ...o, [f.name]: v }));
          if (server instanceof ApiError && server.field === f.name) setServer(null);
        };
        const common = {
          id: id(f),
          name: f.name,
          'aria-invalid': !!msg,
          'aria-describedby': `${id(f)}-note`,
          'aria-required': f.required,
          onBlur: () => setTouched((o) => ({ ...o, [f.name]: true })),
        };
        return (
          <div class={`field${msg ? ' has-error' : ''}`} key={f.name} data-field={f.name}>
            <label class="label" for={id(f)}>{f.label}{f.required ? ' *' : ''}</label>
            {f.type === 'choice' ? (
              <select {...common} value={typed[f.name] ?? ''}
                onChange={(e) => { set((e.target as HTMLSelectElement).value); setTouched((o) => ({ ...o, [f.name]: true })); }}>
                <option value="">انتخاب کنید</option>
                {f.options!.map((o) => <option value={o.value}>{o.label}</option>)}
              </select>
            ) : f.type === 'text' && (f.max_length ?? 0) > 200 ? (
              <textarea {...common} rows={3} value={typed[f.name] ?? ''}
                onInput={(e) => set((e.target as HTMLTextAreaElement).value)} />
            ) : (
              <input {...common} type="text" inputMode={INPUT_MODE[f.type] as any}
                dir={['sheba', 'mobile', 'national_id', 'workshop', 'number', 'amount', 'month', 'date'].includes(f.type) ? 'ltr' : undefined}
                value={typed[f.name] ?? ''} onInput={(e) => set((e.target as HTMLInputElement).value)} />
            )}
            <span id={`${id(f)}-note`} class={msg ? 'error' : 'hint'} role={msg ? 'alert' : undefined}>
              {msg || HINT[f.type] || ''}
            </span>
          </div>
        );
      })}
      {!named && <FormError error={server} />}
      <button type="submit" class="primary" disabled={busy}>{busy ? 'در حال ثبت…' : 'ثبت درخواست'}</button>
    </form>
  );
}
