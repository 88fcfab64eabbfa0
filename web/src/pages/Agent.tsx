// The 1420 agent console: one field finds the caller (national id, mobile, case number, or
// words), the caller's card with open and past cases, a new case in a few keystrokes, and
// the selected case with its actions. Shortcuts are listed on screen.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, CallBrief, CallPop, Case, CaseSummary, Page, Person, qs } from '../api';
import type { Ctx } from '../main';
import { showDay, showTime } from '../lib/jalali';
import { ApiError } from '../lib/errors';
import { useCallPop } from '../lib/live';
import { fa, lookupKind, num, queueName } from '../lib/text';
import { navigate } from '../router';
import { CaseRows } from '../ui/CaseList';
import { CaseView } from '../ui/CaseView';
import { Field, FormError } from '../ui/Field';
import { NewCase } from '../ui/NewCase';
import { RecordPanel } from '../ui/Record';

type Card = Person & { cases: CaseSummary[]; cases_total?: number };

/** All of a person's cases, a page at a time (the card holds the latest 50). */
function AllCases(props: { nationalId: string; onPick: (id: number) => void }) {
  const [items, setItems] = useState<CaseSummary[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  async function more(cursor?: string) {
    try {
      const p = await api<Page<CaseSummary>>('GET', `/cases${qs({ national_id: props.nationalId, limit: 50, cursor })}`);
      setItems((old) => (cursor ? [...old, ...p.items] : p.items));
      setNext(p.next);
    } catch (e) {
      setError(e);
    }
  }
  useEffect(() => { more(); }, [props.nationalId]);
  return (
    <div class="all-cases" data-all-cases={items.length}>
      <CaseRows items={items} showPerson={false} onPick={props.onPick} />
      <FormError error={error} />
      {next && <button onClick={() => more(next)}>بیشتر</button>}
    </div>
  );
}

/** The caller's open cases include answered ones: the outcome is still to be reported. */
const OPEN = new Set(['new', 'assigned', 'in_progress', 'waiting', 'answered']);

export function CallerCard(props: { card: Card; onPick: (id: number) => void; province: (code: string | null) => string }) {
  const p = props.card;
  const [all, setAll] = useState(false);
  const open = p.cases.filter((c) => OPEN.has(c.status));
  const past = p.cases.filter((c) => !OPEN.has(c.status));
  return (
    <section class="caller card" data-national-id={p.national_id}>
      <h2>
        {p.first_name} {p.last_name}
      </h2>
      <dl class="facts">
        <dt>کد ملی</dt>
        <dd>{fa(p.national_id)}</dd>
        <dt>نام پدر</dt>
        <dd>{p.father_name || '—'}</dd>
        <dt>تاریخ تولد</dt>
        <dd>{p.birth_date ? showDay(`${p.birth_date}T12:00:00Z`) : '—'}</dd>
        <dt>همراه</dt>
        <dd>{fa(p.mobile) || '—'}</dd>
        <dt>استان</dt>
        <dd>{props.province(p.province) || '—'}</dd>
        <dt>آخرین تماس</dt>
        <dd>{p.cases[0] ? showTime(p.cases[0].created) : '—'}</dd>
      </dl>
      <h3>پرونده‌های باز ({fa(open.length)})</h3>
      {open.length ? <CaseRows items={open} showPerson={false} onPick={props.onPick} /> : <p class="muted">ندارد</p>}
      <h3>پرونده‌های پیشین ({fa(past.length)})</h3>
      {past.length ? <CaseRows items={past.slice(0, 10)} showPerson={false} onPick={props.onPick} /> : <p class="muted">ندارد</p>}
      {(p.cases_total ?? p.cases.length) > open.length + Math.min(past.length, 10) && !all && (
        <button onClick={() => setAll(true)} data-act="all-cases">
          همه پرونده‌ها ({fa(p.cases_total ?? p.cases.length)})
        </button>
      )}
      {all && <AllCases nationalId={p.national_id} onPick={props.onPick} />}
    </section>
  );
}

const OUTCOME: Record<string, string> = {
  answered: 'پاسخ داده شد', transfer: 'انتقال', abandoned: 'قطع پیش از پاسخ', timeout: 'پایان زمان انتظار',
  key: 'خروج با کلید', empty: 'صف خالی', withdraw: 'انصراف',
};

/** The call on the agent's screen (the screen pop): who is calling, by their number, and
 *  their last calls; the caller's card is shown beside it as after a lookup. */
function CallPanel(props: { call: CallPop; onClose: () => void }) {
  const c = props.call;
  const calls = (c.card.calls ?? []).filter((x) => x.callid !== c.callid).slice(0, 5);
  return (
    <section class="card call-pop" data-callid={c.callid} role="status" aria-live="assertive">
      <h2>
        تماس در صف {queueName(c.queue)} از {num(c.caller ?? '—')}
      </h2>
      {c.card.found ? (
        <p>
          تماس‌گیرنده: <strong class="call-person">{c.card.first_name} {c.card.last_name}</strong>{' '}
          (کد ملی {num(c.card.national_id ?? '')})؛ پرونده‌های باز: {fa(c.card.open_cases ?? 0)}
        </p>
      ) : (
        <p class="notice" data-card="not-found">
          کسی با شماره همراه {num(c.card.number ?? '')} در سوابق نیست؛ کد ملی را بپرسید و در جستجو بنویسید.
        </p>
      )}
      {c.cases.length > 0 && (
        <p class="muted" data-linked={c.cases.length}>
          پرونده‌های این تماس: {c.cases.map((x, i) => (
            <span key={i}>{i ? '، ' : ''}{num(x.case?.number ?? '')} ({x.how === 'opened' ? 'ثبت در تماس' : 'اقدام در تماس'})</span>
          ))}
        </p>
      )}
      {calls.length > 0 && (
        <>
          <h3>تماس‌های پیشین</h3>
          <ul class="last-calls">
            {calls.map((x: CallBrief) => (
              <li key={x.callid}>
                {showTime(x.entered)} · صف {queueName(x.queue)} · {x.outcome ? OUTCOME[x.outcome] ?? x.outcome : 'در جریان'}
              </li>
            ))}
          </ul>
        </>
      )}
      <button class="link" onClick={props.onClose} data-act="call-close">پایان تماس</button>
    </section>
  );
}

export function Agent(props: { ctx: Ctx; query: URLSearchParams }) {
  const [q, setQ] = useState(props.query.get('q') ?? '');
  const [card, setCard] = useState<Card | null>(null);
  const [found, setFound] = useState<CaseSummary[] | null>(null);
  const [caseId, setCaseId] = useState<number | null>(null);
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [call, setCall] = useState<CallPop | null>(null);
  const search = useRef<HTMLInputElement>(null);

  // the screen pop: a call connected to this agent shows its caller, with no typing
  const onScreen = useRef<string | null>(null);
  async function showCall(callid: string) {
    onScreen.current = callid;
    try {
      const c = await api<CallPop>('GET', `/calls/${encodeURIComponent(callid)}`);
      setCall(c);
      setFound(null);
      setCaseId(null);
      setCreating(false);
      setError(null);
      if (c.card.found && c.card.national_id) {
        setCard({ ...(c.card as Card), cases: c.card.cases ?? [] });
        setQ(c.card.national_id);
        navigate(`/agent${qs({ q: c.card.national_id, call: c.callid })}`, true);
      } else {
        setCard(null);
        setQ('');
        search.current?.focus();
        navigate(`/agent${qs({ call: c.callid })}`, true);
      }
    } catch (e) {
      setError(e);
    }
  }
  // the same call told again (the stream reconnected) leaves what the agent is typing alone
  useCallPop((e) => {
    if (e.callid !== onScreen.current) showCall(e.callid);
  });

  async function lookup(raw: string) {
    const { kind, value } = lookupKind(raw);
    if (!value) return;
    setBusy(true);
    setError(null);
    setFound(null);
    setCaseId(null);
    setCreating(false);
    try {
      if (kind === 'national_id') {
        setCard(await api<Card>('GET', `/people/${value}`));
      } else {
        const params = kind === 'mobile' ? { mobile: value } : kind === 'number' ? { number: value } : { q: value };
        const p = await api<Page<CaseSummary>>('GET', `/cases${qs({ ...params, limit: 25 })}`);
        const people = new Set(p.items.map((c) => c.national_id));
        if (people.size === 1) {
          // one caller: identify them (this opens the caller context and is audited)
          setCard(await api<Card>('GET', `/people/${p.items[0].national_id}`));
          if (kind === 'number') setCaseId(p.items[0].id);
        } else {
          setCard(null);
          setFound(p.items);
          if (!p.items.length) setError(new ApiError(404, 'not_found', '', 'q'));
        }
      }
      navigate(`/agent${qs({ q: value })}`, true);
    } catch (e) {
      setCard(null);
      // a lookup's refusal (no such person, a bad national id) belongs to the search field
      setError(e instanceof ApiError && e.status >= 400 && e.status < 500 && e.status !== 401
        ? new ApiError(e.status, e.code, e.message, 'q') : e);
    } finally {
      setBusy(false);
    }
  }

  useEffect(() => {
    const pop = props.query.get('call');
    if (pop) showCall(pop);
    else if (q) lookup(q);
    const onKey = (e: KeyboardEvent) => {
      // by the key's place (code), so that the Persian layout's «/» key (which types «پ»)
      // works as well
      if (e.key === 'F2' || (e.code === 'Slash' && !e.altKey && !e.ctrlKey &&
        !(e.target as HTMLElement).closest('input,textarea,select'))) {
        e.preventDefault();
        search.current?.focus();
        search.current?.select();
      } else if (e.key === 'F4') {
        e.preventDefault();
        setCaseId(null);
        setCreating(true);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  function created(c: Case) {
    setCreating(false);
    setCaseId(c.id);
    if (card) api<Card>('GET', `/people/${card.national_id}`).then(setCard, () => {});
    if (call) api<CallPop>('GET', `/calls/${encodeURIComponent(call.callid)}`).then(setCall, () => {});
  }

  return (
    <div class="agent">
      <form
        class="lookup"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          lookup(q);
        }}
      >
        <Field label="کد ملی، شماره همراه، شماره پرونده یا متن" name="q" error={error}>
          <input ref={search} name="q" value={q} autofocus autocomplete="off" inputMode="search"
            onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
        </Field>
        <button type="submit" class="primary" disabled={busy}>
          جستجو
        </button>
      </form>
      <p class="shortcuts muted">
        <kbd>F2</kbd> یا <kbd>/</kbd> جستجو · <kbd>F4</kbd> درخواست تازه برای تماس‌گیرنده · روی پرونده: <kbd>Alt+N</kbd>{' '}
        یادداشت داخلی، <kbd>Alt+P</kbd> پیام به شهروند، <kbd>Alt+A</kbd> پاسخ، <kbd>Alt+L</kbd> حل در تماس،{' '}
        <kbd>Alt+R</kbd> اعلام نتیجه، <kbd>Alt+F</kbd> تماس ناموفق، <kbd>Alt+C</kbd> بستن
      </p>
      <FormError error={error} fields={['q']} />
      {call && <CallPanel call={call} onClose={() => { setCall(null); navigate(`/agent${qs({ q })}`, true); }} />}
      <div class="columns">
        <div class="col">
          {card && <CallerCard card={card} onPick={setCaseId} province={props.ctx.catalog.province} />}
          {card && <RecordPanel key={card.national_id} nationalId={card.national_id} />}
          {found && found.length > 0 && (
            <section class="card">
              <h2>نتیجه جستجو</h2>
              <CaseRows items={found} onPick={setCaseId} />
            </section>
          )}
        </div>
        <div class="col">
          {card && !creating && (
            <button class="primary" onClick={() => { setCaseId(null); setCreating(true); }} data-act="new-case">
              درخواست تازه <kbd>F4</kbd>
            </button>
          )}
          {card && creating && (
            <section class="card">
              <h2>درخواست تازه برای {card.first_name} {card.last_name}</h2>
              <NewCase catalog={props.ctx.catalog} nationalId={card.national_id} channel="phone" showChannel
                showPriority solveOnCall onCreated={created} autofocus callId={call?.callid} />
            </section>
          )}
          {caseId && <CaseView id={caseId} catalog={props.ctx.catalog} me={props.ctx.me} />}
        </div>
      </div>
    </div>
  );
}
