// The canned answers a supervisor manages (GET/POST/DELETE /api/v1/canned): a department's
// supervisor their department's, a supervisor of every department and the admin any
// department's and the organisation's. The server decides who may write which; the
// placeholders it accepts are listed beside the body.
import { useEffect, useState } from 'preact/hooks';
import type { Ctx } from '../main';
import { api, qs } from '../api';
import { Canned as Item } from '../lib/canned';
import { ApiError } from '../lib/errors';
import { showTime } from '../lib/jalali';
import { Field, FormError } from '../ui/Field';

const PLACEHOLDERS = 'جای‌نگهدارها: {name} نام شهروند، {number} شماره پرونده، {today} تاریخ امروز، {due} مهلت رسیدگی';

function Editor(props: { ctx: Ctx; item?: Item; onDone: () => void; onCancel?: () => void }) {
  const { ctx, item } = props;
  const own = ctx.me.department;
  const [dept, setDept] = useState<string>(item ? item.department ?? '' : own ?? '');
  const [title, setTitle] = useState(item?.title ?? '');
  const [body, setBody] = useState(item?.body ?? '');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  async function save(e: Event) {
    e.preventDefault();
    if (!title.trim()) return setError(new ApiError(400, 'missing_field', '', 'title'));
    if (!body.trim()) return setError(new ApiError(400, 'missing_field', '', 'body'));
    setBusy(true);
    setError(null);
    try {
      const b = { department: dept || null, title, body };
      await api('POST', item ? `/canned/${item.id}` : '/canned', b);
      if (!item) {
        setTitle('');
        setBody('');
      }
      props.onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form class="canned-editor" onSubmit={save} data-canned-editor={item?.id ?? 'new'}>
      {!own && (
        <Field label="واحد" name="department" error={error}>
          <select name="department" value={dept} onChange={(e) => setDept((e.target as HTMLSelectElement).value)}>
            <option value="">همه واحدها</option>
            {ctx.catalog.departments.map((d) => <option value={d.code}>{d.name}</option>)}
          </select>
        </Field>
      )}
      <Field label="عنوان" name="title" error={error}>
        <input name="title" value={title} maxLength={120} onInput={(e) => setTitle((e.target as HTMLInputElement).value)} />
      </Field>
      <Field label="متن" name="body" error={error} hint={PLACEHOLDERS}>
        <textarea name="body" rows={4} value={body} maxLength={4000} onInput={(e) => setBody((e.target as HTMLTextAreaElement).value)} />
      </Field>
      <FormError error={error} fields={['department', 'title', 'body']} />
      <div class="buttons">
        <button type="submit" class="primary" disabled={busy}>{item ? 'ذخیره' : 'افزودن'}</button>
        {props.onCancel && <button type="button" onClick={props.onCancel}>انصراف</button>}
      </div>
    </form>
  );
}

export function CannedAdmin(props: { ctx: Ctx }) {
  const { ctx } = props;
  const [items, setItems] = useState<Item[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [editing, setEditing] = useState<number | null>(null);
  const reload = () =>
    api<{ items: Item[] }>('GET', `/canned${qs({ department: ctx.me.department ?? undefined })}`)
      .then((r) => setItems(r.items), setError);
  useEffect(() => {
    reload();
  }, []);
  async function remove(i: Item) {
    if (!confirm(`پاسخ آماده «${i.title}» حذف شود؟`)) return;
    try {
      await api('DELETE', `/canned/${i.id}`);
      reload();
    } catch (e) {
      setError(e);
    }
  }
  // a department's supervisor sees the organisation's too, but writes only their own
  const mayWrite = (i: Item) => !ctx.me.department || i.department === ctx.me.department;
  return (
    <div class="narrow">
      <h2>پاسخ‌های آماده{ctx.me.department ? `: ${ctx.catalog.department(ctx.me.department)?.name ?? ''}` : ''}</h2>
      <p class="muted">در پاسخ، ثبت پاسخ و یادداشت پرونده با <kbd>Ctrl+K</kbd> درج می‌شوند.</p>
      <FormError error={error} />
      <h3>پاسخ تازه</h3>
      <Editor ctx={ctx} onDone={reload} />
      <h3>پاسخ‌های ثبت‌شده</h3>
      {!items ? <p class="muted">در حال بارگذاری…</p> : !items.length ? <p class="muted">هنوز پاسخی ثبت نشده است.</p> : (
        <ul class="canned-list">
          {items.map((i) => (
            <li key={i.id} data-canned={i.id}>
              {editing === i.id ? (
                <Editor ctx={ctx} item={i} onDone={() => {
                  setEditing(null);
                  reload();
                }} onCancel={() => setEditing(null)} />
              ) : (
                <>
                  <strong dir="auto">{i.title}</strong> <span class="badge">{i.department_name ?? 'همه واحدها'}</span>
                  <p class="canned-body" dir="rtl">{i.body}</p>
                  <small class="muted">{showTime(i.updated)}</small>
                  {mayWrite(i) && (
                    <span class="buttons">
                      <button type="button" class="link" onClick={() => setEditing(i.id)}>ویرایش</button>
                      <button type="button" class="link" onClick={() => remove(i)}>حذف</button>
                    </span>
                  )}
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
