import { Command, InvalidArgumentError } from 'commander';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { startServer, type RunningServer } from '../serve/server.js';
import { exitWithError } from './cli-errors.js';

function portNumber(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError(`--port must be a whole number from 0 to 65535, got '${value}'.`);
  return port;
}

/**
 * `nas-studio serve`: the app's UI in a browser, the engine on this machine, on 127.0.0.1 only.
 * The printed URL carries the access token; anyone without it gets 403.
 */
export function serveCommand(): Command {
  return new Command('serve')
    .description('serve the NAS Studio UI on http://127.0.0.1 (headless use, browser tests); prints a URL with an access token')
    .option('-p, --port <port>', 'port to listen on (0 picks a free one)', portNumber, 5317)
    .option('--runs-dir <dir>', 'folder of run folders', 'runs')
    .option('--static-dir <dir>', 'the built renderer', 'out/renderer')
    .option('--token <token>', 'access token (default: a fresh random one)')
    .option('--allow-path <dirs...>', 'confine data and export paths to these folders (default: any path)')
    .action(async (options: { port: number; runsDir: string; staticDir: string; token?: string; allowPath?: string[] }) => {
      const staticDir = path.resolve(options.staticDir);
      let server: RunningServer;
      try {
        server = await startServer({
          port: options.port,
          host: '127.0.0.1',
          token: options.token,
          runsDir: path.resolve(options.runsDir),
          staticDir,
          allowedRoots: options.allowPath,
        });
      } catch (error) {
        exitWithError(error);
      }
      if (!existsSync(path.join(staticDir, 'index.html'))) {
        console.error(`nas-studio: warning: ${staticDir} holds no built UI (index.html); run "npm run build" or pass --static-dir.`);
      }
      console.log(`NAS Studio is served at ${server.url}`);
      const stop = (): void => {
        void server.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
