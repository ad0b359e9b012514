import * as tf from '@tensorflow/tfjs';
import { batchNorm, conv, convFilter, uniformVariable } from '../ops/layers.js';
import type { OpOptions } from '../ops/op.types.js';
import { getOpRegistry } from '../ops/registry.js';
import { planDartsMacro, planNb201Macro, type MacroPlan } from '../space/macro.js';
import type { AlphaProbs } from '../space/space.types.js';
import { Rng } from '../util/rng.js';
import { ChainSearchBlock, DartsSearchCell, Nb201SearchCell, ResidualReduceBlock } from './search-cells.js';
import type { CellType, CellWeights, EdgeInstance, EdgeWeights, SupernetOptions } from './supernet.types.js';
import { knownValues } from './known-edge-values.js';

export interface ForwardOptions {
  /** DARTS-: weight of an auxiliary skip (β·x) added to every stride-1 edge; 0 or unset: none. */
  auxiliarySkip?: number;
}

type Stage =
  | { kind: 'darts'; cell: DartsSearchCell }
  | { kind: 'nb201'; cell: Nb201SearchCell }
  | { kind: 'resblock'; block: ResidualReduceBlock }
  | { kind: 'chain'; block: ChainSearchBlock };

/**
 * The one-shot network: stem, searched cells (or chain blocks) from the macro plan shared with the
 * derived model (space/macro.ts, derive/build-derived-model.ts), and the task's head. It knows no
 * strategy: forward() takes the edge weights a strategy computed from alphaVars(). Network weights and
 * alphas are separate variable lists so each gets its own optimizer.
 */
export class Supernet {
  readonly cellTypes: readonly CellType[];
  readonly primitives: readonly string[];
  readonly edgeNames: string[];
  /** One [edges, primitives] alpha variable per cell type. */
  readonly alphas: Partial<Record<CellType, tf.Variable>> = {};
  readonly plan: MacroPlan | undefined;
  private readonly stages: Stage[] = [];
  private readonly stemFilter: tf.Variable;
  private readonly head: tf.Variable[];
  private readonly weights: tf.Variable[];
  private readonly edges: EdgeInstance[] = [];
  private readonly inputChannels: number;

  constructor(readonly options: SupernetOptions) {
    const { space, task, channels, stemStride } = options;
    if (space.dims !== task.dims) throw new Error(`supernet: search space "${space.name}" is ${space.dims}-D but the ${task.kind} task is ${task.dims}-D`);
    const denoise = task.kind === 'denoising';
    if (denoise && stemStride !== 1) throw new Error('supernet: denoising keeps the resolution, so stemStride must be 1');
    this.cellTypes = space.cellTypes;
    this.primitives = space.primitives;
    this.edgeNames = space.topology.edges.map((e) => e.name);
    const rng = new Rng(options.seed);
    const opOptions: OpOptions = { dims: space.dims, rng, bnAfterPool: space.name !== 'nb201' };
    const registry = getOpRegistry(space.name);
    const partial = options.partialChannels ?? 1;

    const shape = task.inputShape;
    this.inputChannels = shape[shape.length - 1];
    let height = space.dims === 2 ? shape[0] : 1;
    let width = shape[shape.length - 2];
    const reduce = (s: number) => {
      if (space.dims === 2) height = Math.ceil(height / s);
      width = Math.ceil(width / s);
    };

    const macro = {
      channels,
      cells: options.cells,
      nodes: space.topology.steps,
      stemMultiplier: options.stemMultiplier ?? 3,
      stemStride,
      reductions: !denoise,
    };
    const variables: tf.Variable[] = [];
    let featureChannels: number;
    if (space.kind === 'chain') {
      this.plan = undefined;
      this.stemFilter = convFilter(3, this.inputChannels, channels, space.dims, rng);
      reduce(stemStride);
      const n = space.topology.edges.length;
      const reduceAt = denoise ? new Set<number>() : new Set([Math.floor(n / 3), Math.floor((2 * n) / 3)]);
      let c = channels;
      space.topology.edges.forEach((edge, b) => {
        const stride: 1 | 2 = reduceAt.has(b) && b > 0 ? 2 : 1;
        const cOut = stride === 2 ? 2 * c : c;
        const block = new ChainSearchBlock(edge, b, c, cOut, stride, space, registry, opOptions);
        this.edges.push({ cellIndex: b, cellType: 'normal', edge: edge.name, row: b, cIn: c, cOut, stride, height, width });
        this.stages.push({ kind: 'chain', block });
        reduce(stride);
        c = cOut;
      });
      featureChannels = c;
    } else {
      const plan = space.name === 'nb201' ? planNb201Macro(macro) : planDartsMacro(macro);
      this.plan = plan;
      this.stemFilter = convFilter(3, this.inputChannels, plan.stemChannels, space.dims, rng);
      reduce(stemStride);
      for (const cellPlan of plan.cells) {
        if (space.name === 'nb201' && cellPlan.type === 'reduce') {
          this.stages.push({ kind: 'resblock', block: new ResidualReduceBlock(cellPlan, opOptions) });
          reduce(2);
          continue;
        }
        const inputs = space.topology.inputs;
        space.topology.edges.forEach((e, row) => {
          const stride: 1 | 2 = cellPlan.type === 'reduce' && e.from < inputs ? 2 : 1;
          // Edges from intermediate nodes of a reduction cell already work at the reduced size.
          const reduced = cellPlan.type === 'reduce' && e.from >= inputs;
          const h = reduced && space.dims === 2 ? Math.ceil(height / 2) : height;
          const w = reduced ? Math.ceil(width / 2) : width;
          this.edges.push({ cellIndex: cellPlan.index, cellType: cellPlan.type, edge: e.name, row, cIn: cellPlan.c, cOut: cellPlan.c, stride, height: h, width: w });
        });
        if (space.name === 'nb201') this.stages.push({ kind: 'nb201', cell: new Nb201SearchCell(cellPlan, space, registry, opOptions, partial) });
        else this.stages.push({ kind: 'darts', cell: new DartsSearchCell(cellPlan, space, registry, opOptions, partial) });
        if (cellPlan.type === 'reduce') reduce(2);
      }
      featureChannels = plan.headChannels;
    }

    if (denoise) {
      // Zero-initialised residual head: the supernet starts as the identity on the noisy input.
      const filter = convFilter(3, featureChannels, this.inputChannels, space.dims, rng);
      const bias = uniformVariable([this.inputChannels], 9 * featureChannels, rng, 'head_bias');
      tf.tidy(() => {
        filter.assign(tf.zerosLike(filter));
        bias.assign(tf.zerosLike(bias));
      });
      this.head = [filter, bias];
    } else {
      this.head = [uniformVariable([featureChannels, task.numClasses], featureChannels, rng, 'dense'), uniformVariable([task.numClasses], featureChannels, rng, 'dense_bias')];
    }
    variables.push(this.stemFilter, ...this.stages.flatMap((s) => ('cell' in s ? s.cell.variables : s.block.variables)), ...this.head);
    this.weights = variables;

    for (const type of this.cellTypes) {
      const values = new Float32Array(this.edgeNames.length * this.primitives.length);
      for (let i = 0; i < values.length; i++) values[i] = 1e-3 * rng.normal();
      const initial = tf.tensor2d(values, [this.edgeNames.length, this.primitives.length]);
      this.alphas[type] = tf.variable(initial, true);
      initial.dispose();
    }
  }

  /** Network weights: trained on the weight split by the weight optimizer. */
  weightVars(): tf.Variable[] {
    return this.weights;
  }

  /** Architecture logits, one [edges, primitives] variable per cell type, in cellTypes order. */
  alphaVars(): tf.Variable[] {
    return this.cellTypes.map((t) => this.alphas[t] as tf.Variable);
  }

  /** Every searchable edge of every cell instance, with its shapes (for latency tables). */
  edgeInstances(): readonly EdgeInstance[] {
    return this.edges;
  }

  /**
   * x: [B, ...task.inputShape] (a HAR batch [B, T, C] is viewed as [B, 1, T, C]). Ops whose edge weight is
   * exactly 0 are skipped: the zeros are those the strategy recorded with the weights (known-edge-values.ts),
   * else the weights are read once per call (a tiny synchronous read, on host backends only).
   */
  forward(x: tf.Tensor, edgeWeights: EdgeWeights, training: boolean, options: ForwardOptions = {}): tf.Tensor {
    const aux = options.auxiliarySkip ?? 0;
    const weights = {} as Record<CellType, CellWeights>;
    for (const type of this.cellTypes) weights[type] = this.cellWeights(type, edgeWeights[type]);
    const input = (x.rank === 3 ? tf.expandDims(x, 1) : x) as tf.Tensor4D;
    const dims = this.options.space.dims;
    let y = batchNorm(conv(input, this.stemFilter as tf.Tensor4D, this.options.stemStride, dims));
    if (this.options.space.kind === 'chain') y = tf.relu(y);
    let prev = y;
    for (const stage of this.stages) {
      switch (stage.kind) {
        case 'darts': {
          const out = stage.cell.apply(prev, y, weights[stage.cell.type], training, aux);
          prev = y;
          y = out;
          break;
        }
        case 'nb201':
          y = stage.cell.apply(y, weights.normal, training, aux);
          break;
        case 'resblock':
          y = stage.block.apply(y, training);
          break;
        case 'chain':
          y = stage.block.apply(y, weights.normal, training);
          break;
      }
    }
    return this.applyHead(input, y);
  }

  /** Softmax of the alphas per edge, for heatmaps and derivation (an awaited read: GPU backends have no other). */
  async alphaProbs(): Promise<AlphaProbs> {
    const probs: AlphaProbs = { primitives: this.primitives, edges: [...this.edgeNames], normal: [] };
    for (const type of this.cellTypes) probs[type] = softmaxRows(await this.alphaLogits(type));
    return probs;
  }

  async alphaLogits(type: CellType): Promise<number[][]> {
    const alpha = this.alphas[type];
    if (!alpha) throw new Error(`supernet: no alphas for cell type "${type}" in the ${this.options.space.name} space`);
    return (await alpha.array()) as number[][];
  }

  dispose(): void {
    tf.dispose([...this.weights, ...this.alphaVars()]);
  }

  private cellWeights(type: CellType, matrix: tf.Tensor2D | undefined): CellWeights {
    const edges = this.edgeNames.length;
    const primitives = this.primitives.length;
    if (!matrix) throw new Error(`supernet.forward: no edge weights for the ${type} cell`);
    if (matrix.shape[0] !== edges || matrix.shape[1] !== primitives) {
      throw new Error(`supernet.forward: ${type} edge weights are [${matrix.shape.join(', ')}], expected [${edges}, ${primitives}]`);
    }
    // Strategies record the zero pattern of the weights they make; others' weights are read (host backends only).
    return { rows: tf.split(matrix, edges, 0), values: knownValues(matrix) ?? (matrix.dataSync() as Float32Array), primitives };
  }

  private applyHead(input: tf.Tensor4D, features: tf.Tensor4D): tf.Tensor {
    const dims = this.options.space.dims;
    if (this.options.task.kind === 'denoising') {
      const [filter, bias] = this.head;
      const residual = tf.add(conv(tf.relu(features), filter as tf.Tensor4D, 1, dims), bias);
      return tf.add(input, residual);
    }
    let y = features;
    if (this.options.space.name === 'nb201') y = tf.relu(batchNorm(y)); // NB201's lastact
    const pooled = tf.mean(y, [1, 2]) as tf.Tensor2D;
    const [dense, bias] = this.head;
    return tf.add(tf.matMul(pooled, dense as tf.Tensor2D), bias);
  }
}

export function softmaxRows(rows: number[][]): number[][] {
  return rows.map((row) => {
    const max = Math.max(...row);
    const exps = row.map((v) => Math.exp(v - max));
    const total = exps.reduce((a, b) => a + b, 0);
    return exps.map((e) => e / total);
  });
}
