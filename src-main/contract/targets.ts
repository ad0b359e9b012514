import { z } from 'zod';

/**
 * The device a model is searched for. `host` is this machine (no memory limit; latency is measured);
 * the others are microcontrollers and a single-board computer whose limits the search honours. The
 * figures of each live in the engine (engine/targets/targets.ts, docs/targets.md).
 */
export const TargetIdSchema = z.enum(['host', 'cortex-m4', 'cortex-m7', 'esp32-s3', 'rpi4']);
export type TargetId = z.infer<typeof TargetIdSchema>;

/** result.json `target`: the device and its limits; null = no limit (or, for host, measured instead). */
export interface ResultTarget {
  id: TargetId;
  name: string;
  sramBytes: number | null;
  flashBytes: number | null;
  clockMHz: number | null;
  cyclesPerMac: number | null;
}

/**
 * result.json `fit`: what the int8 model needs on the target, all estimates (docs/targets.md):
 * arena = the TFLite Micro tensor arena (SRAM), flash = the int8 model bytes, latency = MACs ×
 * cycles per MAC / clock (null on host, where latency is measured instead).
 */
export interface TargetFit {
  arenaBytes: number;
  flashBytes: number;
  macs: number;
  latencyMsEstimate: number | null;
  fits: boolean;
  /** Operations the search replaced so the model fits, e.g. "normal 2<-0: sep_conv_5x5 → dil_conv_3x3". */
  adjusted?: string[];
}
