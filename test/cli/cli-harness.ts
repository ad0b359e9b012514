import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';

export const repoRoot = path.resolve(import.meta.dirname, '../..');
export const cliEntry = path.join(repoRoot, 'bin/nas-studio.mjs');

/** A small learnable image folder: two classes (light disc / dark bar) of `perClass` 8×8 gray PNGs. */
export function writeTinyImageFolder(dir: string, perClass = 16): string {
  const classes: Record<string, (x: number, y: number) => number> = {
    disc: (x, y) => ((x - 3.5) ** 2 + (y - 3.5) ** 2 < 8 ? 230 : 30),
    bar: (x) => (x >= 3 && x <= 4 ? 220 : 20),
  };
  let seed = 7;
  const noise = () => ((seed = (seed * 1103515245 + 12345) >>> 0) % 41) - 20;
  for (const [name, paint] of Object.entries(classes)) {
    mkdirSync(path.join(dir, name), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const png = new PNG({ width: 8, height: 8 });
      for (let y = 0; y < 8; y++)
        for (let x = 0; x < 8; x++) {
          const v = Math.max(0, Math.min(255, paint(x, y) + noise()));
          png.data.set([v, v, v, 255], (y * 8 + x) * 4);
        }
      writeFileSync(path.join(dir, name, `${name}-${i}.png`), PNG.sync.write(png, { colorType: 0, inputColorType: 6 }));
    }
  }
  return dir;
}

/** Flags for a run that takes seconds: tiny supernet, few samples, one worker. */
export function tinyRunFlags(data: string, epochs: number): string[] {
  return ['search', '--data', data, '--space', 'nb201', '--strategy', 'darts', '--epochs', String(epochs), '--retrain-epochs', '1', '--batch-size', '4', '--channels', '4', '--cells', '1', '--workers', '1', '--seed', '1'];
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: NodeJS.ProcessEnv, timeout = 120_000): CliResult {
  const r = spawnSync(process.execPath, [cliEntry, ...args], { cwd: repoRoot, env: { ...process.env, ...env, NAS_STUDIO_DEBUG: '' }, encoding: 'utf8', timeout });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function spawnCli(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [cliEntry, ...args], { cwd: repoRoot, env: { ...process.env, ...env, NAS_STUDIO_DEBUG: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Like runCli, without blocking: several cases can run at once. */
export function runCliAsync(args: string[], env: NodeJS.ProcessEnv, timeout = 120_000): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawnCli(args, env);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk) => (stdout += String(chunk)));
    child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** Runs tasks with at most `limit` at a time, results in input order. */
export async function inBatches<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/** A run's events.jsonl, parsed line by line (the fields the CLI tests read). */
export function readRunEvents(runDir: string) {
  return readFileSync(path.join(runDir, 'events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { type: string; phase?: string; epoch?: number; step?: number; loss?: number | null; level?: string; message?: string });
}
