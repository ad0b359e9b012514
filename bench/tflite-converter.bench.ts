/**
 * Our int8 .tflite writer against TensorFlow's own converter, on the same models, weights and calibration
 * images: file size, the arena TFLite Micro needs for each, and how often the two int8 models agree with
 * the float model on MNIST test images (both run in LiteRT). Results go to docs/export.md.
 *
 *   npm run bench:tflite-converter
 *
 * The first run makes bench/.tf-venv (pip install tensorflow-cpu, about 600 MB; PyPI) unless
 * NAS_BENCH_TF_PYTHON names a Python that has TensorFlow. TFLite Micro and LiteRT come from the project's
 * .venv (npm test's pretest makes it). Writes bench/results/tflite-converter.json and prints a table.
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDerivedModel, type DerivedModelOptions } from '../src-main/engine/derive/build-derived-model.js';
import { loadMnist } from '../src-main/engine/data/mnist.js';
import { buildExportGraph } from '../src-main/engine/export/export-graph.js';
import { runTfliteInPython } from '../src-main/engine/export/python-tflite.js';
import { quantizeArray, dequantizeArray } from '../src-main/engine/export/quantize.js';
import { saveTfjsFolder } from '../src-main/engine/export/tfjs.export.js';
import { exportTflite } from '../src-main/engine/export/tflite.export.js';
import { parseGenotype } from '../src-main/engine/space/genotype.js';
import { classificationTask } from '../src-main/engine/tasks/classification.task.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const TF_VENV = path.join(HERE, '.tf-venv');
const CALIBRATION = 256;
const TEST = 1000;

function tensorflowPython(): string {
  if (process.env.NAS_BENCH_TF_PYTHON) return process.env.NAS_BENCH_TF_PYTHON;
  const python = path.join(TF_VENV, 'bin', 'python');
  if (!existsSync(python)) {
    console.log(`making ${TF_VENV} with tensorflow-cpu (pip)…`);
    if (spawnSync('python3', ['-m', 'venv', TF_VENV], { stdio: 'inherit' }).status !== 0) throw new Error('python3 -m venv failed');
    if (spawnSync(python, ['-m', 'pip', 'install', '-q', 'tensorflow-cpu==2.21.0'], { stdio: 'inherit' }).status !== 0) throw new Error('pip install tensorflow-cpu failed');
  }
  return python;
}

// Rebuilds the tfjs layers model in Keras 3 (tfjs saves Keras's layer configs), loads the weights by
// name, and converts it with TFLiteConverter to full-integer int8, calibrated on the same images.
const CONVERT = String.raw`
import json, sys, numpy as np, keras, tensorflow as tf
folder, calib_path, shape, out = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4]
j = json.load(open(folder + '/model.json'))
topo = j['modelTopology']
for l in topo['config']['layers']:
    c = l['config']
    for k in list(c):
        if k.endswith('_initializer'):
            c[k] = 'zeros'
    if l['class_name'] == 'InputLayer':
        c['batch_shape'] = c.pop('batch_input_shape')
model = keras.Model.from_config(topo['config'])
raw = open(folder + '/' + j['weightsManifest'][0]['paths'][0], 'rb').read()
values, offset = {}, 0
for spec in j['weightsManifest'][0]['weights']:
    n = int(np.prod(spec['shape'])) if spec['shape'] else 1
    values[spec['name']] = np.frombuffer(raw, dtype=np.float32, count=n, offset=offset).reshape(spec['shape'])
    offset += 4 * n
for v in model.weights:
    # Keras 3 names a DepthwiseConv2D's kernel "kernel"; tfjs (Keras 2) "depthwise_kernel".
    name = v.path if v.path in values else v.path.rsplit('/', 1)[0] + '/depthwise_kernel'
    v.assign(values[name])
calib = np.fromfile(calib_path, dtype=np.float32).reshape([-1] + shape)
def representative():
    for i in range(len(calib)):
        yield [calib[i:i + 1]]
conv = tf.lite.TFLiteConverter.from_keras_model(model)
conv.optimizations = [tf.lite.Optimize.DEFAULT]
conv.representative_dataset = representative
conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
conv.inference_input_type = tf.int8
conv.inference_output_type = tf.int8
open(out, 'wb').write(conv.convert())
`;

interface Row {
  model: string;
  params: number;
  ours: { bytes: number; arenaBytes?: number; agreement: number };
  tensorflow: { bytes: number; arenaBytes?: number; agreement: number };
}

function models(): { name: string; model: tf.LayersModel }[] {
  const g = (f: string) => parseGenotype(readFileSync(path.join(ROOT, 'test', 'fixtures', 'genotypes', f), 'utf8'));
  const quick: DerivedModelOptions = { channels: 8, cells: 5, nodes: 4, stemMultiplier: 3, stemStride: 2, reductions: true, seed: 3 };
  const task = classificationTask([28, 28, 1], 10);
  return [
    { name: 'DARTS_V2, quick skeleton (C 8, 5 cells)', model: buildDerivedModel(g('darts-v2.txt'), task, quick) },
    { name: 'DARTS_V2, C 16', model: buildDerivedModel(g('darts-v2.txt'), task, { ...quick, channels: 16 }) },
    { name: 'NB201 optimum, quick skeleton', model: buildDerivedModel(g('nb201-cifar10-optimum.txt'), task, quick) },
  ];
}

function agreement(floatOut: Float32Array, int8Out: Float32Array, classes: number): number {
  let same = 0;
  const n = floatOut.length / classes;
  const argmax = (a: Float32Array, i: number) => {
    let best = 0;
    for (let c = 1; c < classes; c++) if (a[i * classes + c] > a[i * classes + best]) best = c;
    return best;
  };
  for (let i = 0; i < n; i++) if (argmax(floatOut, i) === argmax(int8Out, i)) same++;
  return same / n;
}

async function main(): Promise<void> {
  const python = tensorflowPython();
  const mnist = loadMnist();
  const size = 28 * 28;
  const calibration = mnist.train.x.subarray(0, CALIBRATION * size);
  const test = mnist.test.x.subarray(0, TEST * size);
  const work = mkdtempSync(path.join(os.tmpdir(), 'tflite-converter-'));
  const rows: Row[] = [];
  try {
    writeFileSync(path.join(work, 'calibration.bin'), calibration);
    for (const { name, model } of models()) {
      const folder = path.join(work, 'tfjs');
      rmSync(folder, { recursive: true, force: true });
      mkdirSync(folder);
      await saveTfjsFolder(model, folder);
      const calib = tf.tensor(calibration, [CALIBRATION, 28, 28, 1]);
      const ours = await exportTflite(model, { graph: buildExportGraph(model), quantize: 'int8', calibration: calib });
      calib.dispose();
      const theirsPath = path.join(work, 'theirs.tflite');
      const converted = spawnSync(python, ['-c', CONVERT, folder, path.join(work, 'calibration.bin'), JSON.stringify([28, 28, 1]), theirsPath], { encoding: 'utf8' });
      if (converted.status !== 0) throw new Error(`TensorFlow's converter failed on ${name}: ${converted.stderr.slice(-800)}`);
      const theirs = new Uint8Array(readFileSync(theirsPath));
      const x = tf.tensor(test, [TEST, 28, 28, 1]);
      const floatOut = tf.tidy(() => (model.predict(x, { batchSize: 256 }) as tf.Tensor).dataSync() as Float32Array);
      x.dispose();
      const measure = async (bytes: Uint8Array, io: { input: { scale: number; zeroPoint: number }; output: { scale: number; zeroPoint: number } }) => {
        const q = Int8Array.from(quantizeArray(Array.from(test), io.input));
        const lite = await runTfliteInPython({ runtime: 'litert', bytes, inputShape: [28, 28, 1], samples: q });
        const micro = await runTfliteInPython({ runtime: 'tflm', bytes, inputShape: [28, 28, 1], samples: q.subarray(0, size) });
        return { bytes: bytes.length, arenaBytes: micro.arenaBytes, agreement: agreement(floatOut, Float32Array.from(dequantizeArray(Array.from(lite.outputs), io.output)), 10) };
      };
      const theirIo = readIo(python, theirsPath);
      rows.push({ model: name, params: model.countParams(), ours: await measure(ours.bytes, ours.io!), tensorflow: await measure(theirs, theirIo) });
      console.log(JSON.stringify(rows.at(-1)));
      model.dispose();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const out = path.join(HERE, 'results', 'tflite-converter.json');
  writeFileSync(out, JSON.stringify({ date: new Date().toISOString().slice(0, 10), tensorflow: '2.21.0 (tensorflow-cpu, TFLiteConverter, full-integer int8)', calibrationImages: CALIBRATION, testImages: TEST, rows }, null, 2) + '\n');
  console.log('\n| model | params | ours: bytes | TF: bytes | ours: arena | TF: arena | ours: argmax = float | TF: argmax = float |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.model} | ${r.params} | ${r.ours.bytes} | ${r.tensorflow.bytes} | ${r.ours.arenaBytes} | ${r.tensorflow.arenaBytes} | ${(100 * r.ours.agreement).toFixed(1)} % | ${(100 * r.tensorflow.agreement).toFixed(1)} % |`);
  }
  console.log(`\nwrote ${out}`);
}

/** The converted model's input and output quantisation, read by LiteRT. */
function readIo(python: string, file: string): { input: { scale: number; zeroPoint: number }; output: { scale: number; zeroPoint: number } } {
  const script = "import sys, json, tensorflow as tf\nit = tf.lite.Interpreter(model_path=sys.argv[1])\nq = lambda d: {'scale': float(d['quantization'][0]), 'zeroPoint': int(d['quantization'][1])}\nprint(json.dumps({'input': q(it.get_input_details()[0]), 'output': q(it.get_output_details()[0])}))";
  const r = spawnSync(python, ['-c', script, file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`reading ${file}: ${r.stderr.slice(-400)}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
}

await main();
