import { derived, writable, type Readable } from 'svelte/store';

/** 'system' follows prefers-color-scheme; the toggle pins light or dark and remembers it. */
export type ThemeChoice = 'system' | 'light' | 'dark';
const KEY = 'nas-studio-theme';

function saved(): ThemeChoice {
  try {
    const value = localStorage.getItem(KEY);
    return value === 'light' || value === 'dark' ? value : 'system';
  } catch {
    return 'system';
  }
}

export const theme = writable<ThemeChoice>(typeof localStorage === 'undefined' ? 'system' : saved());

/** The theme actually shown, given the choice and the system preference. */
export function effectiveTheme(choice: ThemeChoice, systemDark: boolean): 'light' | 'dark' {
  return choice === 'system' ? (systemDark ? 'dark' : 'light') : choice;
}

export function applyTheme(choice: ThemeChoice): void {
  const root = document.documentElement;
  if (choice === 'system') root.removeAttribute('data-theme');
  else root.setAttribute('data-theme', choice);
  try {
    if (choice === 'system') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, choice);
  } catch {
    // Storage may be off (private windows); the choice still holds for this page.
  }
}

export function systemPrefersDark(): boolean {
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches;
}

/** True while the page shows the dark theme (the choice, or the system's when the choice is 'system'). */
export const isDark: Readable<boolean> = derived(theme, (choice, set) => {
  if (typeof matchMedia !== 'function') {
    set(choice === 'dark');
    return;
  }
  const query = matchMedia('(prefers-color-scheme: dark)');
  const update = (): void => set(effectiveTheme(choice, query.matches) === 'dark');
  update();
  query.addEventListener('change', update);
  return () => query.removeEventListener('change', update);
});
