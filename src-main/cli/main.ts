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
  .showHelpAfterError('(run with --help for usage)')
  .configureOutput({ outputError: (text, write) => write(text.split('\n')[0] + '\n') })
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2));

program.addCommand(searchCommand());
program.addCommand(profileCommand());
program.addCommand(serveCommand());
program.addCommand(exportCommand());
program.addCommand(runsCommand());
program.addCommand(resumeCommand());

await program.parseAsync(process.argv);
