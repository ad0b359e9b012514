import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SettingsStore } from '../../src-main/app/settings.store.js';

const tempDir = () => mkdtempSync(path.join(os.tmpdir(), 'nas-settings-'));

describe('SettingsStore', () => {
  it('starts from defaults, writes atomically, and reads back what it wrote', async () => {
    const dir = tempDir();
    const store = await SettingsStore.open(dir);
    expect(store.current.pickedPaths).toEqual([]);
    await store.update((s) => ({ ...s, windowBounds: { x: 10, y: 20, width: 1000, height: 700, maximized: false } }));
    await store.addPickedPath('/data/mnist');
    await store.addPickedPath('/data/har');
    await store.addPickedPath('/data/mnist');
    expect(readdirSync(dir)).toEqual(['settings.json']);
    const again = await SettingsStore.open(dir);
    expect(again.current.windowBounds).toEqual({ x: 10, y: 20, width: 1000, height: 700, maximized: false });
    expect(again.current.pickedPaths).toEqual([path.resolve('/data/mnist'), path.resolve('/data/har')]);
  });

  it('keeps an unreadable file aside instead of overwriting it, and says which file and why', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'settings.json'), '{ "windowBounds": ');
    const messages: string[] = [];
    const store = await SettingsStore.open(dir, (message) => messages.push(message));
    expect(store.current.pickedPaths).toEqual([]);
    expect(messages[0]).toMatch(/settings\.json: not valid JSON/);
    const kept = readdirSync(dir).find((name) => name.startsWith('settings.json.bad-'));
    expect(kept && readFileSync(path.join(dir, kept), 'utf8')).toBe('{ "windowBounds": ');
    expect(existsSync(path.join(dir, 'settings.json'))).toBe(false);
  });

  it('refuses a file of the wrong shape the same way', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({ pickedPaths: 'not a list' }));
    const messages: string[] = [];
    await SettingsStore.open(dir, (message) => messages.push(message));
    expect(messages[0]).toMatch(/pickedPaths/);
  });
});
