/**
 * Datasets live in plain typed arrays (not tensors) so they can be split, shuffled, sent to worker
 * threads and checkpointed without touching a tfjs backend. Batches become tensors only inside a tidy.
 */
export interface ArrayDataset {
  /** Human-readable origin, e.g. "mnist (train)" or the user's folder. */
  name: string;
  /** Samples, row-major, float32 in [0, 1] for images; physical units for sensor windows. */
  x: Float32Array;
  /** [N, ...sampleShape], e.g. [60000, 28, 28, 1] or [7352, 128, 9]. */
  xShape: number[];
  /** Class index per sample (classification, HAR). Denoising datasets carry labels too when known. */
  y: Int32Array;
  /** Class names, index = label. */
  classes: string[];
  /** Subject id per sample where known (HAR), for subject-wise splits. */
  subjects?: Int32Array;
}

export interface DataSplits {
  /** Network weights are trained on this half during the search. */
  weight: ArrayDataset;
  /** Architecture parameters are trained on this half during the search. */
  arch: ArrayDataset;
  /** Held out: only the final evaluation reads it. */
  test: ArrayDataset;
}

// Owned by the contract (what crosses to the renderer); re-exported for the engine's readers.
export type { DataIssue, ValidationReport } from '../../contract/data-report.js';
