// A list of cases from GET /api/v1/cases with the given filters, loaded page by page.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, CaseSummary, Page, qs } from '../api';
import { relative, showTime } from '../lib/jalali';
import { label, STATUS } from '../lib/labels';
import { debounce, useLive } from '../lib/live';
import { DUE_LABEL, dueOf } from '../lib/due';
import { fa, num } from '../lib/text';
import { FormError } from './Field';

/** Statuses whose resolution is still due. */
export const OPEN = new Set(['new', 'assigned', 'in_progress', 'waiting']);

export function StatusBadge(props: { status: string; overdue?: boolean }) {
  return (
    <span class={`badge s-${props.status}${props.overdue ? ' overdue' : ''}`}>
      {label(STATUS, props.status)}
      {props.overdue ? ' · دیرکرد' : ''}
    </span>
  );
}

/** The due a case works towards (or the one it missed), relative, with its kind. */
function Due(props: { c: CaseSummary }) {
  const d = dueOf(props.c);
  if (!d) return <>—</>;
  return (
    <span class={d.passed ? 'due passed' : 'due'} title={showTime(d.at)} data-due={d.kind}>
      <small class="muted">{DUE_LABEL[d.kind]}: </small>
      {relative(d.at)}
    </span>
  );
}

// On a phone the rows are cards: each cell says what it is (data-label, styles.css).
export function CaseRows(props: { items: CaseSummary[]; showPerson?: boolean; onPick?: (id: number) => void }) {
  return (
    <table class="cases">
      <thead>
        <tr>
          <th>شماره</th>
          <th>موضوع</th>
          {props.showPerson !== false && <th>شهروند</th>}
          <th>وضعیت</th>
          <th>مهلت</th>
          <th>ثبت</th>
        </tr>
      </thead>
      <tbody>
        {props.items.map((c) => (
          <tr key={c.id} class={c.overdue ? 'overdue' : ''} data-case={c.number}>
            <td data-label="شماره">
              <a
                href={`/cases/${c.id}`}
                onClick={(e) => {
                  if (!props.onPick) return;
                  e.preventDefault();
                  e.stopPropagation();
                  props.onPick(c.id);
                }}
              >
                {num(c.number)}
              </a>
            </td>
            <td data-label="موضوع">
              <div>{fa(c.subject)}</div>
              <small class="muted">{c.topic_name}</small>
            </td>
            {props.showPerson !== false && <td data-label="شهروند">{c.person_name}</td>}
            <td data-label="وضعیت">
              <StatusBadge status={c.status} overdue={c.overdue} />
            </td>
            <td data-label="مهلت">
              <Due c={c} />
            </td>
            <td data-label="ثبت">{showTime(c.created)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function CaseList(props: {
  filters: Record<string, string | undefined>;
  showPerson?: boolean;
  empty?: string;
  pageSize?: number;
}) {
  const [items, setItems] = useState<CaseSummary[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const key = JSON.stringify(props.filters);

  async function load(cursor: string | null) {
    setLoading(true);
    setError(null);
    try {
      const p = await api<Page<CaseSummary>>(
        'GET',
        `/cases${qs({ ...props.filters, limit: props.pageSize ?? 25, cursor: cursor ?? undefined })}`,
      );
      setItems((old) => (cursor ? [...old, ...p.items] : p.items));
      setNext(p.next);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  }

  useEffect(() => {
    setItems([]);
    setNext(null);
    load(null);
  }, [key]);

  // a case assigned, moved away, answered...: the list as it is now, without a reload (the
  // first page again, once for a burst of events)
  const [refresh] = useState(() => debounce(() => reloadRef.current(), 150));
  const reloadRef = useRef(() => load(null));
  reloadRef.current = () => load(null);
  useLive(refresh);

  return (
    <div class="case-list">
      <FormError error={error} />
      {items.length ? <CaseRows items={items} showPerson={props.showPerson} /> : null}
      {!loading && !error && !items.length && <p class="muted">{props.empty ?? 'پرونده‌ای نیست.'}</p>}
      {next && (
        <button class="more" disabled={loading} onClick={() => load(next)}>
          صفحه بعد
        </button>
      )}
      {loading && <p class="muted">در حال بارگذاری…</p>}
    </div>
  );
}
