import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src-main/contract/events.js';
import type { RunResult } from '../../src-main/contract/result.js';
import { baselineComparison } from '../../src-renderer/lib/baseline-comparison.js';
import { initialLiveRun, reduceLiveRun } from '../../src-renderer/lib/live-run.js';

type Compared = Pick<RunResult, 'params' | 'metrics' | 'baseline'>;
const confusion = [
  [5, 1],
  [0, 4],
];
const classifier = (accuracy: number, baselineAccuracy: number): Compared => ({
  params: 25_400,
  metrics: { test: { accuracy, macro_f1: accuracy - 0.01, confusion, loss: 0.3 } },
  baseline: { name: 'MobileNet-style CNN (depthwise-separable, 11–91 channels)', params: 25_120, metrics: { test: { accuracy: baselineAccuracy, macro_f1: 0.9, confusion, loss: 0.35 } } },
});

describe('baseline comparison', () => {
  it('says in one sentence what the search bought, in accuracy points', () => {
    const view = baselineComparison(classifier(0.921, 0.909))!;
    expect(view.sentence).toBe('The searched model is 1.2 points more accurate than a standard MobileNet-style CNN of about the same size trained the same way.');
    expect(view.verdict).toBe('better');
    expect(baselineComparison(classifier(0.9, 0.908))!.sentence).toBe(
      'The searched model is 0.8 points less accurate than a standard MobileNet-style CNN of about the same size trained the same way: the search did not beat it.',
    );
    expect(baselineComparison(classifier(0.9, 0.9004))!.verdict).toBe('tie');
  });

  it('puts the two side by side: metrics (no confusion matrix) and parameters', () => {
    const view = baselineComparison(classifier(0.921, 0.909))!;
    expect(view.name).toBe('MobileNet-style CNN (depthwise-separable, 11–91 channels)');
    expect(view.rows).toEqual([
      { name: 'accuracy', searched: '92.1 %', baseline: '90.9 %' },
      { name: 'macro_f1', searched: '91.1 %', baseline: '90.0 %' },
      { name: 'loss', searched: '0.3', baseline: '0.35' },
    ]);
    expect(view.params).toEqual({ searched: '25.4 k', baseline: '25.1 k' });
  });

  it('compares denoisers in dB', () => {
    const result: Compared = {
      params: 11_000,
      metrics: { test: { psnr: 31.01, ssim: 0.95, psnr_noisy: 22.83, psnr_baseline: 31.02, ssim_baseline: 0.95, loss: 0.001 } },
      baseline: { name: 'DnCNN-style CNN (5 conv layers, 20 channels)', params: 11_200, metrics: { test: { psnr: 31.02, ssim: 0.95, psnr_noisy: 22.83, loss: 0.001 } } },
    };
    const view = baselineComparison(result)!;
    expect(view.sentence).toBe('The searched model denoises 0.01 dB worse than a standard DnCNN-style CNN of about the same size trained the same way: the search did not beat it.');
    expect(view.rows.map((r) => r.name)).toEqual(['psnr', 'ssim', 'loss']);
  });

  it('has nothing to show for a result without a baseline (runs from before baselines)', () => {
    const { baseline: _baseline, ...old } = classifier(0.9, 0.9);
    expect(baselineComparison(old)).toBeUndefined();
    expect(baselineComparison(undefined)).toBeUndefined();
  });
});

describe('live run: the baseline trains after evaluation', () => {
  const step = (model?: 'baseline', s = 2): RunEvent => ({
    type: 'step', phase: 'retrain', epoch: 1, epochs: 1, step: s, stepsPerEpoch: 4, loss: 0.5, score: 0.5, scoreName: 'accuracy', etaSeconds: 5, imagesPerSecond: 10, ...(model ? { model } : {}),
  });

  it('its steps move the bar through the evaluate slice and leave the searched model\'s curves alone', () => {
    const evaluated = [{ type: 'phase', phase: 'retrain' } as RunEvent, step(undefined, 4), { type: 'phase', phase: 'evaluate' } as RunEvent].reduce(reduceLiveRun, initialLiveRun('r'));
    const half = reduceLiveRun(evaluated, step('baseline', 2));
    const whole = reduceLiveRun(half, step('baseline', 4));
    expect(half.loss.retrain).toEqual(evaluated.loss.retrain);
    expect(evaluated.progress.fraction).toBeCloseTo(0.95);
    expect(half.progress.fraction).toBeCloseTo(0.97);
    expect(whole.progress.fraction).toBeCloseTo(0.99);
    expect(whole.progress.phase).toBe('evaluate');
  });
});
