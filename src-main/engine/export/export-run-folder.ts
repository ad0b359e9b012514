import { copyFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { ExportReport } from '../../contract/channels.js';
import type { SearchConfigInput } from '../../contract/search-config.js';
import { selectBackend } from '../backend/select-backend.js';
import type { ArrayDataset } from '../data/dataset.types.js';
import { batchTensors } from '../search/batch-stream.js';
import { resolveConfig } from '../search/presets.js';
import { loadTaskData } from '../search/task-data.js';
import { accuracy, meanPsnr } from '../tasks/metrics.js';
import type { Task } from '../tasks/task.types.js';
import { writeJsonAtomic } from '../util/atomic-write.js';
import { exportModel, type ExportFormat, type ExportMetric } from './export-run.js';
import { findPythonRuntimes } from './python-tflite.js';
import { loadTfjsFolder } from './tfjs.export.js';

/** Samples used to calibrate int8 ranges and to check every format (TFLite Micro runs these too). */
const CALIBRATION_SAMPLES = 256;
const CHECK_SAMPLES = 200;
/** int8 is scored on the whole test split in LiteRT; the Chromium fallback runs one input per call, so fewer. */
const METRIC_SAMPLES_WITHOUT_LITERT = 1000;

function metricSamples(): number {
  const python = findPythonRuntimes();
  return !('missing' in python) && python.litert ? Infinity : METRIC_SAMPLES_WITHOUT_LITERT;
}

/** Model inputs exactly as training saw them: the task's own batch preparation (noise, standardisation). */
function modelInputs(task: Task, ds: ArrayDataset, count: number, seed: number): { x: tf.Tensor; y: tf.Tensor } {
  const n = Math.min(count, ds.xShape[0]);
  return tf.tidy(() => {
    const { input, target } = batchTensors(ds, Int32Array.from({ length: n }, (_, i) => i), task, seed);
    return { x: input, y: target };
  });
}

function metricFor(task: Task, test: ArrayDataset, seed: number): ExportMetric {
  const { x, y } = modelInputs(task, test, metricSamples(), seed);
  if (task.kind === 'denoising') {
    // The model's image shape: a sample of paired data holds the noisy and the clean image.
    const shape = task.inputShape;
    return { name: 'psnr', x, y, compute: (p, t) => meanPsnr(p.dataSync(), t.dataSync(), shape) };
  }
  const argmax = (t: tf.Tensor) => tf.tidy(() => tf.argMax(t, -1).dataSync());
  return { name: 'accuracy', x, y, compute: (p, t) => accuracy(argmax(t), argmax(p)) };
}

/**
 * Exports the model a run saved (<runDir>/model) in the given formats to `outDir`, verifying each, and
 * keeps the report at <runDir>/exports/report.json as well.
 */
export async function exportRun(
  runDir: string,
  rawConfig: unknown,
  formats: ExportFormat[],
  outDir: string,
  log: (line: string) => void = () => undefined,
): Promise<ExportReport> {
  await selectBackend();
  const config = resolveConfig(rawConfig as SearchConfigInput);
  log(`loading the run's data (${config.data.kind === 'builtin' ? config.data.name : config.data.path}) for calibration and checks…`);
  const data = await loadTaskData(config);
  const model = await loadTfjsFolder(path.join(runDir, 'model'));
  const calibration = modelInputs(data.task, data.train, CALIBRATION_SAMPLES, config.seed + 1);
  const check = modelInputs(data.task, data.test, CHECK_SAMPLES, config.seed + 2);
  const metric = metricFor(data.task, data.test, config.seed + 3);
  try {
    log(`exporting ${formats.join(', ')} to ${outDir}…`);
    const report = await exportModel(model, { formats, outDir, calibration: calibration.x, testInputs: check.x, metric });
    // What a consumer needs besides the model (HAR: sample rate, window, the training split's normalisation).
    const preprocessing = path.join(runDir, 'model', 'preprocessing.json');
    if (existsSync(preprocessing)) copyFileSync(preprocessing, path.join(outDir, 'preprocessing.json'));
    const kept = path.join(runDir, 'exports', 'report.json');
    if (path.resolve(outDir, 'report.json') !== path.resolve(kept)) writeJsonAtomic(kept, report);
    return report;
  } finally {
    tf.dispose([calibration.x, calibration.y, check.x, check.y, metric.x, metric.y]);
    model.dispose();
  }
}
