// The department's work queue: its open cases, soonest due first, overdue ones marked, with
// filters kept in the address (so a supervisor's figure links straight to its list).
import type { Ctx } from '../main';
import { normalize } from '../lib/text';
import { parseJalali } from '../lib/jalali';
import { STATUS } from '../lib/labels';
import { navigate } from '../router';
import { CaseList } from '../ui/CaseList';

const KEYS = ['status', 'open', 'pending', 'overdue', 'reopened', 'topic', 'department', 'assignee', 'q', 'from', 'to', 'sort',
  'channel', 'national_id', 'number', 'solved', 'in_time', 'first_contact', 'unreached', 'repeated', 'rating', 'handler'];

export function Queue(props: { ctx: Ctx; query: URLSearchParams }) {
  const { ctx, query } = props;
  const role = ctx.me.role;
  const queueLike = role === 'specialist' || role === 'supervisor';
  const filters: Record<string, string | undefined> = {};
  for (const k of KEYS) if (query.get(k)) filters[k] = query.get(k)!;
  // the queue shows what the department still has to do, unless the address says otherwise
  const view = query.get('status') || (query.get('open') === '1' ? 'open' : query.has('all') ? 'all'
    : query.get('pending') === '1' || queueLike ? 'pending' : 'all');
  if (view === 'pending') filters.pending = '1';
  if (queueLike && !filters.sort) filters.sort = 'due';

  function set(k: string, v: string) {
    const q = new URLSearchParams(location.search);
    if (v) q.set(k, v);
    else q.delete(k);
    navigate(`${location.pathname}?${q}`);
  }
  function setView(v: string) {
    const q = new URLSearchParams(location.search);
    for (const k of ['status', 'open', 'pending', 'all']) q.delete(k);
    if (v === 'open') q.set('open', '1');
    else if (v === 'pending') q.set('pending', '1');
    else if (v === 'all') q.set('all', '1');
    else q.set('status', v);
    navigate(`${location.pathname}?${q}`);
  }
  const topics = ctx.me.department
    ? ctx.catalog.topics.filter((t) => t.department === ctx.me.department)
    : ctx.catalog.topics;

  return (
    <div>
      <h2>{queueLike ? 'کارتابل' : 'پرونده‌ها'}{ctx.me.department ? `: ${ctx.catalog.department(ctx.me.department)?.name ?? ''}` : ''}</h2>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <select name="status" value={view} onChange={(e) => setView((e.target as HTMLSelectElement).value)}>
          <option value="pending">در دست رسیدگی</option>
          <option value="open">همه باز (تا بسته شدن)</option>
          <option value="all">همه وضعیت‌ها</option>
          {Object.entries(STATUS).map(([k, v]) => <option value={k}>{v}</option>)}
        </select>
        {queueLike && (
          <select name="topic" value={filters.topic ?? ''} onChange={(e) => set('topic', (e.target as HTMLSelectElement).value)}>
            <option value="">همه موضوع‌ها</option>
            {topics.map((t) => <option value={t.code}>{t.name}</option>)}
          </select>
        )}
        {role === 'supervisor' && !ctx.me.department && (
          <select name="department" value={filters.department ?? ''}
            onChange={(e) => set('department', (e.target as HTMLSelectElement).value)}>
            <option value="">همه واحدها</option>
            {ctx.catalog.departments.map((d) => <option value={d.code}>{d.name}</option>)}
          </select>
        )}
        <label class="check">
          <input type="checkbox" name="overdue" checked={filters.overdue === '1'}
            onChange={(e) => set('overdue', (e.target as HTMLInputElement).checked ? '1' : '')} /> فقط دیرکردها
        </label>
        <label class="check">
          <input type="checkbox" name="reopened" checked={filters.reopened === '1'}
            onChange={(e) => set('reopened', (e.target as HTMLInputElement).checked ? '1' : '')} /> بازگشایی‌شده
        </label>
        {queueLike && (
          <label class="check">
            <input type="checkbox" name="mine" checked={filters.assignee === 'me'}
              onChange={(e) => set('assignee', (e.target as HTMLInputElement).checked ? 'me' : '')} /> فقط پرونده‌های من
          </label>
        )}
        <input name="q" placeholder="جستجو در متن" defaultValue={filters.q ?? ''}
          onKeyDown={(e) => { if (e.key === 'Enter') set('q', normalize((e.target as HTMLInputElement).value)); }} />
        <input name="from" placeholder="از تاریخ ۱۴۰۵/۰۹/۰۱" defaultValue={filters.from ?? ''} size={12}
          onKeyDown={(e) => {
            if (e.key !== 'Enter') return;
            const v = normalize((e.target as HTMLInputElement).value);
            set('from', v && parseJalali(v) ? v : v);
          }} />
      </form>
      <CaseList filters={filters} />
    </div>
  );
}
