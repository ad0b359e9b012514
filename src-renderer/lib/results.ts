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

/** Runs that can share a chart: the same task, data set and metric. */
export interface ParetoGroup {
  key: string;
  /** In words: "classification on mnist (accuracy)". */
  label: string;
  count: number;
}

export interface ParetoView {
  axis: 'latency' | 'params';
  metricName?: string;
  points: ParetoPoint[];
  groups: ParetoGroup[];
  /** The group shown. */
  group?: string;
  /** Why the chart shows what it shows, when something was left out or latency could not be used. */
  note?: string;
}

const groupKey = (r: RunSummary): string => `${r.task}\u0000${r.dataset}\u0000${r.metric?.name ?? ''}`;

/**
 * Points of finished runs with a metric, one group at a time: only runs of the same task, data set and
 * metric share a chart (the newest run's group unless `group` names another). x = latency (ms) when
 * every run of the group has one and all ran on one machine, else parameters; y = the metric (higher is
 * better for accuracy and PSNR). The front is marked; `note` says what was left out and why.
 */
export function paretoPoints(runs: RunSummary[], group?: string): ParetoView {
  const usable = runs.filter((r) => r.status === 'done' && r.metric && Number.isFinite(r.metric.value));
  const newestFirst = [...usable].sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));
  const groups = new Map<string, ParetoGroup>();
  for (const r of newestFirst) {
    const key = groupKey(r);
    const known = groups.get(key);
    if (known) known.count++;
    else groups.set(key, { key, label: `${r.task} on ${r.dataset} (${r.metric!.name})`, count: 1 });
  }
  const chosen = group && groups.has(group) ? group : newestFirst[0] ? groupKey(newestFirst[0]) : undefined;
  const same = usable.filter((r) => groupKey(r) === chosen);
  const metricName = same[0]?.metric?.name;
  const machines = new Set(same.map((r) => r.machineId ?? 'unknown'));
  const allTimed = same.length > 0 && same.every((r) => typeof r.latencyMs === 'number');
  const axis = allTimed && machines.size === 1 ? 'latency' : 'params';
  const raw = same
    .map((r) => ({ runId: r.runId, x: axis === 'latency' ? (r.latencyMs as number) : (r.params ?? NaN), y: r.metric!.value }))
    .filter((p) => Number.isFinite(p.x));
  const points = raw.map((p) => ({
    ...p,
    front: !raw.some((q) => q !== p && q.x <= p.x && q.y >= p.y && (q.x < p.x || q.y > p.y)),
  }));
  const notes: string[] = [];
  const others = usable.length - same.length;
  if (others > 0) notes.push(`${others} other run${others === 1 ? '' : 's'} used another task, data set or metric and ${others === 1 ? 'is' : 'are'} not on this chart.`);
  if (allTimed && machines.size > 1) notes.push('Latency is not compared: these runs ran on different machines, so they are placed by parameters.');
  return { axis, metricName, points, groups: [...groups.values()], ...(chosen ? { group: chosen } : {}), ...(notes.length ? { note: notes.join(' ') } : {}) };
}

/** Metrics that are fractions (shown as percentages): their axis never runs past 100 %. */
const FRACTIONS = new Set(['accuracy', 'macro_f1', 'ssim', 'ssim_baseline']);

/**
 * Bounds of a metric's axis: fractions stop at 1 (100 %) and start a little below the lowest value, so
 * a single point does not stretch the axis past 100 % (or below 0).
 */
export function metricAxisRange(name: string | undefined, values: number[]): { min?: number; max?: number } {
  if (!name || !FRACTIONS.has(name) || values.length === 0) return {};
  const low = Math.min(...values);
  const high = Math.max(...values);
  const pad = Math.max(0.01, (high - low) * 0.1);
  return { min: Math.max(0, Math.floor((low - pad) * 100) / 100), max: 1 };
}

/** What differs between two runs among the things that make their numbers comparable. */
export function runDifferences(a: RunSummary, b: RunSummary): string[] {
  const differ: string[] = [];
  if (a.task !== b.task) differ.push(`task (${a.task} / ${b.task})`);
  if (a.dataset !== b.dataset) differ.push(`data set (${a.dataset} / ${b.dataset})`);
  if ((a.machineId ?? 'unknown') !== (b.machineId ?? 'unknown')) differ.push(`machine (${a.machine ?? 'not recorded'} / ${b.machine ?? 'not recorded'})`);
  return differ;
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
    ['Machine', a.summary.machine ?? 'not recorded', b.summary.machine ?? 'not recorded'],
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
