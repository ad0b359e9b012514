/**
 * Why the serve mode could not listen, in one line the user can act on: the port, and the flag that
 * picks another. Errors other than the socket's own pass through unchanged.
 */
export class ListenError extends Error {
  override name = 'ListenError';
}

export function explainListenError(error: unknown, port: number, host: string): Error {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const where = `${host}:${port}`;
  const pickAnother = 'pick another with --port <n> (or --port 0 for any free one)';
  switch (code) {
    case 'EADDRINUSE':
      return new ListenError(`port ${port} is already in use on ${host}; ${pickAnother}.`, { cause: error });
    case 'EACCES':
    case 'EPERM':
      return new ListenError(`not allowed to listen on ${where} (ports below 1024 need administrator rights); ${pickAnother}.`, { cause: error });
    case 'EADDRNOTAVAIL':
      return new ListenError(`${host} is not an address of this machine, so ${where} cannot be served.`, { cause: error });
    default:
      return error instanceof Error ? error : new Error(String(error));
  }
}
