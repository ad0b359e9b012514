/**
 * Where every op of a space sits in the derived network, with its shapes: the same arithmetic as
 * derive/build-derived-model.ts and supernet/supernet.ts (same padding: out = ceil(in / stride); HAR
 * windows keep height 1). From it come the keys a latency table must hold for one macro configuration
 * and the keys one architecture uses.
 */
import { derivedBatchNorm } from '../derive/build-derived-model.js';
import { planDartsMacro, planNb201Macro, type MacroOptions } from '../space/macro.js';
import { getSpace } from '../space/spaces.js';
import type { ChainGenotype, DartsGenotype, Genotype, Nb201Genotype, SpaceName } from '../space/space.types.js';
import type { EdgeInstance } from '../supernet/supernet.types.js';
import type { Task } from '../tasks/task.types.js';
import type { ArchLatencyQuery, FixedPartLatency, LatencyKey, LatencyKeyString, OpInputShape } from './latency-table.types.js';

export interface LayoutOptions {
  space: SpaceName;
  task: Task;
  macro: MacroOptions;
  /** Chain space only: number of blocks (default: the space's default). */
  blocks?: number;
}

/** One searchable position: an edge of a cell instance or a block of a chain. */
export interface LayoutPosition {
  cellIndex: number;
  cellType: 'normal' | 'reduce';
  edge: string;
  from: number;
  to: number;
  inputShape: OpInputShape;
  stride: 1 | 2;
  cOut: number;
}

export interface LayoutCell {
  index: number;
  type: 'normal' | 'reduce';
  /** Glue keys paid whatever the genotype (pre1, concat); pre0 only when an op reads input 0. */
  pre0: LatencyKey;
  pre1: LatencyKey;
  /** Shape a node sums at (the cell's output resolution, c channels). */
  nodeShape: OpInputShape;
  positions: LayoutPosition[];
}

export interface NetworkLayout {
  space: SpaceName;
  /** False for denoisers, whose derived ops carry no BatchNorm: their keys are timed BN-free. */
  batchNorm: boolean;
  stem: { inputShape: OpInputShape; stride: 1 | 2; cOut: number };
  head: { inputShape: OpInputShape; cOut: number };
  cells: LayoutCell[];
  /** NB201: the fixed residual reduction blocks. */
  fixedBlocks: LatencyKey[];
  /** Chain: one position per block. */
  positions: LayoutPosition[];
}

export function latencyKeyString(key: LatencyKey): LatencyKeyString {
  const [h, w, c] = key.inputShape;
  return `${key.space}|${key.op}|${h}x${w}x${c}|s${key.stride}|${key.cOut}${key.batchNorm === false ? '|nobn' : ''}`;
}

/** What identifies a stem or head measurement. */
export type FixedPartKey = Omit<FixedPartLatency, 'medianMs' | 'params'>;

export function sameFixedPart(a: FixedPartKey, b: FixedPartKey): boolean {
  return a.part === b.part && a.task === b.task && a.stride === b.stride && a.cOut === b.cOut && a.inputShape.join('x') === b.inputShape.join('x');
}

/** The task's input as [H, W, C] (a [T, C] window is [1, T, C]). */
export function taskInputShape(task: Task): OpInputShape {
  const s = task.inputShape;
  if (s.length === 2) return [1, s[0], s[1]];
  if (s.length !== 3) throw new Error(`Latency layout: task input shape [${s.join(', ')}] is neither [H, W, C] nor [T, C]`);
  return [s[0], s[1], s[2]];
}

function reduced(shape: OpInputShape, stride: number, channels = shape[2]): OpInputShape {
  const [h, w] = shape;
  return [h === 1 ? 1 : Math.ceil(h / stride), Math.ceil(w / stride), channels];
}

/** Shapes of every op position, glue and fixed part of the derived network of a configuration. */
export function networkLayout(options: LayoutOptions): NetworkLayout {
  const { space: name, task, macro } = options;
  const denoise = task.kind === 'denoising';
  const input = taskInputShape(task);
  const space = getSpace(name, name === 'chain' ? { blocks: options.blocks } : { nodes: macro.nodes });
  const reductions = denoise ? false : macro.reductions;
  const batchNorm = derivedBatchNorm(task.kind);
  const key = (op: string, inputShape: OpInputShape, stride: 1 | 2, cOut: number): LatencyKey => layoutKey({ space: name, batchNorm }, op, inputShape, stride, cOut);
  const headOut = (channels: number, shape: OpInputShape) => ({ inputShape: [shape[0], shape[1], channels] as OpInputShape, cOut: denoise ? input[2] : task.numClasses });

  if (space.kind === 'chain') {
    let shape = reduced(input, macro.stemStride, macro.channels);
    const n = space.topology.edges.length;
    const reduceAt = reductions ? new Set([Math.floor(n / 3), Math.floor((2 * n) / 3)]) : new Set<number>();
    const positions: LayoutPosition[] = space.topology.edges.map((edge, b) => {
      const stride: 1 | 2 = reduceAt.has(b) && b > 0 ? 2 : 1;
      const cOut = stride === 2 ? shape[2] * 2 : shape[2];
      const position: LayoutPosition = { cellIndex: b, cellType: 'normal', edge: edge.name, from: b, to: b + 1, inputShape: shape, stride, cOut };
      shape = reduced(shape, stride, cOut);
      return position;
    });
    return { space: name, batchNorm, stem: { inputShape: input, stride: macro.stemStride, cOut: macro.channels }, head: headOut(shape[2], shape), cells: [], fixedBlocks: [], positions };
  }

  const macroForPlan = { ...macro, reductions, nodes: space.topology.steps };
  const plan = name === 'nb201' ? planNb201Macro(macroForPlan) : planDartsMacro(macroForPlan);
  let s1 = reduced(input, macro.stemStride, plan.stemChannels);
  let s0 = s1;
  const cells: LayoutCell[] = [];
  const fixedBlocks: LatencyKey[] = [];
  for (const cell of plan.cells) {
    if (name === 'nb201' && cell.type === 'reduce') {
      fixedBlocks.push(key('@resblock', s1, 2, cell.c));
      s1 = reduced(s1, 2, cell.c);
      continue;
    }
    const reduce = cell.type === 'reduce';
    const inputs = space.topology.inputs;
    const nodeShape = reduced(s1, reduce ? 2 : 1, cell.c);
    const positions = space.topology.edges.map((e, row): LayoutPosition => {
      const fromInput = e.from < inputs;
      const stride: 1 | 2 = reduce && fromInput ? 2 : 1;
      // Inputs of a cell are preprocessed to c channels at s1's resolution; nodes live at the output's.
      const inputShape: OpInputShape = fromInput ? [s1[0], s1[1], cell.c] : nodeShape;
      void row;
      return { cellIndex: cell.index, cellType: cell.type, edge: e.name, from: e.from, to: e.to, inputShape, stride, cOut: cell.c };
    });
    const pre0 = cell.reductionPrev ? key('@fr', s0, 2, cell.c) : key('@rcb1x1', s0, 1, cell.c);
    cells.push({ index: cell.index, type: cell.type, pre0, pre1: key('@rcb1x1', s1, 1, cell.c), nodeShape, positions });
    const out = name === 'nb201' ? nodeShape : reduced(nodeShape, 1, cell.cOut);
    s0 = s1;
    s1 = out;
  }
  return { space: name, batchNorm, stem: { inputShape: input, stride: macro.stemStride, cOut: plan.stemChannels }, head: headOut(plan.headChannels, s1), cells, fixedBlocks, positions: [] };
}

/** Every searchable position of the layout, cells first then chain blocks. */
export function allPositions(layout: NetworkLayout): LayoutPosition[] {
  return [...layout.cells.flatMap((c) => c.positions), ...layout.positions];
}

/** The key of one op of this layout: its space, and BN-free for denoisers. */
export function layoutKey(layout: Pick<NetworkLayout, 'space' | 'batchNorm'>, op: string, inputShape: OpInputShape, stride: 1 | 2, cOut: number): LatencyKey {
  return { space: layout.space, op, inputShape, stride, cOut, ...(layout.batchNorm ? {} : { batchNorm: false as const }) };
}

export function positionKey(layout: NetworkLayout, op: string, p: LayoutPosition): LatencyKey {
  return layoutKey(layout, op, p.inputShape, p.stride, p.cOut);
}

/** The key of a primitive at one of the supernet's edge instances (FBNet's lookup). */
export function edgeKey(layout: Pick<NetworkLayout, 'space' | 'batchNorm'>, op: string, edge: EdgeInstance): LatencyKey {
  return layoutKey(layout, op, [edge.height, edge.width, edge.cIn], edge.stride, edge.cOut);
}

/**
 * Every key a search over this layout can need: each primitive at each position, and the glue of
 * every cell (nodes summing 1..inputs-many parts in NB201, exactly 2 in DARTS). Deduplicated.
 */
export function layoutKeys(layout: NetworkLayout, primitives: readonly string[]): LatencyKey[] {
  const keys = new Map<string, LatencyKey>();
  const add = (k: LatencyKey) => keys.set(latencyKeyString(k), k);
  for (const p of allPositions(layout)) for (const op of primitives) add(positionKey(layout, op, p));
  for (const cell of layout.cells) {
    const nodes = new Set(cell.positions.map((p) => p.to));
    if (layout.space === 'nb201') {
      for (const p of cell.positions) if (p.to > 0) for (let n = 2; n <= p.to; n++) add(layoutKey(layout, `@add${n}`, cell.nodeShape, 1, cell.nodeShape[2]));
    } else {
      add(cell.pre0);
      add(cell.pre1);
      add(layoutKey(layout, '@add2', cell.nodeShape, 1, cell.nodeShape[2]));
      add(layoutKey(layout, `@concat${nodes.size}`, cell.nodeShape, 1, nodes.size * cell.nodeShape[2]));
    }
  }
  for (const k of layout.fixedBlocks) add(k);
  return [...keys.values()];
}

function dartsOps(layout: NetworkLayout, g: DartsGenotype): LatencyKey[] {
  const ops: LatencyKey[] = [];
  for (const cell of layout.cells) {
    const cg = cell.type === 'reduce' ? g.reduce : g.normal;
    const inputsUsed = new Set(cg.ops.map(([, from]) => from));
    // tf.LayersModel runs only what leads to the output: an unread cell input is never preprocessed.
    if (inputsUsed.has(0)) ops.push(cell.pre0);
    if (inputsUsed.has(1)) ops.push(cell.pre1);
    cg.ops.forEach(([op, from], i) => {
      const to = Math.floor(i / 2) + 2;
      const p = cell.positions.find((q) => q.from === from && q.to === to);
      if (!p) throw new Error(`Latency: the genotype's edge ${to}<-${from} is not in the ${layout.space} cell of ${cell.positions.length} edges`);
      ops.push(positionKey(layout, op, p));
    });
    for (let node = 0; node < cg.ops.length / 2; node++) ops.push(layoutKey(layout, '@add2', cell.nodeShape, 1, cell.nodeShape[2]));
    const n = cg.concat.length;
    if (n > 1) ops.push(layoutKey(layout, `@concat${n}`, cell.nodeShape, 1, n * cell.nodeShape[2]));
  }
  return ops;
}

function nb201Ops(layout: NetworkLayout, g: Nb201Genotype): LatencyKey[] {
  const ops: LatencyKey[] = [...layout.fixedBlocks];
  for (const cell of layout.cells) {
    // Mirrors nb201Cell: a node whose inputs are all "none" (or zero) is dropped from later sums.
    const live: boolean[] = [true];
    g.nodes.forEach((edges, j) => {
      const node = j + 1;
      let parts = 0;
      for (const [op, from] of edges) {
        if (!live[from] || op === 'none') continue;
        const p = cell.positions.find((q) => q.from === from && q.to === node);
        if (!p) throw new Error(`Latency: the genotype's edge ${node}<-${from} is not in the NB201 cell`);
        ops.push(positionKey(layout, op, p));
        parts++;
      }
      live.push(parts > 0);
      if (parts > 1) ops.push(layoutKey(layout, `@add${parts}`, cell.nodeShape, 1, cell.nodeShape[2]));
    });
  }
  return ops;
}

function chainOps(layout: NetworkLayout, g: ChainGenotype): LatencyKey[] {
  if (g.blocks.length !== layout.positions.length) {
    throw new Error(`Latency: the chain genotype has ${g.blocks.length} blocks but the layout has ${layout.positions.length}; build the layout with blocks: ${g.blocks.length}`);
  }
  return g.blocks.map((op, b) => positionKey(layout, op, layout.positions[b]));
}

/** The stem, head and every op (glue included) one architecture runs, as table keys. */
export function architectureQuery(layout: NetworkLayout, genotype: Genotype, task: Task): ArchLatencyQuery {
  let ops: LatencyKey[];
  if (genotype.format === 'darts') ops = dartsOps(layout, genotype);
  else if (genotype.format === 'nb201') ops = nb201Ops(layout, genotype);
  else ops = chainOps(layout, genotype);
  return {
    stem: { task: task.kind, inputShape: layout.stem.inputShape, stride: layout.stem.stride, cOut: layout.stem.cOut },
    head: { task: task.kind, inputShape: layout.head.inputShape, stride: 1, cOut: layout.head.cOut },
    ops,
  };
}
