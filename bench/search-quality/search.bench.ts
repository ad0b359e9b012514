/**
 * Search quality against our own ground truth (groundtruth.bench.ts): for each method and seed, the
 * quick preset's search runs on the 55,000 images a search may read; the architecture it returns is
 * trained with the ground truth's budget and scored on the validation split no search sees, then placed
 * among the sampled architectures (percentile). Random search given the default search's wall time is
 * the reference line; ranking methods get Kendall τ against the table.
 *
 *   npm run bench:search [-- --space nb201 --methods rank-race,random-time,gdas,darts,pcdarts,fbnet,random --seeds 0,1,2,3,4]
 *
 * Resumable: rows already in bench/results/search-quality.json are kept. Prints a table at the end.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { StrategyName } from '../../src-main/engine/strategy/strategy.types.js';
import { selectBackend } from '../../src-main/engine/backend/select-backend.js';
import { macroOptionsFor } from '../../src-main/engine/search/macro-options.js';
import { resolveConfig } from '../../src-main/engine/search/presets.js';
import { RACE_BATCH } from '../../src-main/engine/search/rank/rank-race-phase.js';
import { trainAndScore } from '../../src-main/engine/search/rank/train-and-score.js';
import { BN_RECALIBRATION_BATCHES } from '../../src-main/engine/derive/retrain.js';
import { runSearchPhase } from '../../src-main/engine/search/search-phase.js';
import { carveValidation, type TaskData } from '../../src-main/engine/search/task-data.js';
import { formatGenotype } from '../../src-main/engine/space/genotype.js';
import { sampleGenotype } from '../../src-main/engine/space/sample-genotype.js';
import { getSpace } from '../../src-main/engine/space/spaces.js';
import type { SpaceName } from '../../src-main/engine/space/space.types.js';
import { writeJsonAtomic } from '../../src-main/engine/util/atomic-write.js';
import { Rng } from '../../src-main/engine/util/rng.js';
import { readGroundTruth } from './groundtruth.bench.js';
import { rankCorrelations } from './rank-correlation.js';
import { benchData, GROUND_TRUTH_BUDGET, GROUND_TRUTH_MODEL } from './setup.js';

const FILE = 'bench/results/search-quality.json';

interface Row {
  space: SpaceName;
  method: string;
  seed: number;
  genotype: string;
  searchSeconds: number;
  accuracy: number;
  /** The same architecture trained again under the ground truth's budget with seed 1 (seed-to-seed spread ~0.9 points). */
  accuracySeed1?: number;
  percentile: number;
  params: number;
  decision?: string;
  candidatesTried?: number;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const space = (arg('space') ?? 'nb201') as SpaceName;
const methods = (arg('methods') ?? 'rank-race,random-time,gdas,darts,pcdarts,fbnet,random').split(',');
const seeds = (arg('seeds') ?? '0,1,2,3,4').split(',').map(Number);
const backend = await selectBackend();
const truth = readGroundTruth()?.spaces[space];
if (!truth || truth.rows.length < 10) throw new Error(`No ground truth for ${space}: run npm run bench:groundtruth -- --space ${space} first.`);
const data = benchData();
const saved: { rows: Row[]; rankings?: unknown } = existsSync(FILE) ? JSON.parse(readFileSync(FILE, 'utf8')) : { rows: [] };
const sameRun = (a: Row, b: Row) => a.space === b.space && a.method === b.method && a.seed === b.seed;
/** Merges with the file as it is now: two bench processes (e.g. different methods) may share it. */
function save(): void {
  const latest: { rows: Row[]; rankings?: unknown } = existsSync(FILE) ? JSON.parse(readFileSync(FILE, 'utf8')) : { rows: [] };
  saved.rows = [...latest.rows.filter((r) => !saved.rows.some((own) => sameRun(own, r))), ...saved.rows];
  saved.rankings = { ...(latest.rankings as object), ...(saved.rankings as object) };
  writeJsonAtomic(FILE, saved);
}
const percentile = (accuracy: number) => truth.rows.filter((r) => r.accuracy < accuracy).length / truth.rows.length;

/** Scores a found architecture exactly as the ground truth scored the sampled ones (seed 0; seed 1 is its repeat). */
async function groundTruthScore(genotype: string, seed = GROUND_TRUTH_BUDGET.seed) {
  return trainAndScore(genotype, { train: data.searchable, validation: data.validation, task: data.task }, GROUND_TRUTH_MODEL, { ...GROUND_TRUTH_BUDGET, seed });
}

/** The search sees the 55,000 searchable images only; its own validation split is carved from them. */
function searchData(seed: number): TaskData {
  const { train, validation } = carveValidation(data.searchable, seed);
  return { task: data.task, train, validation, test: validation, dataset: 'fashion-mnist (bench)' };
}

/** Random search with the default search's wall time: random cells, each raced once on the race's first-round budget. */
async function randomWithTime(seed: number, seconds: number, taskData: TaskData, config: ReturnType<typeof resolveConfig>) {
  const rng = new Rng(seed ^ 0x7a11);
  const started = performance.now();
  let best: { genotype: string; score: number } | undefined;
  let tried = 0;
  while ((performance.now() - started) / 1000 < seconds) {
    const genotype = formatGenotype(sampleGenotype(getSpace(space), rng));
    const s = await trainAndScore(genotype, taskData, macroOptionsFor(config, taskData.task), { epochs: 1, batchSize: RACE_BATCH, samples: config.raceSamples, seed, replicas: config.workers, recalibrateBatchNorm: BN_RECALIBRATION_BATCHES });
    tried++;
    if (!best || s.score > best.score) best = { genotype, score: s.score };
  }
  return { genotype: best!.genotype, seconds: (performance.now() - started) / 1000, tried };
}

for (const seed of seeds) {
  for (const method of methods) {
    if (saved.rows.some((r) => r.space === space && r.method === method && r.seed === seed)) continue;
    const strategy = (method === 'random-time' ? 'rank-race' : method) as StrategyName | 'rank-race';
    const config = resolveConfig({ task: 'classification', space, strategy, seed, data: { kind: 'builtin', name: 'fashion-mnist' } });
    const taskData = searchData(seed);
    let found: { genotype: string; seconds: number; decision?: string; tried?: number };
    if (method === 'random-time') {
      const reference = saved.rows.find((r) => r.space === space && r.method === 'rank-race' && r.seed === seed);
      if (!reference) throw new Error('random-time needs the rank-race row of the same seed first (list rank-race before it).');
      const r = await randomWithTime(seed, reference.searchSeconds, taskData, config);
      found = { genotype: r.genotype, seconds: r.seconds, tried: r.tried };
    } else {
      const s = await runSearchPhase(config, taskData, macroOptionsFor(config, taskData.task), {});
      found = { genotype: s.genotype, seconds: s.seconds, decision: s.decision?.verdict };
    }
    const scored = await groundTruthScore(found.genotype);
    const repeat = await groundTruthScore(found.genotype, 1);
    const row: Row = {
      space,
      method,
      seed,
      genotype: found.genotype,
      searchSeconds: Math.round(found.seconds),
      accuracy: scored.score,
      accuracySeed1: repeat.score,
      percentile: percentile(scored.score),
      params: scored.params,
      ...(found.decision ? { decision: found.decision } : {}),
      ...(found.tried ? { candidatesTried: found.tried } : {}),
    };
    saved.rows.push(row);
    save();
    console.error(`${method} seed ${seed}: ${(row.accuracy * 100).toFixed(2)} % (percentile ${(row.percentile * 100).toFixed(0)}), search ${row.searchSeconds} s, ${found.genotype.slice(0, 80)}`);
  }
}

// Percentiles against the ground truth as it is now (it may have grown while the searches ran).
const final = readGroundTruth()?.spaces[space] ?? truth;
save();
for (const row of saved.rows.filter((r) => r.space === space)) row.percentile = final.rows.filter((r) => r.accuracy < row.accuracy).length / final.rows.length;
save();

if (!process.argv.includes('--no-rankings')) {
  saved.rankings = { ...(saved.rankings as object), [space]: await rankCorrelations(space, final.rows, data, resolveConfig({ space, data: { kind: 'builtin', name: 'fashion-mnist' } }).raceSamples) };
  save();
}

const table = methods.map((method) => {
  const rows = saved.rows.filter((r) => r.space === space && r.method === method);
  const mean = (f: (r: Row) => number) => rows.reduce((a, r) => a + f(r), 0) / Math.max(1, rows.length);
  const sd = (f: (r: Row) => number) => Math.sqrt(rows.reduce((a, r) => a + (f(r) - mean(f)) ** 2, 0) / Math.max(1, rows.length - 1));
  const twoSeeds = (r: Row) => (r.accuracySeed1 === undefined ? r.accuracy : (r.accuracy + r.accuracySeed1) / 2);
  return { method, seeds: rows.length, accuracy: `${(mean((r) => r.accuracy) * 100).toFixed(2)} ± ${(sd((r) => r.accuracy) * 100).toFixed(2)}`, twoSeedAccuracy: `${(mean(twoSeeds) * 100).toFixed(2)} ± ${(sd(twoSeeds) * 100).toFixed(2)}`, percentile: (mean((r) => r.percentile) * 100).toFixed(0), searchSeconds: mean((r) => r.searchSeconds).toFixed(0) };
});
const sorted = final.rows.map((r) => r.accuracy).sort((a, b) => a - b);
console.log(`${space}: ground truth of ${sorted.length} sampled architectures: median ${(sorted[Math.floor(sorted.length / 2)] * 100).toFixed(2)} %, 90th percentile ${(sorted[Math.floor(0.9 * sorted.length)] * 100).toFixed(2)} %, best ${(sorted.at(-1)! * 100).toFixed(2)} %`);
console.table(table);
console.log(JSON.stringify(saved.rankings, null, 1));
void backend;
