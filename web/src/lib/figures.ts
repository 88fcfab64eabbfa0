// The supervisor's figures and the case list behind each: a click on a figure opens the
// work queue with exactly the filters the server counted it with (docs/openapi.yaml,
// GET /stats/cases).

export interface Counts {
  open: number;
  overdue: number;
  waiting: number;
  reopened: number;
}

function query(params: Record<string, string | undefined>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) u.set(k, v);
  return u.toString();
}

/** The list query behind a figure: which cases a click on it shows. */
export function figureQuery(kind: keyof Counts, scope: { department?: string; topic?: string }): string {
  const f: Record<string, string | undefined> = { ...scope, sort: 'due' };
  if (kind === 'open') f.open = '1';
  if (kind === 'overdue') Object.assign(f, { open: '1', overdue: '1' });
  if (kind === 'waiting') f.status = 'waiting';
  if (kind === 'reopened') Object.assign(f, { open: '1', reopened: '1' });
  return `/queue?${query(f)}`;
}

