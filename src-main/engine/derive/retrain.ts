import * as tf from '@tensorflow/tfjs';
import type { RunEventListener } from '../../contract/events.js';
import type { ArrayDataset } from '../data/dataset.types.js';
import { batches } from '../data/split.js';
import { DataParallel } from '../parallel/data-parallel.js';
import type { LayersModelReplica } from '../parallel/layers-model.replica.js';
import type { ReplicaSpec } from '../parallel/replica.types.js';
import { explainWasmOutOfMemory } from '../search/out-of-memory.js';
import { throwIfCancelled, type PauseGate } from '../search/run-control.js';
import { Rng } from '../util/rng.js';
import { throttle } from '../util/throttle.js';
import { resumePoint, saveRetrainCheckpoint, type RetrainCheckpointing, type RetrainResumePoint } from './retrain-checkpoint.js';

export interface RetrainOptions {
  epochs: number;
  batchSize: number;
  seed: number;
  /** Threads training at once (this one plus workers); 1 trains on this thread only. */
  replicas: number;
  scoreName: string;
  signal?: AbortSignal;
  pause?: PauseGate;
  onEvent?: RunEventListener;
  /** Seconds still to come after retraining (evaluation, export), for the ETA. */
  etaExtraSeconds?: number;
  /** Checkpoint after every epoch into the run folder, and continue from `checkpoint.resume` when given. */
  checkpoint?: RetrainCheckpointing;
  /** After training, re-estimate batch-norm statistics for the final weights on this many training batches. */
  recalibrateBatchNorm?: number;
}

/** Training batches whose statistics become the batch norms' moving mean and variance after retraining. */
export const BN_RECALIBRATION_BATCHES = 50;

export interface RetrainResult {
  /** The trained model, on this thread. */
  model: tf.LayersModel;
  seconds: number;
  finalLoss: number;
  samplesPerSecond: number;
  replicas: number;
}

/**
 * Trains a derived tf.layers model from scratch, data-parallel over `replicas` threads (the spec's
 * module builds the same model in each). Events are throttled to ~10/s; cancellation and pause are
 * honoured between steps; a non-finite loss stops with a message naming the epoch and step.
 */
export async function retrainModel(spec: ReplicaSpec, train: ArrayDataset, options: RetrainOptions): Promise<RetrainResult> {
  const { epochs, batchSize, seed, signal, pause, onEvent } = options;
  const { parallel, warning } = await DataParallel.create(spec, { train }, options.replicas);
  if (warning) onEvent?.({ type: 'log', level: 'warn', message: warning });
  const rng = new Rng(seed ^ 0x5eed);
  const stepsPerEpoch = Math.floor(train.xShape[0] / batchSize);
  const totalSteps = epochs * stepsPerEpoch;
  const emitStep = throttle(100, (event: Parameters<RunEventListener>[0]) => onEvent?.(event));
  const started = performance.now();
  let step = 0;
  let finalLoss = NaN;
  let keepModel = false;
  let firstEpoch = 1;
  let earlierSeconds = 0;
  /** Steps done by an earlier process, left out of this one's throughput. */
  let firstStep: number;
  const local = parallel.local as LayersModelReplica;
  const checkpointing = options.checkpoint;
  try {
    if (checkpointing?.resume) {
      // A checkpoint that does not fit is reported and retraining starts over; nothing is loaded before it is checked.
      let point: RetrainResumePoint | undefined;
      try {
        point = resumePoint(checkpointing.runDir, checkpointing.resume, local, { epochs, stepsPerEpoch, batchSize });
      } catch (error) {
        onEvent?.({ type: 'log', level: 'warn', message: (error as Error).message });
      }
      if (point) {
        await parallel.loadState(point.weights, point.optimizer);
        rng.seedState = point.orderState;
        step = point.step;
        finalLoss = point.finalLoss;
        earlierSeconds = point.seconds;
        firstEpoch = point.epoch + 1;
        onEvent?.({ type: 'log', level: 'info', message: `resumed retraining after epoch ${point.epoch} of ${epochs}` });
      }
    }
    firstStep = step;
    for (let epoch = firstEpoch; epoch <= epochs; epoch++) {
      let lossSum = 0;
      let scoreSum = 0;
      let stepInEpoch = 0;
      for (const indices of batches(train, batchSize, rng, { dropLast: true })) {
        throwIfCancelled(signal);
        if (pause?.isPaused) await pause.whenRunning(signal);
        throwIfCancelled(signal);
        const { loss, score } = await parallel.step('weights', 'train', indices, { step, epoch, epochs, totalSteps, seed });
        if (!Number.isFinite(loss)) throw new Error(`Retraining diverged: the loss became ${loss} at epoch ${epoch}, step ${stepInEpoch + 1}.`);
        finalLoss = loss;
        lossSum += loss;
        scoreSum += score;
        step++;
        stepInEpoch++;
        const elapsed = (performance.now() - started) / 1000;
        const rate = ((step - firstStep) * batchSize) / Math.max(elapsed, 1e-6);
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
            scoreName: options.scoreName,
            etaSeconds: ((totalSteps - step) * batchSize) / rate + (options.etaExtraSeconds ?? 0),
            imagesPerSecond: rate,
          },
          // Each epoch's last step always passes, as in the search: every epoch ends on a point.
          stepInEpoch === stepsPerEpoch || step === totalSteps,
        );
      }
      onEvent?.({ type: 'epoch', phase: 'retrain', epoch, epochs, trainLoss: lossSum / Math.max(1, stepInEpoch), trainScore: scoreSum / Math.max(1, stepInEpoch) });
      if (checkpointing) {
        const seconds = earlierSeconds + (performance.now() - started) / 1000;
        await saveRetrainCheckpoint(checkpointing, local, { epoch, epochs, step, stepsPerEpoch, batchSize, orderState: rng.seedState, finalLoss, seconds });
      }
    }
    if (options.recalibrateBatchNorm) {
      const recalibration = [...batches(train, batchSize, rng, { dropLast: true })].slice(0, options.recalibrateBatchNorm);
      local.recalibrateBatchNorm('train', recalibration, seed);
    }
    keepModel = true;
  } catch (error) {
    // Partial channels is a search strategy, so it is not offered for a derived model.
    throw explainWasmOutOfMemory(error, { what: 'model', batchSize, workers: parallel.replicas, partialChannels: true }) ?? error;
  } finally {
    await parallel.close({ keepLocal: keepModel });
  }
  const secondsHere = (performance.now() - started) / 1000;
  return {
    model: local.model,
    seconds: earlierSeconds + secondsHere,
    finalLoss,
    samplesPerSecond: ((step - firstStep) * batchSize) / Math.max(secondsHere, 1e-6),
    replicas: parallel.replicas,
  };
}
