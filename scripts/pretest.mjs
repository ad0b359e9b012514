// Everything `npm test` needs on a fresh machine: npm dependencies, and Debian's Chromium for the
// browser tests (Playwright's own browser download cannot reach its host here). Installs what it can;
// otherwise says exactly what to install.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ensureNodeModules } from './ensure-deps.mjs';

export const CHROMIUM = process.env.NAS_STUDIO_CHROMIUM ?? '/usr/bin/chromium';

function run(command, args) {
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return result.status === 0;
}

function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = existsSync('/usr/bin/apt-get');
  if (isRoot && hasApt) {
    console.log(`[setup] ${CHROMIUM} is missing: installing Debian's chromium (apt-get)…`);
    if (run('apt-get', ['update', '-qq']) && run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'])) return;
  }
  console.error(
    `[setup] The browser tests need Chromium at ${CHROMIUM}. Install it with:\n` +
      (hasApt ? '  sudo apt-get update && sudo apt-get install -y chromium\n' : '  your system package manager (package "chromium")\n') +
      'or point NAS_STUDIO_CHROMIUM at a Chromium/Chrome binary.',
  );
  process.exit(1);
}

ensureNodeModules();
ensureChromium();
