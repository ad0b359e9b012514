import { stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * A folder the user typed, made safe to write into: `~` is their home folder; a relative path is refused
 * (it would land in whatever folder the app was started from, not one they chose); a file at the path, or
 * in the way of one of its folders, is named in words instead of a raw EEXIST/ENOTDIR.
 */
export async function userFolder(typed: string): Promise<string> {
  const text = typed.trim();
  const expanded = text === '~' ? os.homedir() : /^~[\\/]/.test(text) ? path.join(os.homedir(), text.slice(2)) : text;
  if (!path.isAbsolute(expanded)) {
    throw new Error(`"${text}" is not a full path: type one that starts at the top (like ${path.join(os.homedir(), 'models')}), so the files go where you mean.`);
  }
  const folder = path.resolve(expanded);
  // Walk up to the first part that exists: it must be a folder.
  for (let at = folder; ; at = path.dirname(at)) {
    const info = await stat(at).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' || error.code === 'ENOTDIR' ? undefined : Promise.reject(error)));
    if (info) {
      if (!info.isDirectory()) {
        throw new Error(at === folder ? `${folder} is a file, not a folder: choose a folder.` : `${at} is a file, so the folder ${folder} cannot be made there: choose another folder.`);
      }
      return folder;
    }
    if (path.dirname(at) === at) return folder;
  }
}
