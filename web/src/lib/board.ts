// The wallboard's words and numbers (GET /api/v1/calls/board, pushed each second as
// `event: board`): pure, tested in board.test.ts.
import { fa, ltrText } from './text';

export type AgentState = 'available' | 'on_call' | 'paused' | 'logged_off';
export type AgentCounts = Record<AgentState, number>;

export interface DayFigures {
  period: string;
  queue: string | null;
  offered: number;
  answered: number;
  abandoned: number;
  abandoned_short: number;
  service_level: number | null;
  service_level_answered: number | null;
  asa_s: number | null;
  aht_s: number | null;
  longest_wait_s: number | null;
  agents: number;
}

export interface BoardQueue {
  queue: string;
  title: string | null;
  alert_s: number | null;
  waiting: number;
  longest_wait_s: number | null;
  alert: boolean;
  agents: AgentCounts;
  today: DayFigures;
}

export interface BoardAgent {
  agent: string;
  state: AgentState;
  since: string | null;
  queue: string | null;
  reason: string | null;
  rings_unanswered: number;
  last_ring_end: string | null;
  last_ring_s: number | null;
}

export interface Board {
  at?: string;
  day: string;
  sl_seconds: number;
  ringing_known: boolean;
  queues: BoardQueue[];
  totals: { waiting: number; longest_wait_s: number | null; agents: AgentCounts };
  today: DayFigures;
  alerts: { queue: string; title: string | null; longest_wait_s: number; alert_s: number }[];
  agents: BoardAgent[];
}

export const STATES: [AgentState, string][] = [
  ['available', 'آماده'],
  ['on_call', 'در مکالمه'],
  ['paused', 'در استراحت'],
  ['logged_off', 'خارج از سامانه'],
];

export const stateLabel = (s: AgentState) => STATES.find(([k]) => k === s)?.[1] ?? s;

/** A wait as minutes:seconds in Persian digits («۱:۰۵»); a dash when nobody waits. */
export function waitText(s: number | null | undefined): string {
  if (s === null || s === undefined || s < 0) return '—';
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  const mm = h ? String(m).padStart(2, '0') : String(m);
  return fa(`${h ? `${h}:` : ''}${mm}:${String(sec).padStart(2, '0')}`);
}

/** How long ago since was, at now (ms), as a wait text. */
export function sinceText(since: string | null, now: number): string {
  if (!since) return '—';
  const t = Date.parse(since);
  if (Number.isNaN(t)) return '—';
  return waitText(Math.max(0, Math.floor((now - t) / 1000)));
}

/** The sentence of an alert, colour aside: «انتظار ۱:۲۰ از سقف ۱:۰۰ گذشت», each time a
 *  left-to-right run isolated (a colon between digits would read backwards). */
export function alertText(longest: number, limit: number): string {
  return `انتظار ${ltrText(waitText(longest))} از سقف ${ltrText(waitText(limit))} گذشت`;
}
