import type * as tf from '@tensorflow/tfjs';
import type { SearchSpace } from '../space/space.types.js';
import type { Task } from '../tasks/task.types.js';

export type CellType = 'normal' | 'reduce';

/** Per cell type, an [edges, primitives] matrix of edge weights supplied by a strategy. */
export type EdgeWeights = Partial<Record<CellType, tf.Tensor2D>>;

export interface SupernetOptions {
  space: SearchSpace;
  task: Task;
  /** C of the first cell (chain: of the stem). */
  channels: number;
  /** Cells (DARTS, HAR), searched cells split in 3 stages (NB201); ignored by the chain (its blocks are the edges). */
  cells: number;
  /** Stem channels = stemMultiplier × C for DARTS-style cells (default 3). */
  stemMultiplier?: number;
  stemStride: 1 | 2;
  /** PC-DARTS: only 1/K of the channels pass through the candidate ops (1 or unset: all). */
  partialChannels?: number;
  /** Seeds weight and alpha initialisation. */
  seed: number;
}

/** One searchable edge in one cell instance: what a latency table needs to price each of its ops. */
export interface EdgeInstance {
  cellIndex: number;
  cellType: CellType;
  edge: string;
  /** Row of the edge in its cell type's alpha matrix. */
  row: number;
  cIn: number;
  cOut: number;
  stride: 1 | 2;
  /** Spatial size of the edge's input (height is 1 for HAR windows). */
  height: number;
  width: number;
}

/** The per-cell-type weights of one forward pass: the matrix split into rows, and its values for skipping zeros. */
export interface CellWeights {
  rows: tf.Tensor2D[];
  values: ArrayLike<number>;
  primitives: number;
}
