/**
 * A failed start of the app in one line the user can act on (no stack trace): what could not be done
 * and, for the file-system errors a start meets, why in words. Stack traces only with NAS_STUDIO_DEBUG=1.
 */
const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the disk is read-only',
  ENOSPC: 'the disk is full',
  ENOENT: 'a file or folder is missing',
  ENOTDIR: 'a file is in the way of a folder',
  EISDIR: 'a folder is in the way of a file',
};

export function startupFailureMessage(error: unknown): string {
  const err = error as NodeJS.ErrnoException | undefined;
  const first = (error instanceof Error ? error.message : String(error)).split('\n')[0].trim();
  const code = err?.code;
  const reason = code && REASONS[code] ? ` (${REASONS[code]})` : '';
  const where = err?.path && !first.includes(err.path) ? ` ${err.path}:` : '';
  return `NAS Studio could not start:${where} ${first}${reason}`;
}
