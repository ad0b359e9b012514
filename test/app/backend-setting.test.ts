import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SettingsStore } from '../../src-main/app/settings.store.js';

describe('the backend setting', () => {
  it('defaults to auto, keeps a chosen backend, and refuses one NAS Studio does not know', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'backend-setting-'));
    const store = await SettingsStore.open(dir, () => undefined);
    expect(store.current.backend).toBe('auto');
    await store.update((s) => ({ ...s, backend: 'webgpu' }));
    expect((await SettingsStore.open(dir, () => undefined)).current.backend).toBe('webgpu');
    writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({ backend: 'cuda' }));
    const logged: string[] = [];
    const bad = await SettingsStore.open(dir, (m) => logged.push(m));
    expect(bad.current.backend).toBe('auto');
    expect(logged.join('\n')).toMatch(/backend/);
  });
});
