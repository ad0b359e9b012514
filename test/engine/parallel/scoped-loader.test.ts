import { tsImport } from 'tsx/esm/api';
import { describe, expect, it } from 'vitest';

// The serve mode and Electron's engine host load the engine through tsx's scoped import, which tags
// module URLs with ?tsx-namespace=…; training workers must still find and load the replica modules.
describe('replica workers under a scoped TypeScript loader', () => {
  it('start and train when the engine itself was loaded with tsImport', async () => {
    const retrain = (await tsImport('../../../src-main/engine/derive/retrain.ts', import.meta.url)) as typeof import('../../../src-main/engine/derive/retrain.js');
    const spec = (await tsImport('../../../src-main/engine/derive/derived.replica.ts', import.meta.url)) as typeof import('../../../src-main/engine/derive/derived.replica.js');
    const backend = (await tsImport('../../../src-main/engine/backend/select-backend.ts', import.meta.url)) as typeof import('../../../src-main/engine/backend/select-backend.js');
    await backend.selectBackend();
    const replica = spec.derivedReplicaSpec({
      genotype: '|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|skip_connect~0|skip_connect~1|avg_pool_3x3~2|',
      task: 'classification',
      model: { channels: 4, cells: 3, nodes: 4, stemMultiplier: 1, stemStride: 1, reductions: true, seed: 1 },
      learningRate: 1e-3,
    });
    expect(replica.module).not.toContain('?');
    const n = 16;
    const train = { name: 'tiny', x: new Float32Array(n * 8 * 8), xShape: [n, 8, 8, 1], y: Int32Array.from({ length: n }, (_, i) => i % 2), classes: ['a', 'b'] };
    const events: { type: string; message?: string }[] = [];
    const result = await retrain.retrainModel(replica, train, { epochs: 1, batchSize: 8, seed: 1, replicas: 2, scoreName: 'accuracy', onEvent: (e) => events.push(e) });
    expect(events.filter((e) => e.type === 'log').map((e) => e.message)).toEqual([]);
    expect(result.replicas).toBe(2);
    result.model.dispose();
  }, 120_000);
});
