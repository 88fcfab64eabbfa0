// Next week's staffing on the supervisor's page: the calls forecast per half hour from the
// last weeks (GET /api/v1/calls/staffing/forecast) and the agents Erlang C needs for the
// target, a chart and a table per day, and the whole week as an Excel file.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, qs } from '../api';
import { decimal, percent } from '../lib/figures';
import { showDay } from '../lib/jalali';
import { fa, ltr } from '../lib/text';
import { FormError } from '../ui/Field';

interface Interval {
  start: string; // "YYYY-MM-DD HH:MM", Tehran
  calls: number;
  agents: number | null;
  service_level: number;
}
interface Day {
  day: string;
  holiday: boolean;
  calls: number;
  peak_agents: number;
  intervals: Interval[];
}
export interface Forecast {
  from: string;
  to: string;
  interval_s: number;
  weeks: number;
  weeks_used: number;
  history_from: string;
  history_to: string;
  trend: number;
  aht_s: number;
  aht_source: 'history' | 'given' | 'default';
  target_sl: number;
  target_s: number;
  holidays_left_out: number;
  calls: number;
  peak_agents: number;
  days: Day[];
}

const WEEKDAYS = ['شنبه', 'یکشنبه', 'دوشنبه', 'سه‌شنبه', 'چهارشنبه', 'پنجشنبه', 'جمعه'];
const day = (d: string) => showDay(`${d}T00:00:00+03:30`);
const hm = (start: string) => ltr(fa(start.slice(11)), 'ltr-num');

function AgentsChart(props: { day: Day }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let chart: { dispose: () => void } | null = null;
    let gone = false;
    import('../charts').then(({ barChart }) => {
      if (gone || !el.current) return;
      chart = barChart(el.current, {
        labels: props.day.intervals.map((i) => fa(i.start.slice(11))),
        name: 'کارشناس لازم',
        values: props.day.intervals.map((i) => i.agents ?? 0),
      });
    });
    return () => {
      gone = true;
      chart?.dispose();
    };
  }, [props.day]);
  return <div class="chart" ref={el} aria-label="نمودار کارشناس لازم در هر بازه" />;
}

export function Staffing() {
  const [weeks, setWeeks] = useState(4);
  const [target, setTarget] = useState(80);
  const [seconds, setSeconds] = useState(20);
  const [f, setF] = useState<Forecast | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [sel, setSel] = useState(0);
  const query = qs({ weeks, target_sl: target / 100, target_s: seconds });
  useEffect(() => {
    setError(null);
    api<Forecast>('GET', `/calls/staffing/forecast${query}`).then(setF, setError);
  }, [query]);
  const d = f?.days[sel];
  return (
    <section class="staffing" data-staffing>
      <div class="row between">
        <h3>نیروی لازم هفته آینده</h3>
        <div class="row">
          <label>
            سابقه{' '}
            <select name="weeks" value={weeks} onChange={(e) => setWeeks(Number((e.target as HTMLSelectElement).value))}>
              {[2, 4, 8, 12].map((n) => <option value={n}>{fa(n)} هفته</option>)}
            </select>
          </label>
          <label>
            هدف{' '}
            <select name="target_sl" value={target} onChange={(e) => setTarget(Number((e.target as HTMLSelectElement).value))}>
              {[70, 80, 90, 95].map((n) => <option value={n}>{fa(n)}٪</option>)}
            </select>
          </label>
          <label>
            در{' '}
            <select name="target_s" value={seconds} onChange={(e) => setSeconds(Number((e.target as HTMLSelectElement).value))}>
              {[10, 20, 30, 60].map((n) => <option value={n}>{fa(n)} ثانیه</option>)}
            </select>
          </label>
          <a class="button" download href={`/api/v1/calls/staffing/forecast.xlsx${query}`} data-export="staffing">
            دریافت فایل اکسل
          </a>
        </div>
      </div>
      <FormError error={error} />
      {f && d && (
        <>
          <p class="hint" data-forecast-summary>
            هفته {day(f.from)} تا {day(f.to)}: {fa(Math.round(f.calls))} تماس پیش‌بینی‌شده، بیشینه{' '}
            {fa(f.peak_agents)} کارشناس هم‌زمان. از {fa(f.weeks_used)} هفته سابقه ({day(f.history_from)} تا{' '}
            {day(f.history_to)})، روند ×{ltr(decimal(f.trend), 'ltr-num')}، میانگین مدت مکالمه{' '}
            {fa(Math.round(f.aht_s))} ثانیه
            {f.aht_source === 'default' ? ' (پیش‌فرض؛ سابقه‌ای نیست)' : f.aht_source === 'given' ? ' (داده‌شده)' : ''}.
            {f.holidays_left_out > 0 && <> {fa(f.holidays_left_out)} روز تعطیل رسمی از سابقه کنار گذاشته شد.</>}
            {' '}روز تعطیل هفته آینده مانند روز عادی پیش‌بینی شده است؛ رهاکردن تماس در محاسبه ارلنگ سی نیست.
          </p>
          <div class="row wrap" role="tablist">
            {f.days.map((x, i) => (
              <button type="button" role="tab" aria-selected={i === sel} class={i === sel ? 'primary' : ''}
                data-day={x.day} onClick={() => setSel(i)}>
                {WEEKDAYS[i]} {day(x.day)}{x.holiday ? ' (تعطیل رسمی)' : ''} ({fa(Math.round(x.calls))} تماس، بیشینه {fa(x.peak_agents)})
              </button>
            ))}
          </div>
          <AgentsChart day={d} />
          <table class="figures staffing" data-intervals={d.day}>
            <thead>
              <tr><th>آغاز بازه</th><th>تماس پیش‌بینی‌شده</th><th>کارشناس لازم</th><th>سطح خدمت با این تعداد</th></tr>
            </thead>
            <tbody>
              {d.intervals.filter((i) => i.calls > 0).map((i) => (
                <tr data-interval={i.start}>
                  <td>{hm(i.start)}</td>
                  <td>{decimal(i.calls)}</td>
                  <td>{i.agents === null ? '—' : fa(i.agents)}</td>
                  <td>{percent(i.service_level)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {d.intervals.every((i) => i.calls === 0) && <p class="hint">برای این روز تماسی پیش‌بینی نشده است.</p>}
        </>
      )}
    </section>
  );
}
