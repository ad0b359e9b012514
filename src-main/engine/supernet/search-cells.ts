import * as tf from '@tensorflow/tfjs';
import { factorizedReduce, reluConvBnOp } from '../ops/candidate.ops.js';
import { EdgeInput } from '../ops/edge-input.js';
import { conv, convFilter, pool, reducedShape } from '../ops/layers.js';
import type { Op, OpOptions, OpRegistry } from '../ops/op.types.js';
import type { CellPlan } from '../space/macro.js';
import type { EdgeSpec, SearchSpace } from '../space/space.types.js';
import { MixedOp } from './mixed-op.js';
import type { CellType, CellWeights } from './supernet.types.js';

/** What every searched cell shares: its edges' mixed ops, in the order of the alpha rows. */
export interface SearchCell {
  type: CellType;
  edges: readonly EdgeSpec[];
  mixed: MixedOp[];
  variables: tf.Variable[];
}

/** Node sum of the non-null edge outputs; null when every incoming edge is switched off. */
function sum(parts: tf.Tensor4D[]): tf.Tensor4D | null {
  if (parts.length === 0) return null;
  return parts.length === 1 ? parts[0] : (tf.addN(parts) as tf.Tensor4D);
}

/** Runs the mixed ops of one node's incoming edges. */
function nodeSum(cell: SearchCell, node: number, inputs: (EdgeInput | null)[], w: CellWeights, training: boolean, auxiliarySkip: number): tf.Tensor4D | null {
  const parts: tf.Tensor4D[] = [];
  cell.edges.forEach((edge, row) => {
    if (edge.to !== node) return;
    const input = inputs[edge.from];
    if (!input) return;
    const mixed = cell.mixed[row];
    const active = mixed.activeOps(w.values, row * w.primitives);
    if (active.length === 0 && !(auxiliarySkip > 0)) return;
    const y = mixed.apply(input, w.rows[row], active, training, auxiliarySkip);
    if (y) parts.push(y);
  });
  return sum(parts);
}

/**
 * DARTS cell (also the HAR 1-D cell): preprocess c_{k-2} and c_{k-1} to C channels, every intermediate
 * node sums mixed ops from all earlier nodes, the output concatenates the intermediate nodes. In a
 * reduction cell the edges leaving the two inputs have stride 2.
 */
export class DartsSearchCell implements SearchCell {
  readonly type: CellType;
  readonly mixed: MixedOp[];
  readonly variables: tf.Variable[];
  private readonly pre0: Op;
  private readonly pre1: Op;

  constructor(
    readonly plan: CellPlan,
    private readonly space: SearchSpace,
    registry: OpRegistry,
    options: OpOptions,
    partialChannels: number,
  ) {
    this.type = plan.type;
    const { c } = plan;
    this.pre0 = plan.reductionPrev ? factorizedReduce(plan.cPrevPrev, c, 2, options) : reluConvBnOp(1)(plan.cPrevPrev, c, 1, options);
    this.pre1 = reluConvBnOp(1)(plan.cPrev, c, 1, options);
    const inputs = space.topology.inputs;
    this.mixed = this.edges.map((e) => new MixedOp(space.primitives, registry, c, plan.type === 'reduce' && e.from < inputs ? 2 : 1, options, partialChannels));
    this.variables = [...this.pre0.variables, ...this.pre1.variables, ...this.mixed.flatMap((m) => m.variables)];
  }

  get edges(): readonly EdgeSpec[] {
    return this.space.topology.edges;
  }

  apply(s0: tf.Tensor4D, s1: tf.Tensor4D, w: CellWeights, training: boolean, auxiliarySkip = 0): tf.Tensor4D {
    const { inputs, steps } = this.space.topology;
    const dims = this.space.dims;
    const states: (tf.Tensor4D | null)[] = [this.pre0.apply(s0, training), this.pre1.apply(s1, training)];
    const edgeInputs: (EdgeInput | null)[] = states.map((s) => (s ? new EdgeInput(s, dims) : null));
    for (let node = inputs; node < inputs + steps; node++) {
      const y = nodeSum(this, node, edgeInputs, w, training, auxiliarySkip);
      states.push(y);
      edgeInputs.push(y ? new EdgeInput(y, dims) : null);
    }
    // An intermediate node with every edge switched off contributes zeros to the concatenation.
    const reference = states[1] as tf.Tensor4D;
    const [b, h, wid] = reference.shape;
    const outH = this.type === 'reduce' && dims === 2 ? Math.ceil(h / 2) : h;
    const outW = this.type === 'reduce' ? Math.ceil(wid / 2) : wid;
    const outputs = states.slice(inputs).map((s) => s ?? tf.zeros([b, outH, outW, this.plan.c]));
    return tf.concat(outputs, 3) as tf.Tensor4D;
  }
}

/** NAS-Bench-201 cell: node j = Σ_{i<j} edge(i→j)(node_i), output the last node; C in, C out, stride 1. */
export class Nb201SearchCell implements SearchCell {
  readonly type: CellType = 'normal';
  readonly mixed: MixedOp[];
  readonly variables: tf.Variable[];

  constructor(
    readonly plan: CellPlan,
    private readonly space: SearchSpace,
    registry: OpRegistry,
    options: OpOptions,
    partialChannels: number,
  ) {
    this.mixed = this.edges.map(() => new MixedOp(space.primitives, registry, plan.c, 1, options, partialChannels));
    this.variables = this.mixed.flatMap((m) => m.variables);
  }

  get edges(): readonly EdgeSpec[] {
    return this.space.topology.edges;
  }

  apply(x: tf.Tensor4D, w: CellWeights, training: boolean, auxiliarySkip = 0): tf.Tensor4D {
    const { inputs, steps } = this.space.topology;
    const edgeInputs: (EdgeInput | null)[] = [new EdgeInput(x, this.space.dims)];
    let last: tf.Tensor4D | null = null;
    for (let node = inputs; node < inputs + steps; node++) {
      last = nodeSum(this, node, edgeInputs, w, training, auxiliarySkip);
      edgeInputs.push(last ? new EdgeInput(last, this.space.dims) : null);
    }
    return last ?? tf.zerosLike(x);
  }
}

/** NB201's fixed reduction: ResNet basic block, ReLU-Conv3×3(s2)-BN → ReLU-Conv3×3-BN, plus AvgPool2-Conv1×1. */
export class ResidualReduceBlock {
  readonly variables: tf.Variable[];
  private readonly a: Op;
  private readonly b: Op;
  private readonly shortcut: tf.Variable;

  constructor(
    readonly plan: CellPlan,
    private readonly options: OpOptions,
  ) {
    this.a = reluConvBnOp(3)(plan.cPrev, plan.c, 2, options);
    this.b = reluConvBnOp(3)(plan.c, plan.c, 1, options);
    this.shortcut = convFilter(1, plan.cPrev, plan.c, options.dims, options.rng);
    this.variables = [...this.a.variables, ...this.b.variables, this.shortcut];
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    const residual = this.b.apply(this.a.apply(x, training), training);
    const short = conv(pool('avg', x, 2, 2, this.options.dims), this.shortcut as tf.Tensor4D, 1, this.options.dims);
    return tf.add(residual, short);
  }
}

/** Chain space: one mixed op per block, the block's edge "b+1<-b". */
export class ChainSearchBlock implements SearchCell {
  readonly type: CellType = 'normal';
  readonly mixed: MixedOp[];
  readonly variables: tf.Variable[];

  constructor(
    readonly edge: EdgeSpec,
    readonly row: number,
    readonly cIn: number,
    readonly cOut: number,
    readonly stride: 1 | 2,
    space: SearchSpace,
    registry: OpRegistry,
    options: OpOptions,
  ) {
    // Chain blocks change channels, so their ops are built here rather than by a square MixedOp.
    this.mixed = [new MixedOp(space.primitives, registry, cIn, stride, options, 1, cOut)];
    this.variables = this.mixed[0].variables;
  }

  get edges(): readonly EdgeSpec[] {
    return [this.edge];
  }

  apply(x: tf.Tensor4D, w: CellWeights, training: boolean): tf.Tensor4D {
    const mixed = this.mixed[0];
    const active = mixed.activeOps(w.values, this.row * w.primitives);
    const y = mixed.apply(new EdgeInput(x, mixed.dims), w.rows[this.row], active, training);
    return y ?? tf.zeros(reducedShape(x, this.stride, mixed.dims, this.cOut));
  }
}
