// The canned answers of a case's department (and the organisation's), picked by keyboard:
// Ctrl+K in a reply, answer or note field opens it; typing filters, the arrows move,
// Enter inserts the highlighted answer at the cursor with its placeholders filled from the
// case (lib/canned.ts), Esc closes it and goes back to the field.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, qs } from '../api';
import { Canned, filterCanned } from '../lib/canned';
import { errorText } from '../lib/errors';

// per department, for the page's lifetime: a supervisor's edit shows on the next load
const cache = new Map<string, Promise<Canned[]>>();
function load(department: string): Promise<Canned[]> {
  let p = cache.get(department);
  if (!p) {
    p = api<{ items: Canned[] }>('GET', `/canned${qs({ department })}`).then((r) => r.items);
    p.catch(() => cache.delete(department));
    cache.set(department, p);
  }
  return p;
}

const preview = (s: string) => (s.length > 120 ? `${s.slice(0, 120)}…` : s);

/** Ctrl+K, by the key's place (KeyboardEvent.code), so that it works on the Persian layout. */
export const isCannedShortcut = (e: KeyboardEvent) => e.ctrlKey && !e.altKey && e.code === 'KeyK';

export function CannedPicker(props: {
  department: string;
  expand: (body: string) => string; // the body as it will be inserted, for the preview
  onPick: (c: Canned) => void;
  onClose: () => void;
}) {
  const [items, setItems] = useState<Canned[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [query, setQuery] = useState('');
  const [at, setAt] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    load(props.department).then(setItems, setError);
    input.current?.focus();
  }, [props.department]);

  const shown = items ? filterCanned(items, query) : [];
  const pick = (c: Canned | undefined) => c && props.onPick(c);
  return (
    <div class="canned-picker" role="dialog" aria-label="پاسخ‌های آماده" data-canned-picker>
      <input ref={input} value={query} placeholder="جستجو در پاسخ‌های آماده" aria-label="جستجو در پاسخ‌های آماده"
        autocomplete="off"
        onInput={(e) => {
          setQuery((e.target as HTMLInputElement).value);
          setAt(0);
        }}
        onKeyDown={(e) => {
          // the picker's keys are its own: Esc closes it, not the form around it
          if (e.key === 'Escape') props.onClose();
          else if (e.key === 'ArrowDown') setAt(Math.min(at + 1, shown.length - 1));
          else if (e.key === 'ArrowUp') setAt(Math.max(at - 1, 0));
          else if (e.key === 'Enter' && !e.ctrlKey) pick(shown[at]);
          else return;
          e.preventDefault();
          e.stopPropagation();
        }} />
      {error ? <p class="alert" role="alert">{errorText(error)}</p>
        : !items ? <p class="muted">در حال بارگذاری…</p>
        : !shown.length ? <p class="muted">{items.length ? 'پاسخی با این واژه‌ها نیست.' : 'برای این واحد پاسخ آماده‌ای ثبت نشده است.'}</p>
        : (
          <ul role="listbox">
            {shown.map((c, i) => (
              <li key={c.id} role="option" aria-selected={i === at} class={i === at ? 'current' : ''}
                data-canned={c.id} onMouseDown={(e) => {
                  e.preventDefault();
                  pick(c);
                }}>
                <strong dir="auto">{c.title}</strong>
                {!c.department && <span class="badge">همه واحدها</span>}
                <span class="muted" dir="rtl">{preview(props.expand(c.body))}</span>
              </li>
            ))}
          </ul>
        )}
    </div>
  );
}
