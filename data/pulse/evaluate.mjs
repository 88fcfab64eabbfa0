// Runs `tamin pulse detect` on every labelled series of data/pulse/ and measures it:
// per series, the labels found (a label is found when a reported interval overlaps its
// window), the intervals reported and those that overlap a label, precision, recall, and
// the delay to detection (the first overlapping interval's start minus the label's start,
// 0 when it starts before). Prints the table of data/pulse/README.md.
//   node data/pulse/evaluate.mjs [TAMIN_BIN] [--threshold Z] [--nab]
// (--nab: the real series of data/pulse/nab instead of the generated ones)
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const at = (s) => Date.parse(s.replace(' ', 'T') + 'Z');

// The sets: ours, generated with Iran's holidays; NAB's real series (nab/README.md), scored
// with no holiday calendar (their holidays are American, and NAB labels them anomalies).
export const SETS = {
  generated: { dir: here, holidays: join(here, '..', 'holidays') },
  nab: { dir: join(here, 'nab'), holidays: 'none' },
};
// The detector scores nothing before three weeks of a weekly series (detect.h): a label
// that starts earlier is out of its reach, counted apart as well as in the totals.
const WARMUP_MS = 21 * 86400000;

export function detect(bin, file, extra = [], holidays = SETS.generated.holidays) {
  const out = execFileSync(bin, ['pulse', 'detect', '--series', file,
    '--holidays', holidays, ...extra], { encoding: 'utf8' });
  return out.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

export function evaluate(bin, extra = [], set = 'generated') {
  const { dir, holidays } = SETS[set];
  const { series } = JSON.parse(readFileSync(join(dir, 'labels.json'), 'utf8'));
  const rows = [];
  for (const [name, s] of Object.entries(series)) {
    const file = join(dir, 'series', name + '.csv');
    const found = detect(bin, file, extra, holidays);
    const first = at(readFileSync(file, 'utf8').split('\n', 2)[1].split(',')[0]);
    const reachable = s.labels.filter((l) => at(l.start) >= first + WARMUP_MS);
    const hits = (a, l) => at(a.start) <= at(l.end) + s.step * 1000 - 1 && at(a.end) >= at(l.start);
    const delays = [];
    let labelsFound = 0;
    for (const l of s.labels) {
      const first = found.filter((a) => hits(a, l)).sort((x, y) => at(x.start) - at(y.start))[0];
      if (!first) continue;
      labelsFound++;
      delays.push(Math.max(0, at(first.start) - at(l.start)) / 3600000);
    }
    const good = found.filter((a) => s.labels.some((l) => hits(a, l))).length;
    rows.push({
      name, labels: s.labels.length, found: labelsFound, reported: found.length, good,
      reachable: reachable.length, reachableFound: reachable.filter((l) => found.some((a) => hits(a, l))).length,
      falseAlarms: found.length - good,
      recall: s.labels.length ? labelsFound / s.labels.length : null,
      precision: found.length ? good / found.length : null,
      delayMedianH: delays.length ? delays.sort((a, b) => a - b)[Math.floor((delays.length - 1) / 2)] : null,
      delayMaxH: delays.length ? Math.max(...delays) : null,
      step: s.step,
    });
  }
  const sum = (k) => rows.reduce((a, r) => a + r[k], 0);
  const total = {
    name: 'all', labels: sum('labels'), found: sum('found'), reported: sum('reported'),
    good: sum('good'), falseAlarms: sum('falseAlarms'),
    reachable: sum('reachable'), reachableFound: sum('reachableFound'),
  };
  total.recall = total.found / total.labels;
  total.reachableRecall = total.reachable ? total.reachableFound / total.reachable : null;
  total.precision = total.reported ? total.good / total.reported : 1;
  return { rows, total };
}

function table({ rows, total }) {
  const f = (x, d = 2) => (x === null || x === undefined ? '-' : x.toFixed(d));
  const lines = ['| series | step | labels | found | after 3 weeks: labels, found | reported | false alarms | recall | precision | delay median (h) | delay max (h) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |'];
  for (const r of rows)
    lines.push(`| \`${r.name}\` | ${r.step}s | ${r.labels} | ${r.found} | ${r.reachable}, ${r.reachableFound} | ${r.reported} | ${r.falseAlarms} | ${f(r.recall)} | ${f(r.precision)} | ${f(r.delayMedianH, 0)} | ${f(r.delayMaxH, 0)} |`);
  lines.push(`| **all** | | ${total.labels} | ${total.found} | ${total.reachable}, ${total.reachableFound} | ${total.reported} | ${total.falseAlarms} | ${f(total.recall)} | ${f(total.precision)} | | |`);
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const bin = process.argv[2] && !process.argv[2].startsWith('--') ? process.argv[2] : 'build/tamin';
  const i = process.argv.indexOf('--threshold');
  const set = process.argv.includes('--nab') ? 'nab' : 'generated';
  console.log(table(evaluate(bin, i > 0 ? ['--threshold', process.argv[i + 1]] : [], set)));
}
