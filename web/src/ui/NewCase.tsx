// A new case in a few keystrokes: type to find the topic (arrows move the highlight, Enter
// takes the highlighted one), a subject, optionally a description. Staff see the name on
// record before filing, and type it for a national id no one is on record with; the form
// warns of the person's open cases on the same topic. The front line can file and solve in
// one action ("solved on the call"). What was typed survives a refused request, and is sent
// as typed: only keys (national id, mobile) are normalised.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, Case, CaseSummary, Page, Person, qs } from '../api';
import { Catalog } from '../catalog';
import { ApiError } from '../lib/errors';
import { PRIORITY } from '../lib/labels';
import { fa, normalize } from '../lib/text';
import { searchTopics } from '../lib/topics';
import { Field, FormError } from './Field';

/** Who a national id names: the person on record, none (type the name), or not yet known. */
type Holder = { state: 'idle' } | { state: 'found'; person: Person } | { state: 'none' };

export function NewCase(props: {
  catalog: Catalog;
  nationalId?: string; // fixed (the identified caller); absent: a field (desk) or none (citizen)
  askNationalId?: boolean;
  channel?: string; // preset; the citizen's is set by the server
  showChannel?: boolean;
  showPriority?: boolean;
  solveOnCall?: boolean; // the front line may file and solve in one action
  callId?: string | null; // the call on screen (the screen pop): the case is linked to it
  onCreated: (c: Case) => void;
  autofocus?: boolean;
}) {
  const [v, setV] = useState<Record<string, string>>({
    channel: props.channel ?? '',
    priority: 'normal',
  });
  const [topicQuery, setTopicQuery] = useState('');
  const [active, setActive] = useState(0);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [holder, setHolder] = useState<Holder>({ state: 'idle' });
  const [dups, setDups] = useState<CaseSummary[]>([]);
  const [solving, setSolving] = useState(false);
  const topicInput = useRef<HTMLInputElement>(null);
  const nidInput = useRef<HTMLInputElement>(null);
  const matches = useMemo(() => searchTopics(props.catalog.topics, topicQuery).slice(0, 8), [topicQuery]);
  const topic = props.catalog.topic(v.topic ?? '');
  const set = (name: string) => (e: Event) => setV({ ...v, [name]: (e.target as HTMLInputElement).value });
  const nid = props.nationalId ?? (props.askNationalId ? normalize(v.national_id ?? '') : '');

  // F4 opens this form: the cursor goes to the topic (or the national id at the desk)
  useEffect(() => {
    if (props.autofocus) (props.askNationalId ? nidInput : topicInput).current?.focus();
  }, []);

  // the desk: the name on record for the national id typed, before filing
  useEffect(() => {
    if (!props.askNationalId || !/^\d{10}$/.test(nid)) {
      setHolder({ state: 'idle' });
      return;
    }
    let live = true;
    api<Person>('GET', `/people/${nid}`).then(
      (p) => live && setHolder({ state: 'found', person: p }),
      (e) => live && setHolder(e instanceof ApiError && e.status === 404 ? { state: 'none' } : { state: 'idle' }),
    );
    return () => { live = false; };
  }, [nid, props.askNationalId]);

  // possible duplicates: the person's open cases on the topic chosen
  useEffect(() => {
    if (!v.topic || !/^\d{10}$/.test(nid)) {
      setDups([]);
      return;
    }
    let live = true;
    api<Page<CaseSummary>>('GET', `/cases${qs({ national_id: nid, topic: v.topic, open: 1, limit: 5 })}`)
      .then((p) => live && setDups(p.items), () => live && setDups([]));
    return () => { live = false; };
  }, [v.topic, nid]);

  function pick(code: string, name: string, input?: HTMLElement) {
    setV({ ...v, topic: code });
    setTopicQuery(name);
    setActive(0);
    input?.closest('form')?.querySelector<HTMLElement>('[name=subject]')?.focus();
  }

  async function submit(e: Event) {
    e.preventDefault();
    const body: Record<string, string> = {
      topic: v.topic ?? '',
      subject: v.subject ?? '', // people's words go as typed; the server trims
    };
    if (nid || props.askNationalId) body.national_id = nid;
    if (v.channel) body.channel = v.channel;
    if (v.description?.trim()) body.description = v.description;
    if (v.mobile?.trim()) body.mobile = normalize(v.mobile);
    if (props.showPriority && v.priority && v.priority !== 'normal') body.priority = v.priority;
    if (props.callId) body.call_id = props.callId;
    if (holder.state === 'none') {
      body.first_name = v.first_name ?? '';
      body.last_name = v.last_name ?? '';
    }
    if (solving && !(v.answer ?? '').trim()) {
      setError(new ApiError(400, 'missing_field', '', 'answer'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      let c = await api<Case>('POST', '/cases', body);
      if (solving) {
        try {
          c = await api<Case>('POST', `/cases/${c.id}/events`, { type: 'solve_on_call', text: v.answer });
        } catch (err) {
          // the case is filed; it stays open, and the form says why it was not solved
          props.onCreated(c);
          setError(err);
          return;
        }
      }
      setV({ channel: props.channel ?? '', priority: 'normal' });
      setTopicQuery('');
      setActive(0);
      setSolving(false);
      props.onCreated(c);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const fields = ['national_id', 'first_name', 'last_name', 'channel', 'topic', 'subject', 'description',
    'mobile', 'priority', 'answer', 'call_id'];
  return (
    <form class="new-case" onSubmit={submit}>
      {props.askNationalId && (
        <Field label="کد ملی شهروند" name="national_id" error={error}
          hint={holder.state === 'found' ? `در سوابق: ${holder.person.first_name} ${holder.person.last_name}` : undefined}>
          <input ref={nidInput} name="national_id" inputMode="numeric" value={v.national_id ?? ''}
            onInput={set('national_id')} autocomplete="off" />
        </Field>
      )}
      {holder.state === 'found' && (
        <p class="holder" data-holder="found">
          به نام <strong>{holder.person.first_name} {holder.person.last_name}</strong>
          {holder.person.father_name && <> فرزند {holder.person.father_name}</>}
        </p>
      )}
      {holder.state === 'none' && (
        <div class="row" data-holder="none">
          <p class="notice">کسی با این کد ملی در سوابق نیست؛ نام شهروند را بنویسید.</p>
          <Field label="نام" name="first_name" error={error}>
            <input name="first_name" value={v.first_name ?? ''} onInput={set('first_name')} maxLength={60} />
          </Field>
          <Field label="نام خانوادگی" name="last_name" error={error}>
            <input name="last_name" value={v.last_name ?? ''} onInput={set('last_name')} maxLength={80} />
          </Field>
        </div>
      )}
      <Field label="موضوع" name="topic" error={error} hint={topic ? `انتخاب شد: ${topic.name}` : 'بنویسید، با پیکان‌ها برگزینید و Enter بزنید'}>
        <input
          ref={topicInput}
          name="topic_search"
          value={topicQuery}
          placeholder="مثلاً: مستمری، سابقه، وام"
          autocomplete="off"
          role="combobox"
          aria-expanded={!!topicQuery && !topic?.name.startsWith(topicQuery)}
          aria-controls="topic-options"
          aria-activedescendant={matches[active] ? `topic-${matches[active].code}` : undefined}
          onInput={(e) => {
            // the highlight goes back to the first match in the same render as the new
            // query: reset in an effect, after the render, it could undo an arrow pressed
            // right after the last letter
            setTopicQuery((e.target as HTMLInputElement).value);
            setActive(0);
          }}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
              e.preventDefault();
              const n = matches.length;
              if (n) setActive((active + (e.key === 'ArrowDown' ? 1 : n - 1)) % n);
            } else if (e.key === 'Enter') {
              e.preventDefault();
              const t = matches[active];
              if (t) pick(t.code, t.name, e.target as HTMLElement);
            }
          }}
        />
        {topicQuery && !topic?.name.startsWith(topicQuery) && (
          <ul class="picker" role="listbox" id="topic-options">
            {matches.map((t, i) => (
              <li key={t.code} id={`topic-${t.code}`} role="option" aria-selected={i === active}
                class={i === active ? 'active' : ''}
                onMouseDown={(e) => {
                  e.preventDefault();
                  pick(t.code, t.name);
                }}>
                {t.name} <small class="muted">{props.catalog.department(t.department)?.name}</small>
              </li>
            ))}
            {!matches.length && <li class="muted">موضوعی پیدا نشد</li>}
          </ul>
        )}
      </Field>
      {dups.length > 0 && (
        <div class="notice" data-duplicates={dups.length}>
          این شهروند در همین موضوع پرونده باز دارد؛ شاید همان درخواست باشد:
          <ul>
            {dups.map((d) => (
              <li key={d.id}>
                <a href={`/cases/${d.id}`}><bdi>{fa(d.number)}</bdi></a> — <span dir="auto">{d.subject}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
      <Field label="خلاصه درخواست" name="subject" error={error}>
        <input name="subject" value={v.subject ?? ''} onInput={set('subject')} maxLength={200} dir="auto" />
      </Field>
      <Field label="شرح" name="description" error={error}>
        <textarea name="description" rows={3} value={v.description ?? ''} onInput={set('description')} dir="auto" />
      </Field>
      <div class="row">
        <Field label="شماره همراه برای پیگیری (اختیاری)" name="mobile" error={error}>
          <input name="mobile" inputMode="tel" value={v.mobile ?? ''} onInput={set('mobile')} />
        </Field>
        {props.showChannel && (
          <Field label="مجرا" name="channel" error={error}>
            <select name="channel" value={v.channel} onChange={set('channel')}>
              {props.catalog.channels.map((c) => (
                <option value={c.code}>{c.name}</option>
              ))}
            </select>
          </Field>
        )}
        {props.showPriority && (
          <Field label="اولویت" name="priority" error={error}>
            <select name="priority" value={v.priority} onChange={set('priority')}>
              {Object.entries(PRIORITY).map(([k, l]) => (
                <option value={k}>{l}</option>
              ))}
            </select>
          </Field>
        )}
      </div>
      {props.solveOnCall && (
        <label class="check">
          <input type="checkbox" name="solve" checked={solving}
            onChange={(e) => setSolving((e.target as HTMLInputElement).checked)} />
          حل‌شده در همین تماس (پاسخ، اعلام نتیجه و بستن با هم)
        </label>
      )}
      {solving && (
        <Field label="پاسخی که در تماس داده شد" name="answer" error={error}>
          <textarea name="answer" rows={3} value={v.answer ?? ''} onInput={set('answer')} dir="auto" />
        </Field>
      )}
      <FormError error={error} fields={fields} />
      <button type="submit" class="primary" disabled={busy}>
        {solving ? 'ثبت و بستن (حل در تماس)' : 'ثبت درخواست'}
      </button>
    </form>
  );
}
