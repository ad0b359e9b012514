import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getMachineProfile } from '../../../src-main/engine/hardware/machine-profile.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nas-machine-profile-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('getMachineProfile', () => {
  it('measures and saves a profile once, then reuses it until asked to refresh', async () => {
    const first = await getMachineProfile({ dir, bench: false });
    expect(readdirSync(dir)).toHaveLength(1);
    const again = await getMachineProfile({ dir, bench: false });
    expect(again).toEqual(first);
    expect(readdirSync(dir)).toHaveLength(1);
    // A new createdAt gives a new file name; wait past the millisecond so the two cannot collide.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const fresh = await getMachineProfile({ dir, bench: false, refresh: true });
    expect(fresh.machineId).toBe(first.machineId);
    expect(fresh.createdAt).not.toBe(first.createdAt);
    expect(readdirSync(dir)).toHaveLength(2);
  });
});
