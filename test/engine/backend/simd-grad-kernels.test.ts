import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BYTES_MODULE_PATH, assembleGradKernels, bytesModuleSource } from '../../../src-main/engine/backend/simd/build-grad-kernels.js';
import { GRAD_KERNELS_WASM_BASE64 } from '../../../src-main/engine/backend/simd/grad-kernels.wasm.js';

function hasWat2wasm(): boolean {
  try {
    execFileSync('wat2wasm', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('SIMD gradient kernels (simd/grad-kernels.wat)', () => {
  it('the embedded bytes are a valid wasm module exporting its loops', () => {
    const module = new WebAssembly.Module(Buffer.from(GRAD_KERNELS_WASM_BASE64, 'base64'));
    const names = WebAssembly.Module.exports(module).map((e) => e.name).sort();
    expect(names).toEqual(['addRowVector', 'affineRows', 'centeredDotRows', 'copyRows', 'depthwiseFilterRow', 'maxPoolTap', 'mulRowVector', 'subRowVector', 'sumRows']);
    expect(WebAssembly.Module.imports(module)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
  });

  // Needs wabt (apt-get install wabt); without it the committed bytes cannot be checked against the source.
  it.skipIf(!hasWat2wasm())('the embedded bytes are what the committed .wat assembles to (rerun build-grad-kernels.ts if not)', () => {
    expect(readFileSync(BYTES_MODULE_PATH, 'utf8')).toBe(bytesModuleSource(assembleGradKernels()));
  });
});
