import { serveCommand } from '../cli/serve.command.js';

/** Runs the serve mode alone (`npx tsx src-main/serve/serve-entry.ts --port 0`): scripts/start.mjs uses it. */
serveCommand()
  .parseAsync(process.argv)
  .catch((error: Error) => {
    console.error(`nas-studio serve: ${error.message}`);
    process.exit(1);
  });
