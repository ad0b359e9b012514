import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BenchMeasure, MachineProfile } from '../../../src-main/engine/hardware/hardware.types.js';
import { compareProfiles, listProfiles, loadProfile, profilesDirFor, saveProfile, userDataDir } from '../../../src-main/engine/hardware/profile-store.js';

function measure(id: string, value: number): BenchMeasure {
  return { id, label: id, shape: 's', value, unit: id.startsWith('bw') ? 'GB/s' : 'GFLOP/s', medianMs: 1, repeats: 5, workPerRepeat: 1 };
}

function profile(createdAt: string, machineId = 'abc0123456789def', measures?: BenchMeasure[], backend = 'wasm'): MachineProfile {
  return {
    schemaVersion: 1,
    machineId,
    createdAt,
    hardware: {
      cpu: { manufacturer: 'Intel', brand: 'Xeon', physicalCores: 2, logicalThreads: 2, speedGHz: null, simd: ['avx2'], avx512Flags: [] },
      memory: { totalBytes: 8e9, availableBytes: 6e9 },
      gpus: [],
      cuda: {
        usable: false,
        tfjsCompatible: false,
        nvidiaSmi: { found: false, detail: 'x', gpus: [], driverVersion: null },
        cudaRuntime: { found: false, detail: 'x', libraries: [] },
        reason: 'x',
      },
      os: { platform: 'linux', distro: 'Debian', release: '12', arch: 'x64' },
      nodeVersion: 'v20',
      detectedAt: createdAt,
    },
    backend: { name: backend as MachineProfile['backend']['name'], tried: [{ name: 'wasm', loaded: true, why: 'ok' }] },
    ...(measures ? { bench: { backend, measures, totalMs: 10, startedAt: createdAt } } : {}),
    summary: 'A test machine.',
  };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nas-profiles-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('userDataDir', () => {
  it('uses NAS_STUDIO_HOME, else ~/.nas-studio', () => {
    expect(userDataDir({ NAS_STUDIO_HOME: '/data/nas' })).toBe(path.resolve('/data/nas'));
    expect(userDataDir({})).toBe(path.join(os.homedir(), '.nas-studio'));
    expect(profilesDirFor('m1', { NAS_STUDIO_HOME: '/data/nas' })).toBe(path.join(path.resolve('/data/nas'), 'profiles', 'm1'));
  });
});

describe('saveProfile / loadProfile', () => {
  it('round-trips a profile and leaves no temporary file behind', async () => {
    const original = profile('2026-11-22T10:00:00.000Z', 'abc0123456789def', [measure('matmul_512', 12.5)]);
    const file = saveProfile(original, { dir });
    expect(path.dirname(file)).toBe(dir);
    expect(path.basename(file)).toBe('2026-11-22T10-00-00-000Z.json');
    expect(readdirSync(dir)).toEqual([path.basename(file)]);
    expect(await loadProfile(file)).toEqual(original);
  });

  it('saves under <NAS_STUDIO_HOME>/profiles/<machineId>/ by default', async () => {
    const previous = process.env.NAS_STUDIO_HOME;
    process.env.NAS_STUDIO_HOME = dir;
    try {
      const file = saveProfile(profile('2026-11-22T10:00:00.000Z', 'machine42'));
      expect(file).toBe(path.join(dir, 'profiles', 'machine42', '2026-11-22T10-00-00-000Z.json'));
      expect((await listProfiles('machine42')).profiles).toHaveLength(1);
    } finally {
      if (previous === undefined) delete process.env.NAS_STUDIO_HOME;
      else process.env.NAS_STUDIO_HOME = previous;
    }
  });

  it('names the file and the problem when a file is not a profile', async () => {
    const broken = path.join(dir, 'broken.json');
    writeFileSync(broken, '{ not json');
    await expect(loadProfile(broken)).rejects.toThrow(`${broken}: not valid JSON`);
    const wrong = path.join(dir, 'wrong.json');
    writeFileSync(wrong, JSON.stringify({ schemaVersion: 1, machineId: 'x' }));
    await expect(loadProfile(wrong)).rejects.toThrow(`${wrong}: not a NAS Studio machine profile`);
    await expect(loadProfile(path.join(dir, 'missing.json'))).rejects.toThrow(/missing\.json: cannot read the profile \(ENOENT\)/);
  });
});

describe('listProfiles', () => {
  it('lists this machine\'s profiles oldest first, skipping temporaries, other machines and broken files', async () => {
    saveProfile(profile('2026-11-22T12:00:00.000Z'), { dir });
    saveProfile(profile('2026-11-20T08:00:00.000Z'), { dir });
    saveProfile(profile('2026-11-21T08:00:00.000Z', 'another-machine'), { dir });
    writeFileSync(path.join(dir, '.2026-11-23.json.1234.tmp'), 'half');
    writeFileSync(path.join(dir, 'zz-broken.json'), '[]');
    const listing = await listProfiles('abc0123456789def', { dir });
    expect(listing.profiles.map((p) => p.profile.createdAt)).toEqual(['2026-11-20T08:00:00.000Z', '2026-11-22T12:00:00.000Z']);
    expect(listing.skipped.map((s) => path.basename(s.file))).toEqual(['zz-broken.json']);
    expect(listing.skipped[0].problem).toContain('zz-broken.json');
  });

  it('returns nothing for a machine never profiled', async () => {
    expect(await listProfiles('never', { dir: path.join(dir, 'nope') })).toEqual({ profiles: [], skipped: [] });
  });
});

describe('compareProfiles', () => {
  it('gives after/before ratios for shared benchmarks and lists the rest', () => {
    const a = profile('2026-11-20T00:00:00.000Z', 'm', [measure('matmul_512', 10), measure('bw_add', 4), measure('old_only', 1)]);
    const b = profile('2026-11-22T00:00:00.000Z', 'm', [measure('matmul_512', 15), measure('bw_add', 2), measure('new_only', 1)]);
    const comparison = compareProfiles(a, b);
    expect(comparison.sameMachine).toBe(true);
    expect(comparison.sameBackend).toBe(true);
    expect(comparison.metrics.map((m) => [m.id, m.ratio])).toEqual([
      ['matmul_512', 1.5],
      ['bw_add', 0.5],
    ]);
    expect(comparison.metrics[1].unit).toBe('GB/s');
    expect(comparison.onlyInA).toEqual(['old_only']);
    expect(comparison.onlyInB).toEqual(['new_only']);
  });

  it('tells a different machine or backend apart, and compares nothing without benchmarks', () => {
    const comparison = compareProfiles(profile('t', 'm1'), profile('t', 'm2', undefined, 'cpu'));
    expect(comparison).toEqual({ sameMachine: false, sameBackend: false, metrics: [], onlyInA: [], onlyInB: [] });
  });
});
