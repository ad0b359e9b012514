import { describe, expect, it } from 'vitest';
import type { CudaInfo } from '../../../src-main/engine/hardware/hardware.types.js';
import { nativeGpuGate } from '../../../src-main/engine/backend/native-gpu-gate.js';

function cuda(smi: boolean, libraries: string[]): CudaInfo {
  return {
    usable: smi && libraries.length > 0,
    tfjsCompatible: smi && (libraries.includes('libcudart.so.11.0') || libraries.includes('cudart64_110.dll')),
    nvidiaSmi: { found: smi, detail: smi ? 'nvidia-smi lists NVIDIA H100' : 'nvidia-smi: not installed (not on PATH)', gpus: smi ? ['NVIDIA H100'] : [], driverVersion: smi ? '560.35' : null },
    cudaRuntime: { found: libraries.length > 0, detail: `${libraries.join(', ')} load`, libraries },
    reason: '',
  };
}

describe('nativeGpuGate: tfjs-node-gpu is tried only where CUDA 11 loads', () => {
  it('no driver: not tried', () => {
    expect(nativeGpuGate(undefined, 'linux')).toEqual({ tryIt: false, why: expect.stringMatching(/no NVIDIA graphics driver/) });
    expect(nativeGpuGate(cuda(false, ['libcudart.so.11.0']), 'linux').tryIt).toBe(false);
  });

  it('a driver (and nvidia-smi) without a CUDA runtime: not tried, and says what it needs', () => {
    const gate = nativeGpuGate(cuda(true, []), 'linux');
    expect(gate.tryIt).toBe(false);
    expect(gate.why).toMatch(/libcudart\.so\.11\.0.*CUDA 11\.2 with cuDNN 8\.1/);
  });

  it('CUDA 12 only: not tried, names what is there and points to WebGPU', () => {
    const gate = nativeGpuGate(cuda(true, ['libcudart.so.12', 'libcudart.so']), 'linux');
    expect(gate.tryIt).toBe(false);
    expect(gate.why).toMatch(/libcudart\.so\.12, libcudart\.so/);
    expect(gate.why).toMatch(/WebGPU/);
  });

  it('CUDA 11 loads: tried', () => {
    expect(nativeGpuGate(cuda(true, ['libcudart.so.11.0', 'libcudart.so.12']), 'linux')).toEqual({ tryIt: true, why: expect.stringMatching(/CUDA 11 loads/) });
    expect(nativeGpuGate(cuda(true, ['cudart64_110.dll']), 'win32').tryIt).toBe(true);
  });
});
