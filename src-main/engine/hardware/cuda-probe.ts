import { execFile } from 'node:child_process';
import type { CudaInfo } from './hardware.types.js';

/** No probe may hang detection: every subprocess is killed after this. */
export const PROBE_TIMEOUT_MS = 2000;

/**
 * CUDA runtime names tfjs-node-gpu 4.x links against (TF 2.9: CUDA 11.2) first, then newer and unversioned
 * names, so the report says what is there even when the version does not fit.
 */
const CUDART_NAMES: Record<string, string[]> = {
  linux: ['libcudart.so.11.0', 'libcudart.so.12', 'libcudart.so.13', 'libcudart.so'],
  win32: ['cudart64_110.dll', 'cudart64_12.dll', 'cudart64_13.dll'],
};
/** The runtime tfjs-node-gpu 4.22 (TensorFlow 2.9) was built against. */
export const TFJS_CUDART: Record<string, string> = { linux: 'libcudart.so.11.0', win32: 'cudart64_110.dll' };

interface ExecOutcome {
  ok: boolean;
  stdout: string;
  error?: string;
}

function run(file: string, args: string[], env?: NodeJS.ProcessEnv): Promise<ExecOutcome> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: PROBE_TIMEOUT_MS, killSignal: 'SIGKILL', windowsHide: true, env }, (error, stdout) => {
      if (!error) return resolve({ ok: true, stdout: String(stdout) });
      const code = (error as NodeJS.ErrnoException).code;
      const reason =
        code === 'ENOENT'
          ? 'not installed (not on PATH)'
          : error.killed
            ? `no answer within ${PROBE_TIMEOUT_MS} ms`
            : error.message.split('\n')[0];
      resolve({ ok: false, stdout: String(stdout ?? ''), error: reason });
    });
  });
}

async function probeNvidiaSmi(): Promise<CudaInfo['nvidiaSmi']> {
  const out = await run('nvidia-smi', ['--query-gpu=name,driver_version', '--format=csv,noheader']);
  if (!out.ok) return { found: false, detail: `nvidia-smi: ${out.error}`, gpus: [], driverVersion: null };
  const rows = out.stdout
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => line.split(',').map((cell) => cell.trim()));
  const gpus = rows.map((cells) => cells[0]);
  const driverVersion = rows[0]?.[1] ?? null;
  return {
    found: gpus.length > 0,
    detail: gpus.length > 0 ? `nvidia-smi lists ${gpus.join(', ')}` : 'nvidia-smi runs but lists no GPU',
    gpus,
    driverVersion,
  };
}

/**
 * Asks the dynamic loader for the CUDA runtime in a child Node process, so a broken driver cannot hang or
 * crash this one. process.dlopen on a plain (non-addon) library throws "did not self-register" AFTER the
 * loader succeeded, and "cannot open shared object file" when it failed: the message tells the two apart.
 */
async function probeCudaRuntime(): Promise<CudaInfo['cudaRuntime']> {
  const names = CUDART_NAMES[process.platform];
  if (!names) return { found: false, detail: `no CUDA runtime exists for ${process.platform}`, libraries: [] };
  const script = `
    const loaded = [];
    for (const name of ${JSON.stringify(names)}) {
      try { process.dlopen({ exports: {} }, name); loaded.push(name); }
      catch (e) { if (/self-register/.test(e.message)) loaded.push(name); }
    }
    console.log(JSON.stringify(loaded));`;
  // Inside Electron, execPath is the Electron binary: ELECTRON_RUN_AS_NODE makes it a plain Node.
  const out = await run(process.execPath, ['-e', script], { ...process.env, ELECTRON_RUN_AS_NODE: '1' });
  if (!out.ok) return { found: false, detail: `CUDA runtime check failed: ${out.error}`, libraries: [] };
  let libraries: string[];
  try {
    libraries = JSON.parse(out.stdout.trim().split('\n').pop() ?? '[]') as string[];
  } catch {
    return { found: false, detail: 'CUDA runtime check gave no readable answer', libraries: [] };
  }
  if (libraries.length === 0) return { found: false, detail: `no CUDA runtime library loads (tried ${names.join(', ')})`, libraries };
  return { found: true, detail: `${libraries.join(', ')} ${libraries.length === 1 ? 'loads' : 'load'}`, libraries };
}

/** Quick, honest CUDA check: both probes run in parallel and each is bounded by PROBE_TIMEOUT_MS. */
export async function probeCuda(): Promise<CudaInfo> {
  if (process.platform === 'darwin') {
    const detail = 'macOS has no CUDA';
    return {
      usable: false,
      nvidiaSmi: { found: false, detail, gpus: [], driverVersion: null },
      cudaRuntime: { found: false, detail, libraries: [] },
      tfjsCompatible: false,
      reason: 'macOS has no CUDA support.',
    };
  }
  const [nvidiaSmi, cudaRuntime] = await Promise.all([probeNvidiaSmi(), probeCudaRuntime()]);
  const usable = nvidiaSmi.found && cudaRuntime.found;
  const wanted = TFJS_CUDART[process.platform];
  const tfjsCompatible = usable && wanted !== undefined && cudaRuntime.libraries.includes(wanted);
  const runtimeNote = cudaRuntime.found ? ` The CUDA runtime is installed (${cudaRuntime.detail}).` : '';
  const reason = !nvidiaSmi.found
    ? `No NVIDIA GPU with a working driver (${nvidiaSmi.detail}).${runtimeNote}`
    : !cudaRuntime.found
      ? `An NVIDIA GPU is present but the CUDA runtime is missing (${cudaRuntime.detail}).`
      : tfjsCompatible
        ? `CUDA is usable: ${nvidiaSmi.detail}; ${cudaRuntime.detail}.`
        : `CUDA works (${cudaRuntime.detail}) but tfjs-node-gpu needs ${wanted ?? 'a CUDA 11 runtime'}, which does not load.`;
  return { usable, tfjsCompatible, nvidiaSmi, cudaRuntime, reason };
}
