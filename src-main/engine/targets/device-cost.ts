import type { TargetFit } from '../../contract/targets.js';
import type { ExportGraph } from '../export/export-graph.js';
import { layerCosts, peakActivationBytes } from '../export/model-report.js';
import type { TargetSpec } from './targets.js';

/**
 * What an int8 model needs on a microcontroller, estimated from its export graph (docs/targets.md):
 *
 * arena (SRAM) = 1.25 × peakInt8 + 275 B × ops + 6 B × output channels + 1 KiB. peakInt8 is model-report's walk of
 *   live int8 activations; TFLite Micro's planner packs them less tightly than that walk, and adds a "tail" of
 *   per-op and per-tensor runtime structures and per-channel requantisation data. Against the smallest arena
 *   TFLite Micro (tflite-micro, reference kernels) ran 30 searched models in (DARTS, NB201, chain; 4 to 32
 *   channels) it was 1–23 % high, never low; peakInt8 + 300 B an op + 1 KiB came out up to 40 % low.
 * flash = int8 kernels + int32 biases + 10 B × output channels (per-channel weight and bias scales, zero
 *   points) + 160 B × ops (operator, tensor and options tables) + 2 KiB flatbuffer framing. Against our own
 *   int8 .tflite writer on 24 searched models (DARTS, NB201, chain; 4 to 32 channels) it was 1–17 % high, never
 *   low; 200 B an op and no per-channel term came out up to 12 % low on chain and NB201 models.
 * latency = MACs × cycles per MAC / clock: an estimate, from the target's published whole-model figure.
 */
export const ARENA_PEAK_FACTOR = 1.25;
export const ARENA_BYTES_PER_OP = 275;
export const ARENA_BYTES_PER_CHANNEL = 6;
export const ARENA_FIXED_BYTES = 1024;
export const FLASH_BYTES_PER_OP = 160;
export const FLASH_BYTES_PER_CHANNEL = 10;
export const FLASH_FIXED_BYTES = 2048;

export interface DeviceCost {
  arenaBytes: number;
  flashBytes: number;
  macs: number;
  ops: number;
}

export function deviceCost(graph: ExportGraph): DeviceCost {
  let weightBytes = 0;
  let channels = 0;
  for (const op of graph.ops) {
    if ('kernel' in op) {
      weightBytes += op.kernel.length + 4 * op.bias.length;
      channels += op.bias.length;
    } else if (op.kind === 'scaleShift') {
      // An unfolded batch norm is written as a 1×1 depthwise conv: int8 scales and int32 shifts.
      weightBytes += op.scale.length + 4 * op.shift.length;
      channels += op.scale.length;
    }
  }
  const ops = graph.ops.length;
  return {
    arenaBytes: Math.ceil(ARENA_PEAK_FACTOR * peakActivationBytes(graph, 1)) + ARENA_BYTES_PER_OP * ops + ARENA_BYTES_PER_CHANNEL * channels + ARENA_FIXED_BYTES,
    flashBytes: weightBytes + FLASH_BYTES_PER_CHANNEL * channels + FLASH_BYTES_PER_OP * ops + FLASH_FIXED_BYTES,
    macs: layerCosts(graph).reduce((sum, l) => sum + l.macs, 0),
    ops,
  };
}

/** Estimated milliseconds per inference on the target; null where latency is measured instead (host). */
export function latencyMsEstimate(macs: number, target: TargetSpec): number | null {
  if (target.cyclesPerMac === null || target.clockMHz === null) return null;
  return (macs * target.cyclesPerMac) / (target.clockMHz * 1e3);
}

export function fitOnTarget(cost: DeviceCost, target: TargetSpec): TargetFit {
  return {
    arenaBytes: cost.arenaBytes,
    flashBytes: cost.flashBytes,
    macs: cost.macs,
    latencyMsEstimate: latencyMsEstimate(cost.macs, target),
    fits: (target.sramBytes === null || cost.arenaBytes <= target.sramBytes) && (target.flashBytes === null || cost.flashBytes <= target.flashBytes),
  };
}

/**
 * How far over the limits a cost is, as a sum of relative overshoots (0 when it fits): the quantity the
 * genotype adjustment drives down.
 */
export function overshoot(cost: DeviceCost, target: TargetSpec): number {
  const over = (need: number, limit: number | null) => (limit === null ? 0 : Math.max(0, need / limit - 1));
  return over(cost.arenaBytes, target.sramBytes) + over(cost.flashBytes, target.flashBytes);
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** "arena 300.0 KB > 256.0 KB SRAM; flash 90.2 KB ≤ 1024.0 KB" — what a user reads when a model does not fit. */
export function describeFit(cost: DeviceCost, target: TargetSpec): string {
  const parts: string[] = [];
  if (target.sramBytes !== null) parts.push(`arena ${kb(cost.arenaBytes)} ${cost.arenaBytes > target.sramBytes ? '>' : '≤'} ${kb(target.sramBytes)} SRAM`);
  if (target.flashBytes !== null) parts.push(`flash ${kb(cost.flashBytes)} ${cost.flashBytes > target.flashBytes ? '>' : '≤'} ${kb(target.flashBytes)}`);
  return parts.join('; ');
}
