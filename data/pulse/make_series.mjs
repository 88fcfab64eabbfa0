// Makes the labelled count series of data/pulse/ (README.md there says what each holds):
// contacts at an hourly, 15-minute or daily step with a daily and a weekly cycle, the
// official Iranian holidays of data/holidays/, a trend, Poisson noise (over-dispersed by a
// gamma factor per day), and injected anomalies whose windows are the labels.
//   node data/pulse/make_series.mjs [OUT_DIR]      (default: data/pulse)
// Writes OUT_DIR/series/NAME.csv and OUT_DIR/labels.json. The same seed gives the same
// bytes: tests/http/pulse.test.mjs checks that the committed files are what this makes.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SEED = 1404;
const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2] || here;

// mulberry32: a small seeded generator, so that the series never change under us.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function normal(r) {
  const u = 1 - r(), v = r();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
// Poisson: Knuth's product below 30, the normal approximation (rounded, never below 0) above.
function poisson(r, lambda) {
  if (lambda <= 0) return 0;
  if (lambda < 30) {
    const l = Math.exp(-lambda);
    let k = 0, p = 1;
    do { k++; p *= r(); } while (p > l);
    return k - 1;
  }
  return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * normal(r)));
}
// Gamma(shape k, mean 1) by Marsaglia and Tsang, for the day's over-dispersion.
function gamma1(r, cv) {
  if (cv <= 0) return 1;
  const k = 1 / (cv * cv), d = k - 1 / 3, c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x, v;
    do { x = normal(r); v = 1 + c * x; } while (v <= 0);
    v = v * v * v;
    const u = r();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return (d * v) / k;
  }
}

// Official holidays: data/holidays/YEAR.tsv, Jalali dates, to Gregorian day numbers.
// 1 Farvardin of each year in the files (Calendar Centre, University of Tehran).
const NOWRUZ = { 1403: '2024-03-20', 1404: '2025-03-21', 1405: '2026-03-21' };
const DAY = 86400000;
function holidays() {
  const dir = join(here, '..', 'holidays'), days = new Set();
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.tsv'))) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      const m = /^(\d{4})\/(\d{2})\/(\d{2})/.exec(line);
      if (!m) continue;
      const [y, mo, d] = [+m[1], +m[2], +m[3]];
      if (!NOWRUZ[y]) throw new Error(`no Nowruz date for ${y}`);
      const before = mo <= 7 ? (mo - 1) * 31 : 186 + (mo - 7) * 30;
      days.add(Date.parse(NOWRUZ[y] + 'T00:00:00Z') / DAY + before + d - 1);
    }
  }
  return days;
}
const HOLIDAYS = holidays();

// The shape of a day (per hour, mean 1) and of a week (Sunday 0 .. Saturday 6; Iran's
// week starts on Saturday, Thursday is half a working day, Friday the weekend).
const HOURLY = [0.2, 0.12, 0.08, 0.07, 0.08, 0.15, 0.35, 0.8, 1.5, 1.9, 2.0, 1.95, 1.8, 1.6,
  1.5, 1.45, 1.4, 1.3, 1.2, 1.05, 0.95, 0.8, 0.55, 0.35];
const hsum = HOURLY.reduce((a, b) => a + b, 0);
const WEEKLY = [1.1, 1.05, 1.0, 0.95, 0.7, 0.4, 1.15];
const HOLIDAY = 0.35;

const pad = (n) => String(n).padStart(2, '0');
function stamp(ms) {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}
const at = (s) => Date.parse(s.replace(' ', 'T') + 'Z');

// One series: perDay contacts a day on an ordinary Tuesday at the start, growing by
// `growth` a year; anomalies multiply the rate over [start, start + hours).
function make(seed, { start, days, step, perDay, growth, cv, anomalies }) {
  const r = rng(seed), t0 = at(start), n = (days * 86400) / step, rows = ['timestamp,value'];
  let dayNoise = 1, lastDay = -1;
  for (let i = 0; i < n; i++) {
    const t = t0 + i * step * 1000, day = Math.floor(t / DAY);
    if (day !== lastDay) { dayNoise = gamma1(r, cv); lastDay = day; }
    const wd = new Date(t).getUTCDay(), hol = HOLIDAYS.has(day);
    let shape;
    if (step >= 86400) shape = 1;
    else {
      const h = new Date(t).getUTCHours();
      shape = (HOURLY[h] / hsum) * (step / 3600);
    }
    let rate = perDay * shape * (hol ? HOLIDAY : WEEKLY[wd]) * dayNoise *
      Math.pow(growth, (t - t0) / (365 * DAY));
    for (const a of anomalies) {
      const s = at(a.start), e = a.hours ? s + a.hours * 3600000 : Infinity;
      if (t + step * 1000 > s && t < e) rate *= a.factor;
    }
    rows.push(`${stamp(t)},${poisson(r, rate)}`);
  }
  return rows.join('\n') + '\n';
}

// A label is the window of an anomaly; a level shift's (hours absent: it lasts) is its
// first 3 days, where it should be found.
function labels(cfg) {
  return cfg.anomalies.map((a) => {
    const s = at(a.start), e = s + (a.hours || 72) * 3600000 - cfg.step * 1000;
    return { start: a.start, end: stamp(e), direction: a.factor > 1 ? 'rise' : 'fall', kind: a.kind };
  });
}

export const SERIES = {
  national_hourly: {
    about: 'the 1420 line as a whole: 13,000 contacts a day, +48% over the year 1404',
    start: '2025-03-21 00:00:00', days: 365, step: 3600, perDay: 13000, growth: 1.48, cv: 0.04,
    anomalies: [
      { kind: 'spike', start: '2025-05-12 10:00:00', hours: 3, factor: 1.8 },
      { kind: 'outage', start: '2025-06-23 09:00:00', hours: 4, factor: 0.25 },
      { kind: 'pension-increase week', start: '2025-07-05 00:00:00', hours: 144, factor: 1.35 },
      { kind: 'level shift', start: '2025-09-13 00:00:00', factor: 1.25 },
      { kind: 'system down', start: '2025-11-18 08:00:00', hours: 10, factor: 0.5 },
      { kind: 'spike', start: '2026-01-27 14:00:00', hours: 2, factor: 2.0 },
    ],
  },
  province_hourly: {
    about: 'one province: about 480 a day (20 an hour, a few at night)',
    start: '2025-03-21 00:00:00', days: 365, step: 3600, perDay: 480, growth: 1.3, cv: 0.05,
    anomalies: [
      { kind: 'regional incident', start: '2025-08-02 00:00:00', hours: 96, factor: 2.0 },
      { kind: 'spike', start: '2025-10-14 11:00:00', hours: 2, factor: 3.0 },
      { kind: 'outage', start: '2025-12-08 09:00:00', hours: 6, factor: 0.2 },
      { kind: 'level shift', start: '2026-02-07 00:00:00', factor: 0.7 },
    ],
  },
  channel_15min: {
    about: 'one channel by 15 minutes over 14 weeks, about 3,000 a day',
    start: '2025-09-23 00:00:00', days: 98, step: 900, perDay: 3000, growth: 1.2, cv: 0.04,
    anomalies: [
      { kind: 'spike', start: '2025-10-28 10:00:00', hours: 1, factor: 2.5 },
      { kind: 'outage', start: '2025-11-10 11:00:00', hours: 3, factor: 0.3 },
      { kind: 'regional incident', start: '2025-11-24 00:00:00', hours: 48, factor: 1.5 },
      { kind: 'level shift', start: '2025-12-13 00:00:00', factor: 1.4 },
    ],
  },
  branch_daily: {
    about: 'one branch by day over three years (1403 to 1405), about 90 a day',
    start: '2024-03-20 00:00:00', days: 1096, step: 86400, perDay: 90, growth: 1.15, cv: 0.05,
    anomalies: [
      { kind: 'spike', start: '2024-06-10 00:00:00', hours: 24, factor: 2.5 },
      { kind: 'pension-increase week', start: '2025-01-04 00:00:00', hours: 168, factor: 1.6 },
      { kind: 'outage', start: '2025-08-11 00:00:00', hours: 48, factor: 0.3 },
      { kind: 'level shift', start: '2026-05-02 00:00:00', factor: 0.6 },
    ],
  },
  quiet_hourly: {
    about: 'no anomaly at all: six months of holidays, trend and noise (every alarm is false)',
    start: '2025-03-21 00:00:00', days: 182, step: 3600, perDay: 2000, growth: 1.3, cv: 0.05,
    anomalies: [],
  },
  web_hourly: {
    about: 'e-services: over-dispersed (a day varies by 12%), about 6,000 a day',
    start: '2025-06-01 00:00:00', days: 182, step: 3600, perDay: 6000, growth: 1.5, cv: 0.12,
    anomalies: [
      { kind: 'regional incident', start: '2025-07-19 00:00:00', hours: 72, factor: 1.6 },
      { kind: 'outage', start: '2025-09-08 08:00:00', hours: 5, factor: 0.3 },
      { kind: 'level shift', start: '2025-10-25 00:00:00', factor: 1.5 },
    ],
  },
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  mkdirSync(join(out, 'series'), { recursive: true });
  const all = {};
  let i = 0;
  for (const [name, cfg] of Object.entries(SERIES)) {
    writeFileSync(join(out, 'series', name + '.csv'), make(SEED + i++, cfg));
    all[name] = { about: cfg.about, step: cfg.step, labels: labels(cfg) };
  }
  writeFileSync(join(out, 'labels.json'), JSON.stringify({ seed: SEED, series: all }, null, 1) + '\n');
}
