import { createHash } from 'node:crypto';
import os from 'node:os';

/** The machine a run ran on, as result.json keeps it: enough to tell two machines (or backends) apart. */
export interface RunMachine {
  /** Same id, same processor model, thread count, OS, architecture and tfjs backend. */
  id: string;
  /** In words, e.g. "Intel Xeon … · 2 threads · linux-x64 · wasm". */
  label: string;
}

export function runMachine(backend: string): RunMachine {
  const cpu = (os.cpus()[0]?.model ?? 'unknown processor').replace(/\s+/g, ' ').trim();
  const parts = [cpu, `${os.availableParallelism()} threads`, `${process.platform}-${process.arch}`, backend];
  return { id: createHash('sha256').update(parts.join('|')).digest('hex').slice(0, 12), label: parts.join(' · ') };
}
