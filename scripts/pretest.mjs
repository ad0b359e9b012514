// Everything `npm test` needs on a fresh machine: the npm dependencies, and Debian packages —
// chromium (browser tests and TFLite verification: Playwright's own browser download cannot reach its
// host here), python3-onnx (an independent ONNX checker) and wabt (assembles the SIMD kernels' source). Installs what it can; otherwise says
// exactly what to install.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ensureNodeModules } from './ensure-deps.mjs';

export const CHROMIUM = process.env.NAS_STUDIO_CHROMIUM ?? '/usr/bin/chromium';

const DEBIAN_PACKAGES = [
  { name: 'chromium', present: () => existsSync(CHROMIUM) },
  { name: 'python3-onnx', present: () => spawnSync('/usr/bin/python3', ['-c', 'import onnx'], { stdio: 'ignore' }).status === 0 },
  // wat2wasm: a test re-assembles the SIMD gradient kernels and compares them with the committed bytes.
  { name: 'wabt', present: () => existsSync('/usr/bin/wat2wasm') },
];

function run(command, args) {
  return spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0;
}

function ensureDebianPackages() {
  const missing = DEBIAN_PACKAGES.filter((p) => !p.present()).map((p) => p.name);
  if (missing.length === 0) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = existsSync('/usr/bin/apt-get');
  if (isRoot && hasApt) {
    console.log(`[setup] installing Debian packages: ${missing.join(' ')} (apt-get)…`);
    if (run('apt-get', ['update', '-qq']) && run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing])) return;
  }
  console.error(
    `[setup] The tests need these Debian packages: ${missing.join(', ')}. Install them with:\n` +
      `  sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}\n` +
      '(or point NAS_STUDIO_CHROMIUM at a Chromium/Chrome binary).',
  );
  process.exit(1);
}

ensureNodeModules();
ensureDebianPackages();
