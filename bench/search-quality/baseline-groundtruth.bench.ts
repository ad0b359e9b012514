/**
 * The fixed MobileNet-style baseline under the ground truth's budget (10,000 searchable images, 2 epochs,
 * batch 128, the classifiers' one-cycle schedule, no batch-norm re-estimation), scored on the ground truth's
 * validation split: where it would sit among the sampled cells at a few parameter counts.
 * Results in bench/results/baseline-groundtruth.json.
 *
 *   npx tsx bench/search-quality/baseline-groundtruth.bench.ts [--params 45922,70338]
 */
import { selectBackend } from '../../src-main/engine/backend/select-backend.js';
import { trainAndScoreBaseline } from '../../src-main/engine/derive/baseline-compare.js';
import { classifierRetrainSchedule } from '../../src-main/engine/derive/retrain-schedule.js';
import { prefixOf } from '../../src-main/engine/search/rank/train-and-score.js';
import { writeJsonAtomic } from '../../src-main/engine/util/atomic-write.js';
import { benchData, GROUND_TRUTH_BUDGET } from './setup.js';

const at = process.argv.indexOf('--params');
const targets = (at >= 0 ? process.argv[at + 1] : '45922,70338').split(',').map(Number);
await selectBackend();
const data = benchData();
const train = prefixOf(data.searchable, GROUND_TRUTH_BUDGET.samples);
const rows: { targetParams: number; params: number; seed: number; accuracy: number; seconds: number }[] = [];
for (const targetParams of targets) {
  for (const seed of [0, 1]) {
    const s = await trainAndScoreBaseline({
      task: data.task,
      targetParams,
      ...classifierRetrainSchedule(GROUND_TRUTH_BUDGET.batchSize),
      train,
      test: data.validation,
      budget: { epochs: GROUND_TRUTH_BUDGET.epochs, batchSize: GROUND_TRUTH_BUDGET.batchSize, seed, replicas: 1, scoreName: 'accuracy' },
    });
    rows.push({ targetParams, params: s.params, seed, accuracy: s.metrics.accuracy ?? Number.NaN, seconds: Math.round(s.seconds) });
    console.log(`${s.name}, ${s.params} parameters, seed ${seed}: ${((s.metrics.accuracy ?? 0) * 100).toFixed(2)} %`);
    writeJsonAtomic('bench/results/baseline-groundtruth.json', { rows });
  }
}
