import { Command } from 'commander';
import { exportCommand } from './export.command.js';
import { profileCommand } from './profile.command.js';
import { resumeCommand } from './resume.command.js';
import { runsCommand } from './runs.command.js';
import { searchCommand } from './search.command.js';
import { serveCommand } from './serve.command.js';

/** `nas-studio <command>`: each command lives in its own file and is added here. */
const program = new Command('nas-studio')
  .description('NAS Studio: on-device neural architecture search (search, retrain, evaluate, export).')
  .configureOutput({ outputError: (text, write) => write(text.split('\n')[0] + '\n') })
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2));

// addCommand does not pass settings down: every command gets the one-line errors and exit code 2.
for (const command of [searchCommand(), profileCommand(), serveCommand(), exportCommand(), runsCommand(), resumeCommand()]) {
  for (const c of [command, ...command.commands]) c.copyInheritedSettings(program);
  program.addCommand(command);
}

await program.parseAsync(process.argv);
