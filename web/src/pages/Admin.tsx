// The admin: accounts and roles; departments, topics and their SLA targets.
import { useEffect, useState } from 'preact/hooks';
import { api, Department, Page, Topic } from '../api';
import { loadCatalog } from '../catalog';
import type { Ctx } from '../main';
import { showTime } from '../lib/jalali';
import { ROLE, label } from '../lib/labels';
import { fa, ident, ltrText, normalize } from '../lib/text';
import { Field, FormError } from '../ui/Field';

interface User {
  login: string;
  name: string;
  role: string;
  department: string | null;
  disabled: boolean;
  created: string;
  national_id: string | null;
  must_change_password: boolean;
  /** the telephone agent queue_log names the person by (SIP/8007): their calls pop on their screen */
  phone_agent?: string | null;
}

/** Roles that answer calls, and so may have a telephone agent. */
const ANSWERS_CALLS = (role: string) => !['citizen', 'employer', 'telephony'].includes(role);

function NewUser(props: { ctx: Ctx; onDone: () => void }) {
  const [v, setV] = useState<Record<string, string>>({ role: 'agent' });
  const [error, setError] = useState<unknown>(null);
  const set = (k: string) => (e: Event) => setV({ ...v, [k]: (e.target as HTMLInputElement).value });
  async function submit(e: Event) {
    e.preventDefault();
    setError(null);
    const body: Record<string, string> = { login: normalize(v.login ?? ''), password: v.password ?? '', role: v.role };
    if (v.name) body.name = normalize(v.name);
    if (v.department) body.department = v.department;
    if (v.national_id) body.national_id = normalize(v.national_id);
    if (v.phone_agent?.trim() && ANSWERS_CALLS(v.role)) body.phone_agent = normalize(v.phone_agent);
    try {
      await api('POST', '/users', body);
      setV({ role: v.role });
      props.onDone();
    } catch (err) {
      setError(err);
    }
  }
  const fields = ['login', 'password', 'role', 'name', 'department', 'national_id', 'phone_agent'];
  return (
    <form class="card new-user" onSubmit={submit}>
      <h3>کاربر تازه</h3>
      <div class="row">
        <Field label="نام کاربری" name="login" error={error}>
          <input name="login" value={v.login ?? ''} onInput={set('login')} autocomplete="off" />
        </Field>
        <Field label="گذرواژه (دست‌کم ۸ نویسه)" name="password" error={error}>
          <input name="password" type="password" value={v.password ?? ''} onInput={set('password')} autocomplete="new-password" />
        </Field>
        <Field label="نام" name="name" error={error}>
          <input name="name" value={v.name ?? ''} onInput={set('name')} />
        </Field>
      </div>
      <div class="row">
        <Field label="نقش" name="role" error={error}>
          <select name="role" value={v.role} onChange={set('role')}>
            {Object.entries(ROLE).map(([k, t]) => <option value={k}>{t}</option>)}
          </select>
        </Field>
        <Field label="واحد" name="department" error={error}>
          <select name="department" value={v.department ?? ''} onChange={set('department')}>
            <option value="">—</option>
            {props.ctx.catalog.departments.map((d) => <option value={d.code}>{d.name}</option>)}
          </select>
        </Field>
        {v.role === 'citizen' && (
          <Field label="کد ملی" name="national_id" error={error}>
            <input name="national_id" value={v.national_id ?? ''} onInput={set('national_id')} />
          </Field>
        )}
        {ANSWERS_CALLS(v.role) && (
          <Field label="داخلی تلفن (مثل SIP/8007)" name="phone_agent" error={error}>
            <input name="phone_agent" dir="ltr" value={v.phone_agent ?? ''} onInput={set('phone_agent')} autocomplete="off" />
          </Field>
        )}
      </div>
      <FormError error={error} fields={fields} />
      <button class="primary" type="submit">افزودن</button>
    </form>
  );
}

/** What the admin may change of an account: its role, its password (reset: the user picks
 *  a new one at the next login), whether it may log in. */
function Manage(props: { u: User; ctx: Ctx; onChanged: (note: string) => void }) {
  const u = props.u;
  const [role, setRole] = useState(u.role);
  const [department, setDepartment] = useState(u.department ?? '');
  const [password, setPassword] = useState('');
  const [phone, setPhone] = useState(u.phone_agent ?? '');
  const [error, setError] = useState<unknown>(null);
  const self = u.login === props.ctx.me.login;
  async function act(path: string, body: unknown, note: string) {
    setError(null);
    try {
      await api('POST', `/users/${encodeURIComponent(u.login)}/${path}`, body);
      props.onChanged(note);
    } catch (e) {
      setError(e);
    }
  }
  function disable() {
    if (!confirm(`حساب ${ltrText(u.login)} غیرفعال شود؟ نشست‌های باز آن همین حالا بسته می‌شود.`)) return;
    act('disable', undefined, `حساب ${ltrText(u.login)} غیرفعال شد.`);
  }
  return (
    <div class="manage" data-login={u.login}>
      {u.role !== 'citizen' && !self && (
        <div class="row">
          <Field label="نقش" name="role" error={error}>
            <select name="role" value={role} onChange={(e) => setRole((e.target as HTMLSelectElement).value)}>
              {Object.entries(ROLE).filter(([k]) => k !== 'citizen').map(([k, t]) => <option value={k}>{t}</option>)}
            </select>
          </Field>
          <Field label="واحد" name="department" error={error}>
            <select name="department" value={department} onChange={(e) => setDepartment((e.target as HTMLSelectElement).value)}>
              <option value="">—</option>
              {props.ctx.catalog.departments.map((d) => <option value={d.code}>{d.name}</option>)}
            </select>
          </Field>
          <button data-act="role" onClick={() => act('role', department ? { role, department } : { role },
            `نقش ${ltrText(u.login)}: ${label(ROLE, role)}. نشست‌های باز آن بسته شد.`)}>
            تغییر نقش
          </button>
        </div>
      )}
      {!self && (
        <div class="row">
          <Field label="گذرواژه موقت (کاربر در ورود بعدی آن را عوض می‌کند)" name="password" error={error}>
            <input name="password" type="password" value={password} autocomplete="new-password"
              onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
          </Field>
          <button data-act="reset" onClick={() => act('password', { password },
            `گذرواژه ${ltrText(u.login)} از نو گذاشته شد؛ در ورود بعدی باید آن را عوض کند.`)}>
            بازنشانی گذرواژه
          </button>
        </div>
      )}
      {ANSWERS_CALLS(u.role) && (
        <div class="row">
          <Field label="داخلی تلفن در صف تماس (همان که queue_log می‌نویسد، مثل SIP/8007)" name="phone_agent" error={error}>
            <input name="phone_agent" dir="ltr" value={phone} autocomplete="off"
              onInput={(e) => setPhone((e.target as HTMLInputElement).value)} />
          </Field>
          <button data-act="phone" onClick={() => act('phone-agent', { phone_agent: normalize(phone) },
            `داخلی تلفن ${ltrText(u.login)}: ${ltrText(normalize(phone).trim())}`)}>
            ثبت داخلی
          </button>
          {u.phone_agent && (
            <button data-act="phone-clear" onClick={() => act('phone-agent', { phone_agent: null },
              `داخلی تلفن ${ltrText(u.login)} برداشته شد.`)}>
              برداشتن داخلی
            </button>
          )}
        </div>
      )}
      <div class="buttons">
        {u.disabled
          ? <button data-act="enable" onClick={() => act('enable', undefined, `حساب ${ltrText(u.login)} دوباره فعال شد.`)}>فعال کردن</button>
          : !self && <button data-act="disable" onClick={disable}>غیرفعال کردن</button>}
      </div>
      <FormError error={error} fields={['role', 'department', 'password', 'phone_agent']} />
    </div>
  );
}

function Users(props: { ctx: Ctx }) {
  const [users, setUsers] = useState<User[]>([]);
  const [q, setQ] = useState('');
  const [open, setOpen] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const [error, setError] = useState<unknown>(null);
  const load = (query = q) => {
    setError(null);
    const n = normalize(query);
    return api<Page<User>>('GET', `/users${n ? `?q=${encodeURIComponent(n)}` : ''}`).then((p) => setUsers(p.items), (e) => {
      setUsers([]);
      setError(e);
    });
  };
  useEffect(() => {
    const t = setTimeout(() => load(q), q ? 250 : 0);
    return () => clearTimeout(t);
  }, [q]);
  return (
    <div>
      <NewUser ctx={props.ctx} onDone={() => load()} />
      <form class="user-search row" onSubmit={(e) => { e.preventDefault(); load(); }} role="search">
        <Field label="جستجوی کاربر (نام کاربری یا نام)" name="q" error={error}>
          <input name="q" type="search" value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} autocomplete="off" />
        </Field>
      </form>
      {note && <p class="ok" role="status">{note}</p>}
      <FormError error={error} fields={['q']} />
      <div class="table-scroll">
        <table class="users">
          <thead>
            <tr><th>نام کاربری</th><th>نام</th><th>نقش</th><th>واحد</th><th>ایجاد</th><th></th></tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <>
                <tr key={u.login} class={u.disabled ? 'disabled' : ''} data-login={u.login}>
                  <td>{ident(u.login)}</td>
                  <td>{u.name}</td>
                  <td>
                    {label(ROLE, u.role)}
                    {u.must_change_password && <small class="muted"> (گذرواژه باید عوض شود)</small>}
                    {u.phone_agent && <small class="muted phone-agent"> · داخلی {ident(u.phone_agent)}</small>}
                  </td>
                  <td>{(u.department && props.ctx.catalog.department(u.department)?.name) || '—'}</td>
                  <td>{showTime(u.created)}</td>
                  <td>
                    {u.disabled && <span class="muted">غیرفعال </span>}
                    <button data-act="manage" aria-expanded={open === u.login}
                      onClick={() => setOpen(open === u.login ? null : u.login)}>
                      مدیریت
                    </button>
                  </td>
                </tr>
                {open === u.login && (
                  <tr class="manage-row" key={`${u.login}-manage`}>
                    <td colSpan={6}>
                      <Manage u={u} ctx={props.ctx} onChanged={(n) => { setNote(n); setOpen(null); load(); }} />
                    </td>
                  </tr>
                )}
              </>
            ))}
          </tbody>
        </table>
      </div>
      {!users.length && !error && <p class="muted">کاربری پیدا نشد.</p>}
    </div>
  );
}

function TopicRow(props: { t: Topic; ctx: Ctx; onSaved: () => void }) {
  const t = props.t;
  const [v, setV] = useState({
    first_response_min: fa(t.sla_minutes.first_response),
    resolution_min: fa(t.sla_minutes.resolution),
    report_back_min: fa(t.sla_minutes.report_back),
    department: t.department,
  });
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const set = (k: string) => (e: Event) => { setSaved(false); setV({ ...v, [k]: (e.target as HTMLInputElement).value }); };
  async function save() {
    setError(null);
    const body: Record<string, unknown> = { department: v.department };
    for (const k of ['first_response_min', 'resolution_min', 'report_back_min'] as const) {
      const n = Number(normalize(v[k]));
      body[k] = Number.isInteger(n) ? n : normalize(v[k]);
    }
    try {
      await api('POST', `/topics/${t.code}`, body);
      setSaved(true);
      props.onSaved();
    } catch (e) {
      setError(e);
    }
  }
  const num = (k: keyof typeof v) => (
    <Field label="" name={k} error={error}>
      <input name={k} value={v[k]} onInput={set(k)} size={6} inputMode="numeric" />
    </Field>
  );
  return (
    <tr data-topic={t.code}>
      <td>{t.name}</td>
      <td>
        <select name="department" value={v.department} onChange={set('department')}>
          {props.ctx.catalog.departments.map((d) => <option value={d.code}>{d.name}</option>)}
        </select>
      </td>
      <td>{num('first_response_min')}</td>
      <td>{num('resolution_min')}</td>
      <td>{num('report_back_min')}</td>
      <td>
        <button onClick={save}>ذخیره</button> {saved && <span class="ok">ذخیره شد</span>}
        <FormError error={error} fields={['first_response_min', 'resolution_min', 'report_back_min']} />
      </td>
    </tr>
  );
}

function DepartmentRow(props: { d: Department; onSaved: () => void }) {
  const d = props.d;
  const [name, setName] = useState(d.name);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  async function save() {
    setError(null);
    try {
      await api('POST', `/departments/${d.code}`, { name: normalize(name) });
      setSaved(true);
      props.onSaved();
    } catch (e) {
      setError(e);
    }
  }
  return (
    <tr data-department={d.code}>
      <td>
        <Field label="" name="name" error={error}>
          <input name="name" value={name} onInput={(e) => { setSaved(false); setName((e.target as HTMLInputElement).value); }} />
        </Field>
      </td>
      <td class="muted">{d.calendar === 'always' ? 'شبانه‌روزی' : 'ساعات اداری'}</td>
      <td>
        <button onClick={save}>ذخیره</button> {saved && <span class="ok">ذخیره شد</span>}
        <FormError error={error} fields={['name']} />
      </td>
    </tr>
  );
}

function CatalogAdmin(props: { ctx: Ctx }) {
  const [topics, setTopics] = useState(props.ctx.catalog.topics);
  const [departments, setDepartments] = useState(props.ctx.catalog.departments);
  const reload = () => loadCatalog(true).then((c) => {
    setTopics(c.topics);
    setDepartments(c.departments);
  });
  return (
    <div>
      <h3>واحدها</h3>
      <table class="departments">
        <thead>
          <tr><th>نام</th><th>تقویم کاری</th><th></th></tr>
        </thead>
        <tbody>
          {departments.map((d) => <DepartmentRow key={d.code} d={d} onSaved={reload} />)}
        </tbody>
      </table>
      <h3>موضوع‌ها و مهلت‌ها (دقیقه کاری)</h3>
      <table class="topics">
        <thead>
          <tr><th>موضوع</th><th>واحد</th><th>نخستین پاسخ</th><th>رسیدگی</th><th>اعلام نتیجه</th><th></th></tr>
        </thead>
        <tbody>
          {topics.map((t) => <TopicRow key={t.code} t={t} ctx={props.ctx} onSaved={reload} />)}
        </tbody>
      </table>
    </div>
  );
}

export function Admin(props: { ctx: Ctx; tab: 'users' | 'catalog' }) {
  return (
    <div class="admin">
      <h2>{props.tab === 'users' ? 'کاربران و نقش‌ها' : 'واحدها، موضوع‌ها و مهلت‌ها'}</h2>
      {props.tab === 'users' ? <Users ctx={props.ctx} /> : <CatalogAdmin ctx={props.ctx} />}
    </div>
  );
}
