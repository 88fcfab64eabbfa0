// Login by a one-time code: national id and mobile, then the 6-digit code sent by SMS,
// with its 2 minutes counted down and a new code offered when they are over. Citizens and
// employers whose account is tied to their national id.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, Me, setCsrf } from '../api';
import { ApiError } from '../lib/errors';
import { clock, codeOf, mobileOf } from '../lib/otp';
import { ltr, normalize, num, validNationalId } from '../lib/text';
import { Field, FormError } from '../ui/Field';

export function OtpLogin(props: { onLogin: (m: Me) => void; onBack: () => void }) {
  const [nid, setNid] = useState('');
  const [mobile, setMobile] = useState('');
  const [code, setCode] = useState('');
  const [sentTo, setSentTo] = useState(''); // the mobile a code was asked for
  const [until, setUntil] = useState(0); // when the code's time ends (ms)
  const [now, setNow] = useState(Date.now());
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const codeInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (!until) return undefined;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [until]);
  const left = until ? (until - now) / 1000 : 0;
  const over = Boolean(sentTo) && left <= 0;

  async function start(e?: Event) {
    e?.preventDefault();
    const id = normalize(nid), m = mobileOf(mobile);
    if (!validNationalId(id)) return setError(new ApiError(400, 'invalid_national_id', '', 'national_id'));
    if (!m) return setError(new ApiError(400, 'invalid_mobile', '', 'mobile'));
    setBusy(true);
    setError(null);
    try {
      const r = await api<{ expires_in: number }>('POST', '/login/otp/start', { national_id: id, mobile: m });
      setSentTo(m);
      setCode('');
      setNow(Date.now());
      setUntil(Date.now() + r.expires_in * 1000);
      setTimeout(() => codeInput.current?.focus(), 0);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  async function verify(e: Event) {
    e.preventDefault();
    const c = codeOf(code);
    if (!c) return setError(new ApiError(400, 'invalid_code', '', 'code'));
    setBusy(true);
    setError(null);
    try {
      const r = await api<{ csrf: string }>('POST', '/login/otp/verify',
        { national_id: normalize(nid), mobile: sentTo, code: c });
      setCsrf(r.csrf);
      props.onLogin(await api<Me>('GET', '/me'));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  if (!sentTo) {
    return (
      <form class="otp" onSubmit={start} aria-label="ورود با رمز یکبار مصرف">
        <p class="muted">
          رمزی شش‌رقمی به شماره همراهی که در سازمان ثبت کرده‌اید پیامک می‌شود؛ برای بیمه‌شدگان،
          مستمری‌بگیران و کارفرمایانی که حسابشان با کد ملی خودشان ساخته شده است.
        </p>
        <Field label="کد ملی" name="national_id" error={error}>
          <input name="national_id" value={nid} onInput={(e) => setNid((e.target as HTMLInputElement).value)}
            autocomplete="username" inputMode="numeric" dir="ltr" autofocus />
        </Field>
        <Field label="شماره همراه" name="mobile" error={error} hint="مانند ۰۹۱۲۳۴۵۶۷۸۹">
          <input name="mobile" type="tel" value={mobile} onInput={(e) => setMobile((e.target as HTMLInputElement).value)}
            autocomplete="tel" inputMode="numeric" dir="ltr" />
        </Field>
        <FormError error={error} fields={['national_id', 'mobile']} />
        <button type="submit" class="primary" disabled={busy}>دریافت رمز</button>
        <button type="button" class="link" onClick={props.onBack}>ورود با گذرواژه</button>
      </form>
    );
  }
  return (
    <form class="otp" onSubmit={verify} aria-label="ورود با رمز یکبار مصرف">
      <p role="status">
        رمز به شماره {num(sentTo)} پیامک شد.
      </p>
      <Field label="رمز یکبار مصرف" name="code" error={error}>
        <input name="code" ref={codeInput} value={code} onInput={(e) => setCode((e.target as HTMLInputElement).value)}
          autocomplete="one-time-code" inputMode="numeric" maxLength={12} dir="ltr" aria-describedby="otp-clock" />
      </Field>
      <p id="otp-clock" class="muted">
        {over ? 'زمان این رمز گذشت؛ رمز تازه بگیرید.' : <>اعتبار رمز: {ltr(clock(left), 'ltr-num')}</>}
      </p>
      <FormError error={error} fields={['code']} />
      <button type="submit" class="primary" disabled={busy || over}>ورود</button>
      <button type="button" disabled={busy || !over} onClick={() => start()}>
        ارسال دوباره رمز
      </button>
      <button type="button" class="link" onClick={() => { setSentTo(''); setUntil(0); setError(null); }}>
        تغییر کد ملی یا شماره
      </button>
    </form>
  );
}
