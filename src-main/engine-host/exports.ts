import { constants } from 'node:fs';
import { copyFile, mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ExportReport, ParsedInvokeRequest } from '../contract/channels.js';
import type { RunResult } from '../contract/result.js';
import { engineEntry } from './engine-entry.js';
import { runDirOf } from './run-folders.js';
import { userFolder } from './user-folder.js';

/** Exports live in `<runDir>/exports/` (the engine's report.json goes there too). */
export function exportsDirOf(runsDir: string, runId: string): string {
  return path.join(runDirOf(runsDir, runId), 'exports');
}

export async function exportRunFormats(runsDir: string, request: ParsedInvokeRequest<'export:run'>, log: (line: string) => void): Promise<ExportReport> {
  const exportRun = await engineEntry.exportRun();
  const runDir = runDirOf(runsDir, request.runId);
  const resultFile = path.join(runDir, 'result.json');
  const text = await readFile(resultFile, 'utf8').catch(() => {
    throw new Error(`${resultFile}: missing; only a finished run can be exported`);
  });
  const result = JSON.parse(text) as RunResult;
  const folder = exportsDirOf(runsDir, request.runId);
  const report = await exportRun(runDir, result.config, request.formats, folder, log);
  return { ...report, folder, files: await filesUnder(folder).catch(() => []) };
}

/** The report of the run's last export, kept with the run (with its folder and files), if it was exported. */
export async function readKeptExportReport(runsDir: string, runId: string): Promise<ExportReport | undefined> {
  const folder = exportsDirOf(runsDir, runId);
  const text = await readFile(path.join(folder, 'report.json'), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    return { ...(JSON.parse(text) as ExportReport), folder, files: await filesUnder(folder).catch(() => []) };
  } catch {
    return undefined; // a damaged report is not shown; exporting again rewrites it
  }
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name))).sort();
}

/**
 * Copies a run's exports into a folder the user chose. Nothing there is overwritten: a name that
 * already exists stops the copy before any file is written, naming the file.
 */
export async function saveExportsTo(runsDir: string, request: ParsedInvokeRequest<'export:saveTo'>): Promise<{ folder: string; files: string[] }> {
  const source = exportsDirOf(runsDir, request.runId);
  const files = await filesUnder(source).catch(() => [] as string[]);
  if (files.length === 0) throw new Error(`${source}: no exports yet; export the run first`);
  const folder = await userFolder(request.folder);
  const clashes = [];
  for (const file of files) {
    const target = path.join(folder, file);
    if (await readFile(target).then(() => true, () => false)) clashes.push(target);
  }
  if (clashes.length > 0) throw new Error(`${clashes[0]} already exists${clashes.length > 1 ? ` (and ${clashes.length - 1} more)` : ''}; choose another folder`);
  for (const file of files) {
    const target = path.join(folder, file);
    await mkdir(path.dirname(target), { recursive: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST' && error.code !== 'ENOTDIR') throw error;
      throw new Error(`${path.dirname(target)} cannot be made: a file of that name is in the way; choose another folder.`, { cause: error });
    });
    await copyFile(path.join(source, file), target, constants.COPYFILE_EXCL);
  }
  return { folder, files: files.map((file) => path.join(folder, file)) };
}
