/** Alphas (architecture logits) exported as probabilities: per cell type, per edge, per primitive. Owned here; the engine imports it. */
export interface AlphaProbs {
  primitives: readonly string[];
  /** edge names, in the same order as rows of each matrix */
  edges: string[];
  normal: number[][];
  reduce?: number[][];
}
