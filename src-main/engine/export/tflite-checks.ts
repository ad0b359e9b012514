import type * as tf from '@tensorflow/tfjs';
import type { ExportReport } from '../../contract/channels.js';
import { findPythonRuntimes, runTfliteInPython } from './python-tflite.js';
import { quantizeArray } from './quantize.js';
import { runTfliteInChromium, type TfliteRun } from './tflite-browser.verify.js';
import type { TfliteExport } from './tflite.export.js';

/**
 * Runs the exported .tflite files in TFLite's own runtimes: LiteRT (Python) where it is installed, else
 * the TFLite interpreter compiled to wasm (tfjs-tflite) in Chromium; and the int8 model in TFLite Micro.
 */

export interface TfliteOutputs {
  /** Float model on the check inputs. */
  float?: Float32Array;
  /** int8 model on the check inputs (raw int8 values). */
  int8?: Float32Array;
  /** int8 model on the metric inputs (raw int8 values). */
  int8Metric?: Float32Array;
  runtime: string;
  error?: string;
}

export interface Int8Agreement {
  verified: boolean;
  maxAbsDiff: number;
  note: string;
  agreement?: number;
}

function quantized(x: tf.Tensor, int8: TfliteExport): Int8Array {
  return Int8Array.from(quantizeArray(Array.from(x.dataSync()), int8.io!.input));
}

/** [N, ...shape] flat → one array per sample. */
function perSample(x: tf.Tensor, map: (v: Float32Array) => number[] = (v) => Array.from(v)): number[][] {
  const n = x.shape[0];
  const size = x.size / n;
  const data = x.dataSync() as Float32Array;
  return Array.from({ length: n }, (_, i) => map(data.subarray(i * size, (i + 1) * size)));
}

export async function runTfliteChecks(args: { float?: TfliteExport; int8?: TfliteExport; testInputs: tf.Tensor; metricInputs?: tf.Tensor }): Promise<TfliteOutputs> {
  const { float, int8, testInputs, metricInputs } = args;
  if (!float && !int8) return { runtime: 'none' };
  const python = findPythonRuntimes();
  const shape = testInputs.shape.slice(1);
  if (!('missing' in python) && python.litert) {
    try {
      const run = async (m: TfliteExport, samples: Float32Array | Int8Array) => (await runTfliteInPython({ runtime: 'litert', bytes: m.bytes, inputShape: shape, samples })).outputs;
      return {
        float: float ? await run(float, Float32Array.from(testInputs.dataSync())) : undefined,
        int8: int8 ? await run(int8, quantized(testInputs, int8)) : undefined,
        int8Metric: int8 && metricInputs ? await run(int8, quantized(metricInputs, int8)) : undefined,
        runtime: 'LiteRT (ai-edge-litert, Python)',
      };
    } catch (e) {
      return { runtime: 'LiteRT (ai-edge-litert, Python)', error: (e as Error).message };
    }
  }
  // No LiteRT: one Chromium session runs every check (tfjs-tflite loads only in a browser).
  const runs: TfliteRun[] = [];
  if (float) runs.push({ bytes: float.bytes, inputShape: float.inputShape, inputDtype: 'float32', samples: perSample(testInputs) });
  if (int8) {
    const q = (v: Float32Array): number[] => Array.from(quantizeArray(Array.from(v), int8.io!.input));
    runs.push({ bytes: int8.bytes, inputShape: int8.inputShape, inputDtype: 'int32', samples: perSample(testInputs, q) });
    if (metricInputs) runs.push({ bytes: int8.bytes, inputShape: int8.inputShape, inputDtype: 'int32', samples: perSample(metricInputs, q) });
  }
  const runtime = 'TFLite interpreter (tfjs-tflite wasm) in Chromium';
  try {
    const outputs = (await runTfliteInChromium(runs)).map((o) => Float32Array.from(o.flat()));
    const k = float ? 1 : 0;
    return { float: float ? outputs[0] : undefined, int8: int8 ? outputs[k] : undefined, int8Metric: int8 && metricInputs ? outputs[k + 1] : undefined, runtime };
  } catch (e) {
    return { runtime, error: (e as Error).message };
  }
}

/**
 * Runs the int8 model in TFLite Micro on the check inputs: TFLite Micro measures the arena it needs,
 * then runs every input in an arena of exactly that size. Without tflite-micro, says so.
 */
export async function runOnMicrocontroller(
  int8: TfliteExport,
  testInputs: tf.Tensor,
  agree: (rawOutputs: Float32Array) => Int8Agreement,
): Promise<NonNullable<ExportReport['microcontroller']>> {
  const python = findPythonRuntimes();
  const samples = testInputs.shape[0];
  if ('missing' in python || !python.tflm) {
    const why = 'missing' in python ? python.missing : `tflite-micro is not installed for ${python.python} (python -m pip install tflite-micro)`;
    return { runtime: 'TFLite Micro', verified: false, samples, note: `not run: ${why}; the arena in model_data.h is an estimate` };
  }
  try {
    const run = await runTfliteInPython({ runtime: 'tflm', bytes: int8.bytes, inputShape: testInputs.shape.slice(1), samples: quantized(testInputs, int8) });
    const a = agree(run.outputs);
    return { runtime: run.runtime, arenaBytes: run.arenaBytes, verified: a.verified, samples, agreement: a.agreement, maxAbsDiff: a.maxAbsDiff, note: `${a.note}; ran in an arena of ${run.arenaBytes} bytes` };
  } catch (e) {
    return { runtime: 'TFLite Micro (tflite-micro, Python)', verified: false, samples, note: (e as Error).message };
  }
}
