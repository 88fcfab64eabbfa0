// Is this paper genuine? (GET /api/v1/verify/{code}): for anyone, no login. The page at
// /verify/CODE (where a paper's QR code points) shows what the paper said, no more; a code
// typed here goes to its page. An unknown code and an altered one get the same answer.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { KIND_TITLE, PENSION_TYPE, readCode } from '../lib/documents';
import { ApiError } from '../lib/errors';
import { jalaliDate } from '../lib/jalali';
import { fa, ident, num, rials } from '../lib/text';
import { navigate } from '../router';

interface Verified {
  genuine: true;
  code: string;
  kind: string;
  issued_at: string;
  content: Record<string, any>;
}

/** What the paper said, line by line, as it is printed. */
function Content(props: { c: Record<string, any> }) {
  const c = props.c;
  const rows: [string, any][] = [];
  if (c.person) rows.push(['نام و نام خانوادگی', c.person.name], ['کد ملی', num(c.person.national_id)]);
  if (c.workshop)
    rows.push(['نام کارگاه', c.workshop.name], ['کد کارگاه', num(c.workshop.code)], ['کارفرما', c.workshop.employer_name]);
  if (c.pension_type) rows.push(['نوع مستمری', PENSION_TYPE[c.pension_type] ?? c.pension_type]);
  if (c.month) rows.push(['ماه پرداخت', num(c.month)]);
  if (c.since) rows.push(['برقراری از', num(c.since)]);
  if (c.kind === 'payslip')
    for (const it of c.items ?? []) rows.push([it.item === 'pension' ? 'مستمری ماهانه' : it.item, <>{rials(it.amount)} ریال</>]);
  if (c.total !== undefined) rows.push(['جمع خالص پرداختی', <>{rials(c.total)} ریال</>]);
  if (c.kind === 'salary') rows.push(['مستمری ماهانه', <>{rials(c.amount)} ریال</>]);
  if (c.kind === 'clearance')
    rows.push(['حق بیمهٔ فهرست‌ها', <>{rials(c.due)} ریال</>], ['پرداخت‌شده', <>{rials(c.paid)} ریال</>], ['بدهی', <>{rials(c.debt)} ریال</>]);
  if (c.totals)
    rows.push(['جمع سوابق', <>{num(c.totals.days)} روز ({fa(c.totals.years)} سال و {fa(c.totals.months)} ماه و {fa(c.totals.rest_days)} روز)</>],
      ['جمع دستمزدها', <>{rials(c.totals.wages)} ریال</>]);
  return (
    <>
      <dl class="facts">
        {rows.map(([k, v]) => (
          <>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </>
        ))}
      </dl>
      {c.rows && (
        <table>
          <caption>سوابق به تفکیک سال و کارگاه</caption>
          <thead>
            <tr><th scope="col">سال</th><th scope="col">کارگاه</th><th scope="col">ماه</th><th scope="col">روز</th><th scope="col">دستمزد (ریال)</th></tr>
          </thead>
          <tbody>
            {c.rows.map((r: any) => (
              <tr>
                <td>{num(r.year)}</td>
                <td>{r.workshop_name || num(r.workshop)}</td>
                <td>{num(r.months)}</td>
                <td>{num(r.days)}</td>
                <td>{rials(r.wages)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

export function Verify(props: { code: string }) {
  const [typed, setTyped] = useState(props.code);
  const [bad, setBad] = useState(false);
  const [result, setResult] = useState<Verified | 'not_genuine' | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => {
    setResult(null);
    setError(null);
    if (!props.code) return;
    api<Verified>('GET', `/verify/${encodeURIComponent(props.code)}`).then(setResult, (e: ApiError) => {
      if (e.code === 'not_genuine') setResult('not_genuine');
      else setError(e);
    });
  }, [props.code]);

  function submit(ev: Event) {
    ev.preventDefault();
    const code = readCode(typed);
    setBad(!code);
    if (code) navigate(`/verify/${code}`);
  }

  return (
    <main class="narrow verify" lang="fa" dir="rtl">
      <h1>تصدیق اصالت گواهی‌ها و فیش‌های سازمان تأمین اجتماعی</h1>
      <form onSubmit={submit} noValidate>
        <label class={`field${bad ? ' has-error' : ''}`}>
          <span class="label">کد تصدیق (۱۶ نویسه، روی برگه)</span>
          <input
            name="code"
            dir="ltr"
            autocomplete="off"
            value={typed}
            aria-invalid={bad}
            onInput={(e) => {
              setTyped((e.target as HTMLInputElement).value);
              setBad(false);
            }}
          />
          {bad && <span class="error" role="alert">کد تصدیق ۱۶ حرف و رقم است، مانند {ident('7K2M-9QXD-4R8T-B3VN')}.</span>}
        </label>
        <button type="submit">بررسی</button>
      </form>
      {error && (
        <div class="alert" role="alert">
          {error.status === 429 ? 'استعلام‌های این نشانی زیاد بود؛ یک دقیقه دیگر دوباره امتحان کنید.'
            : error.status === 400 ? 'این کد تصدیق درست نوشته نشده است.' : 'پاسخی از سامانه نرسید؛ دوباره امتحان کنید.'}
        </div>
      )}
      {result === 'not_genuine' && (
        <div class="alert verdict not-genuine" role="status">
          <strong>این سند اصل نیست.</strong> سندی با این کد تصدیق از سازمان صادر نشده است، یا کد یا سند دست‌کاری شده است.
        </div>
      )}
      {result && result !== 'not_genuine' && (
        <section class="verdict genuine" role="status" aria-label="نتیجهٔ استعلام">
          <p>
            <strong>این سند اصل است.</strong> {KIND_TITLE[result.kind] ?? result.kind} با کد {ident(result.code)}، صادرشده در {num(jalaliDate(result.issued_at))}.
            آنچه روی برگه آمده است:
          </p>
          <Content c={result.content} />
        </section>
      )}
    </main>
  );
}
