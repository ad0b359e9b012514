import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src-main/engine/backend/select-backend.js';
import { Rng } from '../../../src-main/engine/util/rng.js';
import { randomArray, relativeError, runOn } from './backend-test-utils.js';

const TOLERANCE = 1e-4;
const rng = new Rng(11);
const shape = [4, 5, 3, 6];
const xv = randomArray(rng, shape).map((v) => 2 * v + 0.5);
const gv = randomArray(rng, [6]);
const bv = randomArray(rng, [6]);
const wv = randomArray(rng, shape);

function makeLayer() {
  const layer = tf.layers.batchNormalization({ axis: -1, momentum: 0.9, epsilon: 1e-5 });
  layer.build(shape);
  const [gamma, beta] = layer.trainableWeights.map((v) => v.read() as tf.Variable);
  gamma.assign(tf.tensor1d(gv));
  beta.assign(tf.tensor1d(bv));
  const free = () => [...layer.trainableWeights, ...layer.nonTrainableWeights].forEach((v) => v.dispose());
  return { layer, gamma, beta, free };
}

/** Training-mode layer: y, dL/dx, dL/dgamma, dL/dbeta of L = sum(y·w), then the moving stats after two calls. */
function layerStep(): tf.Tensor[] {
  const { layer, gamma, beta, free } = makeLayer();
  const x = tf.tensor(xv, shape);
  const w = tf.tensor(wv, shape);
  const loss = (xi: tf.Tensor) => tf.sum(tf.mul(layer.apply(xi, { training: true }) as tf.Tensor, w)) as tf.Scalar;
  const { grads } = tf.variableGrads(() => loss(x), [gamma, beta]);
  const dx = tf.grad(loss)(x);
  const y = layer.apply(x, { training: true }) as tf.Tensor;
  const [, , movingMean, movingVariance] = layer.getWeights().map((t) => t.clone());
  const out = [y, dx, grads[gamma.name], grads[beta.name], movingMean, movingVariance];
  free();
  return out;
}

/** The same with plain ops (moments + batchNorm, autodiff); stats after three updates from 0 and 1. */
function reference(): tf.Tensor[] {
  const x = tf.tensor(xv, shape);
  const w = tf.tensor(wv, shape);
  const f = (xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
    const { mean, variance } = tf.moments(xi, [0, 1, 2]);
    return tf.batchNorm(xi, mean, variance, b as tf.Tensor1D, g as tf.Tensor1D, 1e-5);
  };
  const inputs = [x, tf.tensor1d(gv), tf.tensor1d(bv)];
  const [dx, dg, db] = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(f(a, b, c), w)))(inputs);
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  const kept = Math.pow(0.9, 3);
  return [f(x, inputs[1], inputs[2]), dx, dg, db, tf.mul(mean, 1 - kept), tf.add(tf.mul(variance, 1 - kept), kept)];
}

describe('tf.layers.batchNormalization training step (one op, closed-form gradient)', () => {
  beforeAll(async () => {
    expect((await selectBackend({ prefer: 'wasm' })).name).toBe('wasm');
  });

  it.each(['wasm', 'cpu'])('matches plain ops: output, x/gamma/beta gradients, moving mean and variance (%s)', async (backend) => {
    const ref = await runOn('cpu', reference);
    const ours = await runOn(backend, layerStep);
    await tf.setBackend('wasm');
    expect(ours.shapes).toEqual(ref.shapes);
    ours.values.forEach((v, i) => expect(relativeError(v, ref.values[i])).toBeLessThan(TOLERANCE));
  });

  it('leaves no tensors behind, and inference mode still uses the moving statistics', async () => {
    await tf.setBackend('wasm');
    const { layer, free } = makeLayer();
    const x = tf.tensor(xv, shape);
    const step = () => tf.dispose(tf.tidy(() => tf.grad((xi: tf.Tensor) => tf.sum(layer.apply(xi, { training: true }) as tf.Tensor))(x)));
    step();
    const before = tf.memory().numTensors;
    step();
    expect(tf.memory().numTensors).toBe(before);
    const [gamma, beta, mm, mv] = layer.getWeights();
    const inference = tf.tidy(() => layer.apply(x) as tf.Tensor);
    const expected = tf.tidy(() => tf.batchNorm(x, mm, mv, beta, gamma, 1e-5));
    expect(relativeError(inference.dataSync(), expected.dataSync())).toBeLessThan(TOLERANCE);
    tf.dispose([inference, expected, x]);
    free();
  });
});
