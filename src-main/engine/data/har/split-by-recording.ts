import type { ArrayDataset } from '../dataset.types.js';
import { Rng } from '../../util/rng.js';
import { subset } from '../split.js';

export interface RecordingSplit {
  train: ArrayDataset;
  validation: ArrayDataset;
  test: ArrayDataset;
  /** Recordings on each side, for result.json and the wizard. */
  recordings: { train: number; validation: number; test: number };
}

/** Each class needs one recording for training, one for validation and one for the test. */
export const MIN_RECORDINGS_PER_CLASS = 3;

/**
 * Holds out whole recordings (the dataset's `subjects` are recording ids): the windows of one recording
 * never land on two sides, so overlapping windows cannot leak into the test score. Stratified: each
 * class gives its own share of recordings to validation and test (at least one each).
 */
export function splitByRecording(ds: ArrayDataset, opts: { testFraction: number; validationFraction: number; seed: number }): RecordingSplit {
  if (!ds.subjects) throw new Error(`${ds.name}: no recording ids, so it cannot be split by recording`);
  const labelOf = new Map<number, number>();
  const windows = new Map<number, number[]>();
  ds.subjects.forEach((id, i) => {
    if (!windows.has(id)) windows.set(id, []);
    windows.get(id)!.push(i);
    const seen = labelOf.get(id);
    if (seen !== undefined && seen !== ds.y[i]) throw new Error(`${ds.name}: recording ${id} holds two classes; split by subject instead`);
    labelOf.set(id, ds.y[i]);
  });
  const byClass = ds.classes.map((_, k) => [...labelOf.entries()].filter(([, y]) => y === k).map(([id]) => id).sort((a, b) => a - b));
  const short = byClass.map((ids, k) => ({ name: ds.classes[k], have: ids.length })).filter((c) => c.have < MIN_RECORDINGS_PER_CLASS);
  if (short.length > 0) {
    const list = short.map((c) => `"${c.name}" has ${c.have} (${MIN_RECORDINGS_PER_CLASS - c.have} more needed)`).join(', ');
    throw new Error(
      `${ds.name}: too few recordings to test on recordings the model never saw: every class needs at least ${MIN_RECORDINGS_PER_CLASS} (one each for training, validation and test); ${list}. Record more sessions, or split long recordings into several files.`,
    );
  }
  const rng = new Rng(opts.seed);
  const side = new Map<number, 'train' | 'validation' | 'test'>();
  for (const ids of byClass) {
    const order = rng.shuffle(ids.slice()) as number[];
    const nTest = Math.max(1, Math.round(order.length * opts.testFraction));
    const nVal = Math.max(1, Math.min(order.length - nTest - 1, Math.round(order.length * opts.validationFraction)));
    order.forEach((id, i) => side.set(id, i < nTest ? 'test' : i < nTest + nVal ? 'validation' : 'train'));
  }
  const idx = { train: [] as number[], validation: [] as number[], test: [] as number[] };
  const count = { train: 0, validation: 0, test: 0 };
  for (const s of side.values()) count[s]++;
  ds.subjects.forEach((id, i) => idx[side.get(id)!].push(i));
  return {
    train: subset(ds, idx.train, ds.name),
    validation: subset(ds, idx.validation, `${ds.name} · validation`),
    test: subset(ds, idx.test, `${ds.name} · held out`),
    recordings: count,
  };
}
