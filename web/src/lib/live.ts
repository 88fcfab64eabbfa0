// Live events: one EventSource per tab on GET /api/v1/stream (Server-Sent Events). The
// browser reconnects by itself (the server says `retry: 3000`) and sends Last-Event-ID, so
// that nothing in between is missed; a stream refused or ended (a logout, a cap) is tried
// again later, with a reset (the lists fetched again) since it cannot say what it missed.
// Pages subscribe with useLive; an event names a case, never a text: the page fetches it.
import { useEffect, useRef } from 'preact/hooks';
import { fa } from './text';

export interface LiveEvent {
  id: string;
  type: string;
  case_id: number;
  number: string | null;
  status: string | null;
  /** why the reader hears of it: assignee, left, creator, department, all, person */
  reason: string;
  department?: string | null;
  /** the reader did it */
  self?: boolean;
  at: string;
}
/** null: fetch everything again (a reset: the events missed are not known). */
export type LiveListener = (e: LiveEvent | null) => void;

/** The screen pop: a call connected to the reader's telephone agent (`event: call`). Ids
 *  only: the page fetches GET /calls/{callid}. */
export interface CallEvent {
  callid: string;
  queue: string;
  at: string;
}
export type CallListener = (e: CallEvent) => void;

const listeners = new Set<LiveListener>();
const callListeners = new Set<CallListener>();
/** The wallboard's snapshots (`event: board`, supervisors' streams only): the JSON of
 *  GET /api/v1/calls/board, without `at`. */
const boardListeners = new Set<(b: unknown) => void>();
let source: EventSource | null = null;
let wanted = false;
let failures = 0;
let timer: ReturnType<typeof setTimeout> | undefined;

/** Whether the stream is live, on <html data-live> (for people's tools and the tests). */
function mark(state: 'on' | 'off') {
  if (typeof document !== 'undefined') document.documentElement.dataset.live = state;
}

function emit(e: LiveEvent | null) {
  for (const fn of [...listeners]) {
    try {
      fn(e);
    } catch {
      /* one page's trouble is not the others' */
    }
  }
}

function tellCall(e: CallEvent) {
  for (const fn of [...callListeners]) {
    try {
      fn(e);
    } catch {
      /* one page's trouble is not the others' */
    }
  }
}

/** A stream (re)opened: the call on this screen now, if one is (GET /api/v1/me/call), told
 *  as the stream told it, so that a reload or a lost connection during a call brings the
 *  caller back. Listeners take a call they already show as the same call. */
async function callOnScreen() {
  try {
    const r = await fetch('/api/v1/me/call', { credentials: 'same-origin' });
    if (!r.ok) return;
    const j = (await r.json()) as { call?: CallEvent | null };
    if (j.call && typeof j.call.callid === 'string') tellCall(j.call);
  } catch {
    /* the stream's own events still come */
  }
}

function connect() {
  if (!wanted || source || typeof EventSource === 'undefined') return;
  const es = new EventSource('/api/v1/stream'); // same origin: the session cookie goes along
  source = es;
  es.addEventListener('ready', () => {
    mark('on');
    if (failures) emit(null); // a new stream after a closed one: what was missed is unknown
    failures = 0;
    if (callListeners.size) void callOnScreen();
  });
  es.addEventListener('reset', () => emit(null));
  es.addEventListener('board', (m) => {
    let b: unknown;
    try {
      b = JSON.parse((m as MessageEvent).data);
    } catch {
      return;
    }
    for (const fn of [...boardListeners]) fn(b);
  });
  es.addEventListener('case', (m) => {
    let e: LiveEvent;
    try {
      e = JSON.parse((m as MessageEvent).data);
    } catch {
      return;
    }
    emit(e);
    notify(e);
  });
  es.addEventListener('call', (m) => {
    let e: CallEvent;
    try {
      e = JSON.parse((m as MessageEvent).data);
    } catch {
      return;
    }
    if (typeof e?.callid !== 'string') return;
    tellCall(e);
  });
  es.onerror = () => {
    mark('off');
    if (es.readyState !== EventSource.CLOSED) return; // the browser reconnects by itself
    source = null;
    failures++;
    clearTimeout(timer);
    if (wanted) timer = setTimeout(connect, Math.min(60_000, 3000 * 2 ** Math.min(failures, 5)));
  };
}

/** Starts the tab's stream (after the login); liveStop at the logout. */
export function liveStart() {
  wanted = true;
  connect();
}
export function liveStop() {
  wanted = false;
  clearTimeout(timer);
  source?.close();
  source = null;
  failures = 0;
  mark('off');
}

/** Calls fn on every live event while the component is mounted (the latest fn). */
export function useLive(fn: LiveListener) {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    const l: LiveListener = (e) => ref.current(e);
    listeners.add(l);
    return () => {
      listeners.delete(l);
    };
  }, []);
}

/** Calls fn on every call connected to the reader while the component is mounted. */
export function useCallPop(fn: CallListener) {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    const l: CallListener = (e) => ref.current(e);
    callListeners.add(l);
    // a page that starts listening on a stream already open asks for the call on its screen
    if (source && typeof document !== 'undefined' && document.documentElement.dataset.live === 'on')
      void callOnScreen();
    return () => {
      callListeners.delete(l);
    };
  }, []);
}

/** Calls fn with each wallboard snapshot pushed while the component is mounted. */
export function useBoard<T>(fn: (b: T) => void) {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    const l = (b: unknown) => ref.current(b as T);
    boardListeners.add(l);
    return () => {
      boardListeners.delete(l);
    };
  }, []);
}

/** fn at most once per ms, after the last of a burst of calls (a list fetched once for ten events). */
export function debounce(fn: () => void, ms: number): () => void {
  let t: ReturnType<typeof setTimeout> | undefined;
  return () => {
    clearTimeout(t);
    t = setTimeout(fn, ms);
  };
}

// a case number is a left-to-right run inside Persian text: isolated, in Persian digits
const num = (e: LiveEvent) => `\u2068${fa(e.number ?? String(e.case_id))}\u2069`;

/** What to tell a person of e, in Persian; null when it is not worth a word (their own
 *  act, a note, a start). */
export function describe(e: LiveEvent): string | null {
  if (e.self) return null;
  const n = num(e);
  switch (e.reason) {
    case 'assignee':
      if (e.type === 'assign') return `پرونده ${n} به شما ارجاع شد`;
      if (e.type === 'escalate') return `مهلت پرونده ${n} گذشته است`;
      if (e.type === 'reopen') return `پرونده ${n} دوباره باز شد`;
      return null;
    case 'left':
      return `پرونده ${n} از کارتابل شما خارج شد`;
    case 'creator':
      if (e.type === 'answer') return `پرونده ${n} پاسخ داده شد`;
      if (e.type === 'reopen') return `پرونده ${n} دوباره باز شد`;
      if (e.type === 'rate') return `شهروند به پرونده ${n} امتیاز داد`;
      if (e.type === 'close') return `پرونده ${n} بسته شد`;
      return null;
    case 'department':
    case 'all':
      if (e.type === 'create') return `پرونده تازه ${n} در کارتابل`;
      if (e.type === 'assign') return `پرونده ${n} به واحد ارجاع شد`;
      if (e.type === 'escalate') return `مهلت پرونده ${n} گذشته است`;
      if (e.type === 'reopen') return `پرونده ${n} دوباره باز شد`;
      return null;
    case 'person':
      if (e.type === 'answer') return `به درخواست ${n} پاسخ داده شد`;
      if (e.type === 'report_back') return `نتیجه درخواست ${n} به شما اعلام شد`;
      if (e.type === 'wait') return `درخواست ${n} منتظر پاسخ شماست`;
      if (e.type === 'close') return `درخواست ${n} بسته شد`;
      return null;
  }
  return null;
}

/** A browser notification when the tab is hidden and the person allowed them. */
function notify(e: LiveEvent) {
  if (typeof document === 'undefined' || !document.hidden) return;
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  const text = describe(e);
  if (!text) return;
  try {
    const n = new Notification('تأمین ۱۴۲۰', { body: text, tag: `case-${e.case_id}`, lang: 'fa', dir: 'rtl' });
    n.onclick = () => {
      window.focus();
      n.close();
    };
  } catch {
    /* some browsers allow them from a service worker only */
  }
}

/** Whether asking for notifications makes sense now (never asked, and they exist). */
export function mayAskNotifications(): boolean {
  return typeof Notification !== 'undefined' && Notification.permission === 'default';
}
