import { appendFileSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectHarFormat, loadHar } from '../../../../src-main/engine/data/har/load-har.js';
import { loadRecordingFolders } from '../../../../src-main/engine/data/har/recording-folders.importer.js';
import { splitByRecording } from '../../../../src-main/engine/data/har/split-by-recording.js';
import { writeRecordingFolders } from '../../../fixtures/har/recording-folders.generator.js';

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'nas-recordings-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const folder = (name: string) => path.join(root, name);

describe('a folder per class of recordings', () => {
  it('is detected, read at the rate its file names give, and cut into windows set in seconds', () => {
    const data = writeRecordingFolders(folder('plain'), { recordingsPerClass: 3, seconds: 10 });
    expect(detectHarFormat(data)).toBe('recordings');
    const r = loadHar(data, { windowSeconds: 2, strideSeconds: 1 });
    expect(r.format).toBe('recordings');
    expect(r.timing).toEqual({ sampleRateHz: 26, windowSeconds: 2, strideSeconds: 1, windowSamples: 52, strideSamples: 26 });
    expect(r.dataset.classes).toEqual(['jump', 'sit', 'walk']);
    expect(r.channels).toEqual(['col1', 'col2', 'col3']);
    // 260 samples per recording: starts 0, 26, …, 208 → 9 windows; 9 recordings
    expect(r.dataset.xShape).toEqual([81, 52, 3]);
    expect(new Set(r.dataset.subjects)).toEqual(new Set([1, 2, 3, 4, 5, 6, 7, 8, 9]));
    expect(r.recordings!.every((rec) => rec.rateSource === 'file name' && rec.windows === 9)).toBe(true);
  });

  it('accepts headers, other delimiters and .txt, and picks the channel columns asked for', () => {
    const data = writeRecordingFolders(folder('semicolon'), { recordingsPerClass: 3, seconds: 6, delimiter: ';', header: 'ax;ay;az', extension: 'txt' });
    const r = loadRecordingFolders(data, { columns: ['AZ', 'ax'] });
    expect(r.channels).toEqual(['az', 'ax']);
    expect(r.columns).toEqual(['ax', 'ay', 'az']);
    expect(r.dataset.xShape[2]).toBe(2);
    expect(() => loadRecordingFolders(data, { columns: ['gx'] })).toThrow(/jump_01_26Hz\.txt: no column "gx" \(its columns: ax, ay, az\)/);
  });

  it('resamples recordings of another rate to the common one', () => {
    const data = writeRecordingFolders(folder('mixed'), { recordingsPerClass: 3, seconds: 10, rateFor: { jump: 52 } });
    const r = loadRecordingFolders(data);
    expect(r.timing.sampleRateHz).toBe(26);
    const jump = r.recordings.filter((rec) => rec.label === 'jump');
    expect(jump.every((rec) => rec.rateHz === 52)).toBe(true);
    expect(jump[0].seconds).toBeCloseTo(10, 0);
    expect(jump[0].windows).toBe(r.recordings.find((rec) => rec.label === 'walk')!.windows);
  });

  it('uses the configured rate for files that name none, and reads a time column before either', () => {
    const data = writeRecordingFolders(folder('unnamed'), { recordingsPerClass: 3, seconds: 6 });
    for (const dir of readdirSync(data)) for (const f of readdirSync(path.join(data, dir))) renameSync(path.join(data, dir, f), path.join(data, dir, f.replace('_26Hz', '')));
    expect(() => loadRecordingFolders(data)).toThrow(/jump_01\.csv: no time column and no sample rate: give one/);
    // Skipping bad files cannot help when none has a rate: the message still says what is missing.
    expect(() => loadRecordingFolders(data, { skipBadFiles: true })).toThrow(/no readable recordings in its class folders; the first problem: .*jump_01\.csv: no time column and no sample rate/);
    const configured = loadRecordingFolders(data, { sampleRateHz: 26 });
    expect(configured.recordings.every((rec) => rec.rateSource === 'config')).toBe(true);
    // A logger's file with a millisecond time column at 50 Hz: the time column wins over the configured 26.
    const lines = ['time_ms,x,y,z', ...Array.from({ length: 300 }, (_, i) => `${1000 + i * 20},${Math.sin(i / 5)},0,1000`)];
    writeFileSync(path.join(data, 'walk', 'logger.csv'), lines.join('\n'));
    const timed = loadRecordingFolders(data, { sampleRateHz: 26 });
    const logger = timed.recordings.find((rec) => rec.file.endsWith('logger.csv'));
    expect(logger).toMatchObject({ rateHz: 50, rateSource: 'timestamps' });
    expect(logger!.seconds).toBeCloseTo(5.96, 1);
  });

  it('names the file and line of a bad file, and skips it with skipBadFiles', () => {
    const data = writeRecordingFolders(folder('bad'), { recordingsPerClass: 3, seconds: 6 });
    appendFileSync(path.join(data, 'walk', 'walk_02_26Hz.csv'), '1.0,2.0\n');
    writeFileSync(path.join(data, 'sit', 'sit_09_26Hz.csv'), '1,2,3\n1,2,3\n');
    expect(() => loadRecordingFolders(data)).toThrow(/walk_02_26Hz\.csv:157: 2 columns, but line 1 has 3/);
    const r = loadRecordingFolders(data, { skipBadFiles: true });
    expect(r.skipped).toBe(2);
    const problems = r.issues.map((i) => `${path.basename(i.file)}: ${i.problem}`);
    expect(problems).toContainEqual(expect.stringMatching(/^walk_02_26Hz\.csv: .*:157: 2 columns/));
    expect(problems).toContainEqual(expect.stringMatching(/^sit_09_26Hz\.csv: .*shorter than one window of 2\.56 s; file skipped/));
    expect(r.recordings).toHaveLength(8);
  });
});

describe('splitByRecording', () => {
  it('keeps every recording on one side and gives every class a test and a validation recording', () => {
    const r = loadRecordingFolders(writeRecordingFolders(folder('split'), { recordingsPerClass: 6, seconds: 8 }));
    const s = splitByRecording(r.dataset, { testFraction: 0.2, validationFraction: 0.1, seed: 3 });
    const ids = (d: typeof s.train) => new Set(d.subjects);
    const [train, val, test] = [ids(s.train), ids(s.validation), ids(s.test)];
    for (const id of test) expect(train.has(id) || val.has(id)).toBe(false);
    for (const id of val) expect(train.has(id)).toBe(false);
    expect(s.recordings).toEqual({ train: 12, validation: 3, test: 3 });
    expect(new Set(s.test.y).size).toBe(3);
    expect(new Set(s.validation.y).size).toBe(3);
    expect(s.train.y.length + s.validation.y.length + s.test.y.length).toBe(r.dataset.y.length);
  });

  it('says which classes have too few recordings and how many more are needed', () => {
    const r = loadRecordingFolders(writeRecordingFolders(folder('few'), { recordingsPerClass: 2, seconds: 6 }));
    expect(() => splitByRecording(r.dataset, { testFraction: 0.2, validationFraction: 0.1, seed: 0 })).toThrow(
      /every class needs at least 3 \(one each for training, validation and test\); "jump" has 2 \(1 more needed\), "sit" has 2 \(1 more needed\), "walk" has 2/,
    );
  });
});
