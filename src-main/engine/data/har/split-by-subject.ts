import type { ArrayDataset } from '../dataset.types.js';
import { Rng } from '../../util/rng.js';
import { subset } from '../split.js';

/**
 * Holds out whole subjects: no person appears in both parts, so the test score measures how the model
 * does on someone it has never seen (a random window split would leak each person's gait into training).
 * At least one subject lands on each side when there are two or more.
 */
export function splitBySubject(ds: ArrayDataset, testFraction: number, seed: number): { train: ArrayDataset; test: ArrayDataset } {
  if (!ds.subjects) throw new Error(`${ds.name}: no subject ids, so it cannot be split by subject`);
  if (!(testFraction > 0 && testFraction < 1)) throw new Error(`${ds.name}: testFraction must be in (0, 1), got ${testFraction}`);
  const ids = [...new Set(ds.subjects)].sort((a, b) => a - b);
  if (ids.length < 2) throw new Error(`${ds.name}: only ${ids.length} subject(s); a subject-wise split needs at least 2`);
  new Rng(seed).shuffle(ids);
  const nTest = Math.min(ids.length - 1, Math.max(1, Math.round(testFraction * ids.length)));
  const testIds = new Set(ids.slice(0, nTest));
  const trainIdx: number[] = [];
  const testIdx: number[] = [];
  ds.subjects.forEach((s, i) => (testIds.has(s) ? testIdx : trainIdx).push(i));
  return { train: subset(ds, trainIdx, `${ds.name} (train)`), test: subset(ds, testIdx, `${ds.name} (test)`) };
}
