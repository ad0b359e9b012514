import * as tf from '@tensorflow/tfjs';
import { existsSync, statSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { ExportReport, ExportReportEntry } from '../../contract/channels.js';
import { exportCArray, tensorArenaBytes, verifyCArrayWithGpp } from './c-array.export.js';
import { buildExportGraph, readWeightsToHost } from './export-graph.js';
import { modelReport } from './model-report.js';
import { exportOnnx } from './onnx.export.js';
import { dequantizeArray } from './quantize.js';
import { runStockTfjs } from './stock-tfjs.verify.js';
import { saveTfjsFolder } from './tfjs.export.js';
import { runOnMicrocontroller, runTfliteChecks, type Int8Agreement } from './tflite-checks.js';
import { exportTflite, type TfliteExport } from './tflite.export.js';

export type ExportFormat = 'tfjs' | 'onnx' | 'tflite' | 'tflite-int8' | 'c';

export interface ExportMetric {
  name: string;
  x: tf.Tensor;
  y: tf.Tensor;
  /** Higher or lower is better, the caller knows; it gets predictions shaped like model.predict(x). */
  compute: (predictions: tf.Tensor, y: tf.Tensor) => number;
}

export interface ExportOptions {
  formats: ExportFormat[];
  outDir: string;
  /** Representative inputs for int8 calibration (a few hundred), [N, ...inputShape]. */
  calibration?: tf.Tensor;
  /** Inputs every format is checked on, [N, ...inputShape]; keep N modest (TFLite runs batch 1). */
  testInputs: tf.Tensor;
  metric?: ExportMetric;
}

/** Float formats must match tfjs this closely (max abs). */
export const FLOAT_TOLERANCE = 1e-4;
/** int8 classifiers must agree with float on argmax this often. */
export const INT8_ARGMAX_AGREEMENT = 0.95;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function argmaxAgreement(a: Float32Array, b: Float32Array, classes: number): number {
  const n = a.length / classes;
  let same = 0;
  for (let i = 0; i < n; i++) {
    let ia = 0;
    let ib = 0;
    for (let c = 1; c < classes; c++) {
      if (a[i * classes + c] > a[i * classes + ia]) ia = c;
      if (b[i * classes + c] > b[i * classes + ib]) ib = c;
    }
    if (ia === ib) same++;
  }
  return same / n;
}

/** int8 outputs (dequantised) against float: argmax agreement for classifiers, else 10 % of the output range. */
export function int8Agreement(want: Float32Array, got: Float32Array, outShape: number[]): Int8Agreement {
  const diff = maxAbsDiff(want, got);
  const classes = outShape.length === 2 ? outShape[1] : 0;
  if (classes > 1) {
    const agreement = argmaxAgreement(want, got, classes);
    return { verified: agreement >= INT8_ARGMAX_AGREEMENT, maxAbsDiff: diff, agreement, note: `argmax agrees with float on ${(agreement * 100).toFixed(1)} % of ${want.length / classes} inputs` };
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of want) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return { verified: diff <= 0.1 * (hi - lo), maxAbsDiff: diff, note: `max abs diff ${diff.toPrecision(3)} against an output range of ${(hi - lo).toPrecision(3)} (limit 10 %)` };
}

/**
 * Exports `model` in each format to `outDir` (written in a temp folder beside it, then renamed into
 * place, so an existing export stays whole until the new one is complete), verifies each with an
 * independent runtime, and writes report.json.
 */
export async function exportModel(model: tf.LayersModel, options: ExportOptions): Promise<ExportReport> {
  const { formats, outDir, testInputs } = options;
  if (formats.length === 0) throw new Error('export: no formats requested');
  const wantsInt8 = formats.includes('tflite-int8') || formats.includes('c');
  if (wantsInt8 && !options.calibration) throw new Error('export: tflite-int8 and c need calibration inputs');

  const parent = dirname(outDir);
  await mkdir(parent, { recursive: true });
  const tmp = join(parent, `.${basename(outDir)}.tmp-${process.pid}-${Date.now()}`);
  await mkdir(tmp, { recursive: true });
  try {
    // Awaited reads first (GPU backends have no synchronous one): the weights, the test inputs and the expected outputs.
    await readWeightsToHost(model);
    const inputValues = Float32Array.from(await testInputs.data());
    const graph = buildExportGraph(model);
    const expected = tf.tidy(() => model.predict(testInputs) as tf.Tensor);
    const want = (await expected.data()) as Float32Array;
    const outShape = expected.shape;
    expected.dispose();
    const entries: ExportReportEntry[] = [];
    const bytesPerFormat: Record<string, number> = {};
    const add = (e: ExportReportEntry): void => {
      entries.push(e);
      bytesPerFormat[e.format] = e.bytes;
    };

    if (formats.includes('tfjs')) {
      const folder = join(tmp, 'tfjs');
      await mkdir(folder);
      const files = await saveTfjsFolder(model, folder);
      const stock = await runStockTfjs(folder, inputValues, testInputs.shape);
      const diff = maxAbsDiff(want, stock.outputs);
      add({ format: 'tfjs', file: 'tfjs/model.json', bytes: files.reduce((s, f) => s + statSync(join(folder, f)).size, 0), verified: diff <= FLOAT_TOLERANCE, maxAbsDiff: diff, runtime: stock.runtime });
    }

    if (formats.includes('onnx')) {
      const bytes = exportOnnx(model, graph);
      await writeFile(join(tmp, 'model.onnx'), bytes);
      const session = await ort.InferenceSession.create(bytes);
      const result = await session.run({ input: new ort.Tensor('float32', inputValues, testInputs.shape) });
      const diff = maxAbsDiff(want, result.output.data as Float32Array);
      await session.release();
      add({ format: 'onnx', file: 'model.onnx', bytes: bytes.length, verified: diff <= FLOAT_TOLERANCE, maxAbsDiff: diff, runtime: 'onnxruntime-node (CPU)' });
    }

    let float: TfliteExport | undefined;
    let int8: TfliteExport | undefined;
    if (formats.includes('tflite')) float = await exportTflite(model, { graph });
    if (wantsInt8) int8 = await exportTflite(model, { graph, quantize: 'int8', calibration: options.calibration });
    if (float) await writeFile(join(tmp, 'model.tflite'), float.bytes);
    if (int8) await writeFile(join(tmp, 'model_int8.tflite'), int8.bytes);

    const tflite = await runTfliteChecks({ float, int8, testInputs, metricInputs: options.metric?.x });
    if (float) {
      const got = tflite.float;
      const diff = got ? maxAbsDiff(want, got) : undefined;
      add({ format: 'tflite', file: 'model.tflite', bytes: float.bytes.length, verified: diff !== undefined && diff <= FLOAT_TOLERANCE, maxAbsDiff: diff, runtime: tflite.runtime, note: tflite.error });
    }
    let metricAfterInt8: number | undefined;
    let microcontroller: ExportReport['microcontroller'];
    if (int8) {
      const io = int8.io!;
      const agreement = tflite.int8 ? int8Agreement(want, dequantizeArray(tflite.int8, io.output), outShape) : undefined;
      if (formats.includes('tflite-int8')) {
        add({ format: 'tflite-int8', file: 'model_int8.tflite', bytes: int8.bytes.length, verified: agreement?.verified ?? false, maxAbsDiff: agreement?.maxAbsDiff, runtime: tflite.runtime, note: agreement?.note ?? tflite.error });
      }
      if (options.metric && tflite.int8Metric) {
        const m = options.metric;
        const pred = tf.tensor(dequantizeArray(tflite.int8Metric, io.output), [m.x.shape[0], ...outShape.slice(1)]);
        metricAfterInt8 = m.compute(pred, m.y);
        pred.dispose();
      }
      microcontroller = await runOnMicrocontroller(int8, testInputs, (got) => int8Agreement(want, dequantizeArray(got, io.output), outShape));
    }

    if (formats.includes('c') && int8) {
      const c = exportCArray(int8, graph, { measuredArenaBytes: microcontroller?.arenaBytes });
      await mkdir(join(tmp, 'c'));
      await writeFile(join(tmp, 'c', 'model_data.h'), c.header);
      await writeFile(join(tmp, 'c', 'model_data.cc'), c.source);
      await writeFile(join(tmp, 'c', 'model_example.cc'), c.example);
      const problem = await verifyCArrayWithGpp(join(tmp, 'c'), int8.bytes);
      const arenaNote = `tensor arena ${c.arenaBytes} bytes (${c.arenaSource === 'tflite-micro' ? 'measured by TFLite Micro' : 'estimate'})`;
      add({ format: 'c', file: 'c/model_data.cc', bytes: c.source.length + c.header.length, verified: problem === null, runtime: 'g++ round trip', note: problem ?? `int8 model, ${arenaNote}` });
      bytesPerFormat.c = int8.bytes.length;
    }

    let metricBefore: number | undefined;
    if (options.metric) {
      const m = options.metric;
      const pred = tf.tidy(() => model.predict(m.x, { batchSize: 256 }) as tf.Tensor);
      metricBefore = m.compute(pred, m.y);
      pred.dispose();
    }
    const costs = modelReport(model, graph, { bytesPerFormat, metricBefore, metricAfterInt8 });
    const report: ExportReport = {
      params: costs.params,
      deployedParams: costs.deployedParams,
      macs: costs.macs,
      peakActivationBytes: costs.peakActivationBytes.float32,
      peakActivationBytesInt8: costs.peakActivationBytes.int8,
      metricName: options.metric?.name,
      metricBefore,
      metricAfterInt8,
      int8Io: int8?.io,
      tensorArenaBytes: microcontroller?.arenaBytes ?? (int8 ? tensorArenaBytes(graph) : undefined),
      tensorArenaSource: int8 ? (microcontroller?.arenaBytes !== undefined ? 'tflite-micro' : 'estimate') : undefined,
      flashBytes: int8?.bytes.length,
      microcontroller,
      metricSamples: options.metric?.x.shape[0],
      layers: costs.layers,
      exports: entries,
    };
    await writeFile(join(tmp, 'report.json'), JSON.stringify(report, null, 2));

    const old = `${tmp}.old`;
    const hadOld = existsSync(outDir);
    if (hadOld) await rename(outDir, old);
    await rename(tmp, outDir);
    if (hadOld) await rm(old, { recursive: true, force: true });
    return report;
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}
