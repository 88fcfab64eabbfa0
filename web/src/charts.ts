// ECharts with only the parts the supervisor view uses (tree-shaken), loaded on demand.
import { LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export function lineChart(el: HTMLElement, d: { days: string[]; lines: { name: string; values: number[] }[] }) {
  const chart = echarts.init(el, undefined, { renderer: 'canvas' });
  chart.setOption({
    textStyle: { fontFamily: 'Vazirmatn, sans-serif' },
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 40, right: 20, top: 30, bottom: 30 },
    xAxis: { type: 'category', data: d.days, inverse: true },
    yAxis: { type: 'value', position: 'right', minInterval: 1 },
    series: d.lines.map((l) => ({ name: l.name, type: 'line', smooth: false, symbolSize: 4, data: l.values })),
  });
  return chart;
}
