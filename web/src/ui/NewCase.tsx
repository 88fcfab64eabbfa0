// A new case in a few keystrokes: type to find the topic (Enter takes the first match),
// a subject, optionally a description. What was typed survives a refused request.
import { useMemo, useState } from 'preact/hooks';
import { api, Case } from '../api';
import { Catalog } from '../catalog';
import { PRIORITY } from '../lib/labels';
import { normalize } from '../lib/text';
import { searchTopics } from '../lib/topics';
import { Field, FormError } from './Field';

export function NewCase(props: {
  catalog: Catalog;
  nationalId?: string; // fixed (the identified caller); absent: a field (desk) or none (citizen)
  askNationalId?: boolean;
  channel?: string; // preset; the citizen's is set by the server
  showChannel?: boolean;
  showPriority?: boolean;
  onCreated: (c: Case) => void;
  autofocus?: boolean;
}) {
  const [v, setV] = useState<Record<string, string>>({
    channel: props.channel ?? '',
    priority: 'normal',
  });
  const [topicQuery, setTopicQuery] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const matches = useMemo(() => searchTopics(props.catalog.topics, topicQuery).slice(0, 8), [topicQuery]);
  const topic = props.catalog.topic(v.topic ?? '');
  const set = (name: string) => (e: Event) => setV({ ...v, [name]: (e.target as HTMLInputElement).value });

  async function submit(e: Event) {
    e.preventDefault();
    const body: Record<string, string> = {
      topic: v.topic ?? '',
      subject: normalize(v.subject ?? ''),
    };
    const nid = props.nationalId ?? (props.askNationalId ? normalize(v.national_id ?? '') : '');
    if (nid || props.askNationalId) body.national_id = nid;
    if (v.channel) body.channel = v.channel;
    if (v.description?.trim()) body.description = normalize(v.description);
    if (v.mobile?.trim()) body.mobile = normalize(v.mobile);
    if (props.showPriority && v.priority && v.priority !== 'normal') body.priority = v.priority;
    setBusy(true);
    setError(null);
    try {
      const c = await api<Case>('POST', '/cases', body);
      setV({ channel: props.channel ?? '', priority: 'normal' });
      setTopicQuery('');
      props.onCreated(c);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const fields = ['national_id', 'channel', 'topic', 'subject', 'description', 'mobile', 'priority'];
  return (
    <form class="new-case" onSubmit={submit}>
      {props.askNationalId && (
        <Field label="کد ملی شهروند" name="national_id" error={error}>
          <input name="national_id" inputMode="numeric" value={v.national_id ?? ''} onInput={set('national_id')}
            autofocus={props.autofocus} autocomplete="off" />
        </Field>
      )}
      <Field label="موضوع" name="topic" error={error} hint={topic ? `انتخاب شد: ${topic.name}` : 'بنویسید و Enter بزنید'}>
        <input
          name="topic_search"
          value={topicQuery}
          placeholder="مثلاً: مستمری، سابقه، وام"
          autocomplete="off"
          autofocus={props.autofocus && !props.askNationalId}
          onInput={(e) => setTopicQuery((e.target as HTMLInputElement).value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              if (matches[0]) {
                setV({ ...v, topic: matches[0].code });
                setTopicQuery(matches[0].name);
                (e.target as HTMLElement).closest('form')?.querySelector<HTMLElement>('[name=subject]')?.focus();
              }
            }
          }}
        />
        {topicQuery && !topic?.name.startsWith(topicQuery) && (
          <ul class="picker" role="listbox">
            {matches.map((t) => (
              <li key={t.code} role="option" aria-selected={v.topic === t.code}
                onMouseDown={(e) => {
                  e.preventDefault();
                  setV({ ...v, topic: t.code });
                  setTopicQuery(t.name);
                }}>
                {t.name} <small class="muted">{props.catalog.department(t.department)?.name}</small>
              </li>
            ))}
            {!matches.length && <li class="muted">موضوعی پیدا نشد</li>}
          </ul>
        )}
      </Field>
      <Field label="خلاصه درخواست" name="subject" error={error}>
        <input name="subject" value={v.subject ?? ''} onInput={set('subject')} maxLength={200} />
      </Field>
      <Field label="شرح" name="description" error={error}>
        <textarea name="description" rows={3} value={v.description ?? ''} onInput={set('description')} />
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
      <FormError error={error} fields={fields} />
      <button type="submit" class="primary" disabled={busy}>
        ثبت درخواست
      </button>
    </form>
  );
}
