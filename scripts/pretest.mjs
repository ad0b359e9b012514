// Everything `npm test` needs on a fresh machine: the npm dependencies, the project's Python virtual
// environment (.venv: TFLite Micro and LiteRT, which run the exported .tflite files), and Debian packages —
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
  // The Vulkan loader: WebGPU (Dawn) reaches chromium's SwiftShader driver through it in the webgpu tests.
  { name: 'libvulkan1', present: () => ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib/aarch64-linux-gnu/libvulkan.so.1'].some((f) => existsSync(f)) },
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

// Pinned: the TFLite runtimes the export checks were measured with (docs/export.md).
const PYTHON_PACKAGES = ['ai-edge-litert==2.3.0', 'tflite-micro==0.dev20261023182759'];
const VENV = '.venv';
const VENV_PYTHON = process.platform === 'win32' ? `${VENV}/Scripts/python.exe` : `${VENV}/bin/python`;

function ensurePythonVenv() {
  const probe = "import ai_edge_litert, tflite_micro";
  if (existsSync(VENV_PYTHON) && spawnSync(VENV_PYTHON, ['-c', probe], { stdio: 'ignore' }).status === 0) return;
  const python = ['python3', 'python'].find((p) => spawnSync(p, ['--version'], { stdio: 'ignore' }).status === 0);
  const fix = `  python3 -m venv ${VENV} && ${VENV_PYTHON} -m pip install ${PYTHON_PACKAGES.join(' ')}`;
  if (!python) {
    console.error(`[setup] The tests need Python 3 (3.9 to 3.12) for TFLite Micro and LiteRT. Install it (Debian: apt-get install -y python3 python3-venv), then:\n${fix}`);
    process.exit(1);
  }
  console.log(`[setup] creating ${VENV} with ${PYTHON_PACKAGES.join(', ')} (pip)…`);
  const ok = (existsSync(VENV_PYTHON) || run(python, ['-m', 'venv', VENV])) && run(VENV_PYTHON, ['-m', 'pip', 'install', '-q', '--disable-pip-version-check', ...PYTHON_PACKAGES]);
  if (ok && spawnSync(VENV_PYTHON, ['-c', probe], { stdio: 'ignore' }).status === 0) return;
  console.error(`[setup] Could not set up ${VENV}. Run:\n${fix}`);
  process.exit(1);
}

ensureNodeModules();
ensureDebianPackages();
ensurePythonVenv();
