import { existsSync } from 'node:fs';
import type { CudaInfo } from '../hardware/hardware.types.js';
import { probeCuda, TFJS_CUDART } from '../hardware/cuda-probe.js';

/**
 * Whether loading @tensorflow/tfjs-node-gpu is worth trying. It is built against CUDA 11.2 and cuDNN 8.1
 * (TensorFlow 2.9): a driver alone (/proc/driver/nvidia/version) is not enough, a CUDA 12 machine fails on
 * libcudart.so.11.0. So it is tried only where cuda-probe's child process actually loaded the CUDA 11 runtime.
 */
export interface GpuGate {
  tryIt: boolean;
  why: string;
}

const LABEL = "TensorFlow's native GPU library";

/** The decision from a CUDA probe's answer (pure, so tests can hand it any machine). */
export function nativeGpuGate(cuda: CudaInfo | undefined, platform: NodeJS.Platform = process.platform): GpuGate {
  if (!cuda) return { tryIt: false, why: `${LABEL} was not tried: no NVIDIA graphics driver was found on this computer.` };
  if (!cuda.nvidiaSmi.found) return { tryIt: false, why: `${LABEL} was not tried: no NVIDIA graphics card with a working driver (${cuda.nvidiaSmi.detail}).` };
  const wanted = TFJS_CUDART[platform] ?? 'the CUDA 11 runtime';
  if (!cuda.cudaRuntime.found) {
    return { tryIt: false, why: `${LABEL} was not tried: an NVIDIA graphics card is present but no CUDA runtime loads (it needs ${wanted}, CUDA 11.2 with cuDNN 8.1).` };
  }
  if (!cuda.tfjsCompatible) {
    return {
      tryIt: false,
      why: `${LABEL} was not tried: it needs CUDA 11.2 (${wanted}) and cuDNN 8.1, and this computer has ${cuda.cudaRuntime.libraries.join(', ')}; WebGPU uses the same card without CUDA.`,
    };
  }
  return { tryIt: true, why: `CUDA 11 loads (${cuda.cudaRuntime.detail}).` };
}

/** Linux without the NVIDIA kernel driver skips the probe's subprocesses altogether. */
export async function probeNativeGpu(): Promise<GpuGate> {
  if (process.platform === 'darwin') return { tryIt: false, why: `${LABEL} was not tried: macOS has no CUDA.` };
  if (process.platform === 'linux' && !existsSync('/proc/driver/nvidia/version')) return nativeGpuGate(undefined);
  return nativeGpuGate(await probeCuda());
}
