// The wallboard a supervisor puts on the wall: per queue the callers waiting now and the
// longest wait (an alert past the queue's limit, in colour and in words), agents by
// state, and today's answered, abandoned and service level. Read once from
// GET /api/v1/calls/board, then from the snapshots the live stream pushes each second it
// changes; read again when the stream comes back or falls silent.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { Board, BoardAgent, BoardQueue, STATES, alertText, sinceText, waitText } from '../lib/board';
import { percent } from '../lib/figures';
import { useBoard, useLive } from '../lib/live';
import { fa, ident, ltr } from '../lib/text';
import { FormError } from '../ui/Field';

const wait = (s: number | null) => ltr(waitText(s), 'ltr-num');

function QueueTile(props: { q: BoardQueue }) {
  const { q } = props;
  const t = q.today;
  return (
    <section class={`wall-tile${q.alert ? ' over' : ''}`} data-queue={q.queue} aria-label={q.title ?? q.queue}>
      <h3>{q.title ?? ident(q.queue)}</h3>
      {q.alert && q.longest_wait_s !== null && q.alert_s !== null && (
        <p class="wall-alert" role="alert">⚠ هشدار: {alertText(q.longest_wait_s, q.alert_s)}</p>
      )}
      <div class="wall-big">
        <div><span class="n" data-figure="waiting">{fa(q.waiting)}</span><span>در انتظار</span></div>
        <div><span class="n" data-figure="longest">{wait(q.longest_wait_s)}</span><span>بیشترین انتظار</span></div>
      </div>
      <p class="wall-agents">
        {STATES.map(([k, label]) => (
          <span data-state={k}>{label}: {fa(q.agents[k])}</span>
        ))}
      </p>
      <p class="wall-today">
        <span>امروز:</span>
        <span data-figure="answered">پاسخ‌داده {fa(t.answered)}</span>
        <span data-figure="abandoned">رهاشده {fa(t.abandoned)}</span>
        <span data-figure="sl">سطح خدمت {percent(t.service_level)}</span>
      </p>
    </section>
  );
}

function AgentList(props: { agents: BoardAgent[]; now: number; titles: Map<string, string> }) {
  return (
    <div class="wall-people">
      {STATES.map(([state, label]) => {
        const list = props.agents.filter((a) => a.state === state);
        return (
          <section data-agents={state}>
            <h3>{label} ({fa(list.length)})</h3>
            <ul>
              {list.map((a) => (
                <li data-agent={a.agent}>
                  {ident(a.agent)} {state !== 'logged_off' && <>— {ltr(sinceText(a.since, props.now), 'ltr-num')}</>}
                  {a.state === 'on_call' && a.queue && <> — {props.titles.get(a.queue) ?? ident(a.queue)}</>}
                  {a.state === 'paused' && <> — {a.reason ? <bdi>{a.reason}</bdi> : 'بی‌دلیل'}</>}
                  {a.rings_unanswered > 0 && <> — زنگ بی‌پاسخ امروز: {fa(a.rings_unanswered)}</>}
                </li>
              ))}
            </ul>
          </section>
        );
      })}
    </div>
  );
}

export function Wall() {
  const [b, setB] = useState<Board | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [seen, setSeen] = useState(0); // when the last board came (ms)
  const [now, setNow] = useState(Date.now());
  const load = () =>
    api<Board>('GET', '/calls/board').then(
      (x) => {
        setB(x);
        setSeen(Date.now());
        setError(null);
      },
      setError,
    );
  useEffect(() => {
    load();
  }, []);
  useBoard<Board>((x) => {
    setB(x);
    setSeen(Date.now());
  });
  useLive((e) => {
    if (e === null) load(); // the stream came back: it cannot say what changed meanwhile
  });
  // the clock of the agents' durations; the board read again when no push came for 5 s
  // (an unchanged board is not pushed, but the longest wait moves while anyone waits)
  useEffect(() => {
    const t = setInterval(() => {
      setNow(Date.now());
      if (Date.now() - seen > 5000) load();
    }, 1000);
    return () => clearInterval(t);
  }, [seen]);

  const titles = new Map((b?.queues ?? []).map((q) => [q.queue, q.title ?? q.queue]));
  return (
    <div class="wall">
      <div class="row between">
        <h2>دیوار تماس‌های ۱۴۲۰</h2>
        <a href="/supervisor">بازگشت به نمای کلی</a>
      </div>
      <FormError error={error} />
      {b && (
        <>
          {b.alerts.length > 0 && (
            <div class="wall-alerts" role="alert" data-alerts={b.alerts.length}>
              {b.alerts.map((a) => (
                <p>⚠ {a.title ?? ident(a.queue)}: {alertText(a.longest_wait_s, a.alert_s)}</p>
              ))}
            </div>
          )}
          <div class="wall-totals" data-totals>
            <span>در انتظار: <b>{fa(b.totals.waiting)}</b></span>
            <span>بیشترین انتظار: <b>{wait(b.totals.longest_wait_s)}</b></span>
            <span>پاسخ‌داده امروز: <b>{fa(b.today.answered)}</b></span>
            <span>رهاشده امروز: <b>{fa(b.today.abandoned)}</b></span>
            <span>سطح خدمت امروز ({fa(b.sl_seconds)} ثانیه): <b>{percent(b.today.service_level)}</b></span>
          </div>
          <div class="wall-tiles">
            {b.queues.map((q) => <QueueTile q={q} />)}
          </div>
          <h2>کارشناسان</h2>
          <AgentList agents={b.agents} now={now} titles={titles} />
          <p class="hint">
            زنگ‌خوردن تلفن کارشناس در لحظه از گزارش صف (<bdi dir="ltr">queue_log</bdi>) پیدا نیست:
            این گزارش فقط پس از پایان زنگ چیزی می‌نویسد. پس به جای «در حال زنگ»، زنگ‌های بی‌پاسخ امروز
            هر کارشناس آمده است.
          </p>
        </>
      )}
    </div>
  );
}
