import * as tf from '@tensorflow/tfjs';
import type { ExportGraph, ExportOp, FusedActivation } from './export-graph.js';

/**
 * Runs the export graph (after folding) with tfjs ops. It gives every intermediate tensor, which
 * calibration needs, and checks that folding kept the model's function.
 * `onTensor` sees each tensor (the input first) and must not keep it: everything is disposed on return.
 */
export function runExportGraph(graph: ExportGraph, x: tf.Tensor, onTensor?: (id: number, value: tf.Tensor) => void): tf.Tensor {
  return tf.tidy(() => {
    const values = new Map<number, tf.Tensor>([[graph.input, x]]);
    onTensor?.(graph.input, x);
    for (const op of graph.ops) {
      const out = runOp(op, op.inputs.map((i) => values.get(i)!), graph);
      values.set(op.output, out);
      onTensor?.(op.output, out);
    }
    return values.get(graph.output)!;
  });
}

function act(x: tf.Tensor, a: FusedActivation): tf.Tensor {
  return a === 'relu' ? tf.relu(x) : x;
}

function runOp(op: ExportOp, xs: tf.Tensor[], graph: ExportGraph): tf.Tensor {
  const x = xs[0];
  switch (op.kind) {
    case 'conv2d': {
      const y = tf.conv2d(x as tf.Tensor4D, tf.tensor4d(op.kernel, op.kernelShape), op.strides, op.padding, 'NHWC', op.dilation);
      return act(tf.add(y, op.bias), op.activation);
    }
    case 'depthwise': {
      const y = tf.depthwiseConv2d(x as tf.Tensor4D, tf.tensor4d(op.kernel, op.kernelShape), op.strides, op.padding, 'NHWC', op.dilation);
      return act(tf.add(y, op.bias), op.activation);
    }
    case 'dense':
      return act(tf.add(tf.matMul(x as tf.Tensor2D, tf.tensor2d(op.kernel, op.kernelShape)), op.bias), op.activation);
    case 'scaleShift':
      return act(tf.add(tf.mul(x, op.scale), op.shift), op.activation);
    case 'relu':
      return tf.relu(x);
    case 'softmax':
      return tf.softmax(x);
    case 'add':
      return act(tf.addN(xs), op.activation);
    case 'concat':
      return tf.concat(xs, -1);
    case 'maxPool':
      return tf.maxPool(x as tf.Tensor4D, op.pool, op.strides, op.padding);
    case 'avgPool':
      return tf.avgPool(x as tf.Tensor4D, op.pool, op.strides, op.padding);
    case 'globalAvgPool':
      return tf.mean(x, [1, 2]);
    case 'pad':
      return tf.pad(x, [[0, 0], op.pads[0], op.pads[1], [0, 0]]);
    case 'crop': {
      const [, h, w, c] = x.shape;
      const [[t, b], [l, r]] = op.crops;
      return tf.slice(x, [0, t, l, 0], [-1, h! - t - b, w! - l - r, c!]);
    }
    case 'reshape':
      return tf.reshape(x, [-1, ...graph.tensors.get(op.output)!.shape]);
    case 'identity':
      return x;
  }
}
