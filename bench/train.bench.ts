/**
 * npm run bench:train — training throughput of tfjs here against PyTorch on the same CPU.
 * For the small CNN and the DARTS supernet (8 primitives, C=8, stem 16, 4 cells, reductions at 1/3 and
 * 2/3, 4 nodes), on every tfjs backend that loads, for 1 and for all cores: images per second of
 * forward + backward + weight update, next to bench/torch_train.py running the same network with the same
 * batch and threads. Writes bench/results/train.json (after every row, so an interrupted run keeps what
 * it measured) and prints a table. Installs Debian's python3-torch when absent (root).
 *
 * Fair on a shared machine: every case runs in its own process, time-boxed by steps and seconds; the
 * tfjs and PyTorch runs of a case alternate (tfjs, torch, tfjs, torch, …) and the medians are compared.
 * The headline figures are CPU-time throughput: images ÷ (process CPU seconds ÷ threads), what the
 * threads would do on cores of their own (waiting for a core does not count against either side; both
 * sides' idle waiters sleep). Wall-clock throughput, which on a loaded machine mostly measures the load,
 * is kept next to it in the JSON.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeJsonAtomic } from '../src-main/engine/util/atomic-write.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const OUT = path.join(here, 'results', 'train.json');
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const cores = os.availableParallelism();
const threadCounts = [...new Set([1, cores])];
const BUDGET_S = Number(process.env.BENCH_TRAIN_BUDGET_S ?? 14 * 60);
const benchStarted = performance.now();
const elapsedS = () => (performance.now() - benchStarted) / 1000;

type Net = 'small_cnn' | 'supernet';

/** Per case: warm-up steps, then at least minSteps and minSeconds, at most maxSeconds; repeated `rounds` times. */
interface Budget {
  warmup: number;
  minSteps: number;
  minSeconds: number;
  maxSeconds: number;
  rounds: number;
  /** Kills the child process (setup and warm-up included). */
  timeoutS: number;
}

const BUDGETS: Record<Net, Budget> = {
  small_cnn: { warmup: 2, minSteps: 10, minSeconds: 4, maxSeconds: 20, rounds: 3, timeoutS: 90 },
  supernet: { warmup: 1, minSteps: 2, minSeconds: 15, maxSeconds: 60, rounds: 1, timeoutS: 300 },
};
/** The pure-JS cpu backend: one measured step, no warm-up (it has no kernels to compile). */
const CPU_BACKEND_BUDGET: Budget = { warmup: 0, minSteps: 1, minSeconds: 0, maxSeconds: 0, rounds: 1, timeoutS: 180 };
/** A cpu-backend case estimated above this is not run; the estimate is recorded instead. */
const CPU_BACKEND_MAX_STEP_S = 120;
/** The largest supernet batch that fits is searched in this order (the issue asks for 64). */
const SUPERNET_BATCHES = [64, 32, 16];

interface Measured {
  img_s: number;
  img_cpu_s: number;
  batch: number;
  threads: number;
  steps: number;
  step_ms?: number;
  peak_rss_mb?: number;
  wasm_heap_mb?: number | null;
  tensors_flat?: boolean;
  warning?: string | null;
}
type Outcome = Measured | { error: string; oom?: boolean };

function torchVersionInstalled(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  return probe.status === 0 ? probe.stdout.trim() : undefined;
}

function ensureTorch(): string | undefined {
  const installed = torchVersionInstalled();
  if (installed) return installed;
  if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    console.log('installing python3-torch (Debian) for the PyTorch side…');
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'python3-torch'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    return torchVersionInstalled();
  }
  console.log('PyTorch is not installed: apt-get install python3-torch (the PyTorch columns stay empty)');
  return undefined;
}

function lastJsonLine(stdout: string): string | undefined {
  return stdout.trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
}

function tfjsRun(backend: string, net: Net, batch: number, threads: number, b: Budget): Outcome {
  const args = [net, batch, threads, b.warmup, b.minSteps, b.minSeconds, b.maxSeconds].map(String);
  const child = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, 'train-one.ts'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, NAS_STUDIO_BACKEND: backend },
    timeout: b.timeoutS * 1000,
    maxBuffer: 64 * 2 ** 20,
  });
  if ((child.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT') return { error: `stopped after ${b.timeoutS} s without a result` };
  const line = lastJsonLine(child.stdout ?? '');
  if (line) return JSON.parse(line) as Outcome;
  const lastLines = `${child.stderr ?? ''}\n${child.stdout ?? ''}`.split('\n').map((l) => l.trim()).filter((l) => l && l.length < 400);
  // Node ends an uncaught error's report with its version; the error's own line is what explains.
  return { error: lastLines.filter((l) => /^\w*Error\b/.test(l)).at(-1)?.replace(/^Error: /, '') ?? lastLines.at(-1) ?? `exit ${child.status}` };
}

function torchRun(net: Net, batch: number, threads: number, b: Budget): Measured | undefined {
  try {
    const out = execFileSync(
      PYTHON,
      [path.join(here, 'torch_train.py'), '--net', net, '--batch', String(batch), '--threads', String(threads), '--warmup', String(Math.max(1, b.warmup)),
        '--min-steps', String(Math.max(1, b.minSteps)), '--min-seconds', String(b.minSeconds), '--max-seconds', String(Math.max(b.maxSeconds, 1))],
      // libgomp's default spin-waiting loses ~6x when the cores are shared (small CNN, 2 threads, load 9:
      // 147 against 906 img/s); sleeping waiters give PyTorch its best figure, so the ratio is not flattered.
      { encoding: 'utf8', timeout: b.timeoutS * 1000, env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' } },
    );
    return JSON.parse(lastJsonLine(out)!) as Measured;
  } catch {
    return undefined;
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (x: number | undefined, digits = 1) => (x === undefined || !Number.isFinite(x) ? null : +x.toFixed(digits));

interface Row {
  network: Net;
  backend: string;
  threads: number;
  batch?: number;
  batch_note?: string;
  tfjs_img_s?: number | null;
  torch_img_s?: number | null;
  ratio?: number | null;
  timing?: 'cpu';
  [key: string]: unknown;
}

const torchVersion = ensureTorch();
const rows: Row[] = [];
const skippedBackends: { backend: string; why: string }[] = [];
const loadAtStart = os.loadavg();

function save(): void {
  writeJsonAtomic(OUT, {
    date: new Date().toISOString(),
    machine: { cpu: os.cpus()[0]?.model, cores, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, loadavg_start: loadAtStart.map((l) => +l.toFixed(2)), loadavg_end: os.loadavg().map((l) => +l.toFixed(2)) },
    shared_machine: 'other work ran on the same cores; ratios compare tfjs and PyTorch runs interleaved under the same conditions',
    timing: 'tfjs_img_s, torch_img_s, ratio: CPU-time throughput, images / (process CPU seconds / threads), medians of interleaved runs; *_wall_*: images per wall-clock second on the shared machine',
    torch: torchVersion ?? null,
    seconds: Math.round(elapsedS()),
    skippedBackends,
    results: rows,
  });
}

/** Measures one case: tfjs and PyTorch alternating for `rounds` rounds, medians compared. */
function measureCase(backend: string, net: Net, threads: number, batch: number, b: Budget, first?: Measured): Row | { error: string } {
  const tfjs: Measured[] = first ? [first] : [];
  const torch: Measured[] = [];
  for (let r = 0; r < b.rounds; r++) {
    if (r > 0 || !first) {
      const m = tfjsRun(backend, net, batch, threads, b);
      if ('error' in m) return { error: m.error };
      tfjs.push(m);
    }
    if (torchVersion) {
      const t = torchRun(net, batch, tfjs[0].threads, b);
      if (t) torch.push(t);
    }
  }
  const timing = 'cpu' as const;
  const pick = (ms: Measured[], key: 'img_s' | 'img_cpu_s') => (ms.length ? median(ms.map((m) => m[key])) : undefined);
  const threadsUsed = tfjs[0].threads;
  const tfWall = pick(tfjs, 'img_s');
  const thWall = pick(torch, 'img_s');
  // Images per CPU second × threads: the throughput of `threads` cores of their own.
  const perCores = (x?: number) => (x === undefined ? undefined : x * threadsUsed);
  const tfCpu = perCores(pick(tfjs, 'img_cpu_s'));
  const thCpu = perCores(pick(torch, 'img_cpu_s'));
  const ratioOf = (a?: number, c?: number) => (a !== undefined && c !== undefined ? round(a / c, 3) : null);
  return {
    network: net,
    backend,
    threads: tfjs[0].threads,
    batch,
    tfjs_img_s: round(tfCpu),
    torch_img_s: round(thCpu),
    ratio: ratioOf(tfCpu, thCpu),
    timing,
    tfjs_wall_img_s: round(tfWall),
    torch_wall_img_s: round(thWall),
    ratio_wall: ratioOf(tfWall, thWall),
    rounds: tfjs.length,
    tfjs_steps: tfjs.map((m) => m.steps),
    torch_steps: torch.map((m) => m.steps),
    step_ms: round(median(tfjs.map((m) => m.step_ms ?? NaN))),
    peak_rss_mb: Math.round(Math.max(...tfjs.map((m) => m.peak_rss_mb ?? 0))),
    torch_peak_rss_mb: torch.length ? Math.round(Math.max(...torch.map((m) => m.peak_rss_mb ?? 0))) : null,
    wasm_heap_mb: tfjs[0].wasm_heap_mb ?? null,
    tensors_flat: tfjs.every((m) => m.tensors_flat !== false),
    loadavg_1min: +os.loadavg()[0].toFixed(2),
    ...(tfjs[0].warning ? { warning: tfjs[0].warning } : {}),
  };
}

/** Seconds per image of a measured row (for estimating what a skipped case would cost). */
const secondsPerImage = (row: Row | undefined) => (row?.step_ms && row.batch ? (row.step_ms as number) / 1000 / row.batch : undefined);

for (const backend of ['tensorflow', 'wasm', 'cpu']) {
  const cpuBackend = backend === 'cpu';
  for (const net of ['small_cnn', 'supernet'] as const) {
    for (const threads of threadCounts) {
      const b = cpuBackend ? CPU_BACKEND_BUDGET : BUDGETS[net];
      const label = `${net} on ${backend}, ${threads} thread${threads > 1 ? 's' : ''}`;
      if (skippedBackends.some((s) => s.backend === backend)) continue;
      if (elapsedS() > BUDGET_S) {
        rows.push({ network: net, backend, threads, skipped: `the bench's ${BUDGET_S / 60}-minute budget was spent before this case` });
        continue;
      }
      // The pure-JS cpu backend: estimate from the measured rows first and skip what would take minutes per step.
      if (cpuBackend && net === 'supernet') {
        const cpuSmall = secondsPerImage(rows.find((r) => r.network === 'small_cnn' && r.backend === 'cpu' && r.threads === threads));
        const wasmSmall = secondsPerImage(rows.find((r) => r.network === 'small_cnn' && r.backend === 'wasm' && r.threads === threads));
        const wasmRow = rows.find((r) => r.network === 'supernet' && r.backend === 'wasm' && r.threads === threads);
        const wasmSuper = secondsPerImage(wasmRow);
        if (cpuSmall && wasmSmall && wasmSuper && wasmRow?.batch) {
          const estimate = (cpuSmall * wasmSuper) / wasmSmall * wasmRow.batch;
          if (estimate > CPU_BACKEND_MAX_STEP_S) {
            rows.push({
              network: net, backend, threads, batch: wasmRow.batch,
              skipped: `> ${CPU_BACKEND_MAX_STEP_S} s/step: estimated ${Math.round(estimate)} s per step at batch ${wasmRow.batch} (the cpu backend's small-CNN step per image × the supernet's wasm cost per image relative to the small CNN's)`,
            });
            console.log(`${label}: skipped (estimated ${Math.round(estimate)} s/step)`);
            continue;
          }
        }
      }
      console.log(`${label}…`);
      const notes: string[] = [];
      let first: Outcome = { error: 'not run' };
      let batch = 64;
      // The full DARTS supernet at batch 64 can exceed a thread's 4 GiB wasm heap: the largest batch that fits is named.
      for (batch of net === 'supernet' && !cpuBackend ? SUPERNET_BATCHES : net === 'supernet' ? [16] : [64]) {
        first = tfjsRun(backend, net, batch, threads, b);
        if (!('error' in first)) break;
        if (!first.oom) break;
        notes.push(`batch ${batch}: ${first.error}`);
      }
      if ('error' in first) {
        if (net === 'small_cnn' && threads === 1 && !notes.length) {
          skippedBackends.push({ backend, why: first.error });
          console.log(`${backend}: not measured — ${first.error}`);
        } else rows.push({ network: net, backend, threads, error: first.error, ...(notes.length ? { batch_note: notes.join(' ') } : {}) });
        save();
        continue;
      }
      const row = measureCase(backend, net, threads, batch, b, first);
      if ('error' in row) rows.push({ network: net, backend, threads, batch, error: row.error });
      else {
        if (net === 'supernet') row.batch_note = notes.length ? `${notes.join(' ')} Largest that fits: ${batch}.` : `batch ${batch} fits`;
        if (cpuBackend) row.note = 'pure-JS cpu backend: one measured step, no warm-up';
        rows.push(row);
        console.log(`  tfjs ${row.tfjs_img_s} img/s, PyTorch ${row.torch_img_s} img/s (${row.timing} time): ratio ${row.ratio}`);
      }
      save();
    }
  }
}

save();
console.table(
  rows.map((r) => ({
    network: r.network, backend: r.backend, threads: r.threads, batch: r.batch ?? '', tfjs_img_s: r.tfjs_img_s ?? '', torch_img_s: r.torch_img_s ?? '',
    ratio: r.ratio ?? '', ratio_wall: r.ratio_wall ?? '', peak_rss_mb: r.peak_rss_mb ?? '',
    wasm_heap_mb: r.wasm_heap_mb ?? '', tensors_flat: r.tensors_flat ?? '', note: String(r.skipped ?? r.error ?? '').slice(0, 60),
  })),
);
for (const s of skippedBackends) console.log(`${s.backend}: not measured — ${s.why}`);
for (const r of rows.filter((r) => r.batch_note && r.network === 'supernet')) console.log(`supernet, ${r.backend}, ${r.threads} thread(s): ${r.batch_note}`);
console.log(`written: ${OUT} (${Math.round(elapsedS())} s)`);
