import type { RunResult } from '../../src-main/contract/result.js';
import { formatBytes, formatMs } from './format.js';

export interface DeviceFitRow {
  /** What is compared, in words, e.g. "SRAM (tensor arena)". */
  label: string;
  /** The model's figure. */
  model: string;
  /** The target's limit; "no limit" where it has none. */
  limit: string;
  /** Whether the model's figure is within the limit; undefined where nothing is compared. */
  fits?: boolean;
}

export interface DeviceFitView {
  target: string;
  rows: DeviceFitRow[];
  fits: boolean;
  /** One sentence: fits or not, and that the figures are estimates. */
  sentence: string;
  /** Operations the search replaced so the model fits. */
  adjusted: string[];
}

/**
 * The model's int8 needs beside the target's limits (result.json `target` and `fit`), or undefined for a
 * result without them (runs from before targets). Every figure is an estimate (docs/targets.md); on this
 * machine latency is measured, so the row shows the measured figure.
 */
export function deviceFitView(result: Pick<RunResult, 'target' | 'fit' | 'latency'> | undefined): DeviceFitView | undefined {
  const target = result?.target;
  const fit = result?.fit;
  if (!target || !fit) return undefined;
  const limit = (bytes: number | null) => (bytes === null ? 'no limit' : formatBytes(bytes));
  const within = (need: number, bytes: number | null) => (bytes === null ? undefined : need <= bytes);
  const rows: DeviceFitRow[] = [
    { label: 'SRAM (tensor arena, estimate)', model: formatBytes(fit.arenaBytes), limit: limit(target.sramBytes), fits: within(fit.arenaBytes, target.sramBytes) },
    { label: 'Flash (int8 model, estimate)', model: formatBytes(fit.flashBytes), limit: limit(target.flashBytes), fits: within(fit.flashBytes, target.flashBytes) },
  ];
  if (fit.latencyMsEstimate !== null) {
    rows.push({ label: `Latency per input (estimate: ${target.cyclesPerMac} cycles per MAC at ${target.clockMHz} MHz)`, model: formatMs(fit.latencyMsEstimate), limit: '—' });
  } else if (result?.latency?.measuredMs !== undefined) {
    rows.push({ label: 'Latency per input (measured on this machine)', model: formatMs(result.latency.measuredMs), limit: '—' });
  }
  const sentence = fit.fits
    ? `The int8 model fits ${target.name}, by these estimates; check the arena on the device itself.`
    : `The int8 model does not fit ${target.name}: ${rows.filter((r) => r.fits === false).map((r) => r.label.replace(/ \(.*\)$/, '')).join(' and ')} over the limit.`;
  return { target: target.name, rows, fits: fit.fits, sentence, adjusted: fit.adjusted ?? [] };
}
