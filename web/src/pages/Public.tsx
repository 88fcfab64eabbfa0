// The organisation's figures for everyone, without a login (GET /api/v1/public/figures):
// answered calls and the service level per day, cases received and answered in time per
// department and month, e-service uses once they exist. No personal data ever reaches
// this page; a small group's count is withheld by the server and shown as «*».
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import { dayLabels, monthLabel, percent, publicCount } from '../lib/figures';
import { fa } from '../lib/text';
import { FormError } from '../ui/Field';

interface Pair { received: number | null; solved_in_time: number | null; suppressed: string[] }
export interface PublicFigures {
  generated_at: string;
  min_count: number;
  calls: { day: string; jalali: string; offered: number | null; answered: number | null; service_level: number | null; suppressed: string[] }[];
  cases: { month: string; total: Pair; departments: (Pair & { department: string; name: string })[] }[];
  eservices: { available: boolean; months: { month: string; uses: number | null; suppressed: string[] }[] };
}

type Charts = typeof import('../charts');

/** A chart drawn by `draw` once ECharts is loaded (only this page and the supervisor's
 * load it). */
function ChartBox(props: { draw: (c: Charts, el: HTMLElement) => { dispose: () => void; resize: () => void }; deps: unknown; label: string }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let chart: { dispose: () => void; resize: () => void } | null = null;
    let gone = false;
    import('../charts').then((c) => {
      if (!gone && el.current) chart = props.draw(c, el.current);
    });
    const onResize = () => chart?.resize();
    window.addEventListener('resize', onResize);
    return () => {
      gone = true;
      window.removeEventListener('resize', onResize);
      chart?.dispose();
    };
  }, [props.deps]);
  return <div class="chart" ref={el} role="img" aria-label={props.label} />;
}

/** The share answered in time of a pair, when both counts are published. */
function inTimeShare(p: Pair): string {
  if (p.received === null || p.solved_in_time === null || p.received === 0) return '—';
  return percent(p.solved_in_time / p.received);
}

export function Public() {
  const [f, setF] = useState<PublicFigures | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [month, setMonth] = useState('');
  useEffect(() => {
    api<PublicFigures>('GET', '/public/figures?days=90&months=12').then((x) => {
      setF(x);
      setMonth(x.cases.length ? x.cases[x.cases.length - 1].month : '');
    }, setError);
  }, []);

  const last = f?.calls[f.calls.length - 1];
  const shown = f?.cases.find((c) => c.month === month);
  return (
    <main class="public" dir="rtl" lang="fa">
      <header class="row between">
        <h1>آمار عمومی سامانه ۱۴۲۰ تأمین اجتماعی</h1>
        <a href="/login">ورود کارکنان و بیمه‌شدگان</a>
      </header>
      <p class="muted">
        این صفحه بدون ورود در دسترس همه است و هیچ داده شخصی در آن نیست. هر عددی کمتر از <bdi>{fa(f?.min_count ?? 10)}</bdi> که
        ممکن است گروه کوچکی از مردم را مشخص کند نشان داده نمی‌شود و به جای آن «*» آمده است؛ جمع‌ها هم طوری منتشر می‌شوند که
        نتوان آن عدد را از آن‌ها به دست آورد.
      </p>
      <FormError error={error} />
      {f && (
        <>
          <section>
            <h2>تماس‌های پاسخ‌داده‌شده</h2>
            {last && (
              <div class="tiles">
                <div class="tile" data-tile="answered">
                  <span class="n">{publicCount(last.answered)}</span>
                  <span>تماس پاسخ‌داده‌شده در روز <bdi>{fa(last.jalali)}</bdi></span>
                </div>
                <div class="tile" data-tile="service_level">
                  <span class="n">{percent(last.service_level)}</span>
                  <span>سطح خدمت (پاسخ در کمتر از <bdi>{fa(20)}</bdi> ثانیه)</span>
                </div>
              </div>
            )}
            <ChartBox label="نمودار تماس‌های پاسخ‌داده‌شده در هر روز" deps={f}
              draw={(c, el) => c.lineChart(el, {
                days: dayLabels(f.calls.map((d) => d.jalali)),
                lines: [{ name: 'پاسخ‌داده‌شده', values: f.calls.map((d) => d.answered) }],
              })} />
            <ChartBox label="نمودار سطح خدمت در هر روز" deps={f}
              draw={(c, el) => c.lineChart(el, {
                days: dayLabels(f.calls.map((d) => d.jalali)),
                lines: [{ name: 'سطح خدمت (درصد)', values: f.calls.map((d) => (d.service_level === null ? null : Math.round(d.service_level * 1000) / 10)) }],
              })} />
          </section>
          <section>
            <h2>درخواست‌های مردم و پاسخ در مهلت</h2>
            <ChartBox label="نمودار درخواست‌های دریافتی و پاسخ‌داده‌شده در مهلت در هر ماه" deps={f}
              draw={(c, el) => c.groupedBars(el, {
                labels: f.cases.map((m) => monthLabel(m.month)),
                series: [
                  { name: 'دریافتی', values: f.cases.map((m) => m.total.received) },
                  { name: 'پاسخ در مهلت', values: f.cases.map((m) => m.total.solved_in_time) },
                ],
              })} />
            <div class="row">
              <label>
                ماه{' '}
                <select name="month" value={month} onChange={(e) => setMonth((e.target as HTMLSelectElement).value)}>
                  {f.cases.map((m) => <option value={m.month}>{monthLabel(m.month)}</option>)}
                </select>
              </label>
            </div>
            {shown && (
              <table class="public-cases">
                <thead>
                  <tr><th>واحد</th><th>دریافتی</th><th>پاسخ در مهلت</th><th>سهم پاسخ در مهلت</th></tr>
                </thead>
                <tbody>
                  {shown.departments.map((d) => (
                    <tr data-department={d.department}>
                      <td>{d.name}</td>
                      <td class={d.received === null ? 'withheld' : ''}>{publicCount(d.received)}</td>
                      <td class={d.solved_in_time === null ? 'withheld' : ''}>{publicCount(d.solved_in_time)}</td>
                      <td>{inTimeShare(d)}</td>
                    </tr>
                  ))}
                </tbody>
                <tfoot>
                  <tr data-department="">
                    <th>همه واحدها</th>
                    <td>{publicCount(shown.total.received)}</td>
                    <td>{publicCount(shown.total.solved_in_time)}</td>
                    <td>{inTimeShare(shown.total)}</td>
                  </tr>
                </tfoot>
              </table>
            )}
          </section>
          <section>
            <h2>خدمات الکترونیکی</h2>
            {f.eservices.available ? (
              <table class="figures" data-eservices="months">
                <caption class="muted">استفاده از خدمات الکترونیکی در هر ماه (پاسخ فوری و درخواست ثبت‌شده)</caption>
                <thead><tr><th scope="col">ماه</th><th scope="col">استفاده</th></tr></thead>
                <tbody>
                  {f.eservices.months.map((m) => (
                    <tr data-month={m.month}>
                      <td>{monthLabel(m.month)}</td>
                      <td class={m.uses === null ? 'withheld' : ''}>{publicCount(m.uses)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : <p data-eservices="none">هنوز آماری از استفاده از خدمات الکترونیکی ثبت نشده است.</p>}
          </section>
          <p class="muted small">
            به‌روزشده در <bdi>{fa(new Date(f.generated_at).toLocaleTimeString('en-GB', { timeZone: 'Asia/Tehran', hour: '2-digit', minute: '2-digit' }))}</bdi> به وقت تهران؛
            ماه‌ها و روزها به تقویم خورشیدی و به وقت تهران‌اند.
          </p>
        </>
      )}
    </main>
  );
}
