import * as tf from '@tensorflow/tfjs';
import type { RunEventListener } from '../../contract/events.js';
import type { ArrayDataset } from '../data/dataset.types.js';
import { batches, gatherBatch } from '../data/split.js';
import { throwIfCancelled, type PauseGate } from '../search/run-control.js';
import type { Task } from '../tasks/task.types.js';
import { Rng } from '../util/rng.js';
import { throttle } from '../util/throttle.js';

export interface RetrainOptions {
  epochs: number;
  batchSize: number;
  seed: number;
  /** Peak learning rate of Adam; decays along a cosine to 2 % of it. */
  learningRate?: number;
  signal?: AbortSignal;
  pause?: PauseGate;
  onEvent?: RunEventListener;
  /** Seconds still to come after retraining (evaluation, export), for the ETA. */
  etaExtraSeconds?: number;
}

export interface RetrainResult {
  seconds: number;
  finalLoss: number;
  samplesPerSecond: number;
}

/** Batch tensors for one step; the caller disposes them (inside its tidy). */
export function batchTensors(ds: ArrayDataset, indices: Int32Array): { x: tf.Tensor; y: tf.Tensor } {
  const batch = gatherBatch(ds, indices);
  return { x: tf.tensor(batch.x, batch.xShape), y: tf.tensor1d(batch.y, 'int32') };
}

function setLearningRate(optimizer: tf.Optimizer, value: number): void {
  // tfjs reads the field on every applyGradients; it is not exposed as a setter.
  (optimizer as unknown as { learningRate: number }).learningRate = value;
}

/**
 * Trains a derived tf.layers model from scratch: Adam with cosine decay, one tidy per step, events
 * throttled to ~10/s, cancellation between steps. BatchNorm moving statistics update in `apply` with
 * training=true, so evaluation afterwards uses them.
 */
export async function retrainModel(model: tf.LayersModel, task: Task, train: ArrayDataset, options: RetrainOptions): Promise<RetrainResult> {
  const { epochs, batchSize, seed, signal, pause, onEvent } = options;
  const peakLr = options.learningRate ?? 2e-3;
  const optimizer = tf.train.adam(peakLr);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const rng = new Rng(seed ^ 0x5eed);
  const samples = train.xShape[0];
  const stepsPerEpoch = Math.floor(samples / batchSize);
  const totalSteps = epochs * stepsPerEpoch;
  const emitStep = throttle(100, (event: Parameters<RunEventListener>[0]) => onEvent?.(event));
  const started = performance.now();
  let step = 0;
  let finalLoss = NaN;
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      let lossSum = 0;
      let scoreSum = 0;
      let counted = 0;
      let stepInEpoch = 0;
      for (const indices of batches(train, batchSize, rng, { dropLast: true })) {
        throwIfCancelled(signal);
        if (pause?.isPaused) await pause.whenRunning(signal);
        throwIfCancelled(signal);
        setLearningRate(optimizer, peakLr * (0.02 + 0.98 * 0.5 * (1 + Math.cos((Math.PI * step) / Math.max(1, totalSteps)))));
        const [lossT, scoreT] = tf.tidy(() => {
          const { x, y } = batchTensors(train, indices);
          const { input, target } = task.makeBatch(x, y, seed * 1_000_003 + step);
          let output: tf.Tensor | undefined;
          const loss = optimizer.minimize(
            () => {
              output = model.apply(input, { training: true }) as tf.Tensor;
              return task.loss(output, target);
            },
            true,
            variables,
          ) as tf.Scalar;
          return [loss, task.batchScore(output!, target)];
        });
        const [loss, score] = [(await lossT.data())[0], (await scoreT.data())[0]];
        lossT.dispose();
        scoreT.dispose();
        if (!Number.isFinite(loss)) throw new Error(`Retraining diverged: the loss became ${loss} at epoch ${epoch}, step ${stepInEpoch + 1}.`);
        finalLoss = loss;
        lossSum += loss;
        scoreSum += score;
        counted++;
        step++;
        stepInEpoch++;
        const elapsed = (performance.now() - started) / 1000;
        const rate = (step * batchSize) / Math.max(elapsed, 1e-6);
        emitStep(
          {
            type: 'step',
            phase: 'retrain',
            epoch,
            epochs,
            step: stepInEpoch,
            stepsPerEpoch,
            loss,
            score,
            scoreName: task.scoreName,
            etaSeconds: ((totalSteps - step) * batchSize) / rate + (options.etaExtraSeconds ?? 0),
            imagesPerSecond: rate,
          },
          step === totalSteps,
        );
      }
      onEvent?.({ type: 'epoch', phase: 'retrain', epoch, epochs, trainLoss: lossSum / Math.max(1, counted), trainScore: scoreSum / Math.max(1, counted) });
    }
  } finally {
    optimizer.dispose();
  }
  const seconds = (performance.now() - started) / 1000;
  return { seconds, finalLoss, samplesPerSecond: (step * batchSize) / Math.max(seconds, 1e-6) };
}
