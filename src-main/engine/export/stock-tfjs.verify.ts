import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Runs an exported TF.js folder in stock @tensorflow/tfjs, in a fresh Node process that imports nothing
 * of NAS Studio: no gradient registrations, no kernels of ours, so it computes what a user's browser or
 * Node app loading model.json computes. (Inside Electron, the same binary runs as plain Node.)
 */

// Reads model.json and its weight files itself (tfjs without tfjs-node has no file:// loader).
const SCRIPT = String.raw`
const [tfjsUrl, folder, inputsPath, shapeJson, outPath] = process.argv.slice(1);
const { readFileSync, writeFileSync } = await import('node:fs');
const { join } = await import('node:path');
const mod = await import(tfjsUrl);
const tf = mod.default ?? mod;
await tf.setBackend('cpu');
const json = JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8'));
const weightSpecs = json.weightsManifest.flatMap((g) => g.weights);
const parts = json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(folder, p))));
const all = Buffer.concat(parts);
const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs, weightData }));
const raw = readFileSync(inputsPath);
const x = tf.tensor(new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4), JSON.parse(shapeJson));
const y = model.predict(x);
const out = y.dataSync();
writeFileSync(outPath, Buffer.from(out.buffer, out.byteOffset, out.byteLength));
console.log('NAS_RESULT ' + tf.version.tfjs);
`;

export interface StockTfjsResult {
  outputs: Float32Array;
  runtime: string;
}

/** Predicts `inputs` ([N, ...inputShape], flat) with the model in `folder`, in stock tfjs in a new process. */
export async function runStockTfjs(folder: string, inputs: Float32Array, shape: number[]): Promise<StockTfjsResult> {
  const tfjsUrl = pathToFileURL(createRequire(import.meta.url).resolve('@tensorflow/tfjs')).href;
  const dir = await mkdtemp(join(tmpdir(), 'nas-tfjs-'));
  try {
    const inputsPath = join(dir, 'inputs.bin');
    const outPath = join(dir, 'outputs.bin');
    await writeFile(inputsPath, new Uint8Array(inputs.buffer, inputs.byteOffset, inputs.byteLength));
    const { code, out } = await new Promise<{ code: number | null; out: string }>((done, reject) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', SCRIPT, tfjsUrl, folder, inputsPath, JSON.stringify(shape), outPath], {
        env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let text = '';
      child.stdout.on('data', (d: Buffer) => (text += d.toString()));
      child.stderr.on('data', (d: Buffer) => (text += d.toString()));
      child.on('error', reject);
      child.on('close', (c) => done({ code: c, out: text }));
    });
    const version = /NAS_RESULT (\S+)/.exec(out);
    if (code !== 0 || !version) {
      const lines = out.trim().split('\n').filter((l) => /error/i.test(l)).slice(0, 2).join(' | ');
      throw new Error(`stock TensorFlow.js could not run ${join(folder, 'model.json')}: ${lines || out.trim().slice(-300) || `exit ${code}`}`);
    }
    const buf = await readFile(outPath);
    return {
      outputs: new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)),
      runtime: `stock @tensorflow/tfjs ${version[1]} in a fresh Node process`,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
