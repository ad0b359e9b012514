import type { ArrayDataset } from '../data/dataset.types.js';
import { classificationTask } from './classification.task.js';
import { denoisingTask, pairedDenoisingTask, type NoiseModel } from './denoising.task.js';
import { computeChannelStats, harTask } from './har.task.js';
import type { Task, TaskKind } from './task.types.js';

export interface TaskDatasetInfo {
  /** The training split: sample shape and classes come from it; HAR standardisation statistics too. */
  train: ArrayDataset;
  /** Denoising noise (default Gaussian sigma 25 on the 0–255 scale, DnCNN's usual setting). */
  noise?: { kind: 'gaussian' | 'salt-pepper'; sigma?: number; amount?: number };
}

/** Builds the task for a kind from the training split it will learn from. */
export function createTask(kind: TaskKind, info: TaskDatasetInfo): Task {
  const sample = info.train.xShape.slice(1);
  switch (kind) {
    case 'classification':
      if (sample.length !== 3) throw new Error(`${info.train.name}: classification needs images [H, W, C], got samples ${sample.join('×')}`);
      return classificationTask(sample, info.train.classes.length);
    case 'denoising': {
      if (sample.length !== 3) throw new Error(`${info.train.name}: denoising needs images [H, W, C], got samples ${sample.join('×')}`);
      // 2 or 6 channels are a gray or colour noisy/clean pair (data/denoising-images.ts): images have 1 or 3.
      if (sample[2] === 2 || sample[2] === 6) return pairedDenoisingTask([sample[0], sample[1], sample[2] / 2]);
      const n = info.noise ?? { kind: 'gaussian' };
      const noise: NoiseModel = n.kind === 'gaussian' ? { kind: 'gaussian', sigma: n.sigma } : { kind: 'salt-pepper', amount: n.amount };
      return denoisingTask(sample, noise);
    }
    case 'har': {
      if (sample.length !== 2) throw new Error(`${info.train.name}: HAR needs sensor windows [T, C], got samples ${sample.join('×')}`);
      return harTask(sample[0], sample[1], info.train.classes.length, computeChannelStats(info.train));
    }
  }
}
