// The topic picker's search: what the agent types against the topics' names, codes and
// keywords, with digits and Arabic letters normalised.
import { normalize } from './text';

export interface Searchable {
  code: string;
  name: string;
  keywords: string;
}

/** Topics containing every word typed; names that start with the first word come first. */
export function searchTopics<T extends Searchable>(topics: T[], typed: string): T[] {
  const words = normalize(typed).toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return topics;
  const hits = topics.filter((t) => {
    const hay = normalize(`${t.name} ${t.code} ${t.keywords}`).toLowerCase();
    return words.every((w) => hay.includes(w));
  });
  const starts = (t: T) => (normalize(t.name).startsWith(words[0]) ? 0 : 1);
  return hits.sort((a, b) => starts(a) - starts(b));
}
