/** A channel this host cannot serve (e.g. a native folder picker in serve mode); the UI offers another way. */
export class NotAvailableError extends Error {
  override name = 'NotAvailableError';
}
