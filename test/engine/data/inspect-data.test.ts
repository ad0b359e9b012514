import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { inspectDataSource } from '../../../src-main/engine/data/inspect-data.js';

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
    expect(previews.length).toBeGreaterThan(0);
    expect(previews[0].dataUrl).toMatch(/^data:image\/png;base64,/);
  }, 60_000);

  it('describes the built-in HAR windows without pictures', async () => {
    const { report, previews } = await inspectDataSource({ task: 'har', source: { kind: 'builtin', name: 'har-synthetic' } });
    expect(report.shapes).toEqual(['128×9']);
    expect(Object.keys(report.countsPerClass)).toHaveLength(6);
    expect(previews).toEqual([]);
  });
});
