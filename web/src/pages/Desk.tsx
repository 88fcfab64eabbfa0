// The service-desk officer, inside another agency, files a case for the citizen in front of
// them and hands over the case number: printed, or written down.
import { useState } from 'preact/hooks';
import { Case } from '../api';
import type { Ctx } from '../main';
import { showTime } from '../lib/jalali';
import { fa, num } from '../lib/text';
import { NewCase } from '../ui/NewCase';

export function Receipt(props: { c: Case; onAgain: () => void }) {
  const c = props.c;
  return (
    <section class="card receipt" data-case={c.number}>
      <h2>درخواست ثبت شد</h2>
      <p>شماره پیگیری</p>
      <p class="big-number">{num(c.number)}</p>
      <dl class="facts">
        <dt>شهروند</dt>
        <dd>{c.person_name} ({fa(c.national_id)})</dd>
        <dt>موضوع</dt>
        <dd>{c.topic_name}</dd>
        <dt>ثبت</dt>
        <dd>{showTime(c.created)}</dd>
        {c.resolution_due && (
          <>
            <dt>پاسخ تا</dt>
            <dd>{showTime(c.resolution_due)}</dd>
          </>
        )}
      </dl>
      <p class="muted">پیگیری: تلفن ۱۴۲۰ یا درگاه اینترنتی با کد ملی.</p>
      <div class="buttons no-print">
        <button class="primary" onClick={() => window.print()}>
          چاپ رسید
        </button>
        <button onClick={props.onAgain}>درخواست دیگر</button>
      </div>
    </section>
  );
}

export function Desk(props: { ctx: Ctx }) {
  const [done, setDone] = useState<Case | null>(null);
  if (done) return <Receipt c={done} onAgain={() => setDone(null)} />;
  return (
    <section class="card narrow">
      <h2>ثبت درخواست برای شهروند حاضر در دفتر</h2>
      <NewCase catalog={props.ctx.catalog} askNationalId channel="service_desk" onCreated={setDone} autofocus />
    </section>
  );
}
