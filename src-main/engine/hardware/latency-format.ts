/**
 * A latency table as text: one row per input shape, stride and cOut, one column per op (ms), glue ops in
 * their own section, then stem, head and the per-call overhead.
 */
import type { FixedPartLatency, LatencyEntry, LatencyTable } from './latency-table.types.js';
import { GLUE_OP_PREFIX } from './latency-table.types.js';

function shapeLabel(e: LatencyEntry): string {
  const [h, w, c] = e.key.inputShape;
  return `${h}x${w}x${c} s${e.key.stride} -> ${e.key.cOut}`;
}

function ms(value: number | undefined): string {
  return value === undefined ? '-' : value.toFixed(3);
}

function grid(entries: LatencyEntry[], title: string): string[] {
  if (entries.length === 0) return [];
  const ops = [...new Set(entries.map((e) => e.key.op))];
  const rows = new Map<string, Map<string, number>>();
  for (const e of entries) {
    const row = rows.get(shapeLabel(e)) ?? new Map<string, number>();
    row.set(e.key.op, e.medianMs);
    rows.set(shapeLabel(e), row);
  }
  const labelWidth = Math.max(title.length, ...[...rows.keys()].map((k) => k.length));
  const widths = ops.map((op) => Math.max(op.length, 6));
  const line = (label: string, cells: string[]) => [label.padEnd(labelWidth), ...cells.map((c, i) => c.padStart(widths[i]))].join('  ');
  return [line(title, ops), ...[...rows].map(([label, row]) => line(label, ops.map((op) => ms(row.get(op)))))];
}

function fixedLine(f: FixedPartLatency): string {
  return `${f.part.padEnd(5)} ${f.task} ${f.inputShape.join('x')} s${f.stride} -> ${f.cOut}: ${f.medianMs.toFixed(3)} ms${f.params !== undefined ? ` (${f.params} params)` : ''}`;
}

export function formatLatencyTable(table: LatencyTable): string {
  const entries = Object.values(table.entries);
  const ops = entries.filter((e) => !e.key.op.startsWith(GLUE_OP_PREFIX));
  const glue = entries.filter((e) => e.key.op.startsWith(GLUE_OP_PREFIX));
  const lines = [
    `Latency table: ${table.space} space, machine ${table.machineId}, ${table.backend}, tfjs ${table.tfjsVersion}, batch 1, ${table.statistic === 'median' ? 'median' : '10 %-trimmed mean'} of ${table.repeats} rounds, CPU time (ms)`,
    `updated ${table.updatedAt}${table.loadAverage !== undefined ? `, load average ${table.loadAverage.toFixed(1)} while measuring` : ''}`,
    '',
    ...grid(ops, 'input s stride -> cOut'),
    '',
    ...grid(glue, 'glue'),
    '',
    ...table.fixedParts.map(fixedLine),
    `model overhead (once per predict): ${table.modelOverheadMs.toFixed(3)} ms`,
  ];
  return lines.join('\n');
}
