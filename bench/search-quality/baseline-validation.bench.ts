/**
 * The fixed baseline of each given run, retrained as the run trained it (its retraining subset, schedule,
 * budget and seed, sized to the run's searched model) and scored on the run's validation split, beside the
 * searched model's validation score from result.json: which space to search by default was chosen on these
 * (docs/presets.md). Results in bench/results/baseline-validation.json.
 *
 *   npx tsx bench/search-quality/baseline-validation.bench.ts RUN_ID...     # ~30 s a run here
 */
import { existsSync, readFileSync } from 'node:fs';
import type { RunResult } from '../../src-main/contract/result.js';
import { writeJsonAtomic } from '../../src-main/engine/util/atomic-write.js';
import { selectBackend } from '../../src-main/engine/backend/select-backend.js';
import { loadTaskData } from '../../src-main/engine/search/task-data.js';
import { retrainSubset } from '../../src-main/engine/search/run-search.js';
import { BN_RECALIBRATION_BATCHES } from '../../src-main/engine/derive/retrain.js';
import { classifierRetrainSchedule } from '../../src-main/engine/derive/retrain-schedule.js';
import { trainAndScoreBaseline } from '../../src-main/engine/derive/baseline-compare.js';
const out = 'bench/results/baseline-validation.json';
interface Row { run: string; space: string; seed: number; searchedValidation: number; baselineValidation: number; baselineParams: number; baselineParamsInRun: number }
const rows: Row[] = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : [];
await selectBackend();
for (const dir of process.argv.slice(2)) {
  if (rows.some((r) => r.run === dir)) continue;
  const r = JSON.parse(readFileSync(`runs/${dir}/result.json`, 'utf8')) as RunResult;
  const config = r.config;
  const data = await loadTaskData(config);
  const train = retrainSubset(data.train, config.retrainSamples, config.seed);
  const budget = { epochs: config.retrainEpochs, batchSize: config.batchSize, seed: config.seed, replicas: config.workers, scoreName: 'accuracy', recalibrateBatchNorm: BN_RECALIBRATION_BATCHES };
  const b = await trainAndScoreBaseline({ task: data.task, targetParams: r.params, ...classifierRetrainSchedule(config.batchSize), train, test: data.validation, budget });
  const row: Row = { run: dir, space: r.space, seed: r.seed, searchedValidation: r.metrics.validation?.accuracy ?? Number.NaN, baselineValidation: b.metrics.accuracy ?? Number.NaN, baselineParams: b.params, baselineParamsInRun: r.baseline?.params ?? Number.NaN };
  console.log(JSON.stringify(row));
  rows.push(row);
  writeJsonAtomic(out, rows);
}
