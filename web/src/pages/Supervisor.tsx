// The supervisor's view: open, overdue, waiting and reopened cases by department and topic,
// the outcomes (closed, solved, in time, at first contact, ratings, reopen rate) and per
// person, created and closed per day, the list behind each figure one click away, and
// every table as an Excel file.
import { useEffect, useRef, useState } from 'preact/hooks';
import { debounce, useLive } from '../lib/live';
import { api, qs } from '../api';
import { Counts, dayLabels, decimal, figureQuery, monthLabel, outcomeQuery, percent } from '../lib/figures';
import type { Ctx } from '../main';
import { ROLE, label } from '../lib/labels';
import { fa } from '../lib/text';
import { FormError } from '../ui/Field';
import { Staffing } from './Staffing';

export interface Outcomes {
  closed: number;
  solved: number;
  solved_in_time: number;
  solved_in_time_share: number | null;
  first_contact: number;
  first_contact_share: number | null;
  rated: number;
  rating_average: number | null;
  ratings: number[];
  ever_reopened: number;
  resolved: number;
  reopen_rate: number | null;
  unreached: number; // closed without reaching the citizen
  repeat_7d: number; // the same person back on the same topic within 7 days
  first_time_7d_share: number | null;
}

export interface Person {
  user: string;
  name: string;
  role: string;
  handled: number;
  solved: number;
  solved_in_time: number;
  answer_seconds_average: number | null;
}

export interface Stats {
  totals: Counts & Outcomes & { created: number };
  by_department: (Counts & Outcomes & { department: string; name: string })[];
  by_topic: (Counts & Outcomes & { topic: string; name: string; department: string })[];
  by_person: Person[];
  series: { day: string; jalali: string; created: number; closed: number }[];
  generated_at: string;
}

type Scope = { department?: string; topic?: string };

/** Minutes or hours, in words, from seconds. */
function duration(s: number | null): string {
  if (s === null) return '—';
  if (s < 3600) return `${fa(Math.max(1, Math.round(s / 60)))} دقیقه`;
  if (s < 86400 * 2) return `${decimal(s / 3600)} ساعت`;
  return `${decimal(s / 86400)} روز`;
}

const KINDS: [keyof Counts, string][] = [
  ['open', 'باز'],
  ['overdue', 'دیرکرد'],
  ['waiting', 'در انتظار'],
  ['reopened', 'بازگشایی‌شده'],
];

function Chart(props: { series: Stats['series'] }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let chart: { dispose: () => void; resize: () => void } | null = null;
    let gone = false;
    // ECharts is loaded only here, so that other pages stay small
    import('../charts').then(({ lineChart }) => {
      if (gone || !el.current) return;
      chart = lineChart(el.current, {
        days: dayLabels(props.series.map((d) => d.jalali)),
        lines: [
          { name: 'ثبت‌شده', values: props.series.map((d) => d.created) },
          { name: 'بسته‌شده', values: props.series.map((d) => d.closed) },
        ],
      });
    });
    const onResize = () => chart?.resize();
    window.addEventListener('resize', onResize);
    return () => {
      gone = true;
      window.removeEventListener('resize', onResize);
      chart?.dispose();
    };
  }, [props.series]);
  return <div class="chart" ref={el} aria-label="نمودار پرونده‌های ثبت‌شده و بسته‌شده در هر روز" />;
}

function Ratings(props: { ratings: number[] }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let chart: { dispose: () => void } | null = null;
    let gone = false;
    import('../charts').then(({ barChart }) => {
      if (gone || !el.current) return;
      chart = barChart(el.current, { labels: [1, 2, 3, 4, 5].map((n) => `${fa(n)} ستاره`), name: 'امتیازها', values: props.ratings });
    });
    return () => {
      gone = true;
      chart?.dispose();
    };
  }, [props.ratings.join(',')]);
  return <div class="chart small" ref={el} aria-label="توزیع امتیازهای شهروندان" />;
}

const OUTCOMES: [keyof Outcomes, string][] = [
  ['closed', 'بسته'],
  ['solved', 'حل‌شده'],
  ['solved_in_time', 'حل در مهلت'],
  ['first_contact', 'حل در تماس اول'],
  ['ever_reopened', 'بازگشایی‌شده'],
  ['unreached', 'بسته بی‌دسترسی به شهروند'],
  ['repeat_7d', 'بازگشت تا ۷ روز'],
];

/** The outcomes of each department or topic: counts that open their lists, and shares. */
function OutcomeTable(props: { rows: (Outcomes & { name: string; scope: Scope })[]; head: string }) {
  return (
    <table class="figures outcomes">
      <thead>
        <tr>
          <th>{props.head}</th>
          {OUTCOMES.map(([, t]) => <th>{t}</th>)}
          <th>سهم حل در مهلت</th>
          <th>سهم حل در تماس اول</th>
          <th>حل در نخستین مراجعه (۷ روز)</th>
          <th>میانگین امتیاز</th>
          <th>نرخ بازگشایی</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((r) => (
          <tr>
            <td>{r.name}</td>
            {OUTCOMES.map(([k]) => (
              <td>{r[k] ? <a href={outcomeQuery(k as 'closed', r.scope)}>{fa(r[k] as number)}</a> : '۰'}</td>
            ))}
            <td>{percent(r.solved_in_time_share)}</td>
            <td>{percent(r.first_contact_share)}</td>
            <td>{percent(r.first_time_7d_share)}</td>
            <td>{decimal(r.rating_average)}</td>
            <td>{percent(r.reopen_rate)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function PeopleTable(props: { people: Person[]; dept: string }) {
  const scope = (p: Person) => ({ handler: p.user, department: props.dept || undefined });
  return (
    <table class="figures people">
      <thead>
        <tr><th>کارشناس</th><th>نقش</th><th>پرونده‌ها</th><th>حل‌شده</th><th>حل در مهلت</th><th>میانگین زمان تا پاسخ</th></tr>
      </thead>
      <tbody>
        {props.people.map((p) => (
          <tr data-person={p.user}>
            <td>{p.name || <bdi>{p.user}</bdi>}</td>
            <td>{label(ROLE, p.role)}</td>
            <td><a href={`/queue?${new URLSearchParams({ ...(props.dept ? { department: props.dept } : {}), handler: p.user })}`}>{fa(p.handled)}</a></td>
            <td>{p.solved ? <a href={outcomeQuery('solved', scope(p))}>{fa(p.solved)}</a> : '۰'}</td>
            <td>{p.solved_in_time ? <a href={outcomeQuery('solved_in_time', scope(p))}>{fa(p.solved_in_time)}</a> : '۰'}</td>
            <td>{duration(p.answer_seconds_average)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Table(props: {
  rows: (Counts & { name: string; scope: { department?: string; topic?: string } })[];
  head: string;
}) {
  return (
    <table class="figures">
      <thead>
        <tr>
          <th>{props.head}</th>
          {KINDS.map(([, t]) => <th>{t}</th>)}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((r) => (
          <tr>
            <td>{r.name}</td>
            {KINDS.map(([k]) => (
              <td class={k === 'overdue' && r[k] ? 'overdue' : ''}>
                {r[k] ? <a href={figureQuery(k, r.scope)} data-figure={`${k}:${r.scope.department ?? ''}:${r.scope.topic ?? ''}`}>{fa(r[k])}</a> : '۰'}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}


export interface AccCounts {
  received: number;
  answered_in_time: number;
  answered_late: number;
  open: number;
  overdue: number;
  reopened: number;
  first_contact: number;
  in_time_share: number | null;
}
export interface Accountability {
  months: { month: string; start: string; end: string; totals: AccCounts }[];
  rows: (AccCounts & { month: string; department: string; name: string })[];
}

const ACC: [keyof AccCounts, string][] = [
  ['received', 'دریافتی'],
  ['answered_in_time', 'پاسخ در مهلت'],
  ['answered_late', 'پاسخ پس از مهلت'],
  ['open', 'هنوز بی‌پاسخ'],
  ['overdue', 'دیرکرد در پایان ماه'],
  ['reopened', 'بازگشایی‌شده'],
  ['first_contact', 'حل در تماس اول'],
];

/** Department accountability (GET /stats/departments): per department, one Jalali month
 * at a time, the last twelve to choose from, and the whole range as an Excel file. A
 * report by month: read when the department changes, not with every case that moves. */
function AccountabilityTable(props: { dept: string }) {
  const [a, setA] = useState<Accountability | null>(null);
  const [month, setMonth] = useState('');
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    api<Accountability>('GET', `/stats/departments${qs({ department: props.dept })}`).then((x) => {
      setA(x);
      setMonth((m) => (x.months.some((y) => y.month === m) ? m : x.months[x.months.length - 1]?.month ?? ''));
    }, setError);
  }, [props.dept]);
  const m = a?.months.find((x) => x.month === month);
  const rows = a?.rows.filter((r) => r.month === month) ?? [];
  return (
    <section class="accountability">
      <div class="row between">
        <h3>پاسخگویی واحدها</h3>
        <div class="row">
          <select name="acc-month" value={month} onChange={(e) => setMonth((e.target as HTMLSelectElement).value)}>
            {(a?.months ?? []).map((x) => <option value={x.month}>{monthLabel(x.month)}</option>)}
          </select>
          <a class="button" download href={`/api/v1/stats/departments.xlsx${qs({ department: props.dept })}`} data-export="departments">
            دریافت فایل اکسل
          </a>
        </div>
      </div>
      <FormError error={error} />
      {m && (
        <table class="accountability">
          <thead>
            <tr>
              <th>واحد</th>
              {ACC.map(([, t]) => <th>{t}</th>)}
              <th>سهم پاسخ در مهلت</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr data-department={r.department}>
                <td>{r.name}</td>
                {ACC.map(([k]) => <td class={k === 'overdue' && r[k] ? 'overdue' : ''} data-k={k}>{fa(r[k] as number)}</td>)}
                <td>{percent(r.in_time_share)}</td>
              </tr>
            ))}
          </tbody>
          {rows.length > 1 && (
            <tfoot>
              <tr>
                <th>همه واحدها</th>
                {ACC.map(([k]) => <td data-k={k}>{fa(m.totals[k] as number)}</td>)}
                <td>{percent(m.totals.in_time_share)}</td>
              </tr>
            </tfoot>
          )}
        </table>
      )}
    </section>
  );
}

export function Supervisor(props: { ctx: Ctx }) {
  const { ctx } = props;
  const [dept, setDept] = useState(ctx.me.department ?? '');
  const [days, setDays] = useState(30);
  const [s, setS] = useState<Stats | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    setError(null);
    api<Stats>('GET', `/stats/cases${qs({ department: dept, days })}`).then(setS, setError);
  }, [dept, days, tick]);
  // the figures follow the cases as they change (at most every few seconds: they cost more
  // than a list)
  const [refresh] = useState(() => debounce(() => setTick((t) => t + 1), 3000));
  useLive(refresh);

  return (
    <div class="supervisor">
      <div class="row between">
        <h2>نمای کلی پرونده‌ها</h2>
        <div class="row">
          {!ctx.me.department && (
            <select name="department" value={dept} onChange={(e) => setDept((e.target as HTMLSelectElement).value)}>
              <option value="">همه واحدها</option>
              {ctx.catalog.departments.map((d) => <option value={d.code}>{d.name}</option>)}
            </select>
          )}
          <select name="days" value={days} onChange={(e) => setDays(Number((e.target as HTMLSelectElement).value))}>
            {[7, 30, 90, 365].map((n) => <option value={n}>{fa(n)} روز گذشته</option>)}
          </select>
          <a href="/pulse" data-link="pulse">نبض تماس‌ها</a>
          <a class="button" download href={`/api/v1/stats/cases.xlsx${qs({ department: dept, days })}`} data-export="figures">
            دریافت فایل اکسل
          </a>
          <a class="button" href="/wall" data-link="wall">دیوار تماس‌ها</a>
        </div>
      </div>
      <FormError error={error} />
      {s && (
        <>
          <div class="tiles">
            {KINDS.map(([k, t]) => (
              <a class={`tile t-${k}`} href={figureQuery(k, { department: dept || undefined })} data-tile={k}>
                <span class="n">{fa(s.totals[k])}</span>
                <span>{t}</span>
              </a>
            ))}
          </div>
          <div class="tiles outcomes">
            <a class="tile" href={outcomeQuery('closed', { department: dept || undefined })} data-tile="closed">
              <span class="n">{fa(s.totals.closed)}</span><span>بسته</span>
            </a>
            <a class="tile" href={outcomeQuery('solved', { department: dept || undefined })} data-tile="solved">
              <span class="n">{fa(s.totals.solved)}</span><span>حل‌شده</span>
            </a>
            <div class="tile" data-tile="in_time"><span class="n">{percent(s.totals.solved_in_time_share)}</span><span>حل در مهلت</span></div>
            <div class="tile" data-tile="first_contact"><span class="n">{percent(s.totals.first_contact_share)}</span><span>حل در تماس اول</span></div>
            <a class="tile" href={outcomeQuery('repeat_7d', { department: dept || undefined })} data-tile="first_time_7d">
              <span class="n">{percent(s.totals.first_time_7d_share)}</span><span>حل در نخستین مراجعه (بی‌بازگشت تا ۷ روز)</span>
            </a>
            <div class="tile" data-tile="rating"><span class="n">{decimal(s.totals.rating_average)}</span><span>میانگین امتیاز ({fa(s.totals.rated)})</span></div>
            <div class="tile" data-tile="reopen_rate"><span class="n">{percent(s.totals.reopen_rate)}</span><span>نرخ بازگشایی</span></div>
          </div>
          <Chart series={s.series} />
          {s.totals.rated > 0 && <Ratings ratings={s.totals.ratings} />}
          {!dept && (
            <>
              <h3>به تفکیک واحد</h3>
              <Table head="واحد" rows={s.by_department.map((d) => ({ ...d, scope: { department: d.department } }))} />
            </>
          )}
          <h3>به تفکیک موضوع</h3>
          <Table head="موضوع" rows={s.by_topic.map((t) => ({ ...t, scope: { topic: t.topic } }))} />
          <h3>نتیجه‌ها</h3>
          <OutcomeTable head={dept ? 'موضوع' : 'واحد'}
            rows={dept ? s.by_topic.map((t) => ({ ...t, scope: { department: dept, topic: t.topic } }))
              : s.by_department.map((d) => ({ ...d, scope: { department: d.department } }))} />
          <AccountabilityTable dept={dept} />
          <h3>به تفکیک کارشناس</h3>
          <PeopleTable people={s.by_person} dept={dept} />
        </>
      )}
      <Staffing />
    </div>
  );
}
