import * as tf from '@tensorflow/tfjs';
import { buildDerivedModel, type DerivedModelOptions } from '../../derive/build-derived-model.js';
import type { Genotype } from '../../space/space.types.js';
import type { Task } from '../../tasks/task.types.js';

/** log|det K| of a symmetric positive semi-definite matrix by Cholesky; -Infinity when singular. */
export function logDetPsd(k: Float64Array, n: number): number {
  const l = Float64Array.from(k);
  let logDet = 0;
  for (let j = 0; j < n; j++) {
    let d = l[j * n + j];
    for (let p = 0; p < j; p++) d -= l[j * n + p] * l[j * n + p];
    if (!(d > 1e-9)) return Number.NEGATIVE_INFINITY;
    const root = Math.sqrt(d);
    l[j * n + j] = root;
    logDet += 2 * Math.log(root);
    for (let i = j + 1; i < n; i++) {
      let s = l[i * n + j];
      for (let p = 0; p < j; p++) s -= l[i * n + p] * l[j * n + p];
      l[i * n + j] = s / root;
    }
  }
  return logDet;
}

/**
 * NASWOT (Mellor et al. 2021, "Neural Architecture Search without Training"): how differently an
 * untrained network's ReLUs switch on the images of one batch. K[i][j] counts the ReLU units on which
 * images i and j agree (both on or both off); the score is log|K|. Networks that tell the images apart at
 * initialisation tend to train to higher accuracy. `input` is one batch of the user's training images.
 */
export async function naswotScore(genotype: Genotype, task: Task, model: DerivedModelOptions, input: tf.Tensor): Promise<number> {
  const net = buildDerivedModel(genotype, task, model);
  try {
    const relus = net.layers.filter((l) => l.getClassName() === 'Activation' && (l.getConfig() as { activation?: string }).activation === 'relu');
    if (relus.length === 0) return Number.NEGATIVE_INFINITY;
    const probe = tf.model({ inputs: net.inputs, outputs: relus.map((l) => l.output as tf.SymbolicTensor) });
    const n = input.shape[0];
    const k = tf.tidy(() => {
      const outs = probe.apply(input, { training: true }) as tf.Tensor | tf.Tensor[];
      let sum: tf.Tensor2D = tf.zeros([n, n]);
      for (const out of Array.isArray(outs) ? outs : [outs]) {
        const codes = tf.cast(tf.greater(tf.reshape(out, [n, -1]), 0), 'float32') as tf.Tensor2D;
        const off = tf.sub(1, codes) as tf.Tensor2D;
        sum = tf.add(sum, tf.add(tf.matMul(codes, codes, false, true), tf.matMul(off, off, false, true)));
      }
      return sum;
    });
    // Awaited: GPU backends (WebGPU in Node) cannot read synchronously.
    const values = Float64Array.from(await k.data());
    k.dispose();
    return logDetPsd(values, n);
  } finally {
    net.dispose();
  }
}
