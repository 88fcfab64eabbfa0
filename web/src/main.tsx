// The app: who is logged in, the catalogue, and which page the path names.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, Me, setCsrf, whenLoggedOut } from './api';
import { Catalog, loadCatalog } from './catalog';
import { HOME, label, ROLE } from './lib/labels';
import { match, navigate, onLink, useLocation } from './router';
import { Login } from './pages/Login';
import { Agent } from './pages/Agent';
import { Desk } from './pages/Desk';
import { Queue } from './pages/Queue';
import { CasePage } from './pages/CasePage';
import { Supervisor } from './pages/Supervisor';
import { Pulse } from './pages/Pulse';
import { Wall } from './pages/Wall';
import { Citizen, CitizenNew, AccessLog, MyRecord } from './pages/Citizen';
import { Admin } from './pages/Admin';
import { Audit } from './pages/Audit';
import { Employer } from './pages/Employer';
import { ChangePassword } from './pages/Password';
import { ident } from './lib/text';
import { CannedAdmin } from './pages/Canned';
import { Public } from './pages/Public';
import { Verify } from './pages/Verify';
import { MyDocuments } from './pages/Documents';
import { ServicePage } from './pages/Services';
import { FormError } from './ui/Field';
import { LiveBanner } from './ui/LiveBanner';
import { liveStart, liveStop } from './lib/live';
import './styles.css';

export interface Ctx {
  me: Me;
  catalog: Catalog;
}

/** The roles a live stream tells of cases (GET /api/v1/stream). */
const LIVE_ROLES = new Set(['agent', 'desk', 'specialist', 'supervisor', 'citizen']);

const NAV: Record<string, [string, string][]> = {
  agent: [['/agent', 'میز ۱۴۲۰'], ['/cases', 'پرونده‌های من']],
  desk: [['/desk', 'ثبت درخواست'], ['/cases', 'پرونده‌های ثبت‌شده']],
  specialist: [['/queue', 'کارتابل واحد']],
  supervisor: [['/supervisor', 'نمای کلی'], ['/pulse', 'نبض تماس‌ها'], ['/wall', 'دیوار تماس‌ها'], ['/queue', 'کارتابل'], ['/canned', 'پاسخ‌های آماده']],
  citizen: [['/me', 'درخواست‌های من'], ['/me/new', 'درخواست تازه'], ['/me/record', 'سابقه بیمه'], ['/me/documents', 'فیش و گواهی‌ها'], ['/me/access-log', 'چه کسی پرونده‌ام را دید']],
  admin: [['/admin', 'کاربران'], ['/admin/catalog', 'واحدها و موضوع‌ها'], ['/canned', 'پاسخ‌های آماده']],
  auditor: [['/audit', 'گزارش دسترسی‌ها']],
  employer: [['/employer', 'کارگاه‌های من']],
};

function Page(props: { ctx: Ctx; path: string; query: URLSearchParams }) {
  const { ctx, path, query } = props;
  let m: Record<string, string> | null;
  if ((m = match('/cases/:id', path))) return <CasePage ctx={ctx} id={Number(m.id)} />;
  if ((m = match('/services/:code', path))) return <ServicePage ctx={ctx} code={m.code} query={query} />;
  switch (path) {
    case '/agent':
      return <Agent ctx={ctx} query={query} />;
    case '/desk':
      return <Desk ctx={ctx} />;
    case '/queue':
    case '/cases':
      return <Queue ctx={ctx} query={query} />;
    case '/supervisor':
      return <Supervisor ctx={ctx} />;
    case '/pulse':
      return <Pulse ctx={ctx} />;
    case '/wall':
      return <Wall />;
    case '/me':
      return <Citizen ctx={ctx} />;
    case '/me/new':
      return <CitizenNew ctx={ctx} />;
    case '/me/access-log':
      return <AccessLog />;
    case '/me/record':
      return <MyRecord ctx={ctx} />;
    case '/me/documents':
      return <MyDocuments />;
    case '/admin':
    case '/admin/catalog':
      return <Admin ctx={ctx} tab={path === '/admin' ? 'users' : 'catalog'} />;
    case '/audit':
      return <Audit />;
    case '/employer':
      return <Employer />;
    case '/canned':
      return <CannedAdmin ctx={ctx} />;
  }
  return <p>این صفحه وجود ندارد. <a href={HOME[ctx.me.role] || '/'}>صفحه اصلی</a></p>;
}

function App() {
  const { path, query } = useLocation();
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [catalog, setCatalog] = useState<Catalog | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function start(m: Me) {
    if (m.csrf) setCsrf(m.csrf);
    if (m.must_change_password) {
      // the server answers nothing else until the password is changed
      setMe(m);
      return;
    }
    try {
      setCatalog(await loadCatalog(true));
      setMe(m);
      if (LIVE_ROLES.has(m.role)) liveStart();
      if (path === '/' || path === '/login') navigate(HOME[m.role] || '/', true);
    } catch (e) {
      setError(e);
    }
  }

  useEffect(() => {
    whenLoggedOut(() => {
      liveStop();
      setMe(null);
      setCsrf('');
    });
    api<Me>('GET', '/me').then(start, () => setMe(null));
  }, []);

  async function logout() {
    try {
      await api('POST', '/logout');
    } catch {
      /* the session may be gone already */
    }
    liveStop();
    setCsrf('');
    setMe(null);
    navigate('/login');
  }

  // the public figures: for everyone, logged in or not
  if (path === '/public') return <Public />;
  // a paper's verification: for everyone, where its QR code points
  if (path === '/verify' || path.startsWith('/verify/')) return <Verify code={decodeURIComponent(path.slice(8))} />;
  if (me === undefined) return <p class="muted loading">در حال بارگذاری…</p>;
  if (me?.must_change_password)
    return (
      <main class="login-page">
        <ChangePassword me={me} onDone={() => start({ ...me, must_change_password: false })} onLogout={logout} />
      </main>
    );
  if (!me || !catalog)
    return (
      <main class="login-page">
        <FormError error={error} />
        <Login onLogin={start} />
        <p class="muted"><a href="/public">آمار عمومی سامانه ۱۴۲۰</a> · <a href="/verify">تصدیق اصالت گواهی‌ها</a></p>
      </main>
    );
  const ctx = { me, catalog };
  return (
    <div class="shell" onClick={onLink as any}>
      <header class="top">
        <a class="brand" href={HOME[me.role] || '/'}>
          تأمین <small>۱۴۲۰</small>
        </a>
        <nav>
          {(NAV[me.role] || []).map(([href, text]) => (
            <a href={href} class={path === href ? 'current' : ''}>
              {text}
            </a>
          ))}
        </nav>
        <span class="who">
          {me.name || ident(me.login)} <small class="muted">{label(ROLE, me.role)}</small>
        </span>
        <button class="link" onClick={logout}>
          خروج
        </button>
      </header>
      {LIVE_ROLES.has(me.role) && <LiveBanner />}
      <main>
        <Page ctx={ctx} path={path} query={query} />
      </main>
    </div>
  );
}

render(<App />, document.getElementById('app')!);
