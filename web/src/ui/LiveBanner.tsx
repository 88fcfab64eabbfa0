// The new events of the live stream, in a line under the header: the latest one said in
// words, how many came, and (once, never pressing) an offer to show them as notifications
// while the tab is hidden.
import { useState } from 'preact/hooks';
import { describe, mayAskNotifications, useLive } from '../lib/live';
import { fa } from '../lib/text';

export function LiveBanner() {
  const [news, setNews] = useState<{ text: string; caseId: number }[]>([]);
  const [ask, setAsk] = useState(mayAskNotifications());
  useLive((e) => {
    const text = e && describe(e);
    if (e && text) setNews((old) => [{ text, caseId: e.case_id }, ...old].slice(0, 20));
  });
  if (!news.length && !ask) return null;
  return (
    <div class="live-banner" role="status" aria-live="polite">
      {news.length > 0 && (
        <>
          <a href={`/cases/${news[0].caseId}`}>{news[0].text}</a>
          {news.length > 1 && <span class="muted"> و {fa(news.length - 1)} رویداد دیگر</span>}
          <button class="link" onClick={() => setNews([])} aria-label="بستن">×</button>
        </>
      )}
      {ask && (
        <button
          class="link notify"
          onClick={() => Notification.requestPermission().finally(() => setAsk(mayAskNotifications()))}
        >
          خبرم کن وقتی این صفحه پنهان است
        </button>
      )}
    </div>
  );
}
