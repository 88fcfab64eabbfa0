// A person's insurance record, retirement eligibility and pension estimate, with the
// rules' steps so that an agent can explain the result. Loaded on request only: each read
// is written to the person's access log.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { MONTHS } from '../lib/jalali';
import { conditionText } from '../lib/retire';
import { fa, faText, lawRef, num, rials } from '../lib/text';
import { FormError } from './Field';

interface YMD {
  total_days: number;
  years: number;
  months: number;
  days: number;
}
interface Step {
  fa: string;
  en: string;
  reference: string | null;
}
interface History {
  record: YMD;
  credited: YMD;
  months: { month: string; days: number; wage: number }[];
  years: { year: number; months: number; days: number }[];
  gaps: { from: string; to: string; months: number }[];
  steps: Step[];
}
interface Entry {
  month: string; // 1404/07
  workshop: string | null;
  workshop_name: string | null;
  days: number;
  wage: number;
  hard_job: boolean;
}
interface HistoryReply {
  date: string;
  history: History;
  entries_year: number;
  entries: Entry[];
}
interface Eligibility {
  on: string;
  eligible: boolean;
  condition: string | null;
  earliest: string | null;
  conditions: {
    code: string;
    met: boolean;
    age: number | null;
    age_on: string | null;
    missing_days: number;
    earliest: string | null;
    reference: string;
  }[];
  steps: Step[];
}
interface Pension {
  amount: number;
  average: number;
  floored: boolean;
  capped: boolean;
  steps: Step[];
}

const COND: Record<string, string> = {
  age: 'سن و سابقه (ماده ۷۶)',
  age_reduced: 'سن با سابقه کمتر (مستمری نسبی)',
  early: '۳۰ سال سابقه با سن کمتر',
  any_age: '۳۵ سال سابقه در هر سن',
  women: 'زنان ۴۲ سال با ۲۰ سال سابقه',
  hard_job: 'مشاغل سخت و زیان‌آور',
};

export const ymd = (x: YMD) => fa(`${x.years} سال، ${x.months} ماه و ${x.days} روز`);
/** "1404/07" → «مهر ۱۴۰۴» */
const monthName = (ym: string) => `${MONTHS[Number(ym.slice(5, 7)) - 1] ?? ''} ${fa(ym.slice(0, 4))}`;

// The steps are numbered in Persian digits (styles.css: list-style-type persian), their
// numbers and decimals Persian («۱٫۵»), and their law references in Persian alone.
function Steps(props: { steps: Step[] }) {
  return (
    <details class="steps">
      <summary>چگونه حساب شد ({fa(props.steps.length)} گام)</summary>
      <ol>
        {props.steps.map((s) => (
          <li>
            {faText(s.fa)}
            {s.reference && <small class="muted ref">{lawRef(s.reference)}</small>}
          </li>
        ))}
      </ol>
    </details>
  );
}

/** The record of one year month by month and workshop by workshop, a year at a time. */
function Months(props: { nationalId: string; first: HistoryReply }) {
  const [r, setR] = useState(props.first);
  const [error, setError] = useState<unknown>(null);
  const years = props.first.history.years.map((y) => y.year);
  async function pick(year: number) {
    setError(null);
    try {
      setR(await api<HistoryReply>('GET', `/people/${props.nationalId}/history?year=${year}`));
    } catch (e) {
      setError(e);
    }
  }
  if (!years.length) return null;
  return (
    <div class="record-entries">
      <div class="record-year">
        <h4>سابقه ماه به ماه</h4>
        <label>
          سال{' '}
          <select name="year" value={r.entries_year} onChange={(e) => pick(Number((e.target as HTMLSelectElement).value))}>
            {[...years].reverse().map((y) => <option value={y}>{fa(y)}</option>)}
          </select>
        </label>
      </div>
      <FormError error={error} />
      <div class="table-scroll">
        <table class="record-months" data-year={r.entries_year}>
          <thead>
            <tr><th>ماه</th><th>کارگاه</th><th>روز</th><th>دستمزد (ریال)</th></tr>
          </thead>
          <tbody>
            {r.entries.map((e) => (
              <tr data-month={e.month}>
                <td>{monthName(e.month)}</td>
                <td>
                  {e.workshop_name ? fa(e.workshop_name) : '—'} {e.workshop && <small class="muted">{num(e.workshop)}</small>}
                  {e.hard_job && <small class="muted">کار سخت و زیان‌آور</small>}
                </td>
                <td class="n">{fa(e.days)}</td>
                <td class="n">{rials(e.wage)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

export function RecordPanel(props: { nationalId: string; open?: boolean }) {
  const [shown, setShown] = useState(!!props.open);
  const [hr, setHr] = useState<HistoryReply | null>(null);
  const h = hr?.history ?? null;
  const [el, setEl] = useState<Eligibility | null>(null);
  const [p, setP] = useState<Pension | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function load() {
    setShown(true);
    setError(null);
    try {
      const base = `/people/${props.nationalId}`;
      const [hist, er, pr] = await Promise.all([
        api<HistoryReply>('GET', `${base}/history`),
        api<{ eligibility: Eligibility }>('GET', `${base}/eligibility`),
        api<{ pension: Pension }>('GET', `${base}/pension-estimate`),
      ]);
      setHr(hist);
      setEl(er.eligibility);
      setP(pr.pension);
    } catch (e) {
      setError(e);
    }
  }

  useEffect(() => {
    if (props.open) load();
  }, [props.nationalId]);

  if (!shown)
    return (
      <button class="record-open" onClick={load} data-act="record">
        سابقه بیمه و بازنشستگی
      </button>
    );
  return (
    <section class="card record" data-record={props.nationalId}>
      <h3>سابقه بیمه</h3>
      <FormError error={error} />
      {h && (
        <>
          <dl class="facts">
            <dt>سابقه</dt>
            <dd data-fact="record">{ymd(h.record)}</dd>
            <dt>با احتساب کار سخت</dt>
            <dd>{ymd(h.credited)}</dd>
            <dt>آخرین ماه</dt>
            <dd>{h.months.length ? monthName(h.months[h.months.length - 1].month) : '—'}</dd>
            <dt>ماه‌های بی‌سابقه</dt>
            <dd>
              {h.gaps.length
                ? h.gaps.map((g) => `${monthName(g.from)} تا ${monthName(g.to)} (${fa(g.months)} ماه)`).join('، ')
                : 'ندارد'}
            </dd>
          </dl>
          <Steps steps={h.steps} />
          {hr && <Months nationalId={props.nationalId} first={hr} />}
        </>
      )}
      {el && (
        <>
          <h3>بازنشستگی</h3>
          <p data-fact="eligible">
            {el.eligible
              ? `شرایط بازنشستگی فراهم است: ${COND[el.condition ?? ''] ?? el.condition}`
              : el.earliest
                ? fa(`هنوز شرایط فراهم نیست؛ زودترین تاریخ با ادامه پرداخت: ${el.earliest}`)
                : 'هنوز شرایط فراهم نیست.'}
          </p>
          <ul class="conditions">
            {el.conditions.map((c) => (
              <li class={c.met ? 'ok' : ''}>
                {COND[c.code] ?? c.code}: {conditionText(c, el.on)}
              </li>
            ))}
          </ul>
          <Steps steps={el.steps} />
        </>
      )}
      {p && (
        <>
          <h3>برآورد مستمری</h3>
          <p data-fact="pension">
            {rials(p.amount)} ریال در ماه {p.floored ? '(حداقل مستمری)' : ''}
          </p>
          <Steps steps={p.steps} />
        </>
      )}
    </section>
  );
}
