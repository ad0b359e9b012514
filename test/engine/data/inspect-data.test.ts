import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectDataSource } from '../../../src-main/engine/data/inspect-data.js';
import { writeCleanImages, writeNoisyCleanPairs } from '../../fixtures/denoising/clean-images.generator.js';
import { writeRecordingFolders } from '../../fixtures/har/recording-folders.generator.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures');

describe('inspectDataSource', () => {
  it('counts a class-folder set per class and previews samples as PNG data URLs', async () => {
    const { report, previews } = await inspectDataSource({ task: 'classification', source: { kind: 'path', path: path.join(fixtures, 'images') } });
    expect(report.ok).toBe(true);
    expect(Object.values(report.countsPerClass).reduce((a, b) => a + b, 0)).toBe(report.samples);
    expect(Object.keys(report.countsPerClass).length).toBe(3);
    expect(previews.length).toBeGreaterThan(0);
    expect(previews[0].dataUrl).toMatch(/^data:image\/png;base64,/);
  });

  it('lists each bad file by name, with its problem, instead of stopping', async () => {
    const { report } = await inspectDataSource({ task: 'classification', source: { kind: 'path', path: path.join(fixtures, 'bad/not-an-image') } });
    const byFile = Object.fromEntries(report.issues.map((i) => [path.basename(i.file), i]));
    expect(byFile['fake.png']).toMatchObject({ severity: 'error', problem: expect.stringMatching(/not an image/) });
    expect(byFile['notes.txt']).toMatchObject({ severity: 'warning' });
  });

  it('previews the built-in Fashion-MNIST: 10 named clothing classes of 28×28 pictures', async () => {
    const { report, previews } = await inspectDataSource({ task: 'classification', source: { kind: 'builtin', name: 'fashion-mnist' } });
    expect(report.ok).toBe(true);
    expect(report.shapes).toEqual(['28×28×1']);
    expect(Object.keys(report.countsPerClass)).toHaveLength(10);
    expect(report.countsPerClass['Ankle boot']).toBeGreaterThan(5000);
    // One picture of every class (ten), not the first eight.
    expect(new Set(previews.map((p) => p.label)).size).toBe(10);
    expect(previews[0].dataUrl).toMatch(/^data:image\/png;base64,/);
  }, 60_000);

  it('describes the built-in HAR windows without pictures', async () => {
    const { report, previews } = await inspectDataSource({ task: 'har', source: { kind: 'builtin', name: 'har-synthetic' } });
    expect(report.shapes).toEqual(['128×9']);
    expect(Object.keys(report.countsPerClass)).toHaveLength(6);
    expect(previews).toEqual([]);
  });

  describe('your own data as people bring it', () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'nas-inspect-'));
    afterAll(() => rmSync(tmp, { recursive: true, force: true }));

    it('a folder per class of recordings: classes, files and minutes per class, columns, rate and a few seconds per class', async () => {
      const data = writeRecordingFolders(path.join(tmp, 'har'), { recordingsPerClass: 3, seconds: 30 });
      const { report, har } = await inspectDataSource({ task: 'har', source: { kind: 'path', path: data }, har: { windowSeconds: 2 } });
      expect(report.ok).toBe(true);
      expect(har!.format).toBe('recordings');
      expect(har!.classes).toEqual([
        { name: 'jump', files: 3, minutes: 1.5 },
        { name: 'sit', files: 3, minutes: 1.5 },
        { name: 'walk', files: 3, minutes: 1.5 },
      ]);
      expect(har).toMatchObject({ columns: ['col1', 'col2', 'col3'], channels: ['col1', 'col2', 'col3'], sampleRateHz: 26, rateSources: { 'file name': 9 }, windowSeconds: 2, windowSamples: 52 });
      expect(har!.traces.map((t) => t.label)).toEqual(['jump', 'sit', 'walk']);
      // 5 s at 26 Hz, per channel
      expect(har!.traces[0].values.map((v) => v.length)).toEqual([130, 130, 130]);
      const picked = await inspectDataSource({ task: 'har', source: { kind: 'path', path: data }, har: { columns: ['col3'] } });
      expect(picked.har!.channels).toEqual(['col3']);
      expect(picked.har!.traces[0].values).toHaveLength(1);
    });

    it('a plain folder of images for denoising: clean and noisy patches side by side', async () => {
      const data = writeCleanImages(path.join(tmp, 'photos'), { count: 5 });
      const { report, previews } = await inspectDataSource({ task: 'denoising', source: { kind: 'path', path: data } });
      expect(report.ok).toBe(true);
      expect(previews).toHaveLength(8);
      expect(previews[0].label).toBe('clean · photo_01.png');
      expect(previews[1].label).toBe('noisy (σ 25) · photo_01.png');
      expect(previews[2].label).toBe('clean · photo_02.png');
      expect(previews[0].dataUrl).not.toBe(previews[1].dataUrl);
    });

    it('noisy/clean pairs for denoising: the real noisy image beside its clean one', async () => {
      const data = writeNoisyCleanPairs(path.join(tmp, 'pairs'), { count: 4 });
      const { report, previews } = await inspectDataSource({ task: 'denoising', source: { kind: 'path', path: data } });
      expect(report.countsPerClass).toHaveProperty(['patches of 4 noisy/clean pairs']);
      expect(previews.slice(0, 2).map((p) => p.label)).toEqual(['noisy · shot_01.png', 'clean · shot_01.png']);
    });
  });
});
