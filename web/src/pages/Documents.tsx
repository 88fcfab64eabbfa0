// The citizen's papers (GET /api/v1/me/documents/{kind}): the pay slip of a month (the
// latest when none is typed), the salary certificate and the insurance history, each a PDF
// to download with a code anyone can verify at /verify/CODE.
import { useState } from 'preact/hooks';
import { readMonth } from '../lib/documents';

export function MyDocuments() {
  const [typed, setTyped] = useState('');
  const month = readMonth(typed);
  const payslip = `/api/v1/me/documents/payslip${month ? `?month=${encodeURIComponent(month)}` : ''}`;
  return (
    <div class="narrow">
      <h2>فیش و گواهی‌های من</h2>
      <p class="muted">
        هر برگه یک کد تصدیق و رمزینه دارد؛ هر کس (بانک، اداره، کارفرما) می‌تواند اصالت آن را در صفحهٔ <a href="/verify">تصدیق اصالت</a> ببیند.
      </p>
      <ul class="documents">
        <li>
          <label class={`field${month === null ? ' has-error' : ''}`}>
            <span class="label">ماه فیش (خالی: آخرین ماه)</span>
            <input
              name="month"
              inputMode="numeric"
              placeholder="۱۴۰۵/۰۸"
              value={typed}
              aria-invalid={month === null}
              onInput={(e) => setTyped((e.target as HTMLInputElement).value)}
            />
            {month === null && <span class="error" role="alert">ماه را مانند ۱۴۰۵/۰۸ بنویسید.</span>}
          </label>
          {month === null ? (
            <span class="muted">فیش حقوقی مستمری</span>
          ) : (
            <a class="download" href={payslip} download data-kind="payslip">دریافت فیش حقوقی مستمری (PDF)</a>
          )}
        </li>
        <li>
          <a class="download" href="/api/v1/me/documents/salary" download data-kind="salary">دریافت گواهی حقوق مستمری (PDF)</a>
        </li>
        <li>
          <a class="download" href="/api/v1/me/documents/history" download data-kind="history">دریافت گواهی سوابق بیمه (PDF)</a>
        </li>
      </ul>
    </div>
  );
}
