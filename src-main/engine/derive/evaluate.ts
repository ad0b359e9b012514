import * as tf from '@tensorflow/tfjs';
import type { TestMetrics } from '../../contract/result.js';
import type { ArrayDataset } from '../data/dataset.types.js';
import { confusionMatrix, macroF1, meanPsnr, meanSsim } from '../tasks/metrics.js';
import type { Task } from '../tasks/task.types.js';
import { batchTensors } from '../search/batch-stream.js';

export interface EvaluateOptions {
  batchSize?: number;
  /** Seeds the noise of denoising inputs: the same seed gives every model the same noisy test set. */
  seed?: number;
  /** Keep up to this many (input, target, output) triples for before/after pictures. */
  keepExamples?: number;
}

export interface Example {
  input: Float32Array;
  target: Float32Array;
  output: Float32Array;
  shape: number[];
  label: number;
}

/** Runs the model over the whole split, in batches, and scores it with the task's test metrics. */
export async function evaluateModel(
  model: tf.LayersModel,
  task: Task,
  test: ArrayDataset,
  options: EvaluateOptions = {},
): Promise<{ metrics: TestMetrics; examples: Example[] }> {
  const batchSize = options.batchSize ?? 256;
  const seed = options.seed ?? 12345;
  const n = test.xShape[0];
  // A denoiser's images have the model's shape; its samples may hold more (a noisy/clean pair in the channels).
  const imageShape = task.kind === 'denoising' ? task.inputShape : test.xShape.slice(1);
  const sampleSize = imageShape.reduce((a, b) => a * b, 1);
  const predictions = new Int32Array(n);
  const outputs: Float32Array[] = [];
  const inputs: Float32Array[] = [];
  const targets: Float32Array[] = [];
  const examples: Example[] = [];
  let lossSum = 0;
  for (let start = 0, batchIndex = 0; start < n; start += batchSize, batchIndex++) {
    const indices = Int32Array.from({ length: Math.min(batchSize, n - start) }, (_, i) => start + i);
    const { out, inp, tgt, loss } = tf.tidy(() => {
      const { input, target } = batchTensors(test, indices, task, seed + batchIndex);
      const raw = model.apply(input, { training: false }) as tf.Tensor;
      // A denoised image is an image: clipped to [0, 1] before it is scored or saved, as denoising papers
      // do (the residual net's raw output strays below 0 on MNIST's black background).
      const output = task.kind === 'denoising' ? tf.clipByValue(raw, 0, 1) : raw;
      const lossValue = task.loss(output, target);
      return task.kind === 'denoising'
        ? { out: output, inp: input, tgt: target, loss: lossValue }
        : { out: tf.argMax(output, -1), inp: undefined, tgt: undefined, loss: lossValue };
    });
    lossSum += (await loss.data())[0] * indices.length;
    if (task.kind === 'denoising') {
      const [o, i, t] = [(await out.data()) as Float32Array, (await inp!.data()) as Float32Array, (await tgt!.data()) as Float32Array];
      outputs.push(o);
      inputs.push(i);
      targets.push(t);
    } else {
      predictions.set(await out.data(), start);
    }
    for (let k = 0; k < indices.length && examples.length < (options.keepExamples ?? 0); k++) {
      const slice = (a: Float32Array | undefined) => (a ? a.slice(k * sampleSize, (k + 1) * sampleSize) : new Float32Array(0));
      examples.push({
        input: slice(task.kind === 'denoising' ? inputs.at(-1) : test.x.subarray((start + k) * sampleSize, (start + k + 1) * sampleSize)),
        target: slice(targets.at(-1)),
        output: slice(outputs.at(-1)),
        shape: imageShape,
        label: test.y[start + k],
      });
    }
    tf.dispose([out, inp, tgt, loss].filter((t): t is tf.Tensor => t !== undefined));
  }
  const metrics: TestMetrics = { loss: lossSum / n };
  if (task.kind === 'denoising') {
    const shape = imageShape;
    const concat = (parts: Float32Array[]) => {
      const all = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
      let offset = 0;
      for (const p of parts) {
        all.set(p, offset);
        offset += p.length;
      }
      return all;
    };
    const [o, i, t] = [concat(outputs), concat(inputs), concat(targets)];
    metrics.psnr = meanPsnr(o, t, shape);
    metrics.ssim = meanSsim(o, t, shape);
    metrics.psnr_noisy = meanPsnr(i, t, shape);
  } else {
    const confusion = confusionMatrix(test.y, predictions, task.numClasses);
    let correct = 0;
    for (let c = 0; c < task.numClasses; c++) correct += confusion[c][c];
    metrics.accuracy = correct / n;
    metrics.macro_f1 = macroF1(confusion);
    metrics.confusion = confusion;
  }
  return { metrics, examples };
}
