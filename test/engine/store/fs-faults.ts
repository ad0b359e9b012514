import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A small tmpfs to provoke real ENOSPC / EROFS (root ignores file modes, so chmod cannot make a folder
 * unwritable for it). Undefined where mounting is not allowed; tests then skip, visibly.
 */
export interface SmallDisk {
  dir: string;
  readOnly(): void;
  unmount(): void;
}

export function mountSmallDisk(sizeKiB = 64): SmallDisk | undefined {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return undefined;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'small-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  return {
    dir,
    readOnly: () => execFileSync('mount', ['-o', 'remount,ro', dir], { stdio: 'ignore' }),
    unmount: () => {
      execFileSync('umount', [dir], { stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Whether this process can provoke disk faults (see mountSmallDisk). */
export const canMountSmallDisk = (() => {
  const disk = mountSmallDisk(16);
  disk?.unmount();
  return disk !== undefined;
})();
