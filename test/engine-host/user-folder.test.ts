import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { saveExportsTo } from '../../src-main/engine-host/exports.js';
import { userFolder } from '../../src-main/engine-host/user-folder.js';
import { sampleResult, tempRunsDir, writeRunFolder } from './helpers.js';

function runWithExports(): string {
  const runsDir = tempRunsDir();
  const exportsDir = path.join(writeRunFolder(runsDir, 'run-x', sampleResult('run-x')), 'exports');
  mkdirSync(path.join(exportsDir, 'tfjs'), { recursive: true });
  writeFileSync(path.join(exportsDir, 'model.onnx'), 'onnx-bytes');
  writeFileSync(path.join(exportsDir, 'tfjs', 'model.json'), '{}');
  return runsDir;
}

describe('a folder the user types', () => {
  it('refuses a relative path and writes nothing beside the app', async () => {
    const runsDir = runWithExports();
    const name = `relative-${process.pid}-${Date.now()}`;
    await expect(saveExportsTo(runsDir, { runId: 'run-x', folder: `${name}/path` })).rejects.toThrow(/is not a full path/);
    expect(existsSync(path.resolve(name))).toBe(false);
  });

  it('says a file is in the way, in words, not EEXIST', async () => {
    const runsDir = runWithExports();
    const root = mkdtempSync(path.join(os.tmpdir(), 'nas-folder-'));
    const file = path.join(root, 'notes.txt');
    writeFileSync(file, 'mine');
    await expect(saveExportsTo(runsDir, { runId: 'run-x', folder: file })).rejects.toThrow(`${file} is a file, not a folder`);
    await expect(saveExportsTo(runsDir, { runId: 'run-x', folder: path.join(file, 'deeper') })).rejects.toThrow(`${file} is a file, so the folder`);
    // A file named like one of the export's folders (tfjs/) inside the chosen folder.
    const target = path.join(root, 'out');
    mkdirSync(target);
    writeFileSync(path.join(target, 'tfjs'), 'mine');
    await expect(saveExportsTo(runsDir, { runId: 'run-x', folder: target })).rejects.toThrow(/tfjs cannot be made: a file of that name is in the way/);
  });

  it('takes ~ as the home folder and gives back full paths', async () => {
    expect(await userFolder('~/models')).toBe(path.join(os.homedir(), 'models'));
    const runsDir = runWithExports();
    const folder = mkdtempSync(path.join(os.tmpdir(), 'nas-folder-'));
    const saved = await saveExportsTo(runsDir, { runId: 'run-x', folder: `${folder}/` });
    expect(saved.files.every((f) => path.isAbsolute(f) && f.startsWith(folder))).toBe(true);
  });
});
