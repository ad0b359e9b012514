import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';

const REASONS: Record<string, string> = {
  ENOTDIR: 'a file is in the way',
  EEXIST: 'a file is in the way',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the disk is read-only',
  ENOSPC: 'the disk is full',
  ENOENT: 'it cannot be made there',
};

/**
 * The serve mode's runs folder, made and checked writable before anything listens: a folder that cannot
 * hold runs is a start-up failure in one line, not an error on the first search.
 */
export async function ensureRunsFolder(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    throw new Error(`${dir} cannot be the runs folder (${REASONS[code] ?? (code || (error as Error).message)}); choose another with --runs-dir.`, { cause: error });
  }
}
