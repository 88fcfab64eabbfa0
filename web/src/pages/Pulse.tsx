// The pulse, for supervisors: the largest rises and falls of contacts now (each with its
// size, since when, where and example cases), and any series (source, dimension, key, by
// hour or day) beside its expected value and band; every table as an Excel file.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, qs } from '../api';
import type { Ctx } from '../main';
import { navigate } from '../router';
import { showDay, showTime } from '../lib/jalali';
import { decimal, fa, num } from '../lib/text';
import { FormError } from '../ui/Field';

export interface Mover {
  source: 'call' | 'case' | 'service';
  dim: string;
  key: string;
  name: string;
  direction: 'rise' | 'fall';
  value: number;
  expected: number;
  ratio: number | null;
  score: number;
  since: string | null;
  where: { province?: string; branch?: string; name: string; value: number; expected: number }[];
  examples: string[];
}
interface Movers { window: string; from: string; to: string; movers: Mover[] }
interface Point { period: string; t: number; value: number; expected: number | null; low: number | null; high: number | null; score: number | null; anomaly: boolean }
interface Series { name: string; from: string; to: string; points: Point[]; anomalies: { start: string; end: string; direction: string; value: number; expected: number }[] }

const SOURCE: Record<string, string> = { call: 'تماس', case: 'پرونده', service: 'خدمت الکترونیکی' };
const DIM: Record<string, string> = { all: 'همه', topic: 'موضوع', province: 'استان', branch: 'شعبه', channel: 'مجرا', department: 'واحد' };

/** A Tehran day "YYYY-MM-DD" as the instant it begins, for the Jalali helpers. */
const dayIso = (d: string) => `${d}T00:00:00+03:30`;

interface Pick { source: string; dim: string; key: string; by: 'hour' | 'day'; days: number }

function Chart(props: { s: Series; by: string }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let chart: { dispose: () => void; resize: () => void } | null = null;
    let gone = false;
    import('../charts').then(({ bandChart }) => {
      if (gone || !el.current) return;
      const p = props.s.points;
      chart = bandChart(el.current, {
        labels: p.map((x) => (props.by === 'day' ? showDay(dayIso(x.period.slice(0, 10))) : showTime(new Date(x.t * 1000).toISOString()))),
        value: p.map((x) => x.value),
        expected: p.map((x) => x.expected),
        low: p.map((x) => x.low),
        high: p.map((x) => x.high),
        anomaly: p.map((x) => x.anomaly),
      });
    });
    const onResize = () => chart?.resize();
    window.addEventListener('resize', onResize);
    return () => {
      gone = true;
      window.removeEventListener('resize', onResize);
      chart?.dispose();
    };
  }, [props.s]);
  return <div class="chart" ref={el} aria-label={`نمودار ${props.s.name} با مقدار مورد انتظار و بازه عادی`} />;
}

/** Opens a case by its number (the movers give numbers). */
async function openCase(number: string) {
  const r = await api<{ items: { id: number }[] }>('GET', `/cases${qs({ number })}`);
  if (r.items[0]) navigate(`/cases/${r.items[0].id}`);
}

function MoversTable(props: { movers: Mover[]; onPick: (m: Mover) => void }) {
  if (!props.movers.length) return <p class="muted">در این بازه هیچ سری‌ای بیش از حد عادی جابه‌جا نشده است.</p>;
  return (
    <table class="figures movers">
      <thead>
        <tr><th>جهت</th><th>منبع</th><th>سری</th><th>شمار</th><th>مورد انتظار</th><th>نسبت</th><th>از</th><th>کجا</th><th>نمونه پرونده‌ها</th></tr>
      </thead>
      <tbody>
        {props.movers.map((m) => (
          <tr data-mover={`${m.source}:${m.dim}:${m.key}`} class={m.direction}>
            <td>{m.direction === 'rise' ? '▲ افزایش' : '▼ کاهش'}</td>
            <td>{SOURCE[m.source] ?? m.source}</td>
            <td><button class="link" onClick={() => props.onPick(m)}>{DIM[m.dim] ?? m.dim}: {m.name}</button></td>
            <td>{fa(Math.round(m.value))}</td>
            <td>{fa(Math.round(m.expected))}</td>
            <td>{m.ratio === null ? '—' : `${decimal(m.ratio)} برابر`}</td>
            <td>{m.since ? showDay(dayIso(m.since)) : '—'}</td>
            <td>{m.where.length ? m.where.map((w, i) => <span>{i ? '، ' : ''}{w.name} ({fa(Math.round(w.value))})</span>) : '—'}</td>
            <td class="examples">
              {m.examples.map((n) => (
                <a href={`/queue?number=${encodeURIComponent(n)}`} data-case={n}
                  onClick={(e) => { e.preventDefault(); e.stopPropagation(); openCase(n); }}>{num(n)}</a>
              ))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Pulse(props: { ctx: Ctx }) {
  const { catalog } = props.ctx;
  const [win, setWin] = useState<'day' | 'week'>('week');
  const [movers, setMovers] = useState<Movers | null>(null);
  const [pick, setPick] = useState<Pick>({ source: 'case', dim: 'all', key: '', by: 'day', days: 91 });
  const [series, setSeries] = useState<Series | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    api<Movers>('GET', `/pulse/movers${qs({ window: win })}`).then(setMovers, setError);
  }, [win]);
  const today = new Date(Date.now() + 12600000).toISOString().slice(0, 10);
  const from = new Date(Date.parse(today) - (pick.days - 1) * 86400000).toISOString().slice(0, 10);
  const seriesQuery = qs({ source: pick.source, dim: pick.dim, key: pick.dim === 'all' ? '' : pick.key, by: pick.by, from, to: today });
  useEffect(() => {
    if (pick.dim !== 'all' && !pick.key) return;
    setError(null);
    api<Series>('GET', `/pulse/series${seriesQuery}`).then(setSeries, setError);
  }, [seriesQuery]);

  const keys: { code: string; name: string }[] =
    pick.dim === 'topic' ? catalog.topics : pick.dim === 'province' ? catalog.provinces
      : pick.dim === 'channel' ? catalog.channels : pick.dim === 'department' ? catalog.departments : [];
  const set = (p: Partial<Pick>) => setPick((old) => {
    const n = { ...old, ...p };
    if (p.by === 'hour' && n.days > 28) n.days = 28;
    return n;
  });

  return (
    <div class="pulse">
      <div class="row between">
        <h2>نبض تماس‌ها</h2>
        <a href="/supervisor">نمای کلی پرونده‌ها</a>
      </div>
      <FormError error={error} />
      <div class="row between">
        <h3>بیشترین افزایش‌ها و کاهش‌ها</h3>
        <div class="row">
          <select name="window" value={win} onChange={(e) => setWin((e.target as HTMLSelectElement).value as 'day' | 'week')}>
            <option value="week">هفت روز گذشته</option>
            <option value="day">دیروز</option>
          </select>
          <a class="button" download href={`/api/v1/pulse/movers.xlsx${qs({ window: win })}`} data-export="movers">دریافت فایل اکسل</a>
        </div>
      </div>
      {movers && (
        <>
          <p class="muted">از {showDay(dayIso(movers.from))} تا {showDay(dayIso(movers.to))}، در برابر همان روزهای هفته در هفته‌های پیش (با روند و تعطیلات)</p>
          <MoversTable movers={movers.movers} onPick={(m) => set({ source: m.source, dim: m.dim, key: m.key })} />
        </>
      )}
      <div class="row between">
        <h3>سری زمانی{series ? `: ${SOURCE[pick.source]}، ${DIM[pick.dim]} ${pick.dim === 'all' ? '' : series.name}` : ''}</h3>
        <a class="button" download href={`/api/v1/pulse/series.xlsx${seriesQuery}`} data-export="series">دریافت فایل اکسل</a>
      </div>
      <div class="row pickers">
        <select name="source" value={pick.source} onChange={(e) => set({ source: (e.target as HTMLSelectElement).value })}>
          <option value="case">پرونده‌ها</option>
          <option value="call">تماس‌ها</option>
          <option value="service">خدمات الکترونیکی</option>
        </select>
        <select name="dim" value={pick.dim} onChange={(e) => set({ dim: (e.target as HTMLSelectElement).value, key: '' })}>
          {['all', 'topic', 'province', 'channel', 'department'].map((d) => <option value={d}>{DIM[d]}</option>)}
        </select>
        {pick.dim !== 'all' && (
          <select name="key" value={pick.key} onChange={(e) => set({ key: (e.target as HTMLSelectElement).value })}>
            <option value="">انتخاب کنید…</option>
            {keys.map((k) => <option value={k.code}>{k.name}</option>)}
          </select>
        )}
        <select name="by" value={pick.by} onChange={(e) => set({ by: (e.target as HTMLSelectElement).value as 'hour' | 'day' })}>
          <option value="day">روزانه</option>
          <option value="hour">ساعتی</option>
        </select>
        <select name="days" value={pick.days} onChange={(e) => set({ days: Number((e.target as HTMLSelectElement).value) })}>
          {(pick.by === 'hour' ? [2, 7, 28] : [28, 91, 365]).map((n) => <option value={n}>{fa(n)} روز گذشته</option>)}
        </select>
      </div>
      {series && <Chart s={series} by={pick.by} />}
      {series && series.anomalies.length > 0 && (
        <table class="figures anomalies">
          <thead><tr><th>ناهنجاری</th><th>از</th><th>تا</th><th>شمار</th><th>مورد انتظار</th></tr></thead>
          <tbody>
            {series.anomalies.map((a) => (
              <tr>
                <td>{a.direction === 'rise' ? '▲ افزایش' : '▼ کاهش'}</td>
                <td>{pick.by === 'day' ? showDay(dayIso(a.start.slice(0, 10))) : fa(a.start)}</td>
                <td>{pick.by === 'day' ? showDay(dayIso(a.end.slice(0, 10))) : fa(a.end)}</td>
                <td>{fa(Math.round(a.value))}</td>
                <td>{fa(Math.round(a.expected))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
