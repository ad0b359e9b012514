import type { RunResult } from '../contract/result.js';

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/**
 * One line for the terminal: what the model needs on the run's target beside the target's limits, and
 * whether it fits; all int8 estimates (docs/targets.md). None for host, whose latency is measured.
 */
export function targetSummary(result: Pick<RunResult, 'target' | 'fit'>): string | undefined {
  const { target, fit } = result;
  if (!target || !fit || target.id === 'host') return undefined;
  const parts = [
    `arena ${kb(fit.arenaBytes)}${target.sramBytes !== null ? ` of ${kb(target.sramBytes)} SRAM` : ''}`,
    `flash ${kb(fit.flashBytes)}${target.flashBytes !== null ? ` of ${kb(target.flashBytes)}` : ''}`,
    ...(fit.latencyMsEstimate !== null ? [`latency ≈ ${fit.latencyMsEstimate.toFixed(1)} ms`] : []),
  ];
  return `${target.name}: ${parts.join(', ')} (int8 estimates): ${fit.fits ? 'fits' : 'does not fit'}.`;
}
