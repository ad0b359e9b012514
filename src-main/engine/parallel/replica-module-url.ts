/**
 * The file URL a worker should import for the module at `importMetaUrl`. Loaders may tag module URLs
 * (tsx's scoped import adds `?tsx-namespace=…`), and a worker's own loader does not transform a URL
 * tagged for another; the plain file URL loads everywhere.
 */
export function replicaModuleUrl(importMetaUrl: string): string {
  const url = new URL(importMetaUrl);
  url.search = '';
  url.hash = '';
  return url.href;
}
