import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadUciHar } from '../../../../src-main/engine/data/har/uci-har.importer.js';
import { loadWisdm } from '../../../../src-main/engine/data/har/wisdm.importer.js';
import { loadCsvHar } from '../../../../src-main/engine/data/har/csv-har.importer.js';
import { detectHarFormat, loadHar } from '../../../../src-main/engine/data/har/load-har.js';
import { generateSyntheticHar } from '../../../../src-main/engine/data/har/synthetic-har.js';

const good = join(import.meta.dirname, '../../../fixtures/har');
const bad = join(import.meta.dirname, '../../../fixtures/bad/har');

describe('UCI HAR importer', () => {
  it('reads both splits, in UCI channel order, labels 1..6 as 0..5', () => {
    const { train, test } = loadUciHar(join(good, 'uci'));
    expect(train.xShape).toEqual([3, 128, 9]);
    expect(test.xShape).toEqual([2, 128, 9]);
    expect([...train.y]).toEqual([0, 3, 5]);
    expect([...test.y]).toEqual([0, 4]);
    expect([...train.subjects!]).toEqual([1, 1, 1]);
    expect([...test.subjects!]).toEqual([2, 2]);
    expect(train.classes).toEqual(['walking', 'walking_upstairs', 'walking_downstairs', 'sitting', 'standing', 'laying']);
    // the fixture was written from synthetic windows 0, 3, 5 (seed 7) with 4 significant digits
    const src = generateSyntheticHar({ subjects: 2, windowsPerActivity: 1, seed: 7 });
    const size = 128 * 9;
    for (let k = 0; k < size; k += 37) {
      expect(train.x[size + k]).toBeCloseTo(src.x[3 * size + k], 2);
    }
  });

  it('names the missing file', () => {
    expect(() => loadUciHar(join(bad, 'uci-missing-file'))).toThrow(/body_gyro_y_train\.txt: missing/);
  });

  it('names the label file when its count does not match the windows', () => {
    expect(() => loadUciHar(join(bad, 'uci-labels-mismatch'))).toThrow(/body_acc_x_train\.txt: 3 windows, but .*y_train\.txt has 4 labels/);
  });
});

describe('WISDM importer', () => {
  it('windows per user and activity and skips broken records with a count', () => {
    const r = loadWisdm(join(good, 'wisdm-snippet.txt'), { windowSize: 16, overlap: 0.5 });
    expect(r.skipped).toBe(1);
    expect(r.issues[0].problem).toMatch(/line 56/);
    expect(r.dataset.classes).toEqual(['jogging', 'sitting', 'walking']);
    // 2 users × 3 activities × 40 records → 4 windows of 16 with step 8 per run
    expect(r.dataset.xShape).toEqual([24, 16, 3]);
    expect(new Set(r.dataset.subjects)).toEqual(new Set([33, 34]));
    expect(r.dataset.y.filter((v) => v === 2).length).toBe(8);
  });

  it('skips garbage lines, or throws with the line number when strict', () => {
    const loose = loadWisdm(join(bad, 'wisdm-garbage.txt'), { windowSize: 8 });
    expect(loose.skipped).toBe(3); // the two garbage lines and the empty-field record carried over from the snippet
    expect(() => loadWisdm(join(bad, 'wisdm-garbage.txt'), { windowSize: 8, strict: true })).toThrow(/wisdm-garbage\.txt:31: x "abc" is not a number/);
  });
});

describe('CSV importer', () => {
  it('windows runs of one label and subject', () => {
    const r = loadCsvHar(join(good, 'recording.csv'), { windowSize: 8, overlap: 0.5 });
    // 4 runs of 20 samples → starts 0, 4, 8, 12 → 16 windows
    expect(r.dataset.xShape).toEqual([16, 8, 3]);
    expect(r.dataset.classes).toEqual(['sit', 'walk']);
    expect([...new Set(r.dataset.subjects)]).toEqual([1, 2]);
    expect(r.dataset.x[0]).toBeCloseTo(-0.352, 5);
    expect(r.dataset.x[2]).toBeCloseTo(9.572, 5);
  });

  it('reads the sample rate from the timestamp column (ms steps of 20 → 50 Hz) and keeps it with the windows', () => {
    const r = loadHar(join(good, 'recording.csv'), { windowSize: 8, overlap: 0.5 });
    expect(r.timing).toEqual({ sampleRateHz: 50, windowSeconds: 0.16, strideSeconds: 0.08, windowSamples: 8, strideSamples: 4 });
    expect(r.channels).toEqual(['acc_x', 'acc_y', 'acc_z']);
    expect(loadHar(join(good, 'wisdm-snippet.txt'), { windowSize: 16 }).timing).toMatchObject({ sampleRateHz: 20, windowSeconds: 0.8 });
  });

  it('names file and line for a ragged row, a NaN and an empty value', () => {
    expect(() => loadCsvHar(join(bad, 'ragged-row.csv'))).toThrow(/ragged-row\.csv:8: 5 columns, the header has 6/);
    expect(() => loadCsvHar(join(bad, 'nan-value.csv'))).toThrow(/nan-value\.csv:13: column "acc_x" is "NaN", not a number/);
    expect(() => loadCsvHar(join(bad, 'empty-value.csv'))).toThrow(/empty-value\.csv:16: column "acc_z" is empty/);
  });

  it('fails on a broken file in a folder, or skips it with skipBadFiles', () => {
    expect(() => loadCsvHar(join(bad, 'csv-folder'), { windowSize: 8 })).toThrow(/b-nan\.csv:13/);
    const r = loadCsvHar(join(bad, 'csv-folder'), { windowSize: 8, skipBadFiles: true });
    expect(r.skipped).toBe(1);
    expect(r.issues[0].file).toMatch(/b-nan\.csv$/);
    expect(r.dataset.xShape[0]).toBe(16);
  });

  it('rejects bad window options', () => {
    expect(() => loadCsvHar(join(good, 'recording.csv'), { overlap: 1 })).toThrow(/overlap must be in \[0, 1\)/);
  });
});

describe('loadHar', () => {
  it('detects each format', () => {
    expect(detectHarFormat(join(good, 'uci'))).toBe('uci-har');
    expect(detectHarFormat(join(good, 'wisdm-snippet.txt'))).toBe('wisdm');
    expect(detectHarFormat(join(good, 'recording.csv'))).toBe('csv');
    expect(() => detectHarFormat(join(good, 'nope'))).toThrow(/nope: no such file/);
  });

  it('returns UCI HAR whole and with its own split', () => {
    const r = loadHar(join(good, 'uci'));
    expect(r.dataset.xShape).toEqual([5, 128, 9]);
    expect(r.predefinedSplit?.test.xShape[0]).toBe(2);
    expect(loadHar(join(good, 'wisdm-snippet.txt'), { windowSize: 16 }).dataset.xShape).toEqual([24, 16, 3]);
    expect(loadHar(join(good, 'recording.csv'), { windowSize: 10, overlap: 0 }).dataset.xShape).toEqual([8, 10, 3]);
  });
});
