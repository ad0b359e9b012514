import type { RunResult, TestMetrics } from '../../src-main/contract/result.js';
import { formatCount, formatMetric } from './format.js';

/** Metrics worth comparing, in order; the noisy input's PSNR is the same for both models, so it is left out. */
const COMPARED = ['accuracy', 'macro_f1', 'psnr', 'ssim', 'loss'] as const;

export interface BaselineComparisonView {
  /** The baseline's full name, e.g. "MobileNet-style CNN (depthwise-separable, 11–91 channels)". */
  name: string;
  rows: { name: string; searched: string; baseline: string }[];
  params: { searched: string; baseline: string };
  /** One plain sentence: what the search bought over the baseline. */
  sentence: string;
  /** 'better', 'worse' or 'tie' on the headline metric (accuracy, or PSNR for denoising). */
  verdict: 'better' | 'worse' | 'tie';
}

/**
 * The searched model beside its fixed baseline (result.json `baseline`), or undefined for a result
 * without one (runs from before baselines were trained).
 */
export function baselineComparison(result: Pick<RunResult, 'params' | 'metrics' | 'baseline'> | undefined): BaselineComparisonView | undefined {
  const baseline = result?.baseline;
  if (!result || !baseline) return undefined;
  const searched = result.metrics.test;
  const other = baseline.metrics.test;
  const rows = COMPARED.filter((name) => typeof searched[name] === 'number' || typeof other[name] === 'number').map((name) => ({
    name,
    searched: formatMetric(name, searched[name] as number | undefined),
    baseline: formatMetric(name, other[name] as number | undefined),
  }));
  const { sentence, verdict } = whatTheSearchBought(searched, other, baseline.name);
  return { name: baseline.name, rows, params: { searched: formatCount(result.params), baseline: formatCount(baseline.params) }, sentence, verdict };
}

function whatTheSearchBought(searched: TestMetrics, baseline: TestMetrics, name: string): { sentence: string; verdict: BaselineComparisonView['verdict'] } {
  // "MobileNet-style CNN (depthwise-separable, …)" → "a standard MobileNet-style CNN"
  const standard = `a standard ${name.replace(/\s*\(.*\)\s*$/, '')} of about the same size trained the same way`;
  if (typeof searched.accuracy === 'number' && typeof baseline.accuracy === 'number') {
    const points = (searched.accuracy - baseline.accuracy) * 100;
    if (Math.abs(points) < 0.05) return { verdict: 'tie', sentence: `The searched model is as accurate as ${standard} (within 0.1 points): the search bought no accuracy.` };
    return points > 0
      ? { verdict: 'better', sentence: `The searched model is ${points.toFixed(1)} points more accurate than ${standard}.` }
      : { verdict: 'worse', sentence: `The searched model is ${(-points).toFixed(1)} points less accurate than ${standard}: the search did not beat it.` };
  }
  if (typeof searched.psnr === 'number' && typeof baseline.psnr === 'number') {
    const dB = searched.psnr - baseline.psnr;
    if (Math.abs(dB) < 0.005) return { verdict: 'tie', sentence: `The searched model denoises as well as ${standard} (within 0.01 dB): the search bought no quality.` };
    return dB > 0
      ? { verdict: 'better', sentence: `The searched model denoises ${dB.toFixed(2)} dB better than ${standard}.` }
      : { verdict: 'worse', sentence: `The searched model denoises ${(-dB).toFixed(2)} dB worse than ${standard}: the search did not beat it.` };
  }
  return { verdict: 'tie', sentence: `The searched model and ${standard} have no common score to compare.` };
}
