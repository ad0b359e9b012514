/**
 * The macro architecture shared by the supernet and the derived network, so a genotype searched in
 * one is retrained in the same skeleton: stem, a sequence of cells (normal or reduce), then the task's
 * head. Channel arithmetic follows DARTS: a reduction halves the spatial size and doubles C.
 */
export interface MacroOptions {
  /** Channels of the first cell (C in DARTS). */
  channels: number;
  /** Number of cells. */
  cells: number;
  /** Intermediate nodes per cell (DARTS: 4; NB201 has 3 and ignores this). */
  nodes: number;
  /** Stem output channels = stemMultiplier × channels (DARTS uses 3). */
  stemMultiplier: number;
  /** Stride of the stem convolution: 2 halves the input at once (cheap on 28×28 MNIST). */
  stemStride: 1 | 2;
  /** Denoising keeps the resolution: no reduction cells. */
  reductions: boolean;
}

export interface CellPlan {
  index: number;
  type: 'normal' | 'reduce';
  /** Channels of the two inputs (c_{k-2}, c_{k-1}) and of each intermediate node. */
  cPrevPrev: number;
  cPrev: number;
  c: number;
  /** True when c_{k-2} has twice the resolution of c_{k-1} and must be reduced first (FactorizedReduce). */
  reductionPrev: boolean;
  /** Output channels: nodes × c (concatenation of the intermediate nodes). */
  cOut: number;
}

export interface MacroPlan {
  stemChannels: number;
  stemStride: 1 | 2;
  cells: CellPlan[];
  /** Channels entering the head. */
  headChannels: number;
}

/** DARTS-style cells: reductions at 1/3 and 2/3 of the depth. */
export function planDartsMacro(options: MacroOptions): MacroPlan {
  const { channels, cells, nodes, stemMultiplier, stemStride, reductions } = options;
  const stemChannels = stemMultiplier * channels;
  let cPrevPrev = stemChannels;
  let cPrev = stemChannels;
  let c = channels;
  let reductionPrev = false;
  const plan: CellPlan[] = [];
  const reduceAt = reductions ? new Set([Math.floor(cells / 3), Math.floor((2 * cells) / 3)]) : new Set<number>();
  for (let i = 0; i < cells; i++) {
    const reduce = reduceAt.has(i) && i > 0;
    if (reduce) c *= 2;
    const cOut = nodes * c;
    plan.push({ index: i, type: reduce ? 'reduce' : 'normal', cPrevPrev, cPrev, c, reductionPrev, cOut });
    reductionPrev = reduce;
    cPrevPrev = cPrev;
    cPrev = cOut;
  }
  return { stemChannels, stemStride, cells: plan, headChannels: cPrev };
}

/**
 * NB201-style macro: stacks of normal cells separated by residual reduction blocks (the reduce "cells"
 * here are fixed ResNet blocks, not searched). `cells` counts the searched cells, split into 3 stages.
 */
export function planNb201Macro(options: MacroOptions): MacroPlan {
  const { channels, cells, stemStride, reductions } = options;
  const perStage = Math.max(1, Math.round(cells / 3));
  const plan: CellPlan[] = [];
  let c = channels;
  let index = 0;
  for (let stage = 0; stage < 3; stage++) {
    if (stage > 0 && reductions) {
      plan.push({ index: index++, type: 'reduce', cPrevPrev: c, cPrev: c, c: c * 2, reductionPrev: false, cOut: c * 2 });
      c *= 2;
    }
    for (let k = 0; k < perStage; k++) {
      plan.push({ index: index++, type: 'normal', cPrevPrev: c, cPrev: c, c, reductionPrev: false, cOut: c });
    }
  }
  return { stemChannels: channels, stemStride, cells: plan, headChannels: c };
}
