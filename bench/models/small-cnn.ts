import * as tf from '@tensorflow/tfjs';

/**
 * The Compute issue's small CNN, op for op the same as bench/torch_train.py's SmallCNN:
 * conv 3×3 1→16 + ReLU + maxpool 2, conv 3×3 16→32 + ReLU + maxpool 2, flatten, dense 1568→10.
 */
export function smallCnn(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
      tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10 }),
    ],
  });
}
