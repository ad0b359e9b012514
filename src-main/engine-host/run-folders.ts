import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { InvokeResponses, RunSummary } from '../contract/channels.js';
import type { RunEvent } from '../contract/events.js';
import type { RunResult } from '../contract/result.js';

/**
 * Reads finished and interrupted runs from their folders (`<runsDir>/<runId>/result.json`,
 * `events.jsonl` with one RunEvent per line, PNG images) until the engine's run store exists.
 */
const RUN_ID = /^[A-Za-z0-9_-]{1,80}$/;
const MAX_IMAGE_BYTES = 2 * 1024 * 1024;
const MAX_IMAGES = 24;

export function runDirOf(runsDir: string, runId: string): string {
  // The schema already refused anything else; this keeps the folder inside runsDir whoever calls.
  if (!RUN_ID.test(runId)) throw new Error(`Not a run id: ${JSON.stringify(runId.slice(0, 80))}`);
  return path.join(runsDir, runId);
}

async function readJson<T>(file: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
}

export function summaryFromResult(result: RunResult): RunSummary {
  const test = result.metrics?.test ?? {};
  const metric =
    test.accuracy !== undefined
      ? { name: 'accuracy', value: test.accuracy }
      : test.psnr !== undefined
        ? { name: 'psnr', value: test.psnr }
        : undefined;
  return {
    runId: result.runId,
    task: result.task,
    dataset: result.dataset,
    space: result.space,
    strategy: result.strategy,
    preset: result.preset,
    status: 'done',
    createdAt: result.createdAt,
    genotype: result.genotype,
    params: result.params,
    metric,
    latencyMs: result.latency?.measuredMs ?? result.latency?.predictedMs,
    ...(result.machine ? { machineId: result.machine.id, machine: result.machine.label } : {}),
  };
}

/** When the run started: its first event's time (result.json's createdAt is when it finished). */
async function startedAt(dir: string): Promise<string | undefined> {
  const first = await readFile(path.join(dir, 'events.jsonl'), 'utf8').then((text) => text.slice(0, text.indexOf('\n')), () => '');
  try {
    const t = (JSON.parse(first) as { t?: unknown }).t;
    return typeof t === 'number' && Number.isFinite(t) ? new Date(t).toISOString() : undefined;
  } catch {
    return undefined;
  }
}

async function summaryOfFinished(dir: string, runId: string, result: RunResult): Promise<RunSummary> {
  const started = await startedAt(dir);
  return { ...summaryFromResult(result), runId, ...(started ? { createdAt: started } : {}) };
}

/**
 * Why a run without result.json stopped, from its events: the error it ended with (run-search.ts logs it
 * as the last event), a cancellation, or else the phase it was in when its events end (closed or killed).
 */
function whyStopped(events: (RunEvent & { t?: number })[]): { status: 'failed' | 'cancelled'; error: string } {
  const last = events.at(-1);
  const ending = [...events].reverse().find((e) => e.type === 'log' && (e.level === 'error' || /^the run was cancelled/.test(e.message)));
  if (ending?.type === 'log' && ending.level !== 'error') return { status: 'cancelled', error: 'cancelled before it finished' };
  if (ending?.type === 'log') return { status: 'failed', error: ending.message };
  const phase = [...events].reverse().find((e) => e.type === 'phase');
  const when = last?.t ? ` at ${new Date(last.t).toLocaleString()}` : '';
  const where = phase?.type === 'phase' ? ` during the ${phase.phase} phase` : '';
  return {
    status: 'failed',
    error: events.length === 0 ? 'stopped before its first step: no events were recorded' : `stopped${where}${when} with no error recorded: the app or process was closed or killed (nas-studio resume <run id> continues it)`,
  };
}

/** A folder without result.json: the run stopped before the end (or is another process's live run). */
async function summaryOfUnfinished(runsDir: string, runId: string): Promise<RunSummary> {
  const dir = runDirOf(runsDir, runId);
  const config = (await readJson<Record<string, unknown>>(path.join(dir, 'config.json')).catch(() => undefined)) ?? {};
  const data = config.data as { kind?: string; name?: string; path?: string } | undefined;
  const created = (await startedAt(dir)) ?? (await stat(dir).then((s) => s.birthtime.toISOString(), () => new Date(0).toISOString()));
  const stopped = whyStopped(await readRunEvents(runsDir, runId).catch(() => []));
  return {
    runId,
    task: String(config.task ?? 'unknown'),
    dataset: data?.kind === 'builtin' ? String(data.name) : data?.path ? path.basename(data.path) : 'unknown',
    space: String(config.space ?? 'unknown'),
    strategy: String(config.strategy ?? 'unknown'),
    preset: String(config.preset ?? 'unknown'),
    status: stopped.status,
    createdAt: created,
    error: stopped.error.replace('<run id>', runId),
  };
}

export async function listRunIds(runsDir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(runsDir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.filter((entry) => entry.isDirectory() && RUN_ID.test(entry.name)).map((entry) => entry.name);
}

export async function readRunSummary(runsDir: string, runId: string): Promise<RunSummary> {
  const result = await readJson<RunResult>(path.join(runDirOf(runsDir, runId), 'result.json'));
  return result ? summaryOfFinished(runDirOf(runsDir, runId), runId, result) : summaryOfUnfinished(runsDir, runId);
}

/** Events of a run; a last line cut short by a live writer is skipped, a bad line elsewhere is an error. */
export async function readRunEvents(runsDir: string, runId: string): Promise<RunEvent[]> {
  const file = path.join(runDirOf(runsDir, runId), 'events.jsonl');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return [];
  }
  const lines = text.split('\n');
  const events: RunEvent[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      events.push(JSON.parse(line) as RunEvent);
    } catch {
      if (index < lines.length - 1 && lines.slice(index + 1).some((rest) => rest.trim() !== '')) {
        throw new Error(`${file}: line ${index + 1} is not valid JSON`);
      }
    }
  });
  return events;
}

async function readRunImages(dir: string): Promise<{ name: string; dataUrl: string }[]> {
  const images: { name: string; dataUrl: string }[] = [];
  for (const sub of ['', 'images']) {
    const folder = path.join(dir, sub);
    const names = await readdir(folder).catch(() => [] as string[]);
    for (const name of names.filter((n) => n.toLowerCase().endsWith('.png')).sort()) {
      if (images.length >= MAX_IMAGES) return images;
      const file = path.join(folder, name);
      const info = await stat(file);
      if (!info.isFile() || info.size > MAX_IMAGE_BYTES) continue;
      const bytes = await readFile(file);
      images.push({ name: sub ? `${sub}/${name}` : name, dataUrl: `data:image/png;base64,${bytes.toString('base64')}` });
    }
  }
  return images;
}

export async function readRunDetails(runsDir: string, runId: string): Promise<InvokeResponses['runs:get'] | undefined> {
  const dir = runDirOf(runsDir, runId);
  const exists = await stat(dir).then((s) => s.isDirectory(), () => false);
  if (!exists) return undefined;
  const result = await readJson<RunResult>(path.join(dir, 'result.json'));
  const summary = result ? await summaryOfFinished(dir, runId, result) : await summaryOfUnfinished(runsDir, runId);
  return { summary, result, events: await readRunEvents(runsDir, runId), images: await readRunImages(dir) };
}
