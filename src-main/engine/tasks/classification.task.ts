import * as tf from '@tensorflow/tfjs';
import type { Task } from './task.types.js';

/** Image classification: logits out, softmax cross-entropy, accuracy as the running score. */
export function classificationTask(inputShape: number[], numClasses: number): Task {
  return {
    kind: 'classification',
    dims: 2,
    inputShape,
    numClasses,
    makeBatch: (x, y) => ({ input: x, target: tf.oneHot(tf.cast(y, 'int32'), numClasses) }),
    loss: (logits, oneHot) => tf.losses.softmaxCrossEntropy(oneHot, logits) as tf.Scalar,
    batchScore: (logits, oneHot) => tf.mean(tf.cast(tf.equal(tf.argMax(logits, -1), tf.argMax(oneHot, -1)), 'float32')) as tf.Scalar,
    scoreName: 'accuracy',
  };
}
