// Which due date a case list shows beside a case. A case has three (first response,
// resolution, report back) and one `overdue` flag, which the server's sweep sets when any
// of them passes (cases_sweep): a new case past its first-response due is overdue while its
// resolution is days away. Showing the resolution due beside the flag read «دیرکرد» next to
// «۶ روز دیگر»; the list shows the due the case is working towards now, and when the case
// is overdue, the one that passed.

export interface Dues {
  status: string;
  overdue: boolean;
  first_response_due: string | null;
  resolution_due: string | null;
  report_back_due: string | null;
}

export type DueKind = 'first_response' | 'resolution' | 'report_back';

export const DUE_LABEL: Record<DueKind, string> = {
  first_response: 'نخستین پاسخ',
  resolution: 'رسیدگی',
  report_back: 'اعلام نتیجه',
};

/** The due shown for a case, or null when nothing is due (closed, reported back, or a case
 *  waiting on the citizen, whose clock is paused). */
export function dueOf(c: Dues, now = Date.now()): { kind: DueKind; at: string; passed: boolean } | null {
  const open = ['new', 'assigned', 'in_progress', 'waiting'].includes(c.status);
  // what the case works towards now; a first response is only awaited before work starts
  const ahead: DueKind[] =
    c.status === 'new' || c.status === 'assigned' ? ['first_response', 'resolution']
      : open ? ['resolution']
        : c.status === 'answered' ? ['report_back']
          : [];
  // what may have made it overdue: a missed first response keeps the flag after work starts
  const missed: DueKind[] = open ? ['first_response', 'resolution'] : ahead;
  const at = (k: DueKind) => c[`${k}_due` as const];
  const passed = (k: DueKind) => {
    const t = Date.parse(at(k) ?? '');
    return !Number.isNaN(t) && t < now;
  };
  const live = ahead.filter((k) => at(k));
  const k = (c.overdue && missed.find((x) => at(x) && passed(x))) ||
    live.find((x) => !passed(x)) || live[live.length - 1];
  if (!k) return null;
  return { kind: k, at: at(k)!, passed: passed(k) };
}
