import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportCArray, resolverMethods, tensorArenaBytes, verifyCArrayWithGpp } from '../../../src-main/engine/export/c-array.export.js';
import { buildExportGraph } from '../../../src-main/engine/export/export-graph.js';
import { peakActivationBytes } from '../../../src-main/engine/export/model-report.js';
import { exportTflite } from '../../../src-main/engine/export/tflite.export.js';
import { denoiser, harModel, mnistLikeClassifier, sampleInputs } from './export-fixtures.js';
import { readTflite } from './tflite-reader.js';

describe('C array export', () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  for (const [name, make] of [['mnist', mnistLikeClassifier], ['denoiser', denoiser], ['har', harModel]] as const) {
    it(`${name}: model_data.cc compiles with g++ and holds exactly the int8 .tflite bytes`, async () => {
      const model = make();
      const graph = buildExportGraph(model);
      const calibration = sampleInputs(model, 32, 11);
      const int8 = await exportTflite(model, { graph, quantize: 'int8', calibration });
      const c = exportCArray(int8, graph);
      expect(c.source).toContain('alignas(16) const unsigned char g_model_data[] = {');
      expect(c.source).toContain(`const unsigned int g_model_data_len = ${int8.bytes.length};`);
      expect(c.header).toContain(`#define G_MODEL_DATA_TENSOR_ARENA_SIZE ${c.arenaBytes}`);
      expect(c.arenaBytes).toBeGreaterThanOrEqual(peakActivationBytes(graph, 1));
      expect(c.arenaBytes % 16).toBe(0);
      expect(c.arenaSource).toBe('estimate');
      expect(c.header).toContain(`#define G_MODEL_DATA_INPUT_ZERO_POINT ${int8.io!.input.zeroPoint}`);
      // The example registers exactly the operators the file holds (read back by the test's own reader).
      const used = new Set(readTflite(int8.bytes).operators.map((o) => o.builtinCode));
      const registered = [...c.example.matchAll(/resolver\.(Add\w+)\(\)/g)].map((m) => m[1]);
      expect(registered.sort()).toEqual(resolverMethods([...used]).sort());
      expect(c.example).toContain(`MicroMutableOpResolver<${used.size}>`);
      const dir = await mkdtemp(join(tmpdir(), 'carray-'));
      dirs.push(dir);
      await writeFile(join(dir, 'model_data.h'), c.header);
      await writeFile(join(dir, 'model_data.cc'), c.source);
      expect(await verifyCArrayWithGpp(dir, int8.bytes)).toBeNull();
      // the check notices a mismatch
      const other = int8.bytes.slice();
      other[other.length - 1] ^= 0xff;
      expect(await verifyCArrayWithGpp(dir, other)).toMatch(/differs/);
      calibration.dispose();
      model.dispose();
    });
  }

  it('the header carries the arena TFLite Micro measured, when given, and says so', async () => {
    const model = harModel();
    const graph = buildExportGraph(model);
    const calibration = sampleInputs(model, 16, 2);
    const c = exportCArray(await exportTflite(model, { graph, quantize: 'int8', calibration }), graph, { measuredArenaBytes: 12345 });
    expect(c.arenaSource).toBe('tflite-micro');
    expect(c.header).toContain('#define G_MODEL_DATA_TENSOR_ARENA_SIZE 12345');
    expect(c.header).toMatch(/what TFLite Micro used/);
    calibration.dispose();
    model.dispose();
  });

  it('arena estimate follows the documented formula', () => {
    const graph = buildExportGraph(harModel());
    const channels = graph.ops.reduce((n, o) => n + ('bias' in o ? o.bias.length : 0), 0);
    const raw = Math.ceil(1.25 * peakActivationBytes(graph, 1)) + 64 * graph.tensors.size + 192 * graph.ops.length + 8 * channels + 4096;
    expect(tensorArenaBytes(graph)).toBe(Math.ceil(raw / 16) * 16);
  });
});
