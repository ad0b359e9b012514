/**
 * Reading a latency table: the predicted latency of an architecture (overhead + stem + head + Σ ops,
 * glue included) and FBNet's per-edge lookup. A key the table lacks is reported, never counted as 0.
 */
import type { EdgeInstance } from '../supernet/supernet.types.js';
import { edgeKey, latencyKeyString, sameFixedPart, type NetworkLayout } from './latency-layout.js';
import type { ArchLatencyQuery, LatencyKey, LatencyPrediction, LatencyTable, PredictLatency } from './latency-table.types.js';

export const predictLatency: PredictLatency = (table: LatencyTable, arch: ArchLatencyQuery): LatencyPrediction => {
  const missing: LatencyKey[] = [];
  let params: number | undefined = 0;
  const part = (which: 'stem' | 'head'): number => {
    const query = arch[which];
    const found = table.fixedParts.find((f) => sameFixedPart(f, { ...query, part: which }));
    if (!found) {
      missing.push({ space: table.space, op: `@${which}`, inputShape: query.inputShape, stride: query.stride, cOut: query.cOut });
      return 0;
    }
    params = found.params === undefined || params === undefined ? undefined : params + found.params;
    return found.medianMs;
  };
  const stemMs = part('stem');
  const headMs = part('head');
  let opsMs = 0;
  for (const key of arch.ops) {
    const entry = table.entries[latencyKeyString(key)];
    if (!entry) {
      missing.push(key);
      continue;
    }
    opsMs += entry.medianMs;
    params = entry.params === undefined || params === undefined ? undefined : params + entry.params;
  }
  const overheadMs = table.modelOverheadMs;
  return { totalMs: overheadMs + stemMs + headMs + opsMs, overheadMs, stemMs, headMs, opsMs, missing, ...(params !== undefined ? { params } : {}) };
};

/** A lookup that throws on a missing key: a search must not run on a silently incomplete table. */
export type TableLookup = (primitive: string, edge: EdgeInstance) => number;

/**
 * FBNet's LatencyLookup from a table: the primitive at the edge's input shape [height, width, cIn],
 * stride and cOut. The table must hold the keys of the supernet's configuration (ensureLatencyTable).
 */
export function latencyLookupFromTable(table: LatencyTable, layout: Pick<NetworkLayout, 'space' | 'batchNorm'>): TableLookup {
  return (primitive, edge) => {
    const key = edgeKey(layout, primitive, edge);
    const entry = table.entries[latencyKeyString(key)];
    if (!entry) {
      throw new Error(
        `Latency table (${table.space}, machine ${table.machineId}, ${table.backend}) has no entry ${latencyKeyString(key)} for edge ${edge.edge} of cell ${edge.cellIndex}; build it for this configuration with ensureLatencyTable.`,
      );
    }
    return entry.medianMs;
  };
}
