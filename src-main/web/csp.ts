/**
 * The Content-Security-Policy of the app's own pages, in Electron and in the serve mode: scripts only
 * from the app itself, no eval, no plugins, no framing. Inline styles stay allowed because Svelte
 * transitions and Chart.js set element styles.
 */
export function contentSecurityPolicy(connectSources: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${connectSources.map((source) => ` ${source}`).join('')}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
