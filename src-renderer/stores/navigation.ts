import { writable } from 'svelte/store';

export type ViewName = 'hardware' | 'new-search' | 'live' | 'results' | 'export';
export const VIEWS: { name: ViewName; label: string }[] = [
  { name: 'hardware', label: 'Hardware' },
  { name: 'new-search', label: 'New search' },
  { name: 'live', label: 'Live run' },
  { name: 'results', label: 'Results' },
  { name: 'export', label: 'Export' },
];

/** The view from the URL hash (#/results), so a reload stays where the user was. */
export function viewFromHash(hash: string): ViewName {
  const name = hash.replace(/^#\/?/, '');
  return VIEWS.some((v) => v.name === name) ? (name as ViewName) : 'hardware';
}

export const view = writable<ViewName>(typeof location === 'undefined' ? 'hardware' : viewFromHash(location.hash));
/** The run the Results and Export views show. */
export const selectedRunId = writable<string | undefined>(undefined);

export function go(to: ViewName): void {
  view.set(to);
  if (typeof history !== 'undefined') history.replaceState(null, '', `#/${to}`);
}
