import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Runs .tflite models in the TFLite interpreter itself (tfjs-tflite: TFLite compiled to wasm), which
 * only loads in a browser: Debian's Chromium driven by playwright-core, the runtime and models served
 * from 127.0.0.1. This is the independent check of the TFLite writer.
 */

export const CHROMIUM_PATH = process.env.NAS_CHROMIUM_PATH ?? '/usr/bin/chromium';
const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface TfliteRuntimeFiles {
  tfjs: string;
  tflite: string;
  wasmDir: string;
}

/**
 * Finds tf.min.js (the project's tfjs) and tfjs-tflite's dist and wasm: from node_modules when installed,
 * else from NAS_TFLITE_RUNTIME_DIR (a folder holding node_modules/@tensorflow/tfjs-tflite).
 */
export function findTfliteRuntime(): TfliteRuntimeFiles | { missing: string } {
  const require = createRequire(import.meta.url);
  let tfjs: string;
  try {
    tfjs = join(dirname(require.resolve('@tensorflow/tfjs/package.json')), 'dist', 'tf.min.js');
  } catch {
    return { missing: '@tensorflow/tfjs is not installed' };
  }
  const candidates: string[] = [];
  try {
    candidates.push(dirname(require.resolve('@tensorflow/tfjs-tflite/package.json')));
  } catch {
    /* not installed in the project */
  }
  const extra = process.env.NAS_TFLITE_RUNTIME_DIR ?? '/tmp/tflite-rt';
  candidates.push(join(extra, 'node_modules', '@tensorflow', 'tfjs-tflite'));
  for (const dir of candidates) {
    const tflite = join(dir, 'dist', 'tf-tflite.min.js');
    const wasmDir = join(dir, 'wasm');
    if (existsSync(tflite) && existsSync(join(wasmDir, 'tflite_web_api_cc_simd.wasm'))) return { tfjs, tflite, wasmDir };
  }
  return { missing: `@tensorflow/tfjs-tflite is not installed (looked in node_modules and ${extra})` };
}

export interface TfliteRun {
  bytes: Uint8Array;
  inputShape: number[];
  /** int32 for an int8 model (tfjs has no int8; tfjs-tflite narrows int32 to the model's int8). */
  inputDtype: 'float32' | 'int32';
  /** One flat array per sample, each of inputShape's size (batch 1). */
  samples: number[][];
}

function serve(files: Map<string, { body: Uint8Array | string; type: string }>): Promise<{ server: Server; url: string }> {
  return new Promise((resolve, reject) => {
    const server = createServer((req, res) => {
      const file = files.get((req.url ?? '/').split('?')[0]);
      if (!file) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' }).end(file.body);
    });
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (typeof address !== 'object' || !address) return reject(new Error('http server has no address'));
      resolve({ server, url: `http://127.0.0.1:${address.port}` });
    });
  });
}

/** Runs each model on its samples in one Chromium session; returns outputs[model][sample] (flat). */
export async function runTfliteInChromium(runs: TfliteRun[]): Promise<number[][][]> {
  const runtime = findTfliteRuntime();
  if ('missing' in runtime) throw new Error(`tflite verification: ${runtime.missing}`);
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`tflite verification: no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium)`);
  const files = new Map<string, { body: Uint8Array | string; type: string }>();
  files.set('/', { body: '<!doctype html><title>tflite</title><script src="/tf.min.js"></script><script src="/tf-tflite.min.js"></script>', type: 'text/html' });
  files.set('/tf.min.js', { body: readFileSync(runtime.tfjs), type: 'text/javascript' });
  files.set('/tf-tflite.min.js', { body: readFileSync(runtime.tflite), type: 'text/javascript' });
  for (const name of ['tflite_web_api_cc_simd.js', 'tflite_web_api_cc_simd.wasm', 'tflite_web_api_cc.js', 'tflite_web_api_cc.wasm', 'tflite_web_api_client.js']) {
    const path = join(runtime.wasmDir, name);
    if (existsSync(path)) files.set(`/wasm/${name}`, { body: readFileSync(path), type: name.endsWith('.wasm') ? 'application/wasm' : 'text/javascript' });
  }
  runs.forEach((r, i) => files.set(`/model${i}.tflite`, { body: r.bytes, type: 'application/octet-stream' }));

  const { chromium } = await import('playwright-core');
  const { server, url } = await serve(files);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: LAUNCH_ARGS });
  try {
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.goto(url + '/');
    await page.waitForFunction(() => (globalThis as any).tflite !== undefined, undefined, { timeout: 30_000 }).catch(() => {
      throw new Error(`tflite verification: tfjs-tflite did not load in Chromium ${pageErrors.join('; ')}`);
    });
    const specs = runs.map((r, i) => ({ url: `/model${i}.tflite`, inputShape: r.inputShape, inputDtype: r.inputDtype, samples: r.samples }));
    return await page.evaluate(async (models) => {
      const g = globalThis as any;
      g.tflite.setWasmPath('/wasm/');
      const all: number[][][] = [];
      for (const m of models) {
        const model = await g.tflite.loadTFLiteModel(m.url, { numThreads: 1 });
        const outs: number[][] = [];
        for (const s of m.samples) {
          const x = g.tf.tensor(s, m.inputShape, m.inputDtype);
          const y = model.predict(x);
          outs.push(Array.from(y.dataSync() as ArrayLike<number>));
          x.dispose();
          y.dispose();
        }
        all.push(outs);
      }
      return all;
    }, specs);
  } finally {
    await browser.close();
    server.close();
  }
}
