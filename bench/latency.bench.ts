/**
 * Validates the per-op latency table: random architectures of a space are built as derived models and
 * timed end to end at batch 1, and compared with what the table predicts for them. The table's ops and the
 * whole models are timed in the same interleaved rounds (the machine is shared: load moves both alike),
 * in several passes; each architecture reports the (predicted, measured) pair of its median pass.
 * The table is calibrated on its own reference architectures (seed 1, latency-table.ts), never on the
 * validated ones (seed --seed, 2026 by default).
 *
 *   npm run bench:latency [-- --archs 20 --passes 3 --spaces darts,chain --repeats 61]
 *
 * Writes bench/results/latency.json and prints a table. Goal: MAPE ≤ 5 %.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../src-main/engine/backend/select-backend.js';
import { buildDerivedModel, countParams } from '../src-main/engine/derive/build-derived-model.js';
import { emptyLatencyTable, extendLatencyTable } from '../src-main/engine/hardware/latency-table.js';
import { currentMachineId } from '../src-main/engine/hardware/latency-store.js';
import { predictArchitectureLatency, randomGenotype } from '../src-main/engine/search/latency.js';
import { formatGenotype } from '../src-main/engine/space/genotype.js';
import type { MacroOptions } from '../src-main/engine/space/macro.js';
import type { SpaceName } from '../src-main/engine/space/space.types.js';
import { classificationTask } from '../src-main/engine/tasks/classification.task.js';
import { Rng } from '../src-main/engine/util/rng.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const ARCHS = Number(arg('archs', '20'));
const PASSES = Number(arg('passes', '3'));
const REPEATS = Number(arg('repeats', '61'));
const SPACES = arg('spaces', 'darts,chain').split(',') as SpaceName[];
const SEED = Number(arg('seed', '2026'));
const STATISTIC = arg('statistic', 'trimmed-mean') as 'median' | 'trimmed-mean';

// MNIST-sized input and the quick preset's skeleton (macroOptionsFor: 28 px → stride-2 stem).
const task = classificationTask([28, 28, 1], 10);
const MACRO: MacroOptions = { channels: 8, cells: 5, nodes: 4, stemMultiplier: 3, stemStride: 2, reductions: true };

interface ArchResult {
  genotype: string;
  params: number;
  layers: number;
  predicted_ms: number;
  /** Without the table's calibration factor (Σ parts as timed alone). */
  predicted_uncalibrated_ms: number;
  measured_ms: number;
  error_pct: number;
  /** Per pass, to show the spread the load causes. */
  passes: { predicted_ms: number; measured_ms: number }[];
}

async function benchSpace(space: SpaceName, machineId: string, backend: string) {
  const rng = new Rng(SEED);
  const genotypes = Array.from({ length: ARCHS }, () => randomGenotype(space, rng, { nodes: MACRO.nodes }));
  const models = genotypes.map((g) => buildDerivedModel(g, task, MACRO));
  const inputs = [tf.zeros([1, ...task.inputShape])];
  const items = models.map((model) => ({ model, inputs }));
  const perPass: { predicted: number[]; uncalibrated: number[]; measured: number[]; overhead: number; factor: number }[] = [];
  let lastTable;
  const loadBefore = os.loadavg()[0];
  for (let pass = 0; pass < PASSES; pass++) {
    const table = emptyLatencyTable(machineId, backend, space, REPEATS);
    const started = performance.now();
    const { alongsideMs } = await extendLatencyTable(table, { space, task, macro: MACRO, repeats: REPEATS, alongside: items, statistic: STATISTIC });
    const predicted = genotypes.map((g) => {
      const p = predictArchitectureLatency(g, MACRO, task, table);
      if (p.missing.length > 0) throw new Error(`${space}: the table lacks ${p.missing.length} keys of ${formatGenotype(g)}`);
      return p.totalMs;
    });
    const factor = table.calibration?.factor ?? 1;
    const uncalibrated = predicted.map((p) => table.modelOverheadMs + (p - table.modelOverheadMs) / factor);
    perPass.push({ predicted, uncalibrated, measured: alongsideMs, overhead: table.modelOverheadMs, factor });
    process.stderr.write(`  ${space} pass ${pass + 1}/${PASSES}: ${Object.keys(table.entries).length} entries, ${((performance.now() - started) / 1000).toFixed(1)} s, load ${os.loadavg()[0].toFixed(1)}\n`);
    lastTable = table;
  }
  // Each pass pairs a prediction with a measurement taken in the same rounds (the same load). An
  // architecture reports the pair of its median pass: mixing one pass's prediction with another's
  // measurement would add the drift between passes (10-30 % here) to the error.
  const archs: ArchResult[] = genotypes.map((g, i) => {
    const byError = perPass.map((p, k) => ({ k, error: (p.predicted[i] - p.measured[i]) / p.measured[i] })).sort((a, b) => a.error - b.error);
    const mid = perPass[byError[Math.floor((byError.length - 1) / 2)].k];
    const predicted_ms = mid.predicted[i];
    const measured_ms = mid.measured[i];
    return {
      genotype: formatGenotype(g),
      params: countParams(models[i]),
      layers: models[i].layers.length,
      predicted_ms,
      predicted_uncalibrated_ms: mid.uncalibrated[i],
      measured_ms,
      error_pct: (100 * (predicted_ms - measured_ms)) / measured_ms,
      passes: perPass.map((p) => ({ predicted_ms: p.predicted[i], measured_ms: p.measured[i] })),
    };
  });
  models.forEach((m) => m.dispose());
  tf.dispose(inputs);
  const mape = archs.reduce((s, a) => s + Math.abs(a.error_pct), 0) / archs.length;
  const mapeUncalibrated = archs.reduce((s, a) => s + Math.abs(a.predicted_uncalibrated_ms - a.measured_ms) / a.measured_ms, 0) * (100 / archs.length);
  const perPassMape = perPass.map((p) => (100 * p.predicted.reduce((s, v, i) => s + Math.abs(v - p.measured[i]) / p.measured[i], 0)) / p.predicted.length);
  return { space, macro: MACRO, inputShape: task.inputShape, archs, mape_pct: mape, mape_uncalibrated_pct: mapeUncalibrated, per_pass_mape_pct: perPassMape, overhead_ms: perPass.map((p) => p.overhead), calibration_factor: perPass.map((p) => p.factor), load_before: loadBefore, load_after: os.loadavg()[0], table: lastTable };
}

const backend = await selectBackend();
const machineId = await currentMachineId();
process.stderr.write(`latency bench: ${ARCHS} architectures × ${SPACES.join(', ')}, ${PASSES} passes of ${REPEATS} rounds, backend ${backend.name}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
const results = [];
for (const space of SPACES) results.push(await benchSpace(space, machineId, backend.name));

const out = {
  bench: 'latency',
  createdAt: new Date().toISOString(),
  machineId,
  backend: backend.name,
  tfjsVersion: tf.version.tfjs,
  statistic: STATISTIC,
  clock: 'cpu time of this process (process.cpuUsage), see src-main/engine/hardware/latency-measure.ts',
  cpus: os.cpus().length,
  // The table of the last pass, compact: ms and parameters per key ("space|op|HxWxC|s<stride>|cOut").
  spaces: results.map(({ table, ...rest }) => ({
    ...rest,
    table_entries: table ? Object.keys(table.entries).length : 0,
    table: table
      ? {
          model_overhead_ms: table.modelOverheadMs,
          calibration: table.calibration,
          fixed_parts: table.fixedParts.map((f) => ({ part: f.part, input: f.inputShape.join('x'), stride: f.stride, cOut: f.cOut, ms: f.medianMs, params: f.params })),
          entries: Object.fromEntries(Object.entries(table.entries).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, e]) => [k, { ms: Number(e.medianMs.toFixed(4)), params: e.params }])),
        }
      : undefined,
  })),
};
const here = path.dirname(fileURLToPath(import.meta.url));
const file = path.join(here, 'results', 'latency.json');
mkdirSync(path.dirname(file), { recursive: true });
writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);

for (const r of results) {
  console.log(`\n${r.space} space, ${r.archs.length} random architectures (MNIST 28x28x1, C=${MACRO.channels}, ${r.space === 'chain' ? '6 blocks' : `${MACRO.cells} cells`}), load ${r.load_before.toFixed(1)} → ${r.load_after.toFixed(1)}`);
  console.log(`${'#'.padStart(3)}  ${'params'.padStart(7)}  ${'predicted'.padStart(10)}  ${'measured'.padStart(9)}  ${'error'.padStart(7)}`);
  r.archs.forEach((a, i) => console.log(`${String(i).padStart(3)}  ${String(a.params).padStart(7)}  ${a.predicted_ms.toFixed(3).padStart(10)}  ${a.measured_ms.toFixed(3).padStart(9)}  ${`${a.error_pct.toFixed(1)}%`.padStart(7)}`));
  console.log(`MAPE ${r.mape_pct.toFixed(2)} % (per pass: ${r.per_pass_mape_pct.map((m) => m.toFixed(1)).join(', ')} %); without calibration ${r.mape_uncalibrated_pct.toFixed(2)} %; factors ${r.calibration_factor.map((f) => f.toFixed(3)).join(', ')}`);
}
console.log(`\nwrote ${path.relative(process.cwd(), file)}`);
