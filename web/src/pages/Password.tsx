// A new password of one's own: after an admin reset it (the server refuses every other
// route until then, 403 password_change_required), or whenever one wants to.
import { useState } from 'preact/hooks';
import { api, Me } from '../api';
import { ApiError } from '../lib/errors';
import { ltrText } from '../lib/text';
import { Field, FormError } from '../ui/Field';

export function ChangePassword(props: { me: Me; onDone: () => void; onLogout: () => void }) {
  const [v, setV] = useState({ current_password: '', password: '', again: '' });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof v) => (e: Event) => setV({ ...v, [k]: (e.target as HTMLInputElement).value });
  async function submit(e: Event) {
    e.preventDefault();
    if (v.password !== v.again) {
      setError(new ApiError(400, 'password_mismatch', '', 'again'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      // passwords go as typed: normalising would change what was chosen
      await api('POST', '/me/password', { current_password: v.current_password, password: v.password });
      props.onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form class="login card change-password" onSubmit={submit}>
      <h1>گذرواژه تازه</h1>
      {props.me.must_change_password && (
        <p class="alert" role="status">
          گذرواژه حساب {ltrText(props.me.login)} را مدیر سامانه از نو گذاشته است. پیش از ادامه، گذرواژه‌ای
          برگزینید که تنها خودتان بدانید.
        </p>
      )}
      <Field label="گذرواژه کنونی (همانی که با آن وارد شدید)" name="current_password" error={error}>
        <input name="current_password" type="password" value={v.current_password} onInput={set('current_password')}
          autocomplete="current-password" autofocus />
      </Field>
      <Field label="گذرواژه تازه" name="password" error={error}
        hint="دست‌کم ۸ نویسه؛ چند واژه در کنار هم گذرواژه خوبی است.">
        <input name="password" type="password" value={v.password} onInput={set('password')} autocomplete="new-password" />
      </Field>
      <Field label="تکرار گذرواژه تازه" name="again" error={error}>
        <input name="again" type="password" value={v.again} onInput={set('again')} autocomplete="new-password" />
      </Field>
      <FormError error={error} fields={['current_password', 'password', 'again']} />
      <div class="buttons">
        <button class="primary" type="submit" disabled={busy}>ذخیره گذرواژه</button>
        <button type="button" onClick={props.onLogout}>خروج</button>
      </div>
    </form>
  );
}
