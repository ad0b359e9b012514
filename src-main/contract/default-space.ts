import type { z } from 'zod';
import type { SpaceNameSchema, TaskKindSchema } from './search-config.js';

type SpaceName = z.infer<typeof SpaceNameSchema>;

/**
 * The space a search uses when none is chosen, one per task. Image classification: the mobile chain, whose
 * searched models beat a MobileNet-style CNN of their size on Fashion-MNIST where DARTS and NB201 cells only
 * matched or trailed it (docs/presets.md). Denoising keeps DARTS cells (its preset was measured there), and
 * sensor windows the 1-D cells.
 */
export function defaultSpace(task: z.infer<typeof TaskKindSchema>): SpaceName {
  if (task === 'har') return 'har1d';
  return task === 'denoising' ? 'darts' : 'chain';
}
