import { describe, expect, it } from 'vitest';
import { SearchConfigSchema } from '../../src-main/contract/search-config.js';
import { TargetIdSchema, type ResultTarget, type TargetFit } from '../../src-main/contract/targets.js';
import { TARGETS as ENGINE_TARGETS, resultTarget } from '../../src-main/engine/targets/targets.js';
import { deviceFitView } from '../../src-renderer/lib/device-fit-view.js';
import { buildConfig, defaultForm, TARGETS } from '../../src-renderer/lib/search-form.js';

const m4: ResultTarget = resultTarget(ENGINE_TARGETS['cortex-m4']);
const fit = (over: Partial<TargetFit> = {}): TargetFit => ({ arenaBytes: 73_728, flashBytes: 92_160, macs: 1_500_000, latencyMsEstimate: 180, fits: true, ...over });

describe('deviceFitView', () => {
  it('puts each figure beside the target\'s limit, says fits, and labels every figure an estimate', () => {
    const view = deviceFitView({ target: m4, fit: fit() })!;
    expect(view.rows).toEqual([
      { label: 'SRAM (tensor arena, estimate)', model: '72.0 KiB', limit: '256.0 KiB', fits: true },
      { label: 'Flash (int8 model, estimate)', model: '90.0 KiB', limit: '1.00 MiB', fits: true },
      { label: 'Latency per input (estimate: 9.6 cycles per MAC at 80 MHz)', model: '180.0 ms', limit: '—' },
    ]);
    expect(view.fits).toBe(true);
    expect(view.sentence).toMatch(/fits Arm Cortex-M4F.*estimates/);
  });

  it('names what is over the limit when the model does not fit, and lists the operations the search replaced', () => {
    const view = deviceFitView({ target: m4, fit: fit({ arenaBytes: 300_000, fits: false, adjusted: ['normal 2<-0: sep_conv_5x5 → dil_conv_3x3'] }) })!;
    expect(view.rows[0].fits).toBe(false);
    expect(view.rows[1].fits).toBe(true);
    expect(view.sentence).toBe('The int8 model does not fit Arm Cortex-M4F, 80 MHz, 256 KB SRAM, 1 MB flash: SRAM over the limit.');
    expect(view.adjusted).toEqual(['normal 2<-0: sep_conv_5x5 → dil_conv_3x3']);
  });

  it('on this machine shows no limits and the measured latency; nothing for a run from before targets', () => {
    const host = deviceFitView({ target: resultTarget(ENGINE_TARGETS.host), fit: fit({ latencyMsEstimate: null }), latency: { measuredMs: 0.8 } })!;
    expect(host.rows.map((r) => [r.limit, r.fits])).toEqual([['no limit', undefined], ['no limit', undefined], ['—', undefined]]);
    expect(host.rows[2]).toMatchObject({ label: 'Latency per input (measured on this machine)', model: '800 µs' });
    expect(deviceFitView({ latency: { measuredMs: 1 } })).toBeUndefined();
  });
});

describe('the wizard\'s target choice', () => {
  it('offers every target of the contract, with the limits the engine searches under', () => {
    expect(TARGETS.map((t) => t.value)).toEqual(TargetIdSchema.options);
    for (const t of TARGETS) {
      const spec = ENGINE_TARGETS[t.value];
      const mb = (bytes: number) => (bytes >= 1024 * 1024 ? `${bytes / 1024 / 1024} MB` : `${bytes / 1024} KB`);
      if (spec.sramBytes !== null) expect(t.hint).toContain(`${mb(spec.sramBytes)} SRAM`);
      if (spec.flashBytes !== null) expect(t.hint).toContain(`${mb(spec.flashBytes)} flash`);
      if (spec.clockMHz !== null && spec.id !== 'rpi4') expect(t.hint).toContain(`${spec.clockMHz} MHz`);
    }
  });

  it('sends the chosen target in the config (host, the default, is left to the contract)', () => {
    expect(defaultForm().target).toBe('host');
    expect(buildConfig(defaultForm())).not.toHaveProperty('target');
    const config = buildConfig({ ...defaultForm(), target: 'esp32-s3' });
    expect(config.target).toBe('esp32-s3');
    expect(SearchConfigSchema.parse(config).target).toBe('esp32-s3');
    expect(SearchConfigSchema.parse(buildConfig(defaultForm())).target).toBe('host');
  });
});
