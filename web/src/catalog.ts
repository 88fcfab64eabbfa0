// The catalogue (topics, departments, channels), loaded once per session.
import { api, Channel, Department, Page, Province, Topic } from './api';

export interface Catalog {
  topics: Topic[];
  departments: Department[];
  channels: Channel[];
  provinces: Province[];
  province: (code: string | null) => string;
  topic: (code: string) => Topic | undefined;
  department: (code: string) => Department | undefined;
  channel: (code: string) => Channel | undefined;
}

let cached: Promise<Catalog> | null = null;

export function loadCatalog(reload = false): Promise<Catalog> {
  if (!cached || reload) {
    cached = Promise.all([
      api<Page<Topic>>('GET', '/topics'),
      api<Page<Department>>('GET', '/departments'),
      api<Page<Channel>>('GET', '/channels'),
      api<Page<Province>>('GET', '/provinces'),
    ]).then(([t, d, c, p]) => ({
      topics: t.items,
      departments: d.items,
      channels: c.items,
      provinces: p.items,
      province: (code) => p.items.find((x) => x.code === code)?.name || code || '',
      topic: (code) => t.items.find((x) => x.code === code),
      department: (code) => d.items.find((x) => x.code === code),
      channel: (code) => c.items.find((x) => x.code === code),
    }));
    cached.catch(() => {
      cached = null;
    });
  }
  return cached;
}
