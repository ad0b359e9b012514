/**
 * npm run bench:eta — does the CLI's printed ETA tell the truth? Runs `nas-studio search` (a short quick
 * run by default; pass your own flags after `--`), notes when each progress line arrived on stderr, and for
 * every ETA printed between 10 % and 50 % of the run compares "time printed + ETA" with the real end.
 * The error is |predicted end − real end| over the run's length (also over the time then left). Writes
 * bench/results/run-eta.json and prints a table; exits 1 when the median error is over 25 %.
 *
 *   npm run bench:eta                       # the short quick run below
 *   npm run bench:eta -- --data mnist       # a full quick MNIST run (minutes)
 *   npm run bench:eta -- --replay runs/<id> # a recorded run's events.jsonl, replayed through the tracker
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunEvent } from '../src-main/contract/events.js';
import type { ResolvedSearchConfig } from '../src-main/contract/search-config.js';
import { createRunProgress } from '../src-main/engine/progress/run-progress.js';
import { writeJsonAtomic } from '../src-main/engine/util/atomic-write.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');
const OUT = path.join(here, 'results', 'run-eta.json');
/** A quick MNIST run made short: fewer candidates and race entrants, a 4,000-image retraining. */
const SHORT_RUN = ['--data', 'mnist', '--preset', 'quick', '--candidates', '16', '--race-size', '6', '--race-samples', '600', '--retrain-samples', '4000', '--seed', '1'];

interface Sample {
  /** Seconds since the start. */
  at: number;
  etaSeconds: number;
  stage: string;
}

export function parseDuration(text: string): number {
  const m = /^(?:(\d+)m)?(\d+)s$/.exec(text);
  return m ? Number(m[1] ?? 0) * 60 + Number(m[2]) : Number.NaN;
}

/** Errors of the ETAs given between 10 % and 50 % of a run that lasted `end` seconds. */
export function etaErrors(samples: Sample[], end: number) {
  return samples
    .filter((s) => s.at >= 0.1 * end && s.at <= 0.5 * end)
    .map((s) => ({ ...s, ofRun: Math.abs(s.at + s.etaSeconds - end) / end, ofRemaining: Math.abs(s.at + s.etaSeconds - end) / Math.max(1e-9, end - s.at) }));
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Runs the CLI and collects its printed ETAs with the second each line arrived. */
function runCli(flags: string[]): Promise<{ samples: Sample[]; end: number; status: number | null; tail: string }> {
  const out = mkdtempSync(path.join(os.tmpdir(), 'nas-eta-'));
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(repo, 'bin/nas-studio.mjs'), 'search', ...flags, '--out', out], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  const samples: Sample[] = [];
  let buffer = '';
  let tail = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    const at = (performance.now() - started) / 1000;
    buffer += chunk;
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      tail = line;
      const m = /^\d+% (.*) · ETA (\S+)/.exec(line);
      if (m) samples.push({ at, etaSeconds: parseDuration(m[2]), stage: m[1].split(' · ')[0] });
    }
  });
  child.stdout.resume();
  return new Promise((resolve) => child.on('close', (status) => resolve({ samples, end: (performance.now() - started) / 1000, status, tail })));
}

/** A recorded run's events through the tracker, on the recording's clock (older runs: baseline and latency inferred). */
function replay(runDir: string): { samples: Sample[]; end: number } {
  const config = JSON.parse(readFileSync(path.join(runDir, 'config.json'), 'utf8')) as ResolvedSearchConfig;
  const events = readFileSync(path.join(runDir, 'events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as RunEvent & { t: number });
  const t0 = events[0].t;
  let now = t0;
  const samples: Sample[] = [];
  const tracker = createRunProgress(config, { emit: (e) => samples.push({ at: (now - t0) / 1000, etaSeconds: e.etaSeconds, stage: e.stage }), now: () => now, minIntervalMs: 5000 });
  let sized = false;
  for (const event of events) {
    now = event.t;
    if (event.type === 'progress') continue;
    if (event.type === 'step' && event.model === 'baseline') tracker.enter('baseline');
    tracker.observe(event);
    if (!sized && event.type === 'log' && /training and (\d+) test samples/.test(event.message)) {
      const [, train, test] = /(\d+) training and (\d+) test samples/.exec(event.message)!.map(Number);
      tracker.sizes({ train, validation: Math.round(train / 11), test });
      sized = true;
    }
  }
  return { samples, end: (events.at(-1)!.t - t0) / 1000 };
}

const args = process.argv.slice(2);
const replayAt = args.indexOf('--replay');
const mode = replayAt >= 0 ? 'replay' : 'cli';
const flags = mode === 'cli' ? (args.length > 0 ? args : SHORT_RUN) : [];
const run = mode === 'replay' ? { ...replay(path.resolve(args[replayAt + 1])), status: 0, tail: '' } : await runCli(flags);
const errors = etaErrors(run.samples, run.end);
const summary = {
  mode,
  flags: mode === 'cli' ? flags : args,
  machine: { cpus: os.availableParallelism(), loadAverage: os.loadavg() },
  runSeconds: run.end,
  exitStatus: run.status,
  etasPrinted: run.samples.length,
  etasBetween10And50Percent: errors.length,
  medianErrorOfRun: median(errors.map((e) => e.ofRun)),
  medianErrorOfRemaining: median(errors.map((e) => e.ofRemaining)),
  samples: errors.map((e) => ({ at: +e.at.toFixed(1), stage: e.stage, etaSeconds: e.etaSeconds, predictedEnd: +(e.at + e.etaSeconds).toFixed(1), ofRun: +e.ofRun.toFixed(3) })),
  measuredAt: new Date().toISOString(),
};
if (mode === 'cli') writeJsonAtomic(OUT, summary);
console.log(`run ${run.end.toFixed(0)} s (exit ${run.status}); ${errors.length} ETAs printed between 10 % and 50 %`);
console.log('  at s  stage                                   ETA s  predicted end  error/run');
for (const s of summary.samples) console.log(`${String(s.at).padStart(6)}  ${s.stage.slice(0, 38).padEnd(38)} ${String(s.etaSeconds).padStart(6)} ${String(s.predictedEnd).padStart(14)}  ${(s.ofRun * 100).toFixed(1).padStart(8)} %`);
console.log(`median error: ${(summary.medianErrorOfRun * 100).toFixed(1)} % of the run, ${(summary.medianErrorOfRemaining * 100).toFixed(1)} % of the time then left (limit 25 %)`);
if (run.status !== 0) console.log(`the run failed: ${run.tail}`);
process.exit(run.status === 0 && errors.length > 0 && summary.medianErrorOfRun <= 0.25 ? 0 : 1);
