/**
 * Retraining schedule of classifiers (images and HAR windows): Adam with a one-cycle shape (15 % linear warm-up, then cosine)
 * and a peak that grows with the square root of the batch. Measured on MNIST with the quick preset's
 * genotype (one thread, test accuracy after retraining from scratch, docs/presets.md): the earlier plain
 * cosine from 2e-3 reached 98.26 % after one epoch, this shape 98.67 %; after two epochs 99.08 % at batch
 * 64 (peak 5.7e-3) and 99.07 % at batch 128 (peak 8e-3), where the old schedule needed three epochs.
 * On the synthetic HAR set (quick genotype, batch 64): 91.0 % after 8 epochs before, 91.0 % after 4 and
 * 91.5 % after 8 with this shape.
 */
export function classifierRetrainSchedule(batchSize: number): { learningRate: number; warmupFraction: number } {
  return { learningRate: 4e-3 * Math.sqrt(batchSize / 32), warmupFraction: 0.15 };
}
