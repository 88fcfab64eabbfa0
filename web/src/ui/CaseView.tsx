// A case: its facts, its full timeline, and the actions its state allows for this user.
// The buttons follow `allowed_events` (the server's state machine); the server still
// checks every event. Each action has an Alt+key shortcut, shown on its button.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { useLive } from '../lib/live';
import { api, Attachment, CallBrief, Case, CaseEvent, CaseSummary, Page, qs } from '../api';
import { Action, actionsFor, citizenLabel, eventBody, isShortcut } from '../lib/actions';
import { ApiError } from '../lib/errors';
import { showTime } from '../lib/jalali';
import { EVENT, label, METHOD, PRIORITY, ROLE, WAIT_ON } from '../lib/labels';
import { fa, ident, queueName } from '../lib/text';
import { Catalog } from '../catalog';
import { navigate } from '../router';
import { CaseRows, StatusBadge } from './CaseList';
import { RecordPanel } from './Record';
import { Field, FormError } from './Field';
import { expandCanned, insertAt } from '../lib/canned';
import { CannedPicker, isCannedShortcut } from './CannedPicker';

// ---- the timeline's assignments: departments and people by their names ----

/** «ارجاع از واحد X به واحد Y — به: نام شخص», from the event's data (names as they were
 *  then; an older event has codes only, named from the catalogue). */
function AssignLine(props: { data: Record<string, any>; catalog?: Catalog }) {
  const d = props.data;
  const dept = (code?: string, name?: string) => name || (code && props.catalog?.department(code)?.name) || code || '';
  const person = d.assignee ? d.assignee_name || d.assignee : '';
  return (
    <div class="ev-assign" data-assign={d.from_department ? 'transfer' : 'person'}>
      {d.from_department && (
        <span>ارجاع از واحد <bdi>{dept(d.from_department, d.from_department_name)}</bdi> به واحد <bdi>{dept(d.department, d.department_name)}</bdi></span>
      )}
      {d.from_department && person && ' — '}
      {person && <span>به: <bdi>{person}</bdi></span>}
    </div>
  );
}

// ---- the assign form's people: the chosen department's, from the server ----

interface Person { login: string; name: string; role: string; open_cases: number }

function PeopleSelect(props: { department: string; name: string; value: string; onChange: (v: string) => void }) {
  const [people, setPeople] = useState<Person[] | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    setPeople(null);
    setFailed(false);
    api<{ items: Person[] }>('GET', `/departments/${encodeURIComponent(props.department)}/people`)
      .then((r) => setPeople(r.items), () => setFailed(true));
  }, [props.department]);
  // one who may not read the list (the service desk) types the login
  if (failed)
    return <input name={props.name} value={props.value} autocomplete="off"
      onInput={(e) => props.onChange((e.target as HTMLInputElement).value)} />;
  return (
    <select name={props.name} value={props.value} disabled={!people}
      onChange={(e) => props.onChange((e.target as HTMLSelectElement).value)}>
      <option value="">{people ? '— فقط به واحد —' : 'در حال بارگذاری…'}</option>
      {people?.map((p) => (
        <option value={p.login}>
          {p.name || p.login} ({p.role === 'supervisor' ? 'سرپرست' : 'کارشناس'}، {fa(p.open_cases)} پرونده باز)
        </option>
      ))}
    </select>
  );
}

export function Timeline(props: { events: CaseEvent[]; citizen?: boolean; catalog?: Catalog }) {
  return (
    <ol class="timeline">
      {props.events.map((e) => (
        <li key={e.id} class={`ev ev-${e.type}`} data-event={e.type}>
          <div class="ev-head">
            <strong>{label(EVENT, e.type)}</strong>
            {e.type === 'note' && <span class="badge internal">فقط کارکنان</span>}
            {e.to_status && e.to_status !== e.from_status && <StatusBadge status={e.to_status} />}
            <time>{showTime(e.at)}</time>
          </div>
          <div class="ev-who muted">
            {e.actor_role === 'citizen' ? (props.citizen ? 'شما' : e.actor_name || 'شهروند')
              : e.actor_name || (e.actor ? ident(e.actor) : 'سامانه')}
            {e.actor_role && !props.citizen ? ` (${label(ROLE, e.actor_role)})` : ''}
          </div>
          {e.data?.method && <div>روش: {label(METHOD, e.data.method)}</div>}
          {e.data?.on && <div>در انتظار: {label(WAIT_ON, e.data.on)}</div>}
          {e.type === 'assign' && e.data && <AssignLine data={e.data} catalog={props.catalog} />}
          {e.data?.rating && <div>امتیاز: {fa(e.data.rating)} از ۵</div>}
          {e.type === 'attachment' && e.data?.name && (
            <div>
              پرونده: <bdi>{e.data.name}</bdi>
            </div>
          )}
                    {e.type === 'merge' && e.data?.number && <div>در پرونده <bdi>{fa(e.data.number)}</bdi></div>}
          {e.type === 'merged' && e.data?.number && <div>پرونده <bdi>{fa(e.data.number)}</bdi> در این پرونده ادغام شد</div>}
          {e.data?.first_contact && <div>در همان تماس نخست حل شد</div>}
          {e.data?.unreached && <div>بسته شد بی‌آنکه شهروند در دسترس باشد؛ نتیجه مکتوب اعلام شد</div>}
          {/* people's words are shown as they were typed */}
          {e.text && e.type !== 'create' && <p class="ev-text" dir="auto">{e.text}</p>}
        </li>
      ))}
    </ol>
  );
}

/** The header that makes a second person's stale action a 409 instead of an overwrite. */
export function ifMatch(c: { id: number; version: number }): Record<string, string> {
  return { 'If-Match': `"${c.id}-${c.version}"` };
}

/** The person's other open cases, to merge into. */
function IntoField(props: { c: Case; value: string; onChange: (v: string) => void }) {
  const [items, setItems] = useState<CaseSummary[] | null>(null);
  useEffect(() => {
    api<Page<CaseSummary>>('GET', `/cases${qs({ national_id: props.c.national_id, open: 1, limit: 50 })}`)
      .then((p) => setItems(p.items.filter((x) => x.id !== props.c.id)), () => setItems([]));
  }, [props.c.id]);
  if (!items) return <p class="muted">در حال بارگذاری…</p>;
  if (!items.length) return <p class="muted">این شهروند پرونده باز دیگری ندارد.</p>;
  return (
    <select name="into" value={props.value} onChange={(e) => props.onChange((e.target as HTMLSelectElement).value)}>
      <option value="">انتخاب کنید</option>
      {items.map((x) => (
        <option value={x.id}>
          {`\u2068${x.number}\u2069 — ${x.subject}`}
        </option>
      ))}
    </select>
  );
}

/** The citizen's other cases and their record's summary, for staff on the case's page. */
function PersonPanel(props: { c: Case; onPick?: (id: number) => void }) {
  const [items, setItems] = useState<CaseSummary[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    api<Page<CaseSummary>>('GET', `/cases${qs({ national_id: props.c.national_id, limit: 20 })}`)
      .then((p) => setItems(p.items.filter((x) => x.id !== props.c.id)), setError);
  }, [props.c.id]);
  return (
    <section class="person-panel" aria-label="پرونده‌های دیگر و سوابق شهروند">
      <h3>پرونده‌های دیگر این شهروند</h3>
      {error ? <FormError error={error} /> : !items ? <p class="muted">در حال بارگذاری…</p> : items.length
        ? <CaseRows items={items} showPerson={false} onPick={props.onPick ?? ((id) => navigate(`/cases/${id}`))} />
        : <p class="muted">ندارد</p>}
      <RecordPanel nationalId={props.c.national_id} />
    </section>
  );
}

/** A size in Persian: کیلوبایت under a mebibyte, مگابایت with one decimal (٫) above. */
function showSize(n: number): string {
  if (n < 1 << 20) return `${fa(Math.max(1, Math.round(n / 1024)))} کیلوبایت`;
  return `${fa((n / (1 << 20)).toFixed(1)).replace('.', '٫')} مگابایت`;
}

const KIND: Record<string, string> = { 'application/pdf': 'PDF', 'image/jpeg': 'JPEG', 'image/png': 'PNG' };

/** The case's files: each with its download link, and a control to add one (PDF, JPEG or
 * PNG, 10 MiB; the server checks the bytes). onAdded gets the case read again: a file from
 * the citizen resumes a case that waits on them. */
/** The calls the case was opened on or touched during (the screen pop links them). */
function Calls(props: { caseId: number; version: number }) {
  const [items, setItems] = useState<CallBrief[]>([]);
  useEffect(() => {
    let live = true;
    api<{ items: CallBrief[] }>('GET', `/cases/${props.caseId}/calls`).then(
      (p) => live && setItems(p.items), () => live && setItems([]));
    return () => { live = false; };
  }, [props.caseId, props.version]);
  if (!items.length) return null;
  return (
    <section class="case-calls" aria-label="تماس‌ها" data-calls={items.length}>
      <h3>تماس‌ها</h3>
      <ul>
        {items.map((x) => (
          <li key={`${x.callid}-${x.queue}`} data-callid={x.callid}>
            {x.how === 'opened' ? 'ثبت در تماس' : 'اقدام در تماس'} · {showTime(x.connected ?? x.entered)} · صف {queueName(x.queue)}
            {x.agent && <> · داخلی {ident(x.agent)}</>}
            {x.talk_s !== null && <> · {fa(Math.round(x.talk_s / 60))} دقیقه گفت‌وگو</>}
          </li>
        ))}
      </ul>
    </section>
  );
}

function Attachments(props: { caseId: number; onAdded: () => void }) {
  const [items, setItems] = useState<Attachment[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [chosen, setChosen] = useState<File | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const load = () => api<{ items: Attachment[] }>('GET', `/cases/${props.caseId}/attachments`).then(
    (r) => setItems(r.items),
    setError,
  );
  useEffect(() => {
    setItems(null);
    load();
  }, [props.caseId]);

  async function add(e: Event) {
    e.preventDefault();
    const file = input.current?.files?.[0];
    if (!file) {
      setError(new ApiError(400, 'missing_field', '', 'file'));
      return;
    }
    if (file.size > 10 << 20) {
      setError(new ApiError(413, 'file_too_large', '', 'file'));
      return;
    }
    const form = new FormData();
    form.append('file', file, file.name);
    setBusy(true);
    setError(null);
    try {
      await api<Attachment>('POST', `/cases/${props.caseId}/attachments`, form);
      if (input.current) input.current.value = '';
      setChosen(null);
      await load();
      props.onAdded();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="attachments" aria-label="پیوست‌ها">
      <h3>پیوست‌ها</h3>
      {items && items.length === 0 && <p class="muted">پیوستی ندارد.</p>}
      {items && items.length > 0 && (
        <ul class="attachment-list">
          {items.map((a) => (
            <li key={a.id} data-attachment={a.id}>
              <a href={`/api/v1/cases/${props.caseId}/attachments/${a.id}`} download={a.name}>
                <bdi>{a.name}</bdi>
              </a>
              <span class="muted">
                {' '}
                <bdi>{KIND[a.type] || a.type}</bdi>، {showSize(a.size)}، {showTime(a.at)}
              </span>
            </li>
          ))}
        </ul>
      )}
      <form class="attachment-add" onSubmit={add}>
        <Field label={'افزودن پرونده (\u2068PDF\u2069، \u2068JPEG\u2069 یا \u2068PNG\u2069، تا ۱۰ مگابایت)'} name="file" error={error}
          kind="file">
          {/* the browser's own button speaks the browser's language: this one Persian */}
          <span class="file-pick">
            <input type="file" name="file" ref={input} accept="application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"
              onChange={(e) => setChosen((e.target as HTMLInputElement).files?.[0] ?? null)} />
            <span class="button" aria-hidden="true">انتخاب فایل</span>
            <span class="chosen" aria-hidden="true">
              {chosen ? <><bdi>{chosen.name}</bdi> ({showSize(chosen.size)})</> : 'فایلی انتخاب نشده است'}
            </span>
          </span>
        </Field>
        <FormError error={error} fields={['file']} />
        <button type="submit" class="primary" disabled={busy} data-act="attach">
          {busy ? 'در حال ارسال…' : 'افزودن پیوست'}
        </button>
      </form>
    </section>
  );
}

function ActionForm(props: {
  action: Action;
  caseId: number;
  kase: Case;
  staff: boolean; // staff have canned answers and the department's people
  catalog: Catalog;
  onDone: (c: Case) => void;
  onCancel: () => void;
  onStale: () => void;
}) {
  const a = props.action;
  const [values, setValues] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLFormElement>(null);
  useEffect(() => {
    first.current?.querySelector<HTMLElement>('input,select,textarea')?.focus();
  }, [a.type]);

  async function submit(e?: Event) {
    e?.preventDefault();
    const b = eventBody(a, values);
    if ('missing' in b) {
      setError(new ApiError(400, 'missing_field', '', b.missing));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      props.onDone(await api<Case>('POST', `/cases/${props.caseId}/events`, b.body, ifMatch(props.kase)));
    } catch (err) {
      setError(err); // the values stay in the form
      if (err instanceof ApiError && err.code === 'stale_version') props.onStale();
    } finally {
      setBusy(false);
    }
  }

  const set = (name: string) => (e: Event) =>
    setValues({ ...values, [name]: (e.target as HTMLInputElement).value });

  // canned answers: Ctrl+K in a reply, answer or note field opens the picker for it
  const withCanned = props.staff && ['reply', 'answer', 'note'].includes(a.type);
  const [picking, setPicking] = useState<string | null>(null);
  const areas = useRef<Record<string, HTMLTextAreaElement | null>>({});
  const cursor = useRef<{ name: string; at: number } | null>(null);
  function insertCanned(name: string, body: string) {
    const el = areas.current[name];
    const v = values[name] ?? '';
    const r = insertAt(v, el?.selectionStart ?? v.length, el?.selectionEnd ?? v.length, expandCanned(body, props.kase));
    el?.focus(); // at once, so that what is typed next goes there
    cursor.current = { name, at: r.cursor };
    setValues({ ...values, [name]: r.value });
    setPicking(null);
  }
  // once the new value is in the field (which put the cursor at its end): after the insert
  useLayoutEffect(() => {
    const c = cursor.current;
    if (!c) return;
    cursor.current = null;
    areas.current[c.name]?.setSelectionRange(c.at, c.at);
  });

  return (
    <form
      class="action-form"
      ref={first}
      onSubmit={submit}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && picking) return setPicking(null); // the picker first, then the form
        if (e.key === 'Escape') props.onCancel();
        if (e.key === 'Enter' && e.ctrlKey) submit();
      }}
      data-action={a.type}
    >
      <h3>{a.label}</h3>
      {a.fields.map((f) => (
        <Field key={f.name} label={f.label} name={f.name} error={error}>
          {f.kind === 'text' && withCanned ? (
            <>
              <textarea name={f.name} rows={3} value={values[f.name] ?? ''} onInput={set(f.name)}
                ref={(el) => {
                  areas.current[f.name] = el;
                }}
                onKeyDown={(e) => {
                  if (!isCannedShortcut(e)) return;
                  e.preventDefault();
                  setPicking(f.name);
                }} />
              <button type="button" class="link" data-act="canned" onClick={() => setPicking(f.name)}>
                پاسخ‌های آماده <kbd>Ctrl+K</kbd>
              </button>
              {picking === f.name && (
                <CannedPicker department={props.kase.department} expand={(b) => expandCanned(b, props.kase)}
                  onPick={(c) => insertCanned(f.name, c.body)}
                  onClose={() => {
                    setPicking(null);
                    areas.current[f.name]?.focus();
                  }} />
              )}
            </>
          ) : f.kind === 'text' ? (
            <textarea name={f.name} rows={3} value={values[f.name] ?? ''} onInput={set(f.name)} />
          ) : f.kind === 'method' ? (
            <select name={f.name} value={values[f.name] ?? ''} onChange={set(f.name)}>
              <option value="">انتخاب کنید</option>
              {Object.entries(METHOD).map(([k, v]) => (
                <option value={k}>{v}</option>
              ))}
            </select>
          ) : f.kind === 'on' ? (
            <select name={f.name} value={values[f.name] ?? ''} onChange={set(f.name)}>
              <option value="">انتخاب کنید</option>
              {Object.entries(WAIT_ON).map(([k, v]) => (
                <option value={k}>{v}</option>
              ))}
            </select>
          ) : f.kind === 'rating' ? (
            <div class="rating" role="radiogroup">
              {[1, 2, 3, 4, 5].map((n) => (
                <label>
                  <input type="radio" name="rating" value={n} checked={values.rating === String(n)}
                    onChange={set('rating')} />
                  {fa(n)}
                </label>
              ))}
            </div>
          ) : f.kind === 'into' ? (
            <IntoField c={props.kase} value={values[f.name] ?? ''}
              onChange={(v) => setValues({ ...values, [f.name]: v })} />
          ) : f.kind === 'department' ? (
            <select name={f.name} value={values[f.name] ?? props.kase.department}
              onChange={(e) => setValues({ ...values, department: (e.target as HTMLSelectElement).value, assignee: '' })}>
              {props.catalog.departments.map((d) => (
                <option value={d.code}>{d.name}{d.code === props.kase.department ? ' (واحد فعلی)' : ''}</option>
              ))}
            </select>
          ) : f.kind === 'assignee' && props.staff ? (
            <PeopleSelect department={values.department || props.kase.department} name={f.name}
              value={values[f.name] ?? ''} onChange={(v) => setValues({ ...values, [f.name]: v })} />
          ) : (
            <input name={f.name} value={values[f.name] ?? ''} onInput={set(f.name)} autocomplete="off" />
          )}
        </Field>
      ))}
      <FormError error={error} fields={a.fields.map((f) => f.name)} />
      <div class="buttons">
        <button type="submit" class="primary" disabled={busy}>
          ثبت <kbd>Ctrl+Enter</kbd>
        </button>
        <button type="button" onClick={props.onCancel}>
          انصراف <kbd>Esc</kbd>
        </button>
      </div>
    </form>
  );
}

/** A case one may not (or no longer) read: said in words, with the way back. */
function NotInQueue(props: { role: string }) {
  const queue = props.role === 'specialist' || props.role === 'supervisor';
  return (
    <div class="alert" role="alert" data-case-forbidden>
      <p>این پرونده در {queue ? 'کارتابل' : 'فهرست پرونده‌های'} شما نیست یا دیگر اجازهٔ دیدن آن را ندارید؛ شاید به واحد دیگری ارجاع شده باشد.</p>
      <a href={queue ? '/queue' : '/cases'}>{queue ? 'بازگشت به کارتابل' : 'بازگشت به پرونده‌ها'}</a>
    </div>
  );
}

export function CaseView(props: {
  id: number;
  catalog: Catalog;
  citizen?: boolean;
  me: { login: string; role: string; department?: string | null };
  withPerson?: boolean; // staff: the citizen's other cases and record summary below the case
  onPick?: (id: number) => void;
}) {
  const [c, setCase] = useState<Case | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [open, setOpen] = useState<Action | null>(null);
  const [busy, setBusy] = useState(false);

  const [leftLive, setLeft] = useState(false); // the stream said the case moved away
  const reload = () => api<Case>('GET', `/cases/${props.id}`).then(setCase, setError);
  useEffect(() => {
    setCase(null);
    setError(null);
    setLeft(false);
    reload();
  }, [props.id]);
  // someone else changed this case: read it again (a case transferred away says so)
  useLive((e) => {
    if (e && (e.case_id !== props.id || e.self)) return;
    if (e?.reason === 'left') setLeft(true);
    api<Case>('GET', `/cases/${props.id}`).then(setCase, () => {});
  });

  /** An action refused as stale: show the case as it is now, keep the refusal on screen. */
  function stale(e: unknown) {
    setError(e);
    api<Case>('GET', `/cases/${props.id}`).then(setCase, () => {});
  }

  const actions = c ? actionsFor(c.allowed_events) : [];

  async function quick(a: Action) {
    if (a.fields.length) return setOpen(a);
    setBusy(true);
    setError(null);
    try {
      setCase(await api<Case>('POST', `/cases/${props.id}/events`, { type: a.type }, c ? ifMatch(c) : {}));
    } catch (e) {
      if (e instanceof ApiError && e.code === 'stale_version') stale(e);
      else setError(e);
    } finally {
      setBusy(false);
    }
  }

  async function take() {
    setBusy(true);
    try {
      setCase(await api<Case>('POST', `/cases/${props.id}/events`, { type: 'assign', assignee: props.me.login },
        c ? ifMatch(c) : {}));
    } catch (e) {
      if (e instanceof ApiError && e.code === 'stale_version') stale(e);
      else setError(e);
    } finally {
      setBusy(false);
    }
  }

  // the shortcuts read the actions of the case as last rendered (a ref, set during render),
  // not those of the render that registered the handler: a key pressed right after a
  // change must act on the new state
  const latest = useRef({ actions, quick });
  latest.current = { actions, quick };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey || e.ctrlKey) return;
      const a = latest.current.actions.find((x) => isShortcut(e, x.key));
      if (a) {
        e.preventDefault();
        latest.current.quick(a);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  if (!c && error instanceof ApiError && error.status === 403 && !props.citizen)
    return <NotInQueue role={props.me.role} />;
  if (!c) return error ? <FormError error={error} /> : <p class="muted">در حال بارگذاری…</p>;
  // a transfer to another department takes the case out of a department's queue
  const left = !props.citizen && !!props.me.department && c.department !== props.me.department &&
    (props.me.role === 'specialist' || props.me.role === 'supervisor');
  const topic = props.catalog.topic(c.topic);
  const dept = props.catalog.department(c.department);
  const canTake = !props.citizen && c.allowed_events.includes('assign') && c.assignee !== props.me.login &&
    props.me.role === 'specialist';
  return (
    <article class="case" data-status={c.status}>
      <header class="case-head">
        <h2>
          پرونده <span class="num">{fa(c.number)}</span> <StatusBadge status={c.status} overdue={c.overdue} />
        </h2>
        <p class="subject" dir="auto">{c.subject}</p>
        {leftLive && <p class="notice" role="status">این پرونده به دیگری ارجاع شد و از کارتابل شما خارج شد.</p>}
      </header>
      <dl class="facts">
        <dt>شهروند</dt>
        <dd>{c.person_name} ({fa(c.national_id)})</dd>
        <dt>موضوع</dt>
        <dd>{topic?.name || c.topic_name}</dd>
        <dt>واحد</dt>
        <dd>{dept?.name || c.department}</dd>
        <dt>مجرا</dt>
        <dd>{props.catalog.channel(c.channel)?.name || c.channel}</dd>
        {!props.citizen && (
          <>
            <dt>اولویت</dt>
            <dd>{label(PRIORITY, c.priority)}</dd>
            <dt>کارشناس</dt>
            <dd>{c.assignee_name || c.assignee || '—'}</dd>
          </>
        )}
        <dt>ثبت</dt>
        <dd>{showTime(c.created)}</dd>
        {c.resolution_due && (
          <>
            <dt>مهلت رسیدگی</dt>
            <dd class={c.overdue ? 'overdue' : ''}>{showTime(c.resolution_due)}</dd>
          </>
        )}
        {c.failed_contacts > 0 && (
          <>
            <dt>تماس ناموفق</dt>
            <dd>{fa(c.failed_contacts)} بار</dd>
          </>
        )}
        {c.rating && (
          <>
            <dt>امتیاز</dt>
            <dd>{fa(c.rating)} از ۵</dd>
          </>
        )}
      </dl>
      {c.description && <p class="description" dir="auto">{c.description}</p>}
      {c.first_contact && <p class="notice ok" data-notice="first-contact">در همان تماس نخست حل شد.</p>}
      {c.unreached && (
        <p class="notice" data-notice="unreached">
          {props.citizen
            ? 'چند بار برای اعلام نتیجه با شما تماس گرفتیم و پاسخی نگرفتیم؛ نتیجه رسیدگی در سیر پرونده آمده است.'
            : 'بسته شد بی‌آنکه شهروند در دسترس باشد؛ نتیجه به صورت مکتوب در صفحه شهروند آمده است.'}
        </p>
      )}
      {c.events.some((e) => e.type === 'merge') && (
        <p class="notice" data-notice="merged">
          این پرونده در پرونده <bdi>{fa(c.events.filter((e) => e.type === 'merge').slice(-1)[0]?.data?.number)}</bdi> ادغام شد.
        </p>
      )}
      {left && (
        <div class="alert case-left" role="status" data-case-left>
          این پرونده به واحد «{dept?.name || c.department}» ارجاع شد و دیگر در کارتابل شما نیست.{' '}
          <a href="/queue">بازگشت به کارتابل</a>
        </div>
      )}
      {!left && <section class="actions" aria-label="اقدام‌ها">
        {canTake && (
          <button class="primary" disabled={busy} onClick={take} data-act="take">
            برداشتن پرونده
          </button>
        )}
        {actions.map((a) => (
          <button key={a.type} disabled={busy} onClick={() => quick(a)} data-act={a.type}
            class={open?.type === a.type ? 'active' : ''}>
            {props.citizen ? citizenLabel(a) : a.label} {!props.citizen && <kbd>Alt+{a.key.toUpperCase()}</kbd>}
          </button>
        ))}
      </section>}
      <FormError error={error} />
      {open && (
        <ActionForm
          action={open}
          caseId={c.id}
          kase={c}
          staff={!props.citizen}
          catalog={props.catalog}
          onDone={(nc) => {
            setCase(nc);
            setOpen(null);
          }}
          onCancel={() => setOpen(null)}
          onStale={() => api<Case>('GET', `/cases/${props.id}`).then(setCase, () => {})}
        />
      )}
      <Attachments caseId={c.id} onAdded={() => api<Case>('GET', `/cases/${props.id}`).then(setCase, setError)} />
      {!props.citizen && <Calls caseId={c.id} version={c.version} />}
      <h3>سیر پرونده</h3>
      <Timeline events={c.events} citizen={props.citizen} catalog={props.catalog} />
      {props.withPerson && !props.citizen && <PersonPanel c={c} onPick={props.onPick} />}
    </article>
  );
}
