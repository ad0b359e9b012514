import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDerivedModel } from '../../../src-main/engine/derive/build-derived-model.js';
import { exportModel } from '../../../src-main/engine/export/export-run.js';
import { runStockTfjs } from '../../../src-main/engine/export/stock-tfjs.verify.js';
import { CHROMIUM_PATH } from '../../../src-main/engine/export/tflite-browser.verify.js';
import { parseGenotype } from '../../../src-main/engine/space/genotype.js';
import { classificationTask } from '../../../src-main/engine/tasks/classification.task.js';
import { Rng } from '../../../src-main/engine/util/rng.js';

// The quick preset's DARTS-space MNIST skeleton (C = 8, 5 cells) with DARTS_V2, whose cells hold dil_conv
// at stride 1 and 2: the case stock tfjs used to run undilated.
const GENOTYPE = readFileSync(fileURLToPath(new URL('../../fixtures/genotypes/darts-v2.txt', import.meta.url)), 'utf8');

function quickDartsModel(): tf.LayersModel {
  const model = buildDerivedModel(parseGenotype(GENOTYPE), classificationTask([28, 28, 1], 10), { channels: 8, cells: 5, nodes: 4, stemMultiplier: 3, stemStride: 2, reductions: true, seed: 1 });
  // Batch-norm statistics away from the identity, as after training.
  const rng = new Rng(4);
  for (const layer of model.layers.filter((l) => l.getClassName() === 'BatchNormalization')) {
    layer.setWeights(layer.getWeights().map((w, i) => tf.tensor(Float32Array.from({ length: w.size }, () => (i === 3 ? 0.5 + rng.next() : i === 0 ? 0.5 + rng.next() : 0.2 * rng.normal())), w.shape)));
  }
  return model;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Stock tf.min.js in Chromium loads tfjs/model.json over http and predicts. */
async function predictInChromium(folder: string, inputs: Float32Array, shape: number[]): Promise<Float32Array> {
  const tfjsDir = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs/package.json'));
  const files: Record<string, { body: Buffer | string; type: string }> = {
    '/': { body: '<!doctype html><script src="/tf.min.js"></script>', type: 'text/html' },
    '/tf.min.js': { body: readFileSync(join(tfjsDir, 'dist', 'tf.min.js')), type: 'text/javascript' },
  };
  const json = JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] };
  files['/model/model.json'] = { body: readFileSync(join(folder, 'model.json')), type: 'application/json' };
  for (const p of json.weightsManifest.flatMap((g) => g.paths)) files[`/model/${p}`] = { body: readFileSync(join(folder, p)), type: 'application/octet-stream' };
  const server = createServer((req, res) => {
    const f = files[(req.url ?? '/').split('?')[0]];
    if (!f) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': f.type }).end(f.body);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as { port: number }).port;
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => (globalThis as any).tf !== undefined);
    const out = await page.evaluate(async ({ data, shape }) => {
      const t = (globalThis as any).tf;
      await t.setBackend('cpu');
      const model = await t.loadLayersModel('/model/model.json');
      return Array.from(model.predict(t.tensor(data, shape)).dataSync() as Float32Array);
    }, { data: Array.from(inputs), shape });
    return Float32Array.from(out);
  } finally {
    await browser.close();
    server.close();
  }
}

describe('a saved model means the same in every runtime', () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it('the quick DARTS-space MNIST model: stock tfjs (fresh Node, Chromium) matches its ONNX export in onnxruntime within 1e-3', async () => {
    const model = quickDartsModel();
    expect(model.layers.filter((l) => l.getClassName() === 'SeparableConv2D' && (l.getConfig().dilationRate as number[])[0] === 2).length).toBeGreaterThan(0);
    const root = await mkdtemp(join(tmpdir(), 'stock-'));
    dirs.push(root);
    const x = tf.randomUniform([8, 28, 28, 1], 0, 1, 'float32', 3);
    await exportModel(model, { formats: ['tfjs', 'onnx'], outDir: join(root, 'export'), testInputs: x });
    const inputs = Float32Array.from(x.dataSync());
    const session = await ort.InferenceSession.create(await readFile(join(root, 'export', 'model.onnx')));
    const onnx = (await session.run({ input: new ort.Tensor('float32', inputs, x.shape) })).output.data as Float32Array;
    await session.release();
    const node = await runStockTfjs(join(root, 'export', 'tfjs'), inputs, x.shape);
    expect(node.runtime).toMatch(/stock @tensorflow\/tfjs 4\.22\.0/);
    expect(maxAbsDiff(node.outputs, onnx)).toBeLessThan(1e-3);
    if (existsSync(CHROMIUM_PATH)) expect(maxAbsDiff(await predictInChromium(join(root, 'export', 'tfjs'), inputs, x.shape), onnx)).toBeLessThan(1e-3);
    // The check can fail: the same model run undilated (what stock tfjs did with the old layout) is far off.
    const undilated = join(root, 'undilated');
    await cp(join(root, 'export', 'tfjs'), undilated, { recursive: true });
    const json = await readFile(join(undilated, 'model.json'), 'utf8');
    expect(json).toContain('"dilation_rate":[2,2]');
    await writeFile(join(undilated, 'model.json'), json.replaceAll('"dilation_rate":[2,2]', '"dilation_rate":[1,1]'));
    expect(maxAbsDiff((await runStockTfjs(undilated, inputs, x.shape)).outputs, onnx)).toBeGreaterThan(1e-2);
    x.dispose();
    model.dispose();
  });
});
