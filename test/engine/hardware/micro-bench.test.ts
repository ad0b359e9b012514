import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src-main/engine/backend/select-backend.js';
import { runMicroBench, TINY_BENCH_SIZES } from '../../../src-main/engine/hardware/micro-bench.js';

describe('runMicroBench (tiny sizes)', () => {
  let backendName = '';
  beforeAll(async () => {
    backendName = (await selectBackend()).name;
  });

  it('measures every benchmark on the backend in use with positive, finite results and leaks no tensor', async () => {
    const before = tf.memory().numTensors;
    const seen: string[] = [];
    const result = await runMicroBench({ sizes: TINY_BENCH_SIZES, budgetMs: 30, warmupRuns: 1, onMeasure: (m) => seen.push(m.id) });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.backend).toBe(backendName);
    expect(result.measures.map((m) => m.id)).toEqual([
      'matmul_32',
      'conv2d_3x3_4_8_b1',
      'depthwise_3x3_4_8_b1',
      'bandwidth_backend_add',
      'bandwidth_js_copy',
    ]);
    expect(seen).toEqual(result.measures.map((m) => m.id));
    for (const m of result.measures) {
      expect(Number.isFinite(m.value), m.id).toBe(true);
      expect(m.value, m.id).toBeGreaterThan(0);
      expect(m.medianMs, m.id).toBeGreaterThanOrEqual(0);
      expect(m.repeats, m.id).toBeGreaterThanOrEqual(1);
      expect(m.unit).toBe(m.id.startsWith('bandwidth') ? 'GB/s' : 'GFLOP/s');
    }
    const matmul = result.measures[0];
    expect(matmul.workPerRepeat).toBe(2 * 32 ** 3);
    // value is work / median time: the two fields must agree.
    expect(matmul.value).toBeCloseTo(matmul.workPerRepeat / Math.max(matmul.medianMs / 1000, 1e-6) / 1e9, 6);
  });

  it('stops at maxRepeats and honours an aborted signal', async () => {
    const result = await runMicroBench({ sizes: { ...TINY_BENCH_SIZES, conv2d: { ...TINY_BENCH_SIZES.conv2d, batches: [] }, depthwise: { ...TINY_BENCH_SIZES.depthwise, batches: [] } }, budgetMs: 10_000, warmupRuns: 0, maxRepeats: 3 });
    for (const m of result.measures) expect(m.repeats).toBeLessThanOrEqual(3);
    const controller = new AbortController();
    controller.abort();
    const before = tf.memory().numTensors;
    await expect(runMicroBench({ sizes: TINY_BENCH_SIZES, signal: controller.signal })).rejects.toThrow(/cancelled/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
