import type { ResultTarget, TargetId } from '../../contract/targets.js';

/**
 * The devices a search can aim at, as data. SRAM bounds the TFLite Micro tensor arena, flash the int8
 * model; latency on the device is an ESTIMATE, MACs × cyclesPerMac / clock. cyclesPerMac is a whole-model
 * figure (every op, the interpreter's overhead included) from published int8 runs of MobileNet-style
 * (depthwise-separable) networks, the family our cells belong to; how each was worked out: docs/targets.md.
 * KB and MB are binary (1 KB = 1,024 bytes).
 */
export interface TargetSpec extends ResultTarget {
  /** Where cyclesPerMac comes from, in a line. */
  source: string;
}

const KB = 1024;
const MB = 1024 * KB;

export const TARGETS: Record<TargetId, TargetSpec> = {
  host: {
    id: 'host',
    name: 'This machine',
    sramBytes: null,
    flashBytes: null,
    clockMHz: null,
    cyclesPerMac: null,
    source: 'no limits; latency is measured on this machine (result.json latency.measuredMs)',
  },
  'cortex-m4': {
    id: 'cortex-m4',
    name: 'Arm Cortex-M4F, 80 MHz, 256 KB SRAM, 1 MB flash',
    sramBytes: 256 * KB,
    flashBytes: 1 * MB,
    clockMHz: 80,
    cyclesPerMac: 9.6,
    source:
      'MLPerf Tiny v0.5 reference (mlcommons/tiny_results_v0.5): TFLite Micro 2.3.1 with CMSIS-NN kernels on an STM32L4R5 ' +
      '(Cortex-M4F, 120 MHz), visual wake words MobileNetV1-0.25 (7.49 M MACs) at 1.665 inferences/s: 72.1 M cycles / 7.49 M MACs',
  },
  'cortex-m7': {
    id: 'cortex-m7',
    name: 'Arm Cortex-M7, 480 MHz, 1 MB SRAM, 2 MB flash',
    sramBytes: 1 * MB,
    flashBytes: 2 * MB,
    clockMHz: 480,
    cyclesPerMac: 4.7,
    source:
      "the Cortex-M4 figure × the M7/M4 cycle ratio of one engine on one model: MLPerf Tiny v1.0, Plumerai's visual wake words " +
      'on an STM32F746 (M7, 216 MHz, 17.535 inf/s: 1.64 cycles/MAC) and an STM32L4R5 (M4, 120 MHz, 4.795 inf/s: 3.34 cycles/MAC), ratio 0.49',
  },
  'esp32-s3': {
    id: 'esp32-s3',
    name: 'Espressif ESP32-S3, 240 MHz, 512 KB SRAM, 8 MB flash',
    sramBytes: 512 * KB,
    flashBytes: 8 * MB,
    clockMHz: 240,
    cyclesPerMac: 1.8,
    source:
      "Espressif's ESP-NN README: TFLite Micro person detection (MobileNetV1-0.25, 96×96 grey, 7.16 M MACs) in 54 ms " +
      'with ESP-NN at 240 MHz: 13.0 M cycles / 7.16 M MACs',
  },
  rpi4: {
    id: 'rpi4',
    name: 'Raspberry Pi 4 (Cortex-A72, 1.5 GHz ×4)',
    sramBytes: null,
    flashBytes: null,
    clockMHz: 1500,
    cyclesPerMac: 0.36,
    source:
      'Q-engineering TensorFlow_Lite_Classification_RPi_64-bits: mobilenet_v1_1.0_224_quant (569 M MACs) at 38.5 FPS on a Pi 4 ' +
      'at 1.95 GHz, 64-bit OS, 4 threads: 0.089 wall cycles/MAC, × 4 cores = 0.36 for one core (small models do not spread over 4)',
  },
};

export function getTarget(id: TargetId): TargetSpec {
  const target = TARGETS[id];
  if (!target) throw new Error(`Unknown target "${id}"; the targets are ${Object.keys(TARGETS).join(', ')}.`);
  return target;
}

/** result.json's `target`: the spec without its source line. */
export function resultTarget(target: TargetSpec): ResultTarget {
  const { source: _source, ...rest } = target;
  return rest;
}

/** Whether the target bounds memory at all (host and the Pi do not): no check is needed otherwise. */
export function hasMemoryLimits(target: TargetSpec): boolean {
  return target.sramBytes !== null || target.flashBytes !== null;
}
