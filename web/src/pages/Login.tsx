// Staff log in with their login; citizens with their national id (any digit set).
import { useState } from 'preact/hooks';
import { api, Me, setCsrf } from '../api';
import { ApiError } from '../lib/errors';
import { normalize, validNationalId } from '../lib/text';
import { Field, FormError } from '../ui/Field';

export function Login(props: { onLogin: (m: Me) => void }) {
  const [mode, setMode] = useState<'staff' | 'citizen'>(
    location.pathname.startsWith('/me') ? 'citizen' : 'staff');
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    const name = normalize(login);
    if (mode === 'citizen' && !validNationalId(name)) {
      setError(new ApiError(400, 'invalid_national_id', '', 'login'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const r = await api<{ csrf: string }>('POST', '/login', { login: name, password });
      setCsrf(r.csrf);
      props.onLogin(await api<Me>('GET', '/me'));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="login card" onSubmit={submit}>
      <h1>سامانه پاسخگویی ۱۴۲۰ تأمین اجتماعی</h1>
      <div class="tabs" role="tablist">
        <button type="button" role="tab" aria-selected={mode === 'staff'} onClick={() => setMode('staff')}>
          کارکنان
        </button>
        <button type="button" role="tab" aria-selected={mode === 'citizen'} onClick={() => setMode('citizen')}>
          شهروندان
        </button>
      </div>
      <Field label={mode === 'citizen' ? 'کد ملی' : 'نام کاربری'} name="login" error={error}>
        <input name="login" value={login} onInput={(e) => setLogin((e.target as HTMLInputElement).value)}
          autocomplete="username" inputMode={mode === 'citizen' ? 'numeric' : 'text'} autofocus />
      </Field>
      <Field label="گذرواژه" name="password" error={error}>
        <input name="password" type="password" value={password}
          onInput={(e) => setPassword((e.target as HTMLInputElement).value)} autocomplete="current-password" />
      </Field>
      <FormError error={error} fields={['login', 'password']} />
      <button type="submit" class="primary" disabled={busy}>
        ورود
      </button>
    </form>
  );
}
