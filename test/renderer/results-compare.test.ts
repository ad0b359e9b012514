import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src-main/contract/channels.js';
import { metricAxisRange, paretoPoints, runDifferences } from '../../src-renderer/lib/results.js';

let n = 0;
function run(over: Partial<RunSummary>): RunSummary {
  n++;
  return { runId: `r${n}`, task: 'classification', dataset: 'mnist', space: 'darts', strategy: 'rank-race', preset: 'quick', status: 'done', createdAt: `2026-12-06T03:${String(n).padStart(2, '0')}:00Z`, params: 1000 * n, metric: { name: 'accuracy', value: 0.9 }, ...over };
}

describe('Pareto chart: only runs that can be compared share it', () => {
  it('keeps runs of another data set or task off the chart and says so', () => {
    const a = run({ latencyMs: 1, machineId: 'm1' });
    const b = run({ latencyMs: 2, machineId: 'm1', metric: { name: 'accuracy', value: 0.95 } });
    const fashion = run({ dataset: 'fashion-mnist', latencyMs: 1, machineId: 'm1' });
    const har = run({ task: 'har', dataset: 'har-synthetic', latencyMs: 1, machineId: 'm1' });
    // The newest run (har) picks the group shown by default.
    expect(paretoPoints([a, b, fashion, har]).points.map((p) => p.runId)).toEqual([har.runId]);
    const view = paretoPoints([a, b, fashion, har], paretoPoints([a]).group);
    expect(view.points.map((p) => p.runId).sort()).toEqual([a.runId, b.runId].sort());
    expect(view.axis).toBe('latency');
    expect(view.groups).toHaveLength(3);
    expect(view.note).toMatch(/2 other runs used another task, data set or metric/);
  });

  it('places runs of different machines by parameters, not latency, and says why', () => {
    const view = paretoPoints([run({ latencyMs: 1, machineId: 'm1' }), run({ latencyMs: 5, machineId: 'm2' })]);
    expect(view.axis).toBe('params');
    expect(view.note).toMatch(/different machines/);
  });

  it("an accuracy axis stops at 100 %, even with a single point", () => {
    expect(metricAxisRange('accuracy', [0.98])).toEqual({ min: 0.97, max: 1 });
    expect(metricAxisRange('accuracy', [0.5, 0.9]).max).toBe(1);
    expect(metricAxisRange('accuracy', [0.001]).min).toBe(0);
    expect(metricAxisRange('psnr', [28])).toEqual({});
  });
});

describe('compare: says what differs', () => {
  it('names the data set, task and machine when they differ', () => {
    const a = run({ machineId: 'm1', machine: 'CPU A · 2 threads' });
    expect(runDifferences(a, run({ machineId: 'm1', machine: 'CPU A · 2 threads' }))).toEqual([]);
    const differs = runDifferences(a, run({ dataset: 'fashion-mnist', task: 'har', machineId: 'm2', machine: 'CPU B · 8 threads' }));
    expect(differs).toEqual(['task (classification / har)', 'data set (mnist / fashion-mnist)', 'machine (CPU A · 2 threads / CPU B · 8 threads)']);
  });
});
