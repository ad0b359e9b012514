/**
 * Our own ground truth for search quality: architectures drawn uniformly from a space (fixed seed), each
 * trained from scratch with one small budget on Fashion-MNIST and scored on a validation split no search
 * sees (setup.ts). Resumable: rows already in the file are kept, so an interrupted run continues.
 *
 *   npm run bench:groundtruth -- --space nb201 --count 60 [--repeat 8]
 *   npm run bench:groundtruth -- --space darts --count 30
 *
 * --repeat N trains the first N architectures again with seed 1: the spread between two trainings of one
 * architecture, i.e. how far apart two scores must be to mean anything. Measured per architecture on one thread while other benchmarks
 * shared the 2 cores: NB201 7.5–99 s (median 28 s), DARTS space 48–182 s (median 88 s).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { selectBackend } from '../../src-main/engine/backend/select-backend.js';
import { trainAndScore } from '../../src-main/engine/search/rank/train-and-score.js';
import { sampleDistinctGenotypes } from '../../src-main/engine/space/sample-genotype.js';
import { getSpace } from '../../src-main/engine/space/spaces.js';
import type { SpaceName } from '../../src-main/engine/space/space.types.js';
import { writeJsonAtomic } from '../../src-main/engine/util/atomic-write.js';
import { Rng } from '../../src-main/engine/util/rng.js';
import { benchData, GROUND_TRUTH_BUDGET, GROUND_TRUTH_FILE, GROUND_TRUTH_MODEL } from './setup.js';

export interface GroundTruthRow {
  genotype: string;
  params: number;
  accuracy: number;
  loss: number;
  seconds: number;
}
export interface GroundTruth {
  dataset: string;
  budget: typeof GROUND_TRUTH_BUDGET;
  model: typeof GROUND_TRUTH_MODEL;
  sampling: string;
  spaces: Partial<Record<SpaceName, { seed: number; rows: GroundTruthRow[]; repeats: (GroundTruthRow & { seed: number })[] }>>;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

export function readGroundTruth(file = GROUND_TRUTH_FILE): GroundTruth | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as GroundTruth) : undefined;
}

async function main(): Promise<void> {
  const spaceName = (arg('space') ?? 'nb201') as SpaceName;
  const count = Number(arg('count') ?? 60);
  const repeat = Number(arg('repeat') ?? 0);
  const samplingSeed = Number(arg('seed') ?? 2026);
  const file = arg('out') ?? GROUND_TRUTH_FILE;
  const backend = await selectBackend();
  const data = benchData();
  const space = getSpace(spaceName);
  const genotypes = sampleDistinctGenotypes(space, count, new Rng(samplingSeed));
  const save = (truth: GroundTruth) => {
    mkdirSync(path.dirname(file), { recursive: true });
    // Re-read first: the other space may be written by a second process at the same time.
    const latest = readGroundTruth(file);
    writeJsonAtomic(file, { ...truth, spaces: { ...latest?.spaces, [spaceName]: truth.spaces[spaceName] } });
  };
  const truth: GroundTruth = readGroundTruth(file) ?? {
    dataset: 'fashion-mnist: 10,000 training images (of the 55,000 a search may read), 5,000 validation images no search sees',
    budget: GROUND_TRUTH_BUDGET,
    model: GROUND_TRUTH_MODEL,
    sampling: 'uniform over the space (NB201: cells with an input-to-output path only), distinct genotypes',
    spaces: {},
  };
  const entry = (truth.spaces[spaceName] ??= { seed: samplingSeed, rows: [], repeats: [] });
  if (entry.seed !== samplingSeed) throw new Error(`${file} holds ${spaceName} sampled with seed ${entry.seed}, not ${samplingSeed}`);
  console.error(`backend ${backend.name}; ${spaceName}: ${count} architectures, ${entry.rows.length} already scored`);
  const score = async (genotype: string, seed: number) => {
    const s = await trainAndScore(genotype, { train: data.searchable, validation: data.validation, task: data.task }, GROUND_TRUTH_MODEL, { ...GROUND_TRUTH_BUDGET, seed });
    return { genotype, params: s.params, accuracy: s.score, loss: s.loss, seconds: Math.round(s.seconds * 10) / 10 };
  };
  for (const [i, genotype] of genotypes.entries()) {
    if (entry.rows.some((r) => r.genotype === genotype)) continue;
    const row = await score(genotype, GROUND_TRUTH_BUDGET.seed);
    entry.rows.push(row);
    save(truth);
    console.error(`${spaceName} ${i + 1}/${count}: ${(row.accuracy * 100).toFixed(2)} % (${row.params} params, ${row.seconds} s) ${genotype.slice(0, 90)}`);
  }
  for (const genotype of genotypes.slice(0, repeat)) {
    if (entry.repeats.some((r) => r.genotype === genotype)) continue;
    entry.repeats.push({ ...(await score(genotype, 1)), seed: 1 });
    save(truth);
  }
  const accs = entry.rows.map((r) => r.accuracy).sort((a, b) => a - b);
  const q = (p: number) => accs[Math.min(accs.length - 1, Math.floor(p * accs.length))];
  console.log(`${spaceName}: ${accs.length} architectures; accuracy min ${q(0).toFixed(4)}, median ${q(0.5).toFixed(4)}, 90th percentile ${q(0.9).toFixed(4)}, max ${accs.at(-1)?.toFixed(4)}`);
  if (entry.repeats.length) {
    const diffs = entry.repeats.map((r) => Math.abs(r.accuracy - entry.rows.find((x) => x.genotype === r.genotype)!.accuracy));
    console.log(`seed spread (|seed 0 - seed 1|) over ${diffs.length}: mean ${(diffs.reduce((a, b) => a + b, 0) / diffs.length).toFixed(4)}, max ${Math.max(...diffs).toFixed(4)}`);
  }
}

if (process.argv[1]?.endsWith('groundtruth.bench.ts')) await main();
