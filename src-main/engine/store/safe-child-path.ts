import path from 'node:path';

/**
 * `root/name` when `name` is a plain relative name that stays inside `root`; throws naming the input
 * otherwise. For names a user types (export names, run ids): refuses `..` segments, absolute paths,
 * drive letters, NUL bytes and empty names, so nothing is written outside the folder it belongs in.
 */
export function safeChildPath(root: string, name: string, what = 'name'): string {
  const shown = JSON.stringify(name);
  if (typeof name !== 'string' || name.trim() === '') throw new Error(`${what} ${shown}: must not be empty.`);
  if (name.includes('\0')) throw new Error(`${what} ${shown}: contains a NUL byte.`);
  if (path.isAbsolute(name) || path.win32.isAbsolute(name) || /^[a-zA-Z]:/.test(name)) {
    throw new Error(`${what} ${shown}: must be a name inside ${root}, not an absolute path.`);
  }
  if (name.split(/[\\/]+/).some((part) => part === '..')) throw new Error(`${what} ${shown}: must not contain '..' (it would leave ${root}).`);
  const base = path.resolve(root);
  const full = path.resolve(base, name);
  const relative = path.relative(base, full);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) throw new Error(`${what} ${shown}: does not name a file inside ${root}.`);
  return full;
}
