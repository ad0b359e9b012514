import type { ExportReport } from '../../src-main/contract/channels.js';
import type { ResultTarget } from '../../src-main/contract/targets.js';
import { formatBytes, formatMs } from './format.js';

/** One line of the export's "what a device needs": the model's figure, how it was got, and the target's limit. */
export interface DeviceFactRow {
  key: 'flash' | 'sram' | 'latency';
  label: string;
  value: string;
  how: string;
  limit?: string;
  fits?: boolean;
}

export interface DeviceFacts {
  rows: DeviceFactRow[];
  /** The run's target device, when it is not this machine. */
  targetName?: string;
  /** Set when the exported model exceeds the target. */
  warning?: string;
}

/**
 * What the exported int8 model needs on a device, from the export report (flash = the int8 file; SRAM =
 * the arena TFLite Micro measured, or an estimate it says is one), beside the run's target's limits.
 * One RAM figure: the arena already holds the activations.
 */
export function deviceFacts(report: ExportReport, target: ResultTarget | undefined): DeviceFacts | undefined {
  if (report.flashBytes === undefined && report.tensorArenaBytes === undefined) return undefined;
  const onDevice = target && target.id !== 'host' ? target : undefined;
  const compare = (need: number, limit: number | null | undefined) => (limit == null ? {} : { limit: formatBytes(limit), fits: need <= limit });
  const rows: DeviceFactRow[] = [];
  if (report.flashBytes !== undefined) {
    rows.push({ key: 'flash', label: 'Flash (program memory)', value: formatBytes(report.flashBytes), how: 'the int8 model file; the C array holds the same bytes', ...compare(report.flashBytes, onDevice?.flashBytes) });
  }
  if (report.tensorArenaBytes !== undefined) {
    const measured = report.tensorArenaSource === 'tflite-micro';
    rows.push({
      key: 'sram',
      label: 'RAM to allocate (tensor arena)',
      value: formatBytes(report.tensorArenaBytes),
      how: measured ? 'measured: the smallest arena TFLite Micro ran this model in' : 'an estimate: TFLite Micro is not installed here to measure it',
      ...compare(report.tensorArenaBytes, onDevice?.sramBytes),
    });
  }
  if (onDevice?.cyclesPerMac != null && onDevice.clockMHz != null) {
    const ms = (report.macs * onDevice.cyclesPerMac) / (onDevice.clockMHz * 1e3);
    rows.push({ key: 'latency', label: 'Time per input', value: formatMs(ms), how: `an estimate: ${onDevice.cyclesPerMac} cycles per multiply-add at ${onDevice.clockMHz} MHz (docs/targets.md)` });
  }
  const over = rows.filter((r) => r.fits === false);
  return {
    rows,
    targetName: onDevice?.name,
    warning: over.length > 0 && onDevice ? `This model does not fit ${onDevice.name}: ${over.map((r) => `${r.label.toLowerCase()} ${r.value} > ${r.limit}`).join('; ')}. The files were written; they will not run there.` : undefined,
  };
}
