import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import type { ExportReport } from '../contract/channels.js';
import type { ResultTarget } from '../contract/targets.js';
import { exitWithError, UserFacingError } from './cli-errors.js';

const FORMATS = ['tfjs', 'onnx', 'tflite', 'tflite-int8', 'c'] as const;
type Format = (typeof FORMATS)[number];

function parseFormats(values: string[]): Format[] {
  const formats = values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  for (const f of formats) {
    if (!(FORMATS as readonly string[]).includes(f)) throw new UserFacingError(`--format must be one of ${FORMATS.join(', ')}; got '${f}'.`);
  }
  return [...new Set(formats)] as Format[];
}

function readRun(runDir: string): { config: unknown; target?: ResultTarget } {
  const result = path.join(runDir, 'result.json');
  if (!existsSync(result)) throw new UserFacingError(`${runDir}: not a finished run (no result.json).`);
  if (!existsSync(path.join(runDir, 'model', 'model.json'))) throw new UserFacingError(`${runDir}: the run has no saved model (model/model.json).`);
  try {
    return JSON.parse(readFileSync(result, 'utf8')) as { config: unknown; target?: ResultTarget };
  } catch (error) {
    throw new UserFacingError(`${result}: not valid JSON (${(error as Error).message}).`);
  }
}

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;

/** What a device needs, in plain words: flash, the arena to allocate, whether TFLite Micro ran it, and the target's limits. */
function deviceLines(report: ExportReport, target: ResultTarget | undefined): string[] {
  const lines: string[] = [];
  const over: string[] = [];
  if (target && target.flashBytes !== null && report.flashBytes !== undefined && report.flashBytes > target.flashBytes) over.push(`flash ${kib(report.flashBytes)} > ${kib(target.flashBytes)}`);
  if (target && target.sramBytes !== null && report.tensorArenaBytes !== undefined && report.tensorArenaBytes > target.sramBytes) over.push(`arena ${kib(report.tensorArenaBytes)} > ${kib(target.sramBytes)} SRAM`);
  if (over.length > 0) lines.push(`WARNING: the model does not fit ${target!.name} (${over.join('; ')}); the files were written, but they will not run there.`);
  else if (target && target.id !== 'host') lines.push(`fits         ${target.name}`);
  if (report.flashBytes !== undefined) lines.push(`flash        ${kib(report.flashBytes)} (the int8 model)`);
  if (report.tensorArenaBytes !== undefined) {
    lines.push(`SRAM         ${kib(report.tensorArenaBytes)} tensor arena to allocate (${report.tensorArenaSource === 'tflite-micro' ? 'measured by TFLite Micro' : 'an estimate: TFLite Micro did not run'})`);
  }
  const mcu = report.microcontroller;
  if (mcu) lines.push(`TFLite Micro ${mcu.verified ? 'ran the int8 model' : 'did not confirm the int8 model'}: ${mcu.note ?? ''}`);
  if (report.metricName && report.metricBefore !== undefined && report.metricAfterInt8 !== undefined) {
    lines.push(`${report.metricName.padEnd(12)} ${report.metricBefore.toFixed(4)} float → ${report.metricAfterInt8.toFixed(4)} int8, on ${report.metricSamples ?? '?'} test inputs`);
  }
  return lines;
}

export function exportCommand(): Command {
  return new Command('export')
    .description('Export a finished run for deployment, each format verified by an independent runtime; writes RUN_DIR/exports/report.json.')
    .argument('<run-dir>', 'the run folder (the one holding result.json)')
    .addOption(new Option('--format <formats...>', `one or more of ${FORMATS.join(', ')} (comma-separated or repeated)`).default(['tfjs', 'onnx', 'tflite', 'tflite-int8', 'c']))
    .option('--out <dir>', 'where to write the files (default: RUN_DIR/exports)')
    .action(async (runDirArg: string, flags: { format: string[]; out?: string }) => {
      try {
        const runDir = path.resolve(runDirArg);
        const formats = parseFormats(flags.format);
        const run = readRun(runDir);
        const outDir = path.resolve(flags.out ?? path.join(runDir, 'exports'));
        const { exportRun } = await import('../engine/export/export-run-folder.js');
        const report = await exportRun(runDir, run.config, formats, outDir, (line) => process.stderr.write(`${line}\n`));
        for (const e of report.exports) {
          process.stderr.write(`${e.format.padEnd(12)} ${String(e.bytes).padStart(9)} bytes  ${e.verified ? 'verified' : 'NOT verified'}${e.maxAbsDiff !== undefined ? `  max |diff| ${e.maxAbsDiff.toExponential(2)}` : ''}${e.note ? `  ${e.note}` : ''}\n`);
        }
        for (const line of deviceLines(report, run.target)) process.stderr.write(`${line}\n`);
        process.stdout.write(`${path.join(outDir, 'report.json')}\n`);
      } catch (error) {
        exitWithError(error);
      }
    });
}
