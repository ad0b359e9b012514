import * as tf from '@tensorflow/tfjs';
import type { ArrayDataset } from '../../../src-main/engine/data/dataset.types.js';
import type { SearchLoopOptions } from '../../../src-main/engine/search/search-loop.js';
import { getSpace } from '../../../src-main/engine/space/spaces.js';
import { createStrategy } from '../../../src-main/engine/strategy/create-strategy.js';
import type { Strategy, StrategyName } from '../../../src-main/engine/strategy/strategy.types.js';
import { Supernet } from '../../../src-main/engine/supernet/supernet.js';
import { classificationTask } from '../../../src-main/engine/tasks/classification.task.js';
import { Rng } from '../../../src-main/engine/util/rng.js';

/** Random 8×8 images with labels that depend on the mean brightness, so there is something to learn. */
export function randomImages(n: number, seed: number, name = 'random'): ArrayDataset {
  const rng = new Rng(seed);
  const x = new Float32Array(n * 64);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 4;
    for (let p = 0; p < 64; p++) x[i * 64 + p] = Math.min(1, rng.next() * 0.5 + y[i] * 0.15);
  }
  return { name, x, xShape: [n, 8, 8, 1], y, classes: ['a', 'b', 'c', 'd'] };
}

export const tinyTask = classificationTask([8, 8, 1], 4);

/**
 * side×side images whose class is the amplitude of their pixel-level texture (0, 0.1, 0.2, 0.3), over a
 * random brightness that carries no label: only a fine-grained signal separates the classes.
 */
export function textureImages(n: number, seed: number, side = 6, name = 'texture'): ArrayDataset {
  const rng = new Rng(seed);
  const pixels = side * side;
  const x = new Float32Array(n * pixels);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 4;
    const brightness = (rng.next() - 0.5) * 0.3;
    const amplitude = 0.1 * y[i];
    for (let p = 0; p < pixels; p++) x[i * pixels + p] = 0.5 + brightness + amplitude * (rng.next() - 0.5) * 2;
  }
  return { name, x, xShape: [n, side, side, 1], y, classes: ['a', 'b', 'c', 'd'] };
}

/**
 * A 2-node DARTS supernet with C = 4 on 8×8 inputs: small enough for the pure-JS cpu backend. Its weights
 * train with the loop's default optimizer (SGD momentum + cosine); searches from the app and the CLI use
 * Adam (search-phase.ts), so tests of that path pass `weightOptimizer: 'adam'`.
 */
export function tinySearch(strategyName: StrategyName, over: Partial<SearchLoopOptions> & { strategy?: Strategy } = {}): SearchLoopOptions {
  const space = getSpace('darts', { nodes: 2 });
  const strategy = over.strategy ?? createStrategy(strategyName, { space, seed: 1 });
  const supernet = new Supernet({ space, task: tinyTask, channels: 4, cells: 3, stemStride: 2, seed: 1, ...strategy.supernetOptions });
  return {
    supernet,
    strategy,
    task: tinyTask,
    weightData: randomImages(32, 1, 'weight'),
    archData: randomImages(32, 2, 'arch'),
    epochs: 1,
    batchSize: 8,
    seed: 3,
    maxStepsPerEpoch: 2,
    ...over,
  };
}

export function rowsSumToOne(rows: number[][]): boolean {
  return rows.every((r) => Math.abs(r.reduce((a, b) => a + b, 0) - 1) < 1e-4);
}

export { tf };
