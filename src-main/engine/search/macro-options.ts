import type { ResolvedSearchConfig } from '../../contract/search-config.js';
import type { MacroOptions } from '../space/macro.js';
import type { Task } from '../tasks/task.types.js';

/**
 * The macro skeleton shared by the supernet and the derived model. Images of 28 px or more start with
 * a stride-2 stem: a quarter of the compute, and MNIST-sized digits lose nothing at 14×14. Denoising
 * keeps the full resolution throughout.
 */
export function macroOptionsFor(config: ResolvedSearchConfig, task: Task): MacroOptions {
  const denoise = task.kind === 'denoising';
  const side = task.dims === 2 ? Math.min(task.inputShape[0], task.inputShape[1]) : task.inputShape[1];
  return {
    channels: config.channels,
    cells: config.cells,
    nodes: config.nodes,
    stemMultiplier: 3,
    stemStride: !denoise && side >= 28 ? 2 : 1,
    reductions: !denoise,
  };
}
