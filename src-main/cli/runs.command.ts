import { Command, Option } from 'commander';
import { RUN_STATUSES, type RunDetail, type RunRecord, type RunStatus } from '../engine/store/run-store.js';
import { exitWithError, positiveInt, UserFacingError } from './cli-errors.js';
import { lookUpRun, withRunStore } from './run-lookup.js';

interface ListFlags {
  json?: boolean;
  status?: RunStatus;
  limit?: number;
}

const pick = (value: unknown, key: string): unknown => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined);

/** The headline test metric of a finished run: accuracy, else PSNR. */
function headline(run: RunRecord): string {
  const test = pick(pick(run.result, 'metrics'), 'test');
  const accuracy = pick(test, 'accuracy');
  if (typeof accuracy === 'number') return `acc ${(accuracy * 100).toFixed(1)}%`;
  const psnr = pick(test, 'psnr');
  if (typeof psnr === 'number') return `psnr ${psnr.toFixed(2)} dB`;
  return '';
}

function shortTime(iso: string | null): string {
  return iso ? iso.replace('T', ' ').slice(0, 19) : '';
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ').trimEnd()).join('\n');
}

export function formatRunsTable(runs: RunRecord[]): string {
  if (runs.length === 0) return 'No runs yet. Start one with: nas-studio search';
  const rows = [['ID', 'STATUS', 'TASK', 'STRATEGY', 'PHASE', 'CREATED', 'RESULT']];
  for (const run of runs) {
    const detail = run.status === 'failed' || run.status === 'cancelled' ? (run.error ?? '').slice(0, 60) : headline(run);
    rows.push([run.id, run.status, String(pick(run.config, 'task') ?? ''), String(pick(run.config, 'strategy') ?? ''), run.phase ?? '', shortTime(run.createdAt), detail]);
  }
  return table(rows);
}

export function formatRunDetail(run: RunDetail): string {
  const lines = [
    `Run       ${run.id}`,
    `Status    ${run.status}${run.phase ? ` (phase: ${run.phase})` : ''}`,
    `Folder    ${run.runDir}`,
    `Created   ${shortTime(run.createdAt)}`,
  ];
  if (run.startedAt) lines.push(`Started   ${shortTime(run.startedAt)}`);
  if (run.finishedAt) lines.push(`Finished  ${shortTime(run.finishedAt)}`);
  if (run.error) lines.push(`Error     ${run.error}`);
  const config = run.config as Record<string, unknown>;
  lines.push(`Config    task ${config.task}, space ${config.space}, strategy ${config.strategy}, ${config.epochs} search + ${config.retrainEpochs} retrain epochs, seed ${config.seed}`);
  const result = headline(run);
  if (result) lines.push(`Result    ${result}`);
  for (const p of run.progress) lines.push(`Progress  ${p.phase}: ${p.steps} steps recorded, last epoch ${p.lastEpoch}, last loss ${p.lastLoss === null ? 'not finite' : p.lastLoss.toFixed(4)}`);
  if (run.genotypes.length > 0) {
    lines.push('Genotypes');
    for (const g of run.genotypes) lines.push(`  epoch ${g.epoch}: ${g.genotype}`);
  }
  if (run.artifacts.length > 0) {
    lines.push('Artifacts');
    for (const a of run.artifacts) lines.push(`  ${a.kind.padEnd(10)} ${a.path} (${a.bytes} bytes)`);
  }
  return lines.join('\n');
}

/** `nas-studio runs` (a table or --json) and `nas-studio runs show RUN`. */
export function runsCommand(): Command {
  const runs = new Command('runs')
    .description('List the runs in the run store ($NAS_STUDIO_HOME/runs.db, default ~/.nas-studio), newest first.')
    .option('--json', 'print the runs as JSON')
    .addOption(new Option('--status <status>', 'only runs with this status').choices(RUN_STATUSES))
    .option('--limit <n>', 'at most this many runs', positiveInt('--limit'))
    .action((flags: ListFlags) => {
      try {
        const list = withRunStore((store) => store.listRuns({ status: flags.status, limit: flags.limit }));
        process.stdout.write(`${flags.json ? JSON.stringify(list, null, 2) : formatRunsTable(list)}\n`);
      } catch (error) {
        exitWithError(error);
      }
    });
  runs
    .command('show')
    .description('Show one run: status, config, progress, genotype per epoch, artifacts.')
    .argument('<run>', 'run id (or a unique start of it)')
    .option('--json', 'print the run as JSON')
    .action((id: string, flags: { json?: boolean }, command: Command) => {
      // `runs show X --json`: commander gives --json to `runs`, which has the same option.
      const json = Boolean(flags.json || command.parent?.opts().json);
      try {
        const run = withRunStore((store) => {
          const found = lookUpRun(store, id);
          if (!found) throw new UserFacingError(`run '${id}': no such run in ${store.file} (list them with: nas-studio runs).`);
          return found;
        });
        process.stdout.write(`${json ? JSON.stringify(run, null, 2) : formatRunDetail(run)}\n`);
      } catch (error) {
        exitWithError(error);
      }
    });
  return runs;
}
