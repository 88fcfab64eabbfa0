// A workshop's monthly list sent as the two official dBase files, DSKKAR00.DBF and
// DSKWOR00.DBF: stored at once and shown with its totals, or refused whole with a table of
// every problem by file, row and column. The chosen files stay chosen after a refusal.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import { ApiError } from '../lib/errors';
import { MONTHS } from '../lib/jalali';
import { fa, rials } from '../lib/text';
import {
  base64, bodySize, dbfProblem, ENCODING, FIELD, fileSize, MAX_BODY, Problem, problemCount, problemRow, refuse, Slot,
  StoredList, uploadError,
} from '../lib/upload';

const SLOTS: [Slot, string, string][] = [
  ['kar', 'فایل کارگاه (DSKKAR00.DBF)', 'یک ردیف: کارگاه، ماه و جمع‌ها'],
  ['wor', 'فایل بیمه‌شدگان (DSKWOR00.DBF)', 'یک ردیف برای هر بیمه‌شده'],
];
/** Problems shown before the employer asks for all of them. */
const FIRST = 100;

export function ListUpload(props: { workshop: string; onStored: (l: StoredList) => void }) {
  const [files, setFiles] = useState<Record<Slot, File | null>>({ kar: null, wor: null });
  const form = useRef<HTMLFormElement>(null);
  const result = useRef<HTMLElement>(null);
  const [busy, setBusy] = useState(false);
  /** Error texts by the field they belong under: 'dbf.kar', 'dbf.wor', or the form (other keys). */
  const [errs, setErrs] = useState<Record<string, string>>({});
  const [stored, setStored] = useState<StoredList | null>(null);
  const [refused, setRefused] = useState<{ problems: Problem[]; count: number } | null>(null);
  const [all, setAll] = useState(false);

  useEffect(() => {
    if (stored || refused) result.current?.focus();
  }, [stored, refused]);

  function choose(slot: Slot, e: Event) {
    const file = (e.target as HTMLInputElement).files?.[0] || null;
    setFiles((f) => ({ ...f, [slot]: file }));
    const { [FIELD[slot]]: _, ...rest } = errs;
    setErrs(rest);
  }

  /** Both files' bytes, or the errors that stop them being sent. */
  async function read(): Promise<Record<Slot, Uint8Array> | Record<string, string>> {
    const bad: Record<string, string> = {};
    const note = (e: ApiError) => {
      const u = uploadError(e);
      bad[u.field] = u.text;
    };
    const { kar, wor } = files;
    for (const [s] of SLOTS) if (!files[s]) note(refuse('file_missing', FIELD[s]));
    if (kar && wor && bodySize(kar.size, wor.size) > MAX_BODY) note(refuse('too_large', 'dbf'));
    if (Object.keys(bad).length) return bad;
    const bytes = {} as Record<Slot, Uint8Array>;
    for (const [s] of SLOTS) {
      try {
        bytes[s] = new Uint8Array(await files[s]!.arrayBuffer());
      } catch {
        // changed on disk since it was chosen (the browser then refuses to read it): empty the
        // field, so that choosing the same file again counts as a choice
        note(refuse('file_unreadable', FIELD[s]));
        (form.current!.elements.namedItem(s) as HTMLInputElement).value = '';
        setFiles((f) => ({ ...f, [s]: null }));
        continue;
      }
      const p = dbfProblem(bytes[s]);
      if (p) note(refuse(p, FIELD[s]));
    }
    return Object.keys(bad).length ? bad : bytes;
  }

  async function submit(e: Event) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setErrs({});
    setStored(null);
    setRefused(null);
    setAll(false);
    try {
      const got = await read();
      if (!(got.kar instanceof Uint8Array) || !(got.wor instanceof Uint8Array)) {
        setErrs(got as Record<string, string>);
        return;
      }
      const r = await api<StoredList>('POST', '/lists', { dbf: { kar: base64(got.kar), wor: base64(got.wor) } });
      setFiles({ kar: null, wor: null });
      form.current?.reset();
      setStored(r);
      props.onStored(r);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'list_invalid') {
        const problems: Problem[] = err.detail.errors || [];
        setRefused({ problems, count: problemCount(problems, err.message) });
      } else {
        const u = uploadError(err);
        setErrs({ [u.field]: u.text });
      }
    } finally {
      setBusy(false);
    }
  }

  const below = Object.entries(errs).filter(([f]) => f !== FIELD.kar && f !== FIELD.wor);
  return (
    <div class="list-upload">
      <form ref={form} onSubmit={submit} aria-busy={busy} noValidate>
        <h4>ارسال فهرست ماهانه</h4>
        <p class="muted">
          دو فایل فهرست را همان‌گونه که نرم‌افزار لیست بیمه ساخته است انتخاب کنید؛ ماه و کارگاه از خود فایل خوانده
          می‌شود و فهرستی که برای ماهی دوباره فرستاده شود، جای فهرست پیشین آن ماه را می‌گیرد.
        </p>
        <div class="row">
          {SLOTS.map(([slot, label, hint]) => {
            const msg = errs[FIELD[slot]], f = files[slot];
            // the browser's own file button speaks the browser's language: this one is Persian
            return (
              <label class={`field file${msg ? ' has-error' : ''}`} data-field={FIELD[slot]} key={slot}>
                <span class="label">{label}</span>
                <span class="file-pick">
                  <input type="file" name={slot} accept=".dbf" aria-invalid={msg ? 'true' : undefined} onChange={(e) => choose(slot, e)} />
                  <span class="button" aria-hidden="true">انتخاب فایل</span>
                  <span class="chosen" aria-hidden="true">
                    {f ? <><bdi>{f.name}</bdi> ({fileSize(f.size)})</> : 'فایلی انتخاب نشده است'}
                  </span>
                </span>
                {msg ? (
                  <span class="error" role="alert">
                    {msg}
                  </span>
                ) : (
                  <span class="hint">{hint}</span>
                )}
              </label>
            );
          })}
        </div>
        {below.map(([f, text]) => (
          <div class="alert" role="alert" data-field={f || undefined}>
            {text}
          </div>
        ))}
        <button class="primary" type="submit" disabled={busy}>
          {busy ? 'در حال ارسال…' : 'ارسال فهرست'}
        </button>
      </form>

      {stored && (
        <section class="list-result stored" ref={result} tabIndex={-1} aria-labelledby={`stored-${props.workshop}`}>
          <h4 class="ok" id={`stored-${props.workshop}`} role="status">
            فهرست {MONTHS[stored.month - 1]} {fa(stored.year)} ثبت شد
          </h4>
          {stored.workshop !== props.workshop && (
            <p class="alert">این فهرست از آنِ کارگاه دیگرِ شما با کد {fa(stored.workshop)} بود و برای همان کارگاه ثبت شد.</p>
          )}
          <dl class="facts">
            <dt>شمارهٔ ثبت</dt>
            <dd>{fa(stored.id)}</dd>
            <dt>بیمه‌شدگان</dt>
            <dd class="workers">{fa(stored.rows)}</dd>
            <dt>دستمزد مشمول</dt>
            <dd>{rials(stored.totals.insurable)} ریال</dd>
            <dt>سهم بیمه‌شده</dt>
            <dd>{rials(stored.totals.worker_share)} ریال</dd>
            <dt>سهم کارفرما</dt>
            <dd>{rials(stored.totals.employer_share)} ریال</dd>
            <dt>بیکاری</dt>
            <dd>{rials(stored.totals.unemployment)} ریال</dd>
            {stored.totals.hard_job_share > 0 && (
              <>
                <dt>مشاغل سخت و زیان‌آور</dt>
                <dd>{rials(stored.totals.hard_job_share)} ریال</dd>
              </>
            )}
            <dt>کدگذاری فایل‌ها</dt>
            <dd class="encoding">{ENCODING[stored.encoding] || stored.encoding}</dd>
            <dt>اصلاحیه</dt>
            <dd class="supersedes">
              {stored.supersedes
                ? `جای فهرست پیشین همین ماه (شمارهٔ ثبت ${fa(stored.supersedes)}) را گرفت.`
                : 'نخستین فهرست این ماه است.'}
            </dd>
          </dl>
        </section>
      )}

      {refused && (
        <section class="list-result refused" ref={result} tabIndex={-1} aria-labelledby={`refused-${props.workshop}`}>
          <div role="alert">
            <h4 id={`refused-${props.workshop}`}>
              فهرست پذیرفته نشد: <span class="count">{fa(refused.count)}</span> ایراد
            </h4>
            <p>
              هیچ بخشی از این فهرست ثبت نشد. ایرادها را در نرم‌افزار لیست بیمه درست کنید و فایل‌ها را دوباره بفرستید؛
              فایل‌های انتخاب‌شده سر جای خود مانده‌اند.
            </p>
          </div>
          <table class="problems">
            <thead>
              <tr>
                <th scope="col">فایل</th>
                <th scope="col">ردیف</th>
                <th scope="col">ستون</th>
                <th scope="col">ایراد</th>
              </tr>
            </thead>
            <tbody>
              {(all ? refused.problems : refused.problems.slice(0, FIRST)).map((p) => {
                const v = problemRow(p);
                return (
                  <tr data-file={p.file} data-row={p.row} data-field={p.field}>
                    <td>{v.file}</td>
                    <td>{v.row}</td>
                    <td>
                      {v.column} {v.code && <code dir="ltr">{v.code}</code>}
                    </td>
                    <td>{v.message}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {!all && refused.problems.length > FIRST && (
            <button type="button" class="more" onClick={() => setAll(true)}>
              نمایش همهٔ {fa(refused.problems.length)} ایراد
            </button>
          )}
          {refused.count > refused.problems.length && (
            <p class="muted">
              فقط {fa(refused.problems.length)} ایراد نخست فهرست شده است.
            </p>
          )}
        </section>
      )}
    </div>
  );
}
