import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Layers } from '../../../src-main/engine/ops/derived-layers.js';
import { builderFor, derivedFor } from '../../../src-main/engine/ops/registry.js';
import { DARTS_PRIMITIVES, HAR_PRIMITIVES, NB201_PRIMITIVES, type SpaceName } from '../../../src-main/engine/space/space.types.js';
import { Rng } from '../../../src-main/engine/util/rng.js';

/**
 * Every op of the op table (engine/ops/registry.ts) has two forms: tfjs functions for the supernet and
 * stock tf.layers for the retrained model. A searched cell is only worth retraining if both compute the
 * same thing: with the supernet op's weights copied into the derived layers, batch norm on batch
 * statistics in both (training mode; the derived BN starts at γ = 1, β = 0), they must agree.
 */

const CASES: { space: SpaceName; dims: 1 | 2; primitives: readonly string[]; shape: [number, number, number, number] }[] = [
  { space: 'darts', dims: 2, primitives: DARTS_PRIMITIVES, shape: [3, 9, 9, 4] },
  { space: 'nb201', dims: 2, primitives: NB201_PRIMITIVES, shape: [3, 8, 8, 4] },
  { space: 'har1d', dims: 1, primitives: HAR_PRIMITIVES, shape: [3, 1, 17, 4] },
];

/** The op table's derived form on its own: a one-input model whose layers apply exactly `op` (null for "none"). */
function derivedOp(space: SpaceName, op: string, dims: 1 | 2, shape: number[], c: number, stride: 1 | 2): tf.LayersModel | null {
  const input = tf.input({ shape: shape.slice(1) });
  const out = derivedFor(space, op)(new Layers(dims === 1, 5), input, c, c, stride, 'op');
  return out ? tf.model({ inputs: input, outputs: out }) : null;
}

/** The supernet op's variables, in order, into the derived layers' kernels (biases absent: BN follows). */
function copyWeights(from: tf.Variable[], model: tf.LayersModel): void {
  const kernels = model.layers.filter((l) => l.getClassName() !== 'BatchNormalization').flatMap((l) => l.weights.map((w) => ({ layer: l, w })));
  expect(kernels.map((k) => k.w.shape)).toEqual(from.map((v) => v.shape));
  for (const layer of new Set(kernels.map((k) => k.layer))) {
    const own = kernels.filter((k) => k.layer === layer).map((k) => from[kernels.indexOf(k)]);
    layer.setWeights(own);
  }
}

describe('one op, two forms: the supernet op and the derived layers compute the same thing', () => {
  for (const { space, dims, primitives, shape } of CASES) {
    for (const stride of [1, 2] as const) {
      for (const op of primitives) {
        it(`${space} ${op}, stride ${stride}`, () => {
          const c = shape[3];
          const supernetOp = builderFor(space, op)(c, c, stride, { dims, rng: new Rng(3), bnAfterPool: false });
          const model = derivedOp(space, op, dims, shape, c, stride);
          const x = tf.randomNormal(shape, 0, 1, 'float32', 11) as tf.Tensor4D;
          const want = supernetOp.apply(x, true);
          if (model === null) {
            expect(supernetOp.isZero).toBe(true);
          } else {
            copyWeights(supernetOp.variables, model);
            const got = model.apply(x, { training: true }) as tf.Tensor;
            expect(got.shape).toEqual(want.shape);
            const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(got, want))).dataSync()[0]);
            expect(diff).toBeLessThan(1e-4);
            got.dispose();
            model.dispose();
          }
          tf.dispose([x, want, ...supernetOp.variables]);
        });
      }
    }
  }
});
