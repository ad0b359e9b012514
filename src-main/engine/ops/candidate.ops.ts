import * as tf from '@tensorflow/tfjs';
import { EdgeInput } from './edge-input.js';
import { batchNorm, conv, convFilter, depthwise, depthwiseFilter, pool, reducedShape } from './layers.js';
import type { Op, OpBuilder, OpOptions } from './op.types.js';

/**
 * Candidate operations with the semantics of DARTS' operations.py (ReLU → conv → BN, affine-free BN)
 * and AutoDL's cell_operations.py for NAS-Bench-201. Each reads its ReLU'd input from the shared
 * EdgeInput so one edge computes one ReLU for all of its ops.
 */

function edgeInput(x: tf.Tensor4D, dims: 1 | 2, input?: EdgeInput): EdgeInput {
  return input ?? new EdgeInput(x, dims);
}

function requireSameChannels(name: string, cIn: number, cOut: number): void {
  if (cIn !== cOut) throw new Error(`ops: ${name} needs equal input and output channels, got ${cIn} → ${cOut}`);
}

/** 'none': zeros of the output shape (reduced at stride 2). Flagged so weighted sums skip it. */
export const noneOp: OpBuilder = (_cIn, cOut, stride, { dims }) => ({
  variables: [],
  isZero: true,
  apply: (x) => tf.zeros(reducedShape(x, stride, dims, cOut)),
});

/** Pooling 3 (×3), 'same'; DARTS adds an affine-free BN after it inside the mixed op. */
export function poolOp(kind: 'max' | 'avg', k = 3): OpBuilder {
  return (cIn, cOut, stride, { dims, bnAfterPool }) => {
    requireSameChannels(`${kind}_pool`, cIn, cOut);
    return {
      variables: [],
      apply: (x) => {
        const y = pool(kind, x, k, stride, dims);
        return bnAfterPool ? batchNorm(y) : y;
      },
    };
  };
}

/**
 * FactorizedReduce: two 1×1 stride-2 convs on relu(x) and on relu(x) shifted by one pixel, concatenated
 * to cOut channels, then BN. Odd sizes: the shifted input is zero-padded at the far end so both paths
 * have ceil(n/2) positions.
 */
export const factorizedReduce: OpBuilder = (cIn, cOut, _stride, { dims, rng }) => {
  const half = Math.floor(cOut / 2);
  const w1 = convFilter(1, cIn, half, dims, rng);
  const w2 = convFilter(1, cIn, cOut - half, dims, rng);
  return {
    variables: [w1, w2],
    apply: (x, _training, input) => {
      const relu = edgeInput(x, dims, input).relu();
      const [, h, w] = relu.shape;
      let shifted = dims === 2 ? tf.slice(relu, [0, 1, 1, 0], [-1, h - 1, w - 1, -1]) : tf.slice(relu, [0, 0, 1, 0], [-1, -1, w - 1, -1]);
      const padH = dims === 2 && h % 2 === 1 ? 1 : 0;
      const padW = w % 2 === 1 ? 1 : 0;
      if (padH || padW) shifted = tf.pad(shifted, [[0, 0], [0, padH], [0, padW], [0, 0]]);
      const a = conv(relu, w1 as tf.Tensor4D, 2, dims);
      const b = conv(shifted, w2 as tf.Tensor4D, 2, dims);
      return batchNorm(tf.concat([a, b], 3));
    },
  };
};

/** skip_connect: identity at stride 1, FactorizedReduce at stride 2 (or when channels change). */
export const skipOp: OpBuilder = (cIn, cOut, stride, options) => {
  if (stride === 1 && cIn === cOut) return { variables: [], apply: (x) => x };
  if (stride === 1) return reluConvBnOp(1)(cIn, cOut, 1, options);
  return factorizedReduce(cIn, cOut, stride, options);
};

/** ReLU → conv k×k (stride) → BN: NB201's nor_conv, the HAR conv_k, DARTS' preprocessing (k = 1). */
export function reluConvBnOp(k: number): OpBuilder {
  return (cIn, cOut, stride, { dims, rng }) => {
    const w = convFilter(k, cIn, cOut, dims, rng);
    return {
      variables: [w],
      apply: (x, _training, input) => batchNorm(conv(edgeInput(x, dims, input).relu(), w as tf.Tensor4D, stride, dims)),
    };
  };
}

/** sep_conv k×k: two stacked (ReLU → depthwise → pointwise → BN); only the first is strided. */
export function sepConvOp(k: number): OpBuilder {
  return (cIn, cOut, stride, { dims, rng }) => {
    const dw1 = depthwiseFilter(k, cIn, dims, rng);
    const pw1 = convFilter(1, cIn, cIn, dims, rng);
    const dw2 = depthwiseFilter(k, cIn, dims, rng);
    const pw2 = convFilter(1, cIn, cOut, dims, rng);
    return {
      variables: [dw1, pw1, dw2, pw2],
      apply: (x, _training, input) => {
        const relu = edgeInput(x, dims, input).relu();
        const y = batchNorm(conv(depthwise(relu, dw1 as tf.Tensor4D, stride, dims), pw1 as tf.Tensor4D, 1, dims));
        return batchNorm(conv(depthwise(tf.relu(y), dw2 as tf.Tensor4D, 1, dims), pw2 as tf.Tensor4D, 1, dims));
      },
    };
  };
}

/**
 * dil_conv k×k: ReLU → depthwise dilated 2 → pointwise → BN. At stride 2 tfjs refuses dilation > 1, so
 * we convolve the even-even subsample undilated, which is exactly the same result.
 */
export function dilConvOp(k: number): OpBuilder {
  return (cIn, cOut, stride, { dims, rng }) => {
    const dw = depthwiseFilter(k, cIn, dims, rng);
    const pw = convFilter(1, cIn, cOut, dims, rng);
    return {
      variables: [dw, pw],
      apply: (x, _training, input) => {
        const shared = edgeInput(x, dims, input);
        const y = stride === 2 ? depthwise(shared.reluEven(), dw as tf.Tensor4D, 1, dims) : depthwise(shared.relu(), dw as tf.Tensor4D, 1, dims, 2);
        return batchNorm(conv(y, pw as tf.Tensor4D, 1, dims));
      },
    };
  };
}

/** NB201's avg_pool_3x3: a 1×1 ReLU-conv-BN first when channels change, then the pool (no BN). */
export const nb201AvgPoolOp: OpBuilder = (cIn, cOut, stride, options) => {
  const pre = cIn === cOut ? undefined : reluConvBnOp(1)(cIn, cOut, 1, options);
  return {
    variables: pre?.variables ?? [],
    apply: (x, training, input) => pool('avg', pre ? pre.apply(x, training, input) : x, 3, stride, options.dims),
  };
};

/**
 * MobileNetV2 inverted residual (FBNet's ir_k{k}_e{e}): 1×1 expand → BN → ReLU (skipped when e = 1),
 * k×k depthwise (stride) → BN → ReLU, 1×1 project → BN, plus the input when shapes allow.
 */
export function invertedResidualOp(k: number, expansion: number): OpBuilder {
  return (cIn, cOut, stride, { dims, rng }) => {
    const hidden = cIn * expansion;
    const expand = expansion > 1 ? convFilter(1, cIn, hidden, dims, rng) : undefined;
    const dw = depthwiseFilter(k, hidden, dims, rng);
    const project = convFilter(1, hidden, cOut, dims, rng);
    const residual = stride === 1 && cIn === cOut;
    return {
      variables: expand ? [expand, dw, project] : [dw, project],
      apply: (x) => {
        let y = expand ? tf.relu(batchNorm(conv(x, expand as tf.Tensor4D, 1, dims))) : x;
        y = tf.relu(batchNorm(depthwise(y, dw as tf.Tensor4D, stride, dims)));
        y = batchNorm(conv(y, project as tf.Tensor4D, 1, dims));
        return residual ? tf.add(x, y) : y;
      },
    };
  };
}

/** The chain space's 'skip': identity, or a 1×1 strided conv + BN where the block changes shape. */
export const chainSkipOp: OpBuilder = (cIn, cOut, stride, { dims, rng }: OpOptions): Op => {
  if (stride === 1 && cIn === cOut) return { variables: [], apply: (x) => x };
  const w = convFilter(1, cIn, cOut, dims, rng);
  return { variables: [w], apply: (x) => batchNorm(conv(x, w as tf.Tensor4D, stride, dims)) };
};
