/**
 * npm run bench:train — training throughput of tfjs here against PyTorch on the same CPU.
 * For the small CNN and the DARTS supernet (C=8, stem 16, 4 cells, reductions at 1/3 and 2/3, 4 nodes),
 * on every tfjs backend that loads, for 1 and for all cores: images per second of forward + backward +
 * weight update, next to bench/torch_train.py running the same network with the same batch and threads.
 * Writes bench/results/train.json and prints a table. Installs Debian's python3-torch when absent (root).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeJsonAtomic } from '../src-main/engine/util/atomic-write.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const cores = os.availableParallelism();
const threadCounts = [...new Set([1, cores])];

interface Measured {
  img_s: number;
  batch: number;
  threads: number;
  peak_rss_mb?: number;
  wasm_heap_mb?: number | null;
  tensors_flat?: boolean;
  step_ms?: number;
}

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

function tfjsRun(backend: string, net: string, batch: number, threads: number, steps: number, warmup: number, timeoutMs: number): Measured | { error: string } {
  const child = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, 'train-one.ts'), net, String(batch), String(threads), String(steps), String(warmup)], {
    encoding: 'utf8',
    env: { ...process.env, NAS_STUDIO_BACKEND: backend },
    timeout: timeoutMs,
  });
  if (child.error && (child.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') return { error: `no step finished within ${timeoutMs / 60_000} min` };
  const line = child.stdout.trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
  if (child.status !== 0 || !line) return { error: (child.stderr || child.stdout).trim().split('\n').filter(Boolean).slice(-1)[0] ?? `exit ${child.status}` };
  return JSON.parse(line) as Measured;
}

function torchRun(net: string, batch: number, threads: number): number | undefined {
  try {
    const out = execFileSync(PYTHON, [path.join(here, 'torch_train.py'), '--net', net, '--batch', String(batch), '--threads', String(threads), '--steps', net === 'supernet' ? '10' : '30'], { encoding: 'utf8' });
    return (JSON.parse(out.trim().split('\n').at(-1)!) as { img_s: number }).img_s;
  } catch {
    return undefined;
  }
}

const torchVersion = ensureTorch();
const rows: Record<string, unknown>[] = [];
const skipped: { backend: string; why: string }[] = [];
for (const backend of ['tensorflow', 'wasm', 'cpu']) {
  for (const net of ['small_cnn', 'supernet']) {
    for (const threads of threadCounts) {
      // The pure-JS cpu backend is ~40× slower: one step says enough, and a cap keeps the bench finite.
      const cpu = backend === 'cpu';
      const steps = cpu ? 1 : net === 'supernet' ? 8 : 30;
      let measured: Measured | { error: string } = { error: 'not run' };
      // The full DARTS supernet at batch 64 exhausts wasm's 4 GiB heap: the largest batch that fits is named.
      for (const batch of net === 'supernet' ? (cpu ? [16] : [64, 32, 16]) : [64]) {
        measured = tfjsRun(backend, net, batch, threads, steps, cpu ? 1 : 2, cpu ? 3 * 60_000 : 20 * 60_000);
        if (!('error' in measured) || /within/.test(measured.error)) break;
      }
      if ('error' in measured) {
        if (/could not start|not installed|not tried/i.test(measured.error)) {
          skipped.push({ backend, why: measured.error });
          break;
        }
        rows.push({ network: net, backend, threads, error: measured.error });
        continue;
      }
      const torch = torchVersion ? torchRun(net, measured.batch, threads) : undefined;
      rows.push({
        network: net,
        backend,
        threads,
        batch: measured.batch,
        tfjs_img_s: +measured.img_s.toFixed(1),
        torch_img_s: torch === undefined ? null : +torch.toFixed(1),
        ratio: torch === undefined ? null : +(measured.img_s / torch).toFixed(3),
        step_ms: measured.step_ms === undefined ? null : +measured.step_ms.toFixed(1),
        peak_rss_mb: measured.peak_rss_mb === undefined ? null : Math.round(measured.peak_rss_mb),
        wasm_heap_mb: measured.wasm_heap_mb ?? null,
        tensors_flat: measured.tensors_flat ?? null,
      });
    }
    if (skipped.some((s) => s.backend === backend)) break;
  }
}

const report = {
  date: new Date().toISOString(),
  machine: { cpu: os.cpus()[0]?.model, cores, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
  torch: torchVersion ?? null,
  skippedBackends: skipped,
  results: rows,
};
writeJsonAtomic(path.join(here, 'results', 'train.json'), report);
console.table(rows.map((r) => ({ ...r })));
for (const s of skipped) console.log(`${s.backend}: not measured — ${s.why}`);
console.log(`written: ${path.join(here, 'results', 'train.json')}`);
