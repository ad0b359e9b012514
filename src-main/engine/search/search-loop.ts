import * as tf from '@tensorflow/tfjs';
import { deriveGenotype } from '../derive/derive-genotype.js';
import { formatGenotype } from '../space/genotype.js';
import type { AlphaProbs } from '../space/space.types.js';
import { oneHotWeights } from '../strategy/random.strategy.js';
import type { Alphas, EdgeWeightValues } from '../strategy/strategy.types.js';
import type { CellType, EdgeWeights } from '../supernet/supernet.types.js';
import { Rng } from '../util/rng.js';
import { batchTensors, cyclingBatches, epochBatches } from './batch-stream.js';
import { auxiliarySkipBeta, capSkips, collapseFinding, normalCellSkips, quietReading, skipLimit, type GuardOutcome, type NormalCellSkips } from './collapse-guard.js';
import { restoreSearchCheckpoint } from './checkpoint.js';
import { gradientDecision } from './gradient-decision.js';
import { SearchDivergedError } from './faults.js';
import { throwIfCancelled } from './run-control.js';
import { DataParallel } from '../parallel/data-parallel.js';
import type { StepContext } from '../parallel/replica.types.js';
import { SupernetReplica, type SearchStepOptions } from './supernet.replica.js';
import type { SearchLoopOptions, SearchLoopResult, SearchState } from './search-loop.types.js';

export type { SearchLoopOptions, SearchLoopResult, SearchState } from './search-loop.types.js';

/** Fraction of a search's steps that train the weights alone before the alphas start to move. */
export const SEARCH_WARMUP_FRACTION = 0.3;

const archSteps = (totalSteps: number, warmupSteps: number) => Math.max(1, totalSteps - warmupSteps);

/**
 * The architecture learning rate sized to the steps it gets: Adam moves a logit by about lr per step, so
 * 3 / steps lets a consistently preferred op gain ~3 logits (a clear argmax) within the search. Clamped to
 * the papers' 3e-4 for long searches (DARTS: ~20,000 steps) and to 0.05 for very short ones. At the quick
 * budget (~55 arch steps) 3e-4 moved logits by 0.025 at most and the argmax was noise.
 */
export function archLearningRate(steps: number): number {
  return Math.min(0.05, Math.max(3e-4, 3 / steps));
}

/** Lets abort messages and timers run between steps: a resolved promise alone would not. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

function checkFinite(value: number, which: string, step: number, epoch: number): void {
  if (!Number.isFinite(value)) {
    throw new SearchDivergedError(
      `Search diverged at step ${step + 1} (epoch ${epoch + 1}): the ${which} loss is ${value}. ` +
        'Lower the learning rate or the batch size, or check the data for NaN values.',
      step,
      epoch,
    );
  }
}

/**
 * The bilevel search: per step an architecture step on an arch batch (Adam on the alphas), then a weight
 * step on a weight batch (SGD momentum + cosine, or Adam, clipped), each in its own tidy. Emits 'step'
 * (every step; the caller throttles), 'epoch' (alphas and genotype) and 'guard' events; honours the
 * AbortSignal (RunCancelledError) and the PauseGate between steps; throws naming the step on NaN/Inf.
 */
export async function searchLoop(options: SearchLoopOptions): Promise<SearchLoopResult> {
  const { supernet, strategy, task, weightData, archData, epochs, batchSize, seed, signal, pause, onEvent } = options;
  if (!(Number.isInteger(epochs) && epochs > 0)) throw new Error(`search: epochs must be a positive integer, got ${epochs}`);
  if (!(Number.isInteger(batchSize) && batchSize > 0)) throw new Error(`search: batch size must be a positive integer, got ${batchSize}`);
  if (weightData.xShape[0] === 0) throw new Error(`search: the weight split "${weightData.name}" is empty`);
  const space = supernet.options.space;
  const guardMethod = strategy.trainsAlphas ? (options.guard ?? 'skip-count-early-stop') : 'none';

  const root = new Rng(seed);
  const weightOrder = root.fork();
  const archOrder = root.fork();

  const nWeight = weightData.xShape[0];
  const stepsPerEpoch = Math.min(options.maxStepsPerEpoch ?? Number.POSITIVE_INFINITY, nWeight >= batchSize ? Math.floor(nWeight / batchSize) : 1);
  const totalSteps = stepsPerEpoch * epochs;

  // Weights alone first (PC-DARTS warms up 15 of 50 epochs): alphas judged on untrained ops learn noise.
  const warmupSteps = Math.floor((options.warmupFraction ?? SEARCH_WARMUP_FRACTION) * totalSteps);
  const useAdam = options.weightOptimizer === 'adam';
  // lrScale < 1 after a rollback from a diverged step (search-phase.ts).
  const lrScale = options.lrScale ?? 1;
  const stepOptions: SearchStepOptions = {
    seed,
    totalSteps,
    epochs,
    weightOptimizer: useAdam ? 'adam' : 'sgd',
    lrW: (options.lrW ?? (useAdam ? 3e-3 : 0.025)) * lrScale,
    lrWMin: (options.lrWMin ?? 0.001) * lrScale,
    lrA: (options.lrA ?? archLearningRate(archSteps(totalSteps, warmupSteps))) * lrScale,
    weightDecay: options.weightDecay ?? 3e-4,
    archWeightDecay: options.archWeightDecay ?? 1e-3,
    gradClip: options.gradClip ?? 5,
    guard: guardMethod,
  };
  const datasets = { weight: weightData, arch: archData };
  const replica = new SupernetReplica(supernet, strategy, task, datasets, stepOptions);
  const { weightVars, archVars, weightOptimizer, archOptimizer, sampling } = replica;

  const alphaTensors = (): Alphas => {
    const out: Alphas = {};
    for (const type of supernet.cellTypes) out[type] = supernet.alphas[type] as unknown as tf.Tensor2D;
    return out;
  };
  const forwardOptions = (step: number) => (guardMethod === 'darts-minus' ? { auxiliarySkip: auxiliarySkipBeta(step / totalSteps) } : {});

  const resume = options.resume;
  const genotypeHistory: string[] = [...((resume?.extra?.genotypeHistory as string[] | undefined) ?? [])];
  const probsHistory: AlphaProbs[] = [...((resume?.extra?.probsHistory as AlphaProbs[] | undefined) ?? [])];
  let guard: GuardOutcome = { method: guardMethod, triggered: false };
  if (!strategy.trainsAlphas) guard.message = 'random search trains no alphas, so there is nothing to collapse';
  else if (guardMethod === 'darts-minus') guard.message = 'auxiliary skip on every stride-1 edge, decayed from 1 to 0 over the search (DARTS-)';
  else if (guardMethod === 'beta-darts') guard.message = 'Beta-Decay regularisation of the alphas (β-DARTS)';
  let kept: { probs: AlphaProbs; genotype: string } | undefined;
  let lastSkips: NormalCellSkips | undefined;
  let step = resume?.step ?? 0;
  let epochsRun = resume?.epoch ?? 0;
  if (resume) {
    // Continue from a checkpoint: weights, alphas, both optimizers, the data order and sampling streams.
    restoreSearchCheckpoint(resume, { weightVars, archVars, weightOptimizer, archOptimizer });
    weightOrder.seedState = resume.rng.weightOrder ?? resume.dataOrder.shuffleSeed;
    archOrder.seedState = resume.rng.archOrder;
    sampling.seedState = resume.rng.strategy;
  }
  // Workers start from this replica's full state (after a resume too), then stay identical to it.
  // Workers get the loop's own step options (schedule, optimisers, guard) over the caller's model description.
  const workerSpec = options.parallel && { module: options.parallel.spec.module, options: { ...(options.parallel.spec.options as object), ...stepOptions } };
  const workerData = { ...datasets, ...(options.parallel?.taskData ? { train: options.parallel.taskData } : {}) };
  const { parallel, warning } = options.parallel && workerSpec
    ? await DataParallel.withLocal(replica, workerSpec, workerData, options.parallel.replicas)
    : { parallel: DataParallel.single(replica), warning: undefined };
  if (warning) onEvent?.({ type: 'log', level: 'warn', message: warning });
  let images = 0;
  const started = performance.now();
  const state = (epoch: number): SearchState => ({
    epoch,
    step,
    weightVars,
    archVars,
    weightOptimizer,
    archOptimizer,
    rngStates: { weightOrder: weightOrder.seedState, archOrder: archOrder.seedState, strategy: sampling.seedState },
    genotypeHistory: [...genotypeHistory],
    probsHistory: [...probsHistory],
  });

  let expectedLatencyMs: number | undefined;
  try {
    for (let epoch = resume?.epoch ?? 0; epoch < epochs && !kept; epoch++) {
      let weightLoss = 0;
      let weightScore = 0;
      let archLoss = 0;
      let archScore = 0;
      const order = epochBatches(weightData, batchSize, weightOrder);
      // A fresh arch permutation every epoch, so a run resumed from an epoch checkpoint replays exactly.
      const archStream = cyclingBatches(archData, batchSize, archOrder);
      for (let s = 0; s < stepsPerEpoch; s++) {
        await yieldToEventLoop();
        if (pause) await pause.whenRunning(signal);
        throwIfCancelled(signal);
        const indices = order.next().value as Int32Array;
        const ctx: StepContext = { step, epoch, epochs, totalSteps, seed };
        if (strategy.trainsAlphas && step >= warmupSteps) {
          const a = await parallel.step('alphas', 'arch', archStream.next().value as Int32Array, ctx);
          checkFinite(a.loss, 'architecture', step, epoch);
          archLoss += a.loss;
          archScore += a.score;
          images += batchSize;
        }
        const w = await parallel.step('weights', 'weight', indices, ctx);
        const loss = options.faults ? options.faults.weightLoss(step, w.loss) : w.loss;
        checkFinite(loss, 'weight', step, epoch);
        weightLoss += loss;
        weightScore += w.score;
        images += indices.length;
        step++;
        const seconds = (performance.now() - started) / 1000;
        onEvent?.({
          type: 'step',
          phase: 'search',
          epoch: epoch + 1,
          epochs,
          step: s + 1,
          stepsPerEpoch,
          loss,
          score: w.score,
          scoreName: task.scoreName,
          etaSeconds: (seconds / step) * (totalSteps - step),
          imagesPerSecond: images / Math.max(seconds, 1e-9),
        });
      }
      epochsRun++;

      const epochEvent = {
        type: 'epoch' as const,
        phase: 'search' as const,
        epoch: epoch + 1,
        epochs,
        trainLoss: weightLoss / stepsPerEpoch,
        trainScore: weightScore / stepsPerEpoch,
        ...(strategy.trainsAlphas ? { validLoss: archLoss / stepsPerEpoch, validScore: archScore / stepsPerEpoch } : {}),
      };
      if (strategy.trainsAlphas) {
        const probs = await (strategy.derivationProbs?.(supernet) ?? supernet.alphaProbs());
        const genotype = deriveGenotype(probs, space);
        const text = formatGenotype(genotype);
        genotypeHistory.push(text);
        probsHistory.push(probs);
        onEvent?.({ type: 'decision', decision: gradientDecision(probs, space, genotype) });
        const latency = await strategy.expectedLatencyMs?.(alphaTensors());
        onEvent?.({ ...epochEvent, alphas: await supernet.alphaProbs(), genotype: text, ...(latency !== undefined ? { expectedLatencyMs: latency } : {}) });
        const limit = skipLimit(space);
        // Only skips the alphas have decided on count (collapse-guard.ts): near-uniform argmax ties are no collapse.
        lastSkips = guardMethod === 'skip-count-early-stop' && Number.isFinite(limit) ? normalCellSkips(probs, space, genotype) : undefined;
        if (lastSkips && lastSkips.decided.length >= limit) {
          const seen = collapseFinding(lastSkips, limit);
          if (epoch > 0) {
            kept = { probs: probsHistory[epoch - 1], genotype: genotypeHistory[epoch - 1] };
            guard = { method: guardMethod, triggered: true, message: `Stopped after epoch ${epoch + 1} of ${epochs}: ${seen}; kept the genotype of epoch ${epoch}.` };
          } else {
            const capped = capSkips(probs, space, limit);
            kept = { probs: capped, genotype: formatGenotype(deriveGenotype(capped, space)) };
            guard = { method: guardMethod, triggered: true, message: `Stopped after epoch 1 of ${epochs}: ${seen}; with no earlier genotype to keep, the least settled skips gave way to their edges' next-best ops.` };
          }
          onEvent?.({ type: 'guard', message: guard.message as string });
        }
      } else {
        onEvent?.(epochEvent);
      }
      await options.onEpochEnd?.(state(epoch));
    }

    if (!strategy.trainsAlphas) {
      throwIfCancelled(signal);
      kept = await pickRandomCandidate(options, sampling, archOrder, forwardOptions(totalSteps));
      genotypeHistory.push(kept.genotype);
    } else {
      if (!kept) kept = { probs: probsHistory[probsHistory.length - 1], genotype: genotypeHistory[genotypeHistory.length - 1] };
      if (!guard.triggered && lastSkips) guard.message = quietReading(lastSkips, skipLimit(space));
      expectedLatencyMs = await strategy.expectedLatencyMs?.(alphaTensors());
    }
  } finally {
    // Also when the loop throws (cancelled, diverged): a rollback retries in the same process.
    await parallel.close({ keepLocal: true });
    weightOptimizer.dispose();
    archOptimizer.dispose();
  }
  return {
    alphas: kept.probs,
    genotype: kept.genotype,
    genotypeHistory,
    guard,
    steps: step,
    epochsRun,
    ...(expectedLatencyMs !== undefined ? { expectedLatencyMs } : {}),
  };
}

/** Random search: score sampled architectures with the shared weights on the same arch batches; keep the lowest loss. */
async function pickRandomCandidate(options: SearchLoopOptions, sampling: Rng, archOrder: Rng, forwardOptions: { auxiliarySkip?: number }): Promise<{ probs: AlphaProbs; genotype: string }> {
  const { supernet, strategy, task, archData, batchSize, seed } = options;
  const candidates = strategy.finalCandidates?.(options.randomCandidates ?? 10, sampling) ?? [];
  if (candidates.length === 0) throw new Error(`search: strategy "${strategy.name}" trains no alphas and offers no candidates`);
  const stream = cyclingBatches(archData, batchSize, archOrder);
  const scoring = Array.from({ length: options.candidateBatches ?? 2 }, () => stream.next().value as Int32Array);
  let best: { loss: number; candidate: EdgeWeightValues } | undefined;
  for (const candidate of candidates) {
    throwIfCancelled(options.signal);
    const losses = tf.tidy(() => {
      const weights: EdgeWeights = {};
      for (const type of supernet.cellTypes) weights[type] = oneHotWeights(candidate[type] as number[][]);
      return tf.stack(
        scoring.map((indices, i) => {
          const { input, target } = batchTensors(archData, indices, task, seed + 7 * i);
          return task.loss(supernet.forward(input, weights, true, forwardOptions), target);
        }),
      );
    });
    // One awaited read per candidate (GPU backends have no synchronous read); summed in order, as before.
    const values = await losses.data();
    losses.dispose();
    let sum = 0;
    for (const v of values) sum += v;
    const loss = sum / scoring.length;
    if (!best || loss < best.loss) best = { loss, candidate };
  }
  const chosen = (best as { candidate: EdgeWeightValues }).candidate;
  const probs: AlphaProbs = { primitives: supernet.primitives, edges: [...supernet.edgeNames], normal: [] };
  for (const type of supernet.cellTypes as CellType[]) probs[type] = chosen[type] as number[][];
  return { probs, genotype: formatGenotype(deriveGenotype(probs, supernet.options.space)) };
}
