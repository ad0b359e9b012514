import path from 'node:path';
import type { RunOptions } from '../engine/search/run-search.types.js';
import type { SearchConfigInput } from '../contract/search-config.js';
import { createProgressPrinter } from './progress.js';
import { targetSummary } from './target-summary.js';

/**
 * Runs (or resumes) a search from the CLI: progress on stderr, Ctrl-C cancels (a second one quits at
 * once), and the path of result.json as the last line of stdout — the contract other tools read.
 */
export async function runToCompletion(config: SearchConfigInput, options: Omit<RunOptions, 'signal' | 'onEvent'>): Promise<void> {
  const { runSearch } = await import('../engine/search/run-search.js');
  const controller = new AbortController();
  process.once('SIGINT', () => {
    process.stderr.write('\ncancelling… (press Ctrl-C again to quit at once)\n');
    controller.abort();
    process.once('SIGINT', () => process.exit(130));
  });
  const result = await runSearch(config, { ...options, signal: controller.signal, onEvent: createProgressPrinter() });
  const device = targetSummary(result);
  if (device) process.stderr.write(`${device}\n`);
  process.stdout.write(`${path.join(result.runDir, 'result.json')}\n`);
}
