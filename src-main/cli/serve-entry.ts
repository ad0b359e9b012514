import { serveCommand } from './serve.command.js';

/** Runs the serve mode alone (`npx tsx src-main/cli/serve-entry.ts --port 0`): scripts/start.mjs uses it. */
serveCommand()
  .parseAsync(process.argv)
  .catch((error: Error) => {
    console.error(`nas-studio serve: ${error.message}`);
    process.exit(1);
  });
