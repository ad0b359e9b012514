import type { MachineProfile } from './hardware.types.js';
import type { ProfileComparison } from './profile-store.js';

/** Readable text of a profile, for the CLI and logs: summary first, then the facts, then the benchmarks. */

function gb(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
}

function table(rows: string[][], indent = ''): string[] {
  const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => (row[col] ?? '').length)));
  return rows.map((row) => indent + row.map((cell, col) => (col === row.length - 1 ? cell : cell.padEnd(widths[col]))).join('  ').trimEnd());
}

/** Wraps a paragraph at `width` columns. */
function wrap(text: string, width = 100): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

function formatValue(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

const CHOSEN_BY: Record<string, string> = {
  forced: 'asked for with --backend or NAS_STUDIO_BACKEND',
  timed: 'the fastest training step',
  cached: 'the fastest training step when last timed on this machine',
  first: 'the first that started; nothing was timed',
};

export function formatProfileText(profile: MachineProfile): string {
  const { hardware: hw, backend } = profile;
  const out: string[] = [];
  out.push(`NAS Studio machine profile — machine ${profile.machineId}, ${profile.createdAt}`);
  out.push('');
  out.push(...wrap(profile.summary));
  out.push('');
  const cpu = hw.cpu;
  const simd = cpu.simd.length > 0 ? cpu.simd.map((s) => s.toUpperCase()).join(' ') : 'none detected';
  const gpus = hw.gpus.length > 0 ? hw.gpus.map((g) => `${g.vendor} ${g.model}${g.vramMiB ? `, ${g.vramMiB} MiB` : ''}${g.driverVersion ? `, driver ${g.driverVersion}` : ''}`).join('; ') : 'none found';
  const wasmDetails: string[] = [];
  if (backend.simd !== undefined) wasmDetails.push(`SIMD ${backend.simd ? 'on' : 'off'}`);
  if (backend.threads !== undefined) wasmDetails.push(`${backend.threads} thread${backend.threads === 1 ? '' : 's'}`);
  out.push(
    ...table([
      ['Processor', `${cpu.manufacturer} ${cpu.brand} — ${cpu.physicalCores} cores, ${cpu.logicalThreads} threads, ${cpu.speedGHz ? `${cpu.speedGHz} GHz` : 'clock speed not reported'}`],
      ['SIMD', simd],
      ...(cpu.avx512Flags.length > 0 ? [['AVX-512 flags', cpu.avx512Flags.join(' ')]] : []),
      ['Memory', `${gb(hw.memory.totalBytes)} total, ${gb(hw.memory.availableBytes)} available`],
      ['Graphics', gpus],
      ['CUDA', `${hw.cuda.usable ? (hw.cuda.tfjsCompatible ? 'usable' : 'present, wrong version for tfjs-node-gpu') : 'not usable'} — ${hw.cuda.reason}`],
      ['OS', `${hw.os.distro} ${hw.os.release} (${hw.os.platform} ${hw.os.arch}), Node ${hw.nodeVersion}`],
      ['Backend', `${backend.name}${wasmDetails.length > 0 ? ` (${wasmDetails.join(', ')})` : ''}${backend.adapter ? ` on ${backend.adapter}` : ''}`],
    ]),
  );
  if (backend.tried.length > 0) {
    out.push('');
    out.push(`Backends, in the order they are tried${backend.workload ? `; step: one training step of ${backend.workload}` : ''}:`);
    const rows = [['Backend', 'Started', 'Step', 'Adapter', 'Why'], ...backend.tried.map((t) => [
      t.name + (t.name === backend.name ? ' *' : ''),
      t.loaded ? 'yes' : 'no',
      t.stepMs !== undefined ? `${t.stepMs < 10 ? t.stepMs.toFixed(1) : t.stepMs.toFixed(0)} ms${t.timing === 'cached' ? ' (cached)' : ''}` : '—',
      t.adapter ?? '—',
      t.why,
    ])];
    out.push(...table(rows, '  '));
    out.push(`  * in use${backend.chosenBy ? ` (${CHOSEN_BY[backend.chosenBy]})` : ''}`);
  }
  out.push('');
  if (profile.bench) {
    out.push(`Micro-benchmarks on ${profile.bench.backend} (median of repeats, ${(profile.bench.totalMs / 1000).toFixed(1)} s in all):`);
    const rows = [['Benchmark', 'Shape', 'Result', 'Median', 'Repeats']];
    for (const m of profile.bench.measures) {
      rows.push([m.label, m.shape, `${formatValue(m.value)} ${m.unit}`, `${m.medianMs.toFixed(2)} ms`, String(m.repeats)]);
    }
    out.push(...table(rows, '  '));
  } else {
    out.push('Micro-benchmarks: not run (--no-bench).');
  }
  return out.join('\n');
}

/** Readable comparison with an earlier profile of the same machine. */
export function formatComparisonText(comparison: ProfileComparison, earlierCreatedAt: string): string {
  if (comparison.metrics.length === 0) return `No benchmark in common with the profile of ${earlierCreatedAt}.`;
  const rows = [['Benchmark', 'Before', 'Now', 'Now / before']];
  for (const m of comparison.metrics) {
    rows.push([m.id, `${formatValue(m.before)} ${m.unit}`, `${formatValue(m.after)} ${m.unit}`, `${m.ratio.toFixed(2)}x`]);
  }
  const note = comparison.sameBackend ? '' : ' (a different backend)';
  return [`Compared with the profile of ${earlierCreatedAt}${note}:`, ...table(rows, '  ')].join('\n');
}
