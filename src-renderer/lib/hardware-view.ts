/**
 * 'hardware:profile' answers `unknown` in the contract (the engine's MachineProfile, or plain detected
 * hardware when no profile could be built). This reads what the Hardware view shows, defensively, so
 * a missing part shows as "not measured" rather than breaking the page.
 */

export interface BackendLine {
  name: string;
  loaded: boolean;
  why: string;
  /** webgpu: the graphics adapter Dawn gave. */
  adapter?: string;
  /** One training step of the timed workload (ms), when it was timed. */
  stepMs?: number;
  timing?: string;
}

export interface BenchLine {
  id: string;
  label: string;
  shape: string;
  value: number;
  unit: string;
  medianMs: number;
}

export interface HardwareViewModel {
  summary?: string;
  cpu: string;
  cores: string;
  simd: string;
  memory?: { totalBytes: number; availableBytes: number };
  os: string;
  gpus: string[];
  cuda?: string;
  backend?: { name: string; simd?: boolean; threads?: number; adapter?: string; chosenBy?: string; workload?: string; tried: BackendLine[] };
  bench: BenchLine[];
  benchBackend?: string;
  createdAt?: string;
  machineId?: string;
}

type Loose = Record<string, any>;

function obj(value: unknown): Loose | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Loose) : undefined;
}

export function hardwareViewModel(profile: unknown): HardwareViewModel {
  const p = obj(profile) ?? {};
  // A MachineProfile nests the hardware; bare detected hardware is the object itself.
  const hw = obj(p.hardware) ?? p;
  const cpu = obj(hw.cpu) ?? {};
  const mem = obj(hw.memory);
  const os = obj(hw.os) ?? {};
  const backend = obj(p.backend);
  const bench = obj(p.bench);
  const speed = typeof cpu.speedGHz === 'number' ? ` at ${cpu.speedGHz} GHz` : '';
  return {
    summary: typeof p.summary === 'string' ? p.summary : undefined,
    cpu: `${[cpu.manufacturer, cpu.brand].filter(Boolean).join(' ') || 'unknown processor'}${speed}`,
    cores: cpu.physicalCores !== undefined ? `${cpu.physicalCores} cores, ${cpu.logicalThreads ?? cpu.physicalCores} threads` : 'unknown',
    simd: Array.isArray(cpu.simd) && cpu.simd.length > 0 ? cpu.simd.join(', ') : 'none reported',
    memory: mem && typeof mem.totalBytes === 'number' ? { totalBytes: mem.totalBytes, availableBytes: Number(mem.availableBytes ?? 0) } : undefined,
    os: [os.distro, os.release, os.arch].filter(Boolean).join(' ') || String(os.platform ?? 'unknown'),
    gpus: Array.isArray(hw.gpus) ? hw.gpus.map((g: Loose) => [g.vendor, g.model].filter(Boolean).join(' ') + (g.vramMiB ? ` (${g.vramMiB} MiB)` : '')) : [],
    cuda: typeof obj(hw.cuda)?.reason === 'string' ? obj(hw.cuda)!.reason : undefined,
    backend: backend
      ? {
          name: String(backend.name),
          simd: typeof backend.simd === 'boolean' ? backend.simd : undefined,
          threads: typeof backend.threads === 'number' ? backend.threads : undefined,
          adapter: typeof backend.adapter === 'string' ? backend.adapter : undefined,
          chosenBy: typeof backend.chosenBy === 'string' ? backend.chosenBy : undefined,
          workload: typeof backend.workload === 'string' ? backend.workload : undefined,
          tried: Array.isArray(backend.tried)
            ? backend.tried.map((t: Loose) => ({
                name: String(t.name),
                loaded: Boolean(t.loaded),
                why: String(t.why ?? ''),
                ...(typeof t.adapter === 'string' ? { adapter: t.adapter } : {}),
                ...(typeof t.stepMs === 'number' ? { stepMs: t.stepMs } : {}),
                ...(typeof t.timing === 'string' ? { timing: t.timing } : {}),
              }))
            : [],
        }
      : undefined,
    bench: Array.isArray(bench?.measures)
      ? bench.measures.map((m: Loose) => ({ id: String(m.id), label: String(m.label ?? m.id), shape: String(m.shape ?? ''), value: Number(m.value), unit: String(m.unit ?? ''), medianMs: Number(m.medianMs) }))
      : [],
    benchBackend: bench ? String(bench.backend ?? '') : undefined,
    createdAt: typeof p.createdAt === 'string' ? p.createdAt : typeof hw.detectedAt === 'string' ? hw.detectedAt : undefined,
    machineId: typeof p.machineId === 'string' ? p.machineId : undefined,
  };
}

export interface LatencyRow {
  op: string;
  input: string;
  stride: number;
  cOut: number;
  medianMs: number;
}

/** Rows of a latency table answer (entries keyed by "space|op|HxWxC|s1|cOut"), slowest first. */
export function latencyRows(table: unknown): { rows: LatencyRow[]; backend?: string; updatedAt?: string } {
  const t = obj(table) ?? {};
  const entries = obj(t.entries) ?? {};
  const rows: LatencyRow[] = Object.values(entries).flatMap((entry: unknown) => {
    const e = obj(entry);
    const key = obj(e?.key);
    if (!e || !key) return [];
    const shape = Array.isArray(key.inputShape) ? key.inputShape.join('×') : '';
    return [{ op: String(key.op), input: shape, stride: Number(key.stride), cOut: Number(key.cOut), medianMs: Number(e.medianMs) }];
  });
  rows.sort((a, b) => b.medianMs - a.medianMs);
  return { rows, backend: t.backend ? String(t.backend) : undefined, updatedAt: t.updatedAt ? String(t.updatedAt) : undefined };
}

/** Glue ops of the latency table (named "@…" by the engine) in plain words; candidate ops keep their literature names. */
export function latencyOpLabel(op: string): string {
  const glue: Record<string, string> = {
    '@fr': 'cell input: factorized reduce',
    '@rcb1x1': 'cell input: ReLU-conv-BN 1×1',
    '@resblock': 'residual reduction block',
    '@add2': 'node sum of two inputs',
  };
  if (glue[op]) return glue[op];
  const concat = /^@concat(\d+)$/.exec(op);
  if (concat) return `cell output: concatenation of ${concat[1]} nodes`;
  return op;
}
