import type { ChartConfiguration } from 'chart.js';
import type { ChartPalette } from './chart-palette.js';
import type { CurvePoint } from './live-run.js';

export interface Series {
  label: string;
  points: CurvePoint[];
  dashed?: boolean;
}

/** A line chart of curves against epochs (fractional), without animation (the Chart component sets it). */
export function curveChart(series: Series[], yTitle: string, palette: ChartPalette): ChartConfiguration<'line'> {
  return {
    type: 'line',
    data: {
      datasets: series.map((s, i) => ({
        label: s.label,
        data: s.points.map((p) => ({ x: p.x, y: p.y })),
        borderColor: palette.series[i % palette.series.length],
        backgroundColor: palette.series[i % palette.series.length],
        borderWidth: 2,
        borderDash: s.dashed ? [6, 4] : undefined,
        pointRadius: s.points.length < 30 ? 3 : 0,
        tension: 0,
      })),
    },
    options: {
      parsing: false,
      normalized: true,
      plugins: { legend: { labels: { color: palette.text } } },
      scales: {
        x: { type: 'linear', title: { display: true, text: 'epoch (the search and the retraining each count from 0)', color: palette.text }, ticks: { color: palette.text }, grid: { color: palette.grid } },
        y: { title: { display: true, text: yTitle, color: palette.text }, ticks: { color: palette.text }, grid: { color: palette.grid } },
      },
    },
  };
}
