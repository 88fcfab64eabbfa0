// ECharts with only the parts the supervisor view uses (tree-shaken), loaded on demand.
// Every number people read is in Persian digits: the axes' labels and the tooltips.
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { fa } from './lib/text';

echarts.use([LineChart, BarChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

interface TipItem { axisValueLabel?: string; name?: string; marker?: string; seriesName?: string; value?: unknown }

/** The tooltip of an axis: the day (already in Persian digits), then each line's value. */
function tooltip(params: TipItem | TipItem[]): string {
  const items = Array.isArray(params) ? params : [params];
  const head = items[0]?.axisValueLabel ?? items[0]?.name ?? '';
  const rows = items.map((p) => `${p.marker ?? ''}${p.seriesName ?? ''}: <b>${fa(String(p.value ?? ''))}</b>`);
  return [head, ...rows].join('<br/>');
}

const base = {
  textStyle: { fontFamily: 'Vazirmatn, sans-serif' },
  tooltip: { trigger: 'axis', formatter: tooltip },
  grid: { left: 40, right: 20, top: 30, bottom: 30 },
};

/** Lines over days: labels are shown as given (dayLabels in lib/figures.ts). */
export function lineChart(el: HTMLElement, d: { days: string[]; lines: { name: string; values: (number | null)[] }[] }) {
  const chart = echarts.init(el, undefined, { renderer: 'canvas' });
  chart.setOption({
    ...base,
    legend: { top: 0 },
    xAxis: { type: 'category', data: d.days, inverse: true },
    yAxis: { type: 'value', position: 'right', minInterval: 1, axisLabel: { formatter: (v: number) => fa(v) } },
    series: d.lines.map((l) => ({ name: l.name, type: 'line', smooth: false, symbolSize: 4, data: l.values })),
  });
  return chart;
}

/** Bars, one per label (the ratings 1 to 5). */
export function barChart(el: HTMLElement, d: { labels: string[]; name: string; values: number[] }) {
  const chart = echarts.init(el, undefined, { renderer: 'canvas' });
  chart.setOption({
    ...base,
    xAxis: { type: 'category', data: d.labels, inverse: true },
    yAxis: { type: 'value', position: 'right', minInterval: 1, axisLabel: { formatter: (v: number) => fa(v) } },
    series: [{ name: d.name, type: 'bar', data: d.values, barMaxWidth: 36 }],
  });
  return chart;
}

/** A count over time beside its expected value and band (the pulse): the band is drawn as
 * a stacked area from `low` to `high`, the anomalies as marked points. Labels as given. */
export function bandChart(el: HTMLElement, d: {
  labels: string[]; value: number[]; expected: (number | null)[]; low: (number | null)[];
  high: (number | null)[]; anomaly: boolean[];
}) {
  const chart = echarts.init(el, undefined, { renderer: 'canvas' });
  const width = d.high.map((h, i) => (h === null || d.low[i] === null ? null : h - (d.low[i] as number)));
  chart.setOption({
    ...base,
    legend: { top: 0, data: ['شمار', 'مورد انتظار', 'بازه عادی'] },
    xAxis: { type: 'category', data: d.labels, inverse: true },
    yAxis: { type: 'value', position: 'right', min: 0, axisLabel: { formatter: (v: number) => fa(v) } },
    series: [
      { name: 'پایین بازه', type: 'line', data: d.low, stack: 'band', symbol: 'none', lineStyle: { opacity: 0 }, tooltip: { show: false } },
      { name: 'بازه عادی', type: 'line', data: width, stack: 'band', symbol: 'none', lineStyle: { opacity: 0 },
        areaStyle: { color: 'rgba(59, 130, 246, 0.15)' } },
      { name: 'مورد انتظار', type: 'line', data: d.expected, symbol: 'none', lineStyle: { type: 'dashed' } },
      { name: 'شمار', type: 'line', data: d.value.map((v, i) => (d.anomaly[i] ? { value: v, symbolSize: 8, itemStyle: { color: '#dc2626' } } : v)),
        symbolSize: 3 },
    ],
  });
  return chart;
}

/** Bars side by side, one group per label (the public page's months); a null value (a
 * withheld count) is left out. */
export function groupedBars(el: HTMLElement, d: { labels: string[]; series: { name: string; values: (number | null)[] }[] }) {
  const chart = echarts.init(el, undefined, { renderer: 'canvas' });
  chart.setOption({
    ...base,
    legend: { top: 0 },
    xAxis: { type: 'category', data: d.labels, inverse: true },
    yAxis: { type: 'value', position: 'right', minInterval: 1, axisLabel: { formatter: (v: number) => fa(v) } },
    series: d.series.map((s) => ({ name: s.name, type: 'bar', data: s.values, barMaxWidth: 28 })),
  });
  return chart;
}
