import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src-main/engine/backend/select-backend.js';
import { buildDerivedModel, countParams } from '../../../src-main/engine/derive/build-derived-model.js';
import { networkLayout } from '../../../src-main/engine/hardware/latency-layout.js';
import { emptyLatencyTable, extendLatencyTable } from '../../../src-main/engine/hardware/latency-table.js';
import type { LatencyTable } from '../../../src-main/engine/hardware/latency-table.types.js';
import { fbnetLatencyLookup, fbnetParamsLookup } from '../../../src-main/engine/search/latency.js';
import type { MacroOptions } from '../../../src-main/engine/space/macro.js';
import { getSpace } from '../../../src-main/engine/space/spaces.js';
import { createStrategy } from '../../../src-main/engine/strategy/create-strategy.js';
import { fbnetStrategy } from '../../../src-main/engine/strategy/fbnet.strategy.js';
import type { Alphas, StrategyContext } from '../../../src-main/engine/strategy/strategy.types.js';
import { Supernet } from '../../../src-main/engine/supernet/supernet.js';
import { classificationTask } from '../../../src-main/engine/tasks/classification.task.js';
import { Rng } from '../../../src-main/engine/util/rng.js';

const task = classificationTask([8, 8, 1], 3);
const macro: MacroOptions = { channels: 4, cells: 3, nodes: 2, stemMultiplier: 3, stemStride: 1, reductions: true };
const space = getSpace('darts', { nodes: 2 });
const ctx = (): StrategyContext => ({ epoch: 0, epochs: 1, step: 0, progress: 0, training: true, rng: new Rng(1) }) as unknown as StrategyContext;

let table: LatencyTable;
beforeAll(async () => {
  await selectBackend();
  table = emptyLatencyTable('test-machine', 'wasm', 'darts', 15);
  // Parameter counts do not depend on timing: the shortest measurement will do.
  await extendLatencyTable(table, { space: 'darts', task, macro, repeats: 15, calibrate: 0 });
});

function favouring(primitive: string, variable = false): { alphas: Alphas; normal: tf.Variable } {
  const k = space.primitives.indexOf(primitive);
  const logits = tf.tensor2d(space.topology.edges.map(() => space.primitives.map((_, j) => (j === k ? 8 : 0))));
  const normal = tf.variable(logits, variable);
  return { alphas: { normal: normal as unknown as tf.Tensor2D, reduce: logits }, normal };
}

function netAndStrategy(maxParams: number, weight = 1) {
  const supernet = new Supernet({ space, task, channels: macro.channels, cells: macro.cells, stemStride: 1, seed: 2 });
  const layout = networkLayout({ space: 'darts', task, macro });
  const strategy = fbnetStrategy({ latencyOf: fbnetLatencyLookup(table, layout, task), targetMs: 1e6, latencyWeight: 0, paramsOf: fbnetParamsLookup(table, layout, task), maxParams, paramsWeight: weight });
  strategy.attach?.(supernet);
  return { supernet, strategy };
}

describe('size budget (maxParams) as an FBNet loss term', () => {
  it('expected parameters under one-op alphas equal the derived model of that op', async () => {
    const { supernet, strategy } = netAndStrategy(1e9);
    const { alphas, normal } = favouring('sep_conv_3x3');
    const expected = await strategy.expectedParams(alphas);
    tf.dispose([normal, alphas.reduce]);
    supernet.dispose();
    const cell = { ops: [['sep_conv_3x3', 0], ['sep_conv_3x3', 1], ['sep_conv_3x3', 0], ['sep_conv_3x3', 1]] as [string, number][], concat: [2, 3] };
    const model = buildDerivedModel({ format: 'darts', normal: cell, reduce: cell }, task, macro);
    const actual = countParams(model);
    model.dispose();
    // Softmax of logits 8 vs 0 leaves ~0.3 % on each other op, and sep_conv's count does not depend on the edge.
    expect(Math.abs(expected - actual) / actual).toBeLessThan(0.03);
  });

  it('over the budget: a penalty whose gradient lowers the alphas of ops with parameters', async () => {
    const { supernet, strategy } = netAndStrategy(1000);
    const { alphas, normal } = favouring('sep_conv_5x5', true);
    expect(await strategy.expectedParams(alphas)).toBeGreaterThan(1000);
    const { value, grads } = tf.variableGrads(() => strategy.extraLoss?.(tf.scalar(2), alphas, ctx()) as tf.Scalar, [normal]);
    expect(value.dataSync()[0]).toBeGreaterThan(0);
    const g = grads[normal.name].arraySync() as number[][];
    const sep5 = space.primitives.indexOf('sep_conv_5x5');
    const pool = space.primitives.indexOf('max_pool_3x3');
    for (const row of g) {
      expect(row[sep5]).toBeGreaterThan(0); // gradient descent moves probability off the large op
      expect(row[pool]).toBeLessThan(0); // onto a parameter-free one
    }
    tf.dispose([value, normal, alphas.reduce, ...Object.values(grads)]);
    supernet.dispose();
  });

  it('under the budget: no penalty and no gradient', () => {
    const { supernet, strategy } = netAndStrategy(1e7);
    const { alphas, normal } = favouring('sep_conv_5x5', true);
    const { value, grads } = tf.variableGrads(() => strategy.extraLoss?.(tf.scalar(2), alphas, ctx()) as tf.Scalar, [normal]);
    // latencyWeight 0: the latency term is 0 too.
    expect(value.dataSync()[0]).toBe(0);
    for (const row of grads[normal.name].arraySync() as number[][]) for (const v of row) expect(v).toBe(0);
    tf.dispose([value, normal, alphas.reduce, ...Object.values(grads)]);
    supernet.dispose();
  });

  it('createStrategy wires the budget through, and a budget without parameter counts is refused', () => {
    const layout = networkLayout({ space: 'darts', task, macro });
    const paramsOf = fbnetParamsLookup(table, layout, task);
    const latencyOf = fbnetLatencyLookup(table, layout, task);
    const supernet = new Supernet({ space, task, channels: macro.channels, cells: macro.cells, stemStride: 1, seed: 2 });
    const withBudget = createStrategy('fbnet', { space, seed: 0, latencyOf, latencyTargetMs: 1e6, latencyWeight: 0, paramsOf, maxParams: 1000 });
    withBudget.attach?.(supernet);
    const { alphas, normal } = favouring('sep_conv_5x5');
    const loss = withBudget.extraLoss?.(tf.scalar(1), alphas, ctx()) as tf.Scalar;
    expect(loss.dataSync()[0]).toBeGreaterThan(0);
    tf.dispose([loss, normal, alphas.reduce]);
    supernet.dispose();
    expect(() => fbnetStrategy({ latencyOf, targetMs: 1, maxParams: 1000 })).toThrow(/paramsOf/);
    expect(() => fbnetStrategy({ latencyOf, targetMs: 1, paramsOf, maxParams: 0 })).toThrow(/must be positive/);
  });
});
