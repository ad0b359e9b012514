import type { z } from 'zod';
import type { SpaceNameSchema, TaskKindSchema } from './search-config.js';

type SpaceName = z.infer<typeof SpaceNameSchema>;
type TaskKind = z.infer<typeof TaskKindSchema>;

/**
 * The space a search uses when none is chosen, one per task. Image classification: the mobile chain, whose
 * searched models beat a MobileNet-style CNN of their size on Fashion-MNIST where DARTS and NB201 cells only
 * matched or trailed it (docs/presets.md). Denoising keeps DARTS cells (its preset was measured there), and
 * sensor windows the 1-D cells.
 */
export function defaultSpace(task: TaskKind): SpaceName {
  if (task === 'har') return 'har1d';
  return task === 'denoising' ? 'darts' : 'chain';
}

/** The space a search of `task` runs in: the chosen one (DARTS cells on sensor windows are the 1-D ones), else the task's default. */
export function searchSpaceFor(task: TaskKind, chosen: SpaceName | undefined): SpaceName {
  const space = chosen ?? defaultSpace(task);
  return task === 'har' && space === 'darts' ? 'har1d' : space;
}
