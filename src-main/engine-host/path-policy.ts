import path from 'node:path';
import type { InvokeHandlers, ParsedInvokeRequest } from '../contract/channels.js';

/**
 * Paths that come from a renderer are confined to folders the user chose (in the app: picked in a
 * native dialog). A path is allowed when it is one of those or lies inside one.
 */
export class PathNotAllowedError extends Error {
  override name = 'PathNotAllowedError';
}

export function isInsideAny(candidate: string, roots: readonly string[]): boolean {
  const resolved = path.resolve(candidate);
  return roots.some((root) => {
    const relative = path.relative(path.resolve(root), resolved);
    return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
  });
}

function check(channel: string, candidate: string, roots: readonly string[]): void {
  if (!isInsideAny(candidate, roots)) {
    throw new PathNotAllowedError(`${channel}: ${candidate} is outside the folders you picked; choose it with the Browse button first`);
  }
}

function checkSource(channel: string, source: ParsedInvokeRequest<'data:inspect'>['source'], roots: readonly string[]): void {
  if (source.kind === 'path') check(channel, source.path, roots);
}

/** Wraps the channels that carry a path; `roots()` is read on every request (picks add to it). */
export function confinePaths(handlers: InvokeHandlers, roots: () => readonly string[]): InvokeHandlers {
  return {
    ...handlers,
    'data:inspect': (request) => (checkSource('data:inspect', request.source, roots()), handlers['data:inspect'](request)),
    'search:estimate': (request) => (checkSource('search:estimate', request.config.data, roots()), handlers['search:estimate'](request)),
    'search:start': (request) => (checkSource('search:start', request.config.data, roots()), handlers['search:start'](request)),
    'export:saveTo': (request) => (check('export:saveTo', request.folder, roots()), handlers['export:saveTo'](request)),
  };
}
