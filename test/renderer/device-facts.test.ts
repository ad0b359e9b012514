import { describe, expect, it } from 'vitest';
import type { ExportReport } from '../../src-main/contract/channels.js';
import type { ResultTarget } from '../../src-main/contract/targets.js';
import { deviceFacts } from '../../src-renderer/lib/device-facts.js';

const report: ExportReport = { params: 1000, macs: 2_000_000, peakActivationBytes: 40_000, peakActivationBytesInt8: 10_000, exports: [], flashBytes: 300_000, tensorArenaBytes: 41_776, tensorArenaSource: 'tflite-micro' };
const m4: ResultTarget = { id: 'cortex-m4', name: 'Cortex-M4F (80 MHz, 256 KB SRAM, 1 MB flash)', sramBytes: 256 * 1024, flashBytes: 1024 * 1024, clockMHz: 80, cyclesPerMac: 2 };

describe('what a device needs, in the export view', () => {
  it('one RAM figure (the arena), flash, and the estimated time beside the target, each fitting', () => {
    const facts = deviceFacts(report, m4)!;
    expect(facts.rows.map((r) => r.key)).toEqual(['flash', 'sram', 'latency']);
    expect(facts.rows.find((r) => r.key === 'sram')).toMatchObject({ fits: true, how: expect.stringMatching(/measured/) });
    // 2 M MACs × 2 cycles / 80 MHz = 50 ms, labelled an estimate
    expect(facts.rows.find((r) => r.key === 'latency')!.how).toMatch(/estimate/);
    expect(facts.rows.find((r) => r.key === 'latency')!.value).toMatch(/50/);
    expect(facts.warning).toBeUndefined();
  });

  it('warns, naming the limit, when the model does not fit the target', () => {
    const facts = deviceFacts({ ...report, tensorArenaBytes: 300_000 }, m4)!;
    expect(facts.rows.find((r) => r.key === 'sram')!.fits).toBe(false);
    expect(facts.warning).toMatch(/does not fit Cortex-M4F.*ram to allocate/);
  });

  it('says when the arena is an estimate, and compares nothing for this machine', () => {
    const facts = deviceFacts({ ...report, tensorArenaSource: 'estimate' }, { ...m4, id: 'host', name: 'this machine', sramBytes: null, flashBytes: null, clockMHz: null, cyclesPerMac: null })!;
    expect(facts.targetName).toBeUndefined();
    expect(facts.rows.find((r) => r.key === 'sram')!.how).toMatch(/estimate/);
    expect(facts.rows.every((r) => r.fits === undefined)).toBe(true);
  });
});
