/**
 * Searched denoiser cells against the fixed DnCNN baseline, like for like: each genotype is retrained
 * as a run retrains it (quick denoising preset unless overridden), then the baseline is sized to its
 * parameter count and trained with the same budget object (epochs, batch, seed, workers, samples), and
 * both are scored on the same noisy test images. Fixed genotypes rather than searches: the question is
 * whether the skeleton can match the baseline at all, whatever a short search picks.
 *
 *   npm run bench:denoiser [-- --only quick-search,nb201-conv --samples 16000 --epochs 3 --channels 24 --seed 0]
 *
 * About 3 + 3 minutes of wall time per genotype on two cores at the quick preset's numbers. Writes
 * bench/results/denoiser-baseline.json (one row per genotype, written after each) and prints a table.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { selectBackend } from '../src-main/engine/backend/select-backend.js';
import { trainAndScoreBaseline } from '../src-main/engine/derive/baseline-compare.js';
import { countParams } from '../src-main/engine/derive/build-derived-model.js';
import { derivedReplicaSpec } from '../src-main/engine/derive/derived.replica.js';
import { evaluateModel } from '../src-main/engine/derive/evaluate.js';
import { retrainModel } from '../src-main/engine/derive/retrain.js';
import { macroOptionsFor } from '../src-main/engine/search/macro-options.js';
import { resolveConfig } from '../src-main/engine/search/presets.js';
import { DENOISING_RETRAIN_LR, retrainSubset } from '../src-main/engine/search/run-search.js';
import { loadTaskData } from '../src-main/engine/search/task-data.js';
import type { SpaceName } from '../src-main/engine/space/space.types.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const numberArg = (name: string) => (arg(name) === undefined ? undefined : Number(arg(name)));

const sep = (a: number, b: number) => `('sep_conv_3x3', ${a}), ('sep_conv_3x3', ${b})`;
const ALL_SEP = `Genotype(normal=[${sep(0, 1)}, ${sep(0, 1)}], normal_concat=[2, 3], reduce=[${sep(0, 1)}, ${sep(0, 1)}], reduce_concat=[2, 3])`;

/** Named genotypes; `channels` overrides the preset's C so each lands near the quick model's size. */
const GENOTYPES: { name: string; space: SpaceName; genotype: string; channels?: number }[] = [
  {
    name: 'quick-search',
    space: 'darts',
    // What the quick denoising preset's GDAS search (seed 0) chose.
    genotype:
      "Genotype(normal=[('dil_conv_3x3', 0), ('sep_conv_3x3', 1), ('max_pool_3x3', 1), ('skip_connect', 2)], normal_concat=[2, 3], " +
      "reduce=[('dil_conv_5x5', 0), ('dil_conv_5x5', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 2)], reduce_concat=[2, 3])",
  },
  { name: 'darts-all-sep', space: 'darts', genotype: ALL_SEP },
  { name: 'nb201-conv', space: 'nb201', channels: 8, genotype: '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|' },
];

const only = arg('only')?.split(',');
const chosen = GENOTYPES.filter((g) => !only || only.includes(g.name));
if (chosen.length === 0) throw new Error(`--only matched none of ${GENOTYPES.map((g) => g.name).join(', ')}`);

const backend = await selectBackend();
interface Row {
  name: string;
  genotype: string;
  params: number;
  baselineParams: number;
  psnr: number;
  psnrBaseline: number;
  psnrNoisy: number;
  ssim: number;
  ssimBaseline: number;
  seconds: number;
  baselineSeconds: number;
}
const rows: Row[] = [];
let budgetUsed: Record<string, number> = {};

function write(): string {
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results', 'denoiser-baseline.json');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(
    file,
    `${JSON.stringify({ bench: 'denoiser-baseline', createdAt: new Date().toISOString(), backend: backend.name, loadAverage: os.loadavg()[0], budget: budgetUsed, rows }, null, 2)}\n`,
  );
  return file;
}

for (const g of chosen) {
  const config = resolveConfig({
    task: 'denoising',
    space: g.space,
    ...(numberArg('channels') ?? g.channels ? { channels: numberArg('channels') ?? g.channels } : {}),
    ...(numberArg('samples') !== undefined ? { retrainSamples: numberArg('samples') } : {}),
    ...(numberArg('epochs') !== undefined ? { retrainEpochs: numberArg('epochs') } : {}),
    ...(numberArg('seed') !== undefined ? { seed: numberArg('seed') } : {}),
  });
  const data = await loadTaskData(config);
  const macro = macroOptionsFor(config, data.task);
  const train = retrainSubset(data.train, config.retrainSamples, config.seed);
  // The one budget object run-search gives both models.
  const budget = { epochs: config.retrainEpochs, batchSize: config.batchSize, seed: config.seed, replicas: config.workers, scoreName: data.task.scoreName };
  budgetUsed = { epochs: budget.epochs, batchSize: budget.batchSize, samples: train.xShape[0], workers: budget.replicas, seed: budget.seed };
  const searched = await retrainModel(
    derivedReplicaSpec({ genotype: g.genotype, task: 'denoising', noise: config.noise, model: { ...macro, seed: config.seed }, learningRate: DENOISING_RETRAIN_LR }),
    train,
    budget,
  );
  const scored = await evaluateModel(searched.model, data.task, data.test, { seed: config.seed });
  const params = countParams(searched.model);
  searched.model.dispose();
  const baseline = await trainAndScoreBaseline({ task: data.task, noise: config.noise, targetParams: params, learningRate: DENOISING_RETRAIN_LR, train, test: data.test, budget });
  rows.push({
    name: g.name,
    genotype: g.genotype,
    params,
    baselineParams: baseline.params,
    psnr: scored.metrics.psnr ?? Number.NaN,
    psnrBaseline: baseline.metrics.psnr ?? Number.NaN,
    psnrNoisy: scored.metrics.psnr_noisy ?? Number.NaN,
    ssim: scored.metrics.ssim ?? Number.NaN,
    ssimBaseline: baseline.metrics.ssim ?? Number.NaN,
    seconds: searched.seconds,
    baselineSeconds: baseline.seconds,
  });
  write();
  const r = rows.at(-1)!;
  process.stderr.write(`  ${r.name}: ${r.psnr.toFixed(2)} dB vs baseline ${r.psnrBaseline.toFixed(2)} dB (${r.params} / ${r.baselineParams} params)\n`);
}

const file = write();
console.log(`| genotype | params | PSNR searched | PSNR baseline | gap | noisy | seconds (searched / baseline) |`);
console.log(`| --- | --- | --- | --- | --- | --- | --- |`);
for (const r of rows) {
  console.log(
    `| ${r.name} | ${r.params} | ${r.psnr.toFixed(2)} | ${r.psnrBaseline.toFixed(2)} | ${(r.psnr - r.psnrBaseline).toFixed(2)} | ${r.psnrNoisy.toFixed(2)} | ${r.seconds.toFixed(0)} / ${r.baselineSeconds.toFixed(0)} |`,
  );
}
console.log(`budget: ${JSON.stringify(budgetUsed)}; written to ${file}`);
