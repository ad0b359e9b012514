import { existsSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { RunStore, type RunDetail } from '../engine/store/run-store.js';
import { exitWithError, UserFacingError } from './cli-errors.js';
import { createProgressPrinter } from './progress.js';

/** The run to resume, checked: it exists, is not finished, and no live process is running it. */
function findResumable(id: string): RunDetail {
  let store: RunStore;
  try {
    store = RunStore.open();
  } catch (error) {
    throw new UserFacingError((error as Error).message);
  }
  try {
    let run: RunDetail | undefined;
    try {
      run = store.getRun(id);
    } catch (error) {
      throw new UserFacingError((error as Error).message);
    }
    if (!run) throw new UserFacingError(`run '${id}': no such run in ${store.file} (list them with: nas-studio runs).`);
    if (run.status === 'done') throw new UserFacingError(`run ${run.id}: already finished; its result is ${path.join(run.runDir, 'result.json')}.`);
    if (run.status === 'running' || run.status === 'paused') throw new UserFacingError(`run ${run.id}: still ${run.status} in process ${run.pid}; stop it first.`);
    if (!existsSync(path.join(run.runDir, 'config.json'))) throw new UserFacingError(`${run.runDir}: the run folder is gone or has no config.json, so run ${run.id} cannot be resumed.`);
    return run;
  } finally {
    store.close();
  }
}

/** `nas-studio resume RUN`: continues a stopped, failed or killed run from its last checkpoint. */
export function resumeCommand(): Command {
  return new Command('resume')
    .description('Continue a run that stopped (killed, failed, cancelled) from its last checkpoint; prints the path of result.json last.')
    .argument('<run>', 'run id (or a unique start of it), as listed by: nas-studio runs')
    .action(async (id: string) => {
      try {
        const run = findResumable(id);
        const { runSearch } = await import('../engine/search/run-search.js');
        const controller = new AbortController();
        process.once('SIGINT', () => {
          process.stderr.write('\ncancelling… (press Ctrl-C again to quit at once)\n');
          controller.abort();
          process.once('SIGINT', () => process.exit(130));
        });
        const result = await runSearch(run.config as never, {
          outDir: path.dirname(run.runDir),
          runId: run.id,
          resume: true,
          signal: controller.signal,
          onEvent: createProgressPrinter(),
        });
        process.stdout.write(`${path.join(result.runDir, 'result.json')}\n`);
      } catch (error) {
        exitWithError(error);
      }
    });
}
