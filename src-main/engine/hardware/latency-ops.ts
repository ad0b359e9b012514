/**
 * One op of the latency table as a tiny tf.LayersModel, built by the derived model's own layer factory
 * and op builders (derive/build-derived-model.ts), so the table times exactly the layers the retrained
 * network runs. Glue ops ("@…", see latency-table.types.ts) and the stem and head follow the same code.
 */
import * as tf from '@tensorflow/tfjs';
import { registerDilatedConvGradients } from '../backend/dilated-conv-gradients.js';
import { applyOp, derivedBatchNorm, factorizedReduce, invertedResidual, Layers, reluConvBn, resReduceBlock } from '../derive/build-derived-model.js';
import type { SpaceName } from '../space/space.types.js';
import type { TaskKind } from '../tasks/task.types.js';
import type { LatencyKey, OpInputShape } from './latency-table.types.js';

type Sym = tf.SymbolicTensor;

/** A model to time, and the inputs to feed it at batch 1. */
export interface TimedModel {
  model: tf.LayersModel;
  inputs: tf.Tensor[];
  params: number;
  dispose(): void;
}

function trainableParams(model: tf.LayersModel): number {
  return model.trainableWeights.reduce((sum, w) => sum + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);
}

function finish(inputs: Sym[], output: Sym, shapes: OpInputShape[]): TimedModel {
  const model = tf.model({ inputs, outputs: output });
  const values = shapes.map((s) => tf.randomUniform([1, ...s]));
  return {
    model,
    inputs: values,
    params: trainableParams(model),
    dispose: () => {
      model.dispose();
      tf.dispose(values);
    },
  };
}

function isHar(space: SpaceName): boolean {
  return space === 'har1d';
}

/** Candidate op or glue op at one key, as the derived model builds it. */
export function buildOpModel(key: LatencyKey): TimedModel {
  registerDilatedConvGradients();
  const L = new Layers(isHar(key.space), undefined, key.batchNorm !== false);
  const { op, inputShape, stride, cOut } = key;
  const x = tf.input({ shape: inputShape, name: 'x' });
  const one = (y: Sym | null): TimedModel => {
    if (!y) throw new Error(`Latency table: op "${op}" at ${inputShape.join('x')} computes nothing; it is priced 0 without timing`);
    return finish([x], y, [inputShape]);
  };
  const add = /^@add(\d+)$/.exec(op);
  if (add) {
    // n inputs of the node's shape summed by one add layer (L.add of one input is no layer at all).
    const n = Number(add[1]);
    const xs = [x, ...Array.from({ length: n - 1 }, (_, i) => tf.input({ shape: inputShape, name: `x${i + 1}` }))];
    return finish(xs, L.add(xs, 'add'), xs.map(() => inputShape));
  }
  const concat = /^@concat(\d+)$/.exec(op);
  if (concat) {
    const n = Number(concat[1]);
    const xs = [x, ...Array.from({ length: n - 1 }, (_, i) => tf.input({ shape: inputShape, name: `x${i + 1}` }))];
    return finish(xs, L.concat(xs, 'concat'), xs.map(() => inputShape));
  }
  if (op === '@rcb1x1') return one(reluConvBn(L, x, cOut, 1, 1, 'pre'));
  if (op === '@fr') return one(factorizedReduce(L, x, cOut, 'pre'));
  if (op === '@resblock') return one(resReduceBlock(L, x, cOut, 'res'));
  if (key.space === 'chain') {
    // Mirrors buildChain: "skip" is the identity, or a strided 1×1 conv + BN where the shape changes.
    if (op === 'skip') return one(stride === 1 && cOut === inputShape[2] ? null : L.bn(L.conv(x, cOut, 1, stride, 'proj'), 'proj_bn'));
    const m = /^ir_k(\d+)_e(\d+)$/.exec(op);
    if (!m) throw new Error(`Latency table: chain op "${op}" is not ir_k<k>_e<e> or skip`);
    return one(invertedResidual(L, x, inputShape[2], cOut, Number(m[1]), Number(m[2]), stride, 'ir'));
  }
  if (cOut !== inputShape[2]) throw new Error(`Latency table: cell op "${op}" keeps its channels, but the key asks ${inputShape[2]} → ${cOut}`);
  return one(applyOp(L, x, op, cOut, stride, 'op', key.space));
}

/** True when the op is free by construction: no layer at all in the derived model. */
export function isFreeOp(key: LatencyKey): boolean {
  if (key.op === 'none') return true;
  if (key.op === 'skip_connect') return key.stride === 1;
  if (key.space === 'chain' && key.op === 'skip') return key.stride === 1 && key.cOut === key.inputShape[2];
  return /^@(add|concat)1$/.test(key.op);
}

export interface FixedPartSpec {
  part: 'stem' | 'head';
  space: SpaceName;
  task: TaskKind;
  /** The task's own input shape (stem; [T, C] windows stay 2-long) or [H, W, C] entering the head. */
  inputShape: number[];
  stride: 1 | 2;
  cOut: number;
}

/**
 * Stem or head as buildDerivedModel writes them (its buildDarts/buildNb201/buildChain and the head block):
 * stem Conv3×3-BN (chain: -ReLU) after the HAR reshape; head GAP-Dense, or the denoiser's ReLU-Conv3×3 +
 * residual add (timed with the image as the second input), NB201 with its lastact BN-ReLU before.
 */
export function buildFixedPartModel(spec: FixedPartSpec): TimedModel {
  const har = spec.task === 'har' || isHar(spec.space);
  const L = new Layers(har, undefined, derivedBatchNorm(spec.task));
  if (spec.part === 'stem') {
    const input = tf.input({ shape: spec.inputShape, name: 'input' });
    const x = har && spec.inputShape.length === 2 ? (tf.layers.reshape({ targetShape: [1, ...spec.inputShape], name: 'input_reshape' }).apply(input) as Sym) : input;
    let y = L.bn(L.conv(x, spec.cOut, 3, spec.stride, 'stem_conv'), 'stem_bn');
    if (spec.space === 'chain') y = L.relu(y, 'stem_relu');
    return finish([input], y, [spec.inputShape as OpInputShape]);
  }
  const features = tf.input({ shape: spec.inputShape, name: 'features' });
  let y: Sym = features;
  if (spec.space === 'nb201') y = L.relu(L.bn(y, 'lastact_bn'), 'lastact_relu');
  if (spec.task === 'denoising') {
    const image = tf.input({ shape: [spec.inputShape[0], spec.inputShape[1], spec.cOut], name: 'image' });
    const residual = L.conv(L.relu(y, 'head_relu'), spec.cOut, 3, 1, 'head_residual', { useBias: true });
    return finish([features, image], L.add([image, residual], 'output'), [spec.inputShape as OpInputShape, [spec.inputShape[0], spec.inputShape[1], spec.cOut]]);
  }
  y = tf.layers.globalAveragePooling2d({ name: 'head_gap' }).apply(y) as Sym;
  y = tf.layers.dense({ units: spec.cOut, name: 'head_logits' }).apply(y) as Sym;
  return finish([features], y, [spec.inputShape as OpInputShape]);
}

/** The smallest model predict can run: its time is the per-call overhead every model pays once. */
export function buildIdentityModel(shape: OpInputShape): TimedModel {
  const x = tf.input({ shape, name: 'x' });
  return finish([x], x, [shape]);
}
