// The one way the app talks to tamin: JSON over /api/v1 with the session cookie
// (HttpOnly, SameSite=Strict) and the session's CSRF token on every change.
import { ApiError } from './lib/errors';

let csrf = sessionStorage.getItem('csrf') || '';

export function setCsrf(token: string) {
  csrf = token;
  if (token) sessionStorage.setItem('csrf', token);
  else sessionStorage.removeItem('csrf');
}

/** Called when the server says the session is gone (401): the app shows the login page. */
let onUnauthenticated: () => void = () => {};
export function whenLoggedOut(fn: () => void) {
  onUnauthenticated = fn;
}

export async function api<T = any>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown,
  extra: Record<string, string> = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...extra };
  const form = body instanceof FormData; // a file: multipart/form-data, its boundary set by fetch
  if (body !== undefined && !form) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : form ? (body as FormData) : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch (e) {
    throw new ApiError(0, 'network', String(e));
  }
  let json: any = null;
  try {
    json = await res.json();
  } catch {
    /* not JSON */
  }
  if (!res.ok) {
    const err = json?.error || {};
    const e = new ApiError(res.status, err.code || 'internal', err.message || res.statusText, err.field || '', err);
    if (res.status === 401 && !path.startsWith('/login')) onUnauthenticated();
    throw e;
  }
  return json as T;
}

/** A query string from defined, non-empty values. */
export function qs(params: Record<string, string | number | boolean | undefined | null>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '' || v === false) continue;
    u.set(k, v === true ? '1' : String(v));
  }
  const s = u.toString();
  return s ? `?${s}` : '';
}

// ---- the shapes the API returns (docs/openapi.yaml) ----

export interface Me {
  login: string;
  name: string;
  role: string;
  department: string | null;
  national_id: string | null;
  csrf?: string;
  /** an admin reset the password: a new one first (pages/Password.tsx) */
  must_change_password?: boolean;
}

export interface CaseSummary {
  id: number;
  number: string;
  status: string;
  channel: string;
  topic: string;
  topic_name: string;
  department: string;
  priority: string;
  subject: string;
  national_id: string;
  person_name: string;
  assignee: string | null;
  created: string;
  updated: string;
  first_response_due: string | null;
  resolution_due: string | null;
  report_back_due: string | null;
  overdue: boolean;
  reopen_count: number;
}

export interface CaseEvent {
  id: number;
  at: string;
  type: string;
  from_status: string | null;
  to_status: string | null;
  text: string;
  data: Record<string, any>;
  actor: string | null;
  actor_name: string | null;
  actor_role: string | null;
}

export interface Person {
  national_id: string;
  first_name: string;
  last_name: string;
  father_name: string;
  gender: string | null;
  birth_date: string | null;
  mobile: string | null;
  province: string | null;
}

/** A call as GET /calls/{callid} and GET /cases/{id}/calls give it (times UTC, null unknown). */
export interface CallBrief {
  callid: string;
  queue: string;
  agent: string | null;
  outcome: string | null;
  entered: string | null;
  connected: string | null;
  ended: string | null;
  wait_s: number | null;
  talk_s: number | null;
  how?: 'opened' | 'touched';
  linked?: string;
}

/** GET /calls/{callid}: the call on the agent's screen, its caller's card, its cases. */
export interface CallPop extends CallBrief {
  caller: string | null;
  card: (Partial<Person> & { found: boolean; number: string | null; cases?: CaseSummary[];
    cases_total?: number; open_cases?: number; calls?: CallBrief[] });
  cases: { how: 'opened' | 'touched'; case: CaseSummary | null }[];
}

/** A file added to a case (GET /cases/{id}/attachments). */
export interface Attachment {
  id: number;
  name: string;
  type: string;
  size: number;
  at: string;
  uploaded_by: string | null;
  uploaded_by_role: string;
  resumed?: boolean;
}

export interface Case extends CaseSummary {
  version: number; // If-Match: "<id>-<version>"
  first_contact?: boolean;
  unreached?: boolean;
  merged_into?: number | null;
  duplicates?: CaseSummary[]; // on create: the person's other open cases on the topic
  description: string;
  mobile: string | null;
  answered_at: string | null;
  reported_at: string | null;
  closed_at: string | null;
  waiting_on: string | null;
  failed_contacts: number;
  escalated: boolean;
  rating: number | null;
  assignee_name: string | null;
  person: Person;
  events: CaseEvent[];
  allowed_events: string[];
}

export interface Topic {
  code: string;
  name: string;
  department: string;
  keywords: string;
  sla_minutes: { first_response: number; resolution: number; report_back: number };
  contact_attempts?: { attempts: number; days: number };
}
export interface Department {
  code: string;
  name: string;
  name_en: string;
  calendar: string;
}
export interface Channel {
  code: string;
  name: string;
}
export interface Page<T> {
  items: T[];
  next: string | null;
}
export interface Province {
  code: string;
  name: string;
}
