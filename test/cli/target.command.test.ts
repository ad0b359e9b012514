import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src-main/contract/result.js';
import { runCliAsync, tinyRunFlags, writeTinyImageFolder } from './cli-harness.js';

let root: string;
let env: NodeJS.ProcessEnv;
let data: string;

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'nas-target-'));
  env = { NAS_STUDIO_HOME: path.join(root, 'home') };
  data = writeTinyImageFolder(path.join(root, 'data'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('nas-studio search --target', () => {
  it('searches for a Cortex-M4: result.json carries the target and the model\'s fit, and the terminal says it', async () => {
    const out = path.join(root, 'm4');
    const r = await runCliAsync([...tinyRunFlags(data, 1), '--target', 'cortex-m4', '--out', out], env);
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(readFileSync(r.stdout.trim().split('\n').pop()!, 'utf8')) as RunResult;
    expect(result.config.target).toBe('cortex-m4');
    expect(result.target).toEqual({ id: 'cortex-m4', name: 'Arm Cortex-M4F, 80 MHz, 256 KB SRAM, 1 MB flash', sramBytes: 262_144, flashBytes: 1_048_576, clockMHz: 80, cyclesPerMac: 9.6 });
    const fit = result.fit!;
    expect(fit.fits).toBe(true);
    expect(fit.arenaBytes).toBeGreaterThan(1024);
    expect(fit.arenaBytes).toBeLessThanOrEqual(262_144);
    // The int8 model holds at least one byte per parameter.
    expect(fit.flashBytes).toBeGreaterThan(result.params);
    expect(fit.macs).toBeGreaterThan(0);
    expect(fit.latencyMsEstimate).toBeCloseTo((fit.macs * 9.6) / 80_000, 9);
    expect(r.stderr).toMatch(/Arm Cortex-M4F, 80 MHz, 256 KB SRAM, 1 MB flash: arena [\d.]+ KB of 256\.0 KB SRAM, flash [\d.]+ KB of 1024\.0 KB, latency ≈ [\d.]+ ms \(int8 estimates\): fits\./);
  });

  it('defaults to this machine, and refuses a device it does not know, listing the ones it does', async () => {
    const out = path.join(root, 'host');
    const [host, unknown] = await Promise.all([
      runCliAsync([...tinyRunFlags(data, 1), '--out', out], env),
      runCliAsync([...tinyRunFlags(data, 1), '--target', 'arduino-uno', '--out', path.join(root, 'none')], env),
    ]);
    expect(host.status, host.stderr).toBe(0);
    const result = JSON.parse(readFileSync(host.stdout.trim().split('\n').pop()!, 'utf8')) as RunResult;
    expect(result.target).toMatchObject({ id: 'host', sramBytes: null, flashBytes: null });
    expect(result.fit).toMatchObject({ fits: true, latencyMsEstimate: null });
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toContain("'arduino-uno' is invalid");
    expect(unknown.stderr).toContain('host, cortex-m4, cortex-m7, esp32-s3, rpi4');
  });
});
