import type { InvokeResponses, RunSummary } from '../../src-main/contract/channels.js';
import type { TestMetrics } from '../../src-main/contract/result.js';

export type RunDetails = InvokeResponses['runs:get'];

/** Test metrics worth a row, in a fixed order, skipping the confusion matrix and what is absent. */
export function metricRows(metrics: TestMetrics | undefined): { name: string; value: number }[] {
  if (!metrics) return [];
  const order = ['accuracy', 'macro_f1', 'psnr', 'ssim', 'psnr_noisy', 'psnr_baseline', 'ssim_baseline', 'loss'] as const;
  return order.flatMap((name) => (typeof metrics[name] === 'number' ? [{ name, value: metrics[name] as number }] : []));
}

export interface ParetoPoint {
  runId: string;
  x: number;
  y: number;
  /** No other run is at least as good on both axes and better on one. */
  front: boolean;
}

/**
 * Points of finished runs with a metric: x = latency (ms) when every such run has one, else parameters;
 * y = the metric (higher is better for accuracy and PSNR). The front is marked.
 */
export function paretoPoints(runs: RunSummary[]): { axis: 'latency' | 'params'; metricName?: string; points: ParetoPoint[] } {
  const usable = runs.filter((r) => r.status === 'done' && r.metric && Number.isFinite(r.metric.value));
  const metricName = usable[0]?.metric?.name;
  const same = usable.filter((r) => r.metric?.name === metricName);
  const axis = same.length > 0 && same.every((r) => typeof r.latencyMs === 'number') ? 'latency' : 'params';
  const raw = same
    .map((r) => ({ runId: r.runId, x: axis === 'latency' ? (r.latencyMs as number) : (r.params ?? NaN), y: r.metric!.value }))
    .filter((p) => Number.isFinite(p.x));
  const points = raw.map((p) => ({
    ...p,
    front: !raw.some((q) => q !== p && q.x <= p.x && q.y >= p.y && (q.x < p.x || q.y > p.y)),
  }));
  return { axis, metricName, points };
}

/** Rows for a side-by-side comparison of two runs: label, left value, right value. */
export function compareRows(a: RunDetails, b: RunDetails, format: (name: string, value: number | undefined) => string): [string, string, string][] {
  const rows: [string, string, string][] = [
    ['Task', a.summary.task, b.summary.task],
    ['Data', a.summary.dataset, b.summary.dataset],
    ['Space', a.summary.space, b.summary.space],
    ['Strategy', a.summary.strategy, b.summary.strategy],
    ['Preset', a.summary.preset, b.summary.preset],
    ['Status', a.summary.status, b.summary.status],
    ['Parameters', String(a.result?.params ?? a.summary.params ?? '—'), String(b.result?.params ?? b.summary.params ?? '—')],
    ['Search time', seconds(a.result?.searchSeconds), seconds(b.result?.searchSeconds)],
    ['Retrain time', seconds(a.result?.retrainSeconds), seconds(b.result?.retrainSeconds)],
    ['Backend', a.result?.backend ?? '—', b.result?.backend ?? '—'],
  ];
  const names = new Set([...metricRows(a.result?.metrics.test), ...metricRows(b.result?.metrics.test)].map((m) => m.name));
  for (const name of names) {
    rows.push([name, format(name, a.result?.metrics.test[name as keyof TestMetrics] as number | undefined), format(name, b.result?.metrics.test[name as keyof TestMetrics] as number | undefined)]);
  }
  return rows;
}

function seconds(value: number | undefined): string {
  return value === undefined ? '—' : `${value.toFixed(1)} s`;
}

/** Denoising images grouped by sample: names like "denoise-3-clean.png" / "images/3_noisy.png" share their index. */
export function imageTriples(images: { name: string; dataUrl: string }[]): { key: string; clean?: string; noisy?: string; denoised?: string; other: { name: string; dataUrl: string }[] }[] {
  const groups = new Map<string, { key: string; clean?: string; noisy?: string; denoised?: string; other: { name: string; dataUrl: string }[] }>();
  for (const image of images) {
    const base = image.name.split('/').pop()!.replace(/\.png$/i, '');
    const role = /(clean|original|before|target)/i.test(base) ? 'clean' : /noisy/i.test(base) ? 'noisy' : /(denoised|after|output|restored)/i.test(base) ? 'denoised' : undefined;
    const key = base.replace(/[-_]?(clean|original|before|target|noisy|denoised|after|output|restored)[-_]?/i, '') || base;
    const group = groups.get(key) ?? { key, other: [] };
    if (role) group[role] = image.dataUrl;
    else group.other.push(image);
    groups.set(key, group);
  }
  return [...groups.values()];
}
