import { existsSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { exitWithError, UserFacingError } from './cli-errors.js';
import { lookUpRun, withRunStore } from './run-lookup.js';
import { runToCompletion } from './run-to-completion.js';

/** The run to resume, checked: it exists, is not finished, and no live process is running it. */
function findResumable(id: string): { id: string; runDir: string } {
  return withRunStore((store) => {
    const run = lookUpRun(store, id);
    if (!run) {
      // A run folder given by its path (a store that was moved or lost): its config.json is enough.
      const dir = path.resolve(id);
      if (existsSync(path.join(dir, 'config.json'))) return { id: path.basename(dir), runDir: dir };
      throw new UserFacingError(`run '${id}': no such run in ${store.file} (list them with: nas-studio runs), and no run folder with a config.json at that path.`);
    }
    if (run.status === 'done') throw new UserFacingError(`run ${run.id}: already finished; its result is ${path.join(run.runDir, 'result.json')}.`);
    if (run.status === 'running' || run.status === 'paused') throw new UserFacingError(`run ${run.id}: still ${run.status} in process ${run.pid}; stop it first.`);
    if (!existsSync(path.join(run.runDir, 'config.json'))) throw new UserFacingError(`${run.runDir}: the run folder is gone or has no config.json, so run ${run.id} cannot be resumed.`);
    return { id: run.id, runDir: run.runDir };
  });
}

/** `nas-studio resume RUN`: continues a stopped, failed or killed run from its last checkpoint. */
export function resumeCommand(): Command {
  return new Command('resume')
    .description('Continue a run that stopped (killed, failed, cancelled) from its last checkpoint; prints the path of result.json last.')
    .argument('<run>', 'run id (or a unique start of it), as listed by: nas-studio runs; or the path of a run folder')
    .action(async (id: string) => {
      try {
        const run = findResumable(id);
        // The run's own config.json is what it continues with; the input config is not read on resume.
        await runToCompletion({}, { outDir: path.dirname(run.runDir), runId: run.id, resume: true });
      } catch (error) {
        exitWithError(error);
      }
    });
}
