/**
 * The fixed ground of the search-quality benchmark: Fashion-MNIST's training split cut once into a
 * 5,000-image validation split (the ground truth's judge, never shown to a search) and the rest, which is
 * all a search sees as its training data; one small training budget; the quick preset's skeleton.
 */
import { loadFashionMnist } from '../../src-main/engine/data/fashion-mnist.js';
import { holdOut } from '../../src-main/engine/data/split.js';
import type { DerivedModelOptions } from '../../src-main/engine/derive/build-derived-model.js';
import type { ScoreBudget } from '../../src-main/engine/search/rank/train-and-score.js';
import { createTask } from '../../src-main/engine/tasks/task-factory.js';

export const GROUND_TRUTH_FILE = 'bench/results/search-groundtruth.json';

/** Every architecture, sampled or found, is scored with this budget on the same images. */
export const GROUND_TRUTH_BUDGET = { epochs: 2, batchSize: 128, samples: 10_000, seed: 0, replicas: 1 } satisfies ScoreBudget;

/** The quick image preset's skeleton (search/presets.ts): C 8, 5 cells, 4 nodes, stride-2 stem. */
export const GROUND_TRUTH_MODEL: DerivedModelOptions = { channels: 8, cells: 5, nodes: 4, stemMultiplier: 3, stemStride: 2, reductions: true };

export function benchData() {
  const { train } = loadFashionMnist();
  const { train: searchable, test: validation } = holdOut(train, 5_000 / train.xShape[0], 7);
  return {
    /** What a search may read (55,000 images); the ground truth trains on its first 10,000. */
    searchable: { ...searchable, name: 'fashion-mnist (train, bench)' },
    /** Scores every architecture; no search reads it. */
    validation: { ...validation, name: 'fashion-mnist (bench validation)' },
    task: createTask('classification', { train: searchable }),
  };
}
