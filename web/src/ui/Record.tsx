// A person's insurance record, retirement eligibility and pension estimate, with the
// rules' steps so that an agent can explain the result. Loaded on request only: each read
// is written to the person's access log.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { fa } from '../lib/text';
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
  gaps: { from: string; to: string; months: number }[];
  steps: Step[];
}
interface Eligibility {
  eligible: boolean;
  condition: string | null;
  earliest: string | null;
  conditions: { code: string; met: boolean; missing_days: number; earliest?: string; reference: string }[];
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
const rials = (n: number) => fa(n.toLocaleString('en-US').replace(/,/g, '٬'));

function Steps(props: { steps: Step[] }) {
  return (
    <details class="steps">
      <summary>چگونه حساب شد ({fa(props.steps.length)} گام)</summary>
      <ol>
        {props.steps.map((s) => (
          <li>
            {fa(s.fa)}
            {s.reference && <small class="muted"> — {s.reference}</small>}
          </li>
        ))}
      </ol>
    </details>
  );
}

export function RecordPanel(props: { nationalId: string; open?: boolean }) {
  const [shown, setShown] = useState(!!props.open);
  const [h, setH] = useState<History | null>(null);
  const [el, setEl] = useState<Eligibility | null>(null);
  const [p, setP] = useState<Pension | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function load() {
    setShown(true);
    setError(null);
    try {
      const base = `/people/${props.nationalId}`;
      const [hr, er, pr] = await Promise.all([
        api<{ history: History }>('GET', `${base}/history`),
        api<{ eligibility: Eligibility }>('GET', `${base}/eligibility`),
        api<{ pension: Pension }>('GET', `${base}/pension-estimate`),
      ]);
      setH(hr.history);
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
            <dd>{h.months.length ? fa(h.months[h.months.length - 1].month) : '—'}</dd>
            <dt>ماه‌های بی‌سابقه</dt>
            <dd>
              {h.gaps.length
                ? h.gaps.map((g) => fa(`${g.from} تا ${g.to} (${g.months} ماه)`)).join('، ')
                : 'ندارد'}
            </dd>
          </dl>
          <Steps steps={h.steps} />
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
                {COND[c.code] ?? c.code}: {c.met ? 'فراهم' : fa(`${c.missing_days} روز سابقه کم است`)}
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
