// Staff log in with their login; citizens with their national id (any digit set), by
// password or by a one-time code sent by SMS (OtpLogin).
import { useState } from 'preact/hooks';
import { api, Me, setCsrf } from '../api';
import { ApiError } from '../lib/errors';
import { normalize, validNationalId } from '../lib/text';
import { Field, FormError } from '../ui/Field';
import { OtpLogin } from './OtpLogin';

export function Login(props: { onLogin: (m: Me) => void }) {
  const [mode, setMode] = useState<'staff' | 'citizen'>(
    location.pathname.startsWith('/me') ? 'citizen' : 'staff');
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [otp, setOtp] = useState(false); // citizens: by a one-time code instead

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

  const tabs = (
    <div class="tabs" role="tablist">
      <button type="button" role="tab" aria-selected={mode === 'staff'} onClick={() => setMode('staff')}>
        کارکنان
      </button>
      <button type="button" role="tab" aria-selected={mode === 'citizen'} onClick={() => setMode('citizen')}>
        شهروندان
      </button>
    </div>
  );
  if (mode === 'citizen' && otp) {
    return (
      <div class="login card">
        <h1>سامانه پاسخگویی ۱۴۲۰ تأمین اجتماعی</h1>
        {tabs}
        <OtpLogin onLogin={props.onLogin} onBack={() => setOtp(false)} />
      </div>
    );
  }
  return (
    <form class="login card" onSubmit={submit}>
      <h1>سامانه پاسخگویی ۱۴۲۰ تأمین اجتماعی</h1>
      {tabs}
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
      {mode === 'citizen' ? (
        <button type="button" class="link" onClick={() => { setError(null); setOtp(true); }}>
          ورود با رمز یکبار مصرف
        </button>
      ) : null}
    </form>
  );
}
