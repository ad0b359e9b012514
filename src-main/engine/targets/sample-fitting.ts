import type { DerivedModelOptions } from '../derive/build-derived-model.js';
import { formatGenotype } from '../space/genotype.js';
import { sampleDistinctGenotypes, sampleGenotype } from '../space/sample-genotype.js';
import type { Genotype, SearchSpace } from '../space/space.types.js';
import type { Rng } from '../util/rng.js';
import { noFitError, type TargetCheck } from './target-check.js';

/** Draws per wanted candidate before giving up on finding more that fit. */
export const DRAWS_PER_CANDIDATE = 20;

export interface FittingSample {
  /** Distinct genotypes (literature strings) that fit the target, at most `count`. */
  genotypes: string[];
  /** Distinct genotypes drawn and dropped because they do not fit. */
  dropped: number;
}

/**
 * `count` distinct architectures drawn uniformly, keeping only those that fit the target's SRAM and flash:
 * drawing goes on until `count` fit or DRAWS_PER_CANDIDATE × count draws were made. Without a check (a
 * target with no memory limits) this is sampleDistinctGenotypes, draw for draw. Throws, naming the target
 * and its limits, when none fits.
 */
export function sampleFittingGenotypes(space: SearchSpace, count: number, rng: Rng, check: TargetCheck | undefined, model: DerivedModelOptions): FittingSample {
  if (!check) return { genotypes: sampleDistinctGenotypes(space, count, rng), dropped: 0 };
  const seen = new Set<string>();
  const kept: string[] = [];
  let closest: Genotype | undefined;
  for (let draws = 0; kept.length < count && draws < count * DRAWS_PER_CANDIDATE; draws++) {
    const genotype = sampleGenotype(space, rng);
    const text = formatGenotype(genotype);
    if (seen.has(text)) continue;
    seen.add(text);
    if (check.fits(genotype)) kept.push(text);
    else if (!closest || check.overshoot(genotype) < check.overshoot(closest)) closest = genotype;
  }
  if (kept.length === 0) throw noFitError(check, check.cost(closest!), `None of the ${seen.size} ${space.name} architectures drawn`, model);
  return { genotypes: kept, dropped: seen.size - kept.length };
}
