/**
 * The progress graph: cumulative uptake (opted % of suitable) per Trust per month with the CQUIN target line, drawn on
 * the server by echarts as SVG. The same numbers are always shown in a table beside it.
 */
import * as echarts from 'echarts';
import { monthLabel } from './months.ts';
import type { MonthlyReport } from './report.ts';

/** NHS colours for the lines (blue, dark green, purple, warm yellow, dark pink), then echarts' own. */
const COLOURS = ['#005eb8', '#007f3b', '#330072', '#ffb81c', '#7c2855'];

/** The graph as an SVG document (no script; fixed size, so the PDF can place it too). */
export function progressSvg(report: Pick<MonthlyReport, 'months' | 'progress' | 'cquin'>, size = { width: 720, height: 360 }): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: size.width, height: size.height });
  const target = report.cquin[0]?.target.optedPercent ?? null;
  chart.setOption({
    animation: false,
    color: COLOURS,
    textStyle: { fontFamily: 'Arial, sans-serif' },
    grid: { left: 56, right: 24, top: 56, bottom: 48 },
    legend: { top: 8, textStyle: { fontSize: 13 } },
    xAxis: { type: 'category', data: report.months.map(monthLabel), axisLabel: { fontSize: 12 } },
    yAxis: { type: 'value', min: 0, max: 100, name: '% opted for home', nameTextStyle: { fontSize: 12 }, axisLabel: { formatter: '{value}%' } },
    series: [
      ...report.progress.map((p) => ({ type: 'line', name: p.name, data: p.points.map((x) => x.percent), connectNulls: false, symbolSize: 7, lineStyle: { width: 3 } })),
      ...(target === null ? [] : [{ type: 'line', name: `CQUIN target ${target}%`, data: report.months.map(() => target), symbol: 'none', lineStyle: { type: 'dashed', width: 2, color: '#d5281b' }, itemStyle: { color: '#d5281b' } }]),
    ],
  });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
}

/** The SVG as an image source: the page's content security policy allows no inline styles, an image may have its own. */
export const svgDataUri = (svg: string) => `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
