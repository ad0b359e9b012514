import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src-main/contract/channels.js';
import { formatBytes, formatDuration, formatMetric, isNotAvailable } from '../../src-renderer/lib/format.js';
import { hardwareViewModel, latencyOpLabel, latencyRows } from '../../src-renderer/lib/hardware-view.js';
import { BUILTIN_IMAGE_HINT, BUILTINS, buildConfig, COLLAPSE_GUARDS, defaultForm, formProblems } from '../../src-renderer/lib/search-form.js';
import { imageTriples, paretoPoints } from '../../src-renderer/lib/results.js';
import { SearchConfigSchema } from '../../src-main/contract/search-config.js';

describe('format', () => {
  it('speaks plainly', () => {
    expect(formatDuration(42)).toBe('42 s');
    expect(formatDuration(125)).toBe('2 min 05 s');
    expect(formatDuration(3 * 3600 + 60)).toBe('3 h 01 min');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(2048)).toBe('2.00 KiB');
    expect(formatMetric('accuracy', 0.9876)).toBe('98.8 %');
    expect(formatMetric('psnr', 27.123)).toBe('27.12 dB');
    expect(formatMetric('ssim', 0.912345)).toBe('0.9123');
    expect(formatMetric('accuracy', undefined)).toBe('—');
  });

  it('recognises the host\'s "not available" answers', () => {
    expect(isNotAvailable(new Error('not available here: picking a path needs the desktop window; type the path instead'))).toBe(true);
    expect(isNotAvailable(new Error('/data/x: no such folder'))).toBe(false);
  });
});

describe('search form', () => {
  it('builds a config the contract accepts, with only what the user set', () => {
    const form = { ...defaultForm(), epochs: '1', searchSamples: '1000', retrainEpochs: '1' };
    const config = buildConfig(form);
    expect(config).toEqual({ task: 'classification', data: { kind: 'builtin', name: 'mnist' }, space: 'chain', strategy: 'rank-race', preset: 'quick', epochs: 1, searchSamples: 1000, retrainEpochs: 1 });
    expect(SearchConfigSchema.safeParse(config).success).toBe(true);
  });

  it('offers Fashion-MNIST beside MNIST for images, with the hint, and passes a chosen collapse guard', () => {
    expect(BUILTINS.filter((b) => b.tasks.includes('classification')).map((b) => b.value)).toEqual(['mnist', 'fashion-mnist']);
    expect(BUILTINS.filter((b) => b.tasks.includes('har')).map((b) => b.value)).toEqual(['har-synthetic']);
    expect(BUILTIN_IMAGE_HINT).toMatch(/MNIST is too easy.*Fashion-MNIST \(Zalando, 10 clothing classes, MIT licence/);
    const config = buildConfig({ ...defaultForm(), builtin: 'fashion-mnist', collapseGuard: 'none' });
    expect(config).toMatchObject({ data: { kind: 'builtin', name: 'fashion-mnist' }, collapseGuard: 'none' });
    expect(SearchConfigSchema.parse(config).collapseGuard).toBe('none');
    expect(COLLAPSE_GUARDS.map((g) => g.value).sort()).toEqual([...SearchConfigSchema.shape.collapseGuard.removeDefault().options].sort());
  });

  it('adds the noise model for denoising and checks its numbers', () => {
    const form = { ...defaultForm(), task: 'denoising' as const, noiseKind: 'salt-pepper' as const, noiseAmount: '2' };
    expect(formProblems(form).noiseAmount).toMatch(/between 0 and 1/);
    const ok = buildConfig({ ...form, noiseAmount: '0.2' });
    expect(SearchConfigSchema.safeParse(ok).success).toBe(true);
    expect(ok.noise).toEqual({ kind: 'salt-pepper', sigma: 25, amount: 0.2 });
  });

  it('names each bad field', () => {
    const problems = formProblems({ ...defaultForm(), epochs: '0', batchSize: '3.5', latencyTargetMs: '-1', dataKind: 'path', path: ' ' });
    expect(Object.keys(problems).sort()).toEqual(['batchSize', 'epochs', 'latencyTargetMs', 'path']);
    expect(problems.epochs).toMatch(/Search epochs/);
  });
});

describe('hardware view model', () => {
  it('reads a machine profile, and plain detected hardware without one', () => {
    const hardware = {
      cpu: { manufacturer: 'Intel', brand: 'Xeon', physicalCores: 2, logicalThreads: 2, speedGHz: null, simd: ['avx2', 'avx512'], avx512Flags: [] },
      memory: { totalBytes: 8 * 2 ** 30, availableBytes: 4 * 2 ** 30 },
      gpus: [],
      cuda: { reason: 'no NVIDIA driver (nvidia-smi not found)' },
      os: { platform: 'linux', distro: 'Debian', release: '13', arch: 'x64' },
    };
    const profile = {
      hardware,
      summary: 'A 2-core machine.',
      backend: { name: 'wasm', simd: true, threads: 1, tried: [{ name: 'tensorflow', loaded: false, why: 'tfjs-node is not installed' }] },
      bench: { backend: 'wasm', measures: [{ id: 'matmul_512', label: 'Matrix multiply', shape: '512', value: 20, unit: 'GFLOP/s', medianMs: 13 }] },
    };
    const model = hardwareViewModel(profile);
    expect(model.cpu).toBe('Intel Xeon');
    expect(model.backend?.tried[0].why).toMatch(/not installed/);
    expect(model.bench).toHaveLength(1);
    expect(model.cuda).toMatch(/nvidia-smi/);
    const bare = hardwareViewModel(hardware);
    expect(bare.cores).toBe('2 cores, 2 threads');
    expect(bare.backend).toBeUndefined();
    expect(bare.bench).toEqual([]);
    expect(hardwareViewModel(null).cpu).toBe('unknown processor');
  });

  it('shows each backend with its adapter and measured training step', () => {
    const model = hardwareViewModel({
      backend: {
        name: 'wasm',
        chosenBy: 'timed',
        workload: 'classification 28x28x1 · darts C8 ×5 cells · batch 128 · derived model',
        tried: [
          { name: 'webgpu', loaded: true, why: 'emulated', adapter: 'SwiftShader driver 5.0.0 (google)', stepMs: 111617, timing: 'measured' },
          { name: 'wasm', loaded: true, why: 'In use', stepMs: 469, timing: 'cached' },
          { name: 'cpu', loaded: true, why: 'Not timed' },
        ],
      },
    });
    expect(model.backend?.chosenBy).toBe('timed');
    expect(model.backend?.workload).toMatch(/darts C8/);
    expect(model.backend?.tried).toEqual([
      { name: 'webgpu', loaded: true, why: 'emulated', adapter: 'SwiftShader driver 5.0.0 (google)', stepMs: 111617, timing: 'measured' },
      { name: 'wasm', loaded: true, why: 'In use', stepMs: 469, timing: 'cached' },
      { name: 'cpu', loaded: true, why: 'Not timed' },
    ]);
  });

  it('lists latency entries slowest first', () => {
    const { rows } = latencyRows({
      entries: {
        a: { key: { op: 'skip_connect', inputShape: [28, 28, 8], stride: 1, cOut: 8 }, medianMs: 0 },
        b: { key: { op: 'sep_conv_3x3', inputShape: [28, 28, 8], stride: 1, cOut: 8 }, medianMs: 0.4 },
      },
    });
    expect(rows.map((r) => r.op)).toEqual(['sep_conv_3x3', 'skip_connect']);
    expect(rows[0].input).toBe('28×28×8');
  });

  it('names the glue ops in plain words and leaves candidate ops alone', () => {
    expect(latencyOpLabel('@concat4')).toBe('cell output: concatenation of 4 nodes');
    expect(latencyOpLabel('@fr')).toMatch(/factorized reduce/);
    expect(latencyOpLabel('sep_conv_3x3')).toBe('sep_conv_3x3');
  });
});

describe('results helpers', () => {
  const summary = (runId: string, value: number, params: number, latencyMs?: number): RunSummary => ({
    runId, task: 'classification', dataset: 'mnist', space: 'darts', strategy: 'gdas', preset: 'quick', status: 'done', createdAt: '2026-01-01T00:00:00Z', metric: { name: 'accuracy', value }, params, latencyMs,
  });

  it('marks the Pareto front: no other run is cheaper and at least as good', () => {
    const { axis, points } = paretoPoints([summary('a', 0.9, 1000), summary('b', 0.95, 5000), summary('c', 0.85, 6000), summary('d', 0.9, 1000)]);
    expect(axis).toBe('params');
    expect(points.filter((p) => p.front).map((p) => p.runId).sort()).toEqual(['a', 'b', 'd']);
  });

  it('uses latency when every run has one', () => {
    expect(paretoPoints([summary('a', 0.9, 1000, 2), summary('b', 0.8, 900, 1)]).axis).toBe('latency');
  });

  it('groups denoising images by sample', () => {
    const triples = imageTriples([
      { name: 'images/0-clean.png', dataUrl: 'c0' },
      { name: 'images/0-noisy.png', dataUrl: 'n0' },
      { name: 'images/0-denoised.png', dataUrl: 'd0' },
      { name: 'images/1-clean.png', dataUrl: 'c1' },
    ]);
    expect(triples[0]).toMatchObject({ key: '0', clean: 'c0', noisy: 'n0', denoised: 'd0' });
    expect(triples[1]).toMatchObject({ key: '1', clean: 'c1' });
    // The engine's own names: images/example-<i>-<kind>.png.
    const engine = imageTriples(['clean', 'noisy', 'denoised'].map((kind) => ({ name: `images/example-0-${kind}.png`, dataUrl: kind })));
    expect(engine).toEqual([{ key: 'example-0', clean: 'clean', noisy: 'noisy', denoised: 'denoised', other: [] }]);
  });
});
