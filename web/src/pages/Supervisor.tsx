// The supervisor's view: open, overdue, waiting and reopened cases by department and topic,
// created and closed per day, and the list behind each figure one click away.
import { useEffect, useRef, useState } from 'preact/hooks';
import { debounce, useLive } from '../lib/live';
import { api, qs } from '../api';
import { Counts, figureQuery } from '../lib/figures';
import type { Ctx } from '../main';
import { jalaliDate } from '../lib/jalali';
import { fa } from '../lib/text';
import { FormError } from '../ui/Field';

export interface Stats {
  totals: Counts & { closed: number; created: number };
  by_department: (Counts & { department: string; name: string })[];
  by_topic: (Counts & { topic: string; name: string; department: string })[];
  series: { day: string; created: number; closed: number }[];
  generated_at: string;
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
        days: props.series.map((d) => fa(jalaliDate(`${d.day}T12:00:00Z`).slice(5))),
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
          <Chart series={s.series} />
          {!dept && (
            <>
              <h3>به تفکیک واحد</h3>
              <Table head="واحد" rows={s.by_department.map((d) => ({ ...d, scope: { department: d.department } }))} />
            </>
          )}
          <h3>به تفکیک موضوع</h3>
          <Table head="موضوع" rows={s.by_topic.map((t) => ({ ...t, scope: { topic: t.topic } }))} />
        </>
      )}
    </div>
  );
}
