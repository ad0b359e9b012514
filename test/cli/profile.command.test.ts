import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { profileCommand } from '../../src-main/cli/profile.command.js';

let home: string;
let previousHome: string | undefined;
let stdout: string;
let stderr: string;

beforeEach(() => {
  home = mkdtempSync(path.join(os.tmpdir(), 'nas-profile-cli-'));
  previousHome = process.env.NAS_STUDIO_HOME;
  process.env.NAS_STUDIO_HOME = home;
  stdout = '';
  stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  vi.spyOn(console, 'error').mockImplementation((line: unknown) => {
    stderr += `${String(line)}\n`;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
  if (previousHome === undefined) delete process.env.NAS_STUDIO_HOME;
  else process.env.NAS_STUDIO_HOME = previousHome;
  rmSync(home, { recursive: true, force: true });
});

describe('nas-studio profile', () => {
  it('--json --no-bench prints the profile as JSON only, and saves it under NAS_STUDIO_HOME', async () => {
    await profileCommand().parseAsync(['--json', '--no-bench'], { from: 'user' });
    const profile = JSON.parse(stdout);
    expect(profile.schemaVersion).toBe(1);
    expect(profile.machineId).toMatch(/^[0-9a-f]{16}$/);
    expect(profile.bench).toBeUndefined();
    const words: Record<string, string> = { wasm: 'WebAssembly', cpu: 'plain JavaScript', tensorflow: 'native TensorFlow', 'tensorflow-gpu': 'CUDA' };
    expect(profile.summary).toContain(words[profile.backend.name]);
    expect(stderr).toBe('');
    expect(readdirSync(path.join(home, 'profiles', profile.machineId))).toHaveLength(1);
  });

  it('prints a readable profile and writes nothing with --no-save', async () => {
    await profileCommand().parseAsync(['--no-bench', '--no-save'], { from: 'user' });
    expect(stdout).toContain('NAS Studio machine profile');
    expect(stdout).toMatch(/Backend\s+\w+/);
    expect(stdout).toContain('Micro-benchmarks: not run (--no-bench).');
    expect(readdirSync(home)).toEqual([]);
  });

  it('--latency-table refuses a space it does not know, naming the ones it does', async () => {
    // Building a real table measures hundreds of ops (test/engine/hardware/latency-table.test.ts does it on a subset).
    const exit = vi.spyOn(process, 'exit').mockImplementation(((code?: number) => {
      throw new Error(`exit ${code}`);
    }) as never);
    const command = profileCommand().exitOverride();
    await expect(command.parseAsync(['--latency-table', 'resnet'], { from: 'user' })).rejects.toThrow(/--latency-table must be one of darts, nb201, chain, har1d/);
    expect(exit).not.toHaveBeenCalled();
    expect(stdout).toBe('');
  });
});
