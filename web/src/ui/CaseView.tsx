// A case: its facts, its full timeline, and the actions its state allows for this user.
// The buttons follow `allowed_events` (the server's state machine); the server still
// checks every event. Each action has an Alt+key shortcut, shown on its button.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api, Case, CaseEvent } from '../api';
import { Action, actionsFor, citizenLabel, eventBody } from '../lib/actions';
import { ApiError } from '../lib/errors';
import { showTime } from '../lib/jalali';
import { EVENT, label, METHOD, PRIORITY, ROLE, WAIT_ON } from '../lib/labels';
import { fa } from '../lib/text';
import { Catalog } from '../catalog';
import { StatusBadge } from './CaseList';
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
            {e.actor_name || e.actor || 'سامانه'}
            {e.actor_role && !props.citizen ? ` (${label(ROLE, e.actor_role)})` : ''}
          </div>
          {e.data?.method && <div>روش: {label(METHOD, e.data.method)}</div>}
          {e.data?.on && <div>در انتظار: {label(WAIT_ON, e.data.on)}</div>}
          {e.type === 'assign' && e.data && <AssignLine data={e.data} catalog={props.catalog} />}
          {e.data?.rating && <div>امتیاز: {fa(e.data.rating)} از ۵</div>}
          {/* people's words are shown as they were typed */}
          {e.text && e.type !== 'create' && <p class="ev-text" dir="auto">{e.text}</p>}
        </li>
      ))}
    </ol>
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
      props.onDone(await api<Case>('POST', `/cases/${props.caseId}/events`, b.body));
    } catch (err) {
      setError(err); // the values stay in the form
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
}) {
  const [c, setCase] = useState<Case | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [open, setOpen] = useState<Action | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    setCase(null);
    setError(null);
    api<Case>('GET', `/cases/${props.id}`).then(setCase, setError);
  }, [props.id]);

  const actions = c ? actionsFor(c.allowed_events) : [];

  async function quick(a: Action) {
    if (a.fields.length) return setOpen(a);
    setBusy(true);
    setError(null);
    try {
      setCase(await api<Case>('POST', `/cases/${props.id}/events`, { type: a.type }));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  async function take() {
    setBusy(true);
    try {
      setCase(await api<Case>('POST', `/cases/${props.id}/events`, { type: 'assign', assignee: props.me.login }));
    } catch (e) {
      setError(e);
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
      const a = latest.current.actions.find((x) => x.key === e.key.toLowerCase());
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
        />
      )}
      <h3>سیر پرونده</h3>
      <Timeline events={c.events} citizen={props.citizen} catalog={props.catalog} />
    </article>
  );
}
