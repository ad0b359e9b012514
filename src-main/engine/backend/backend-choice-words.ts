import type { BackendReport } from './backend.types.js';

/** result.json's record of the choice: how it was made and the step time of every backend timed. */
export function backendChoiceOf(report: BackendReport): { chosenBy: string; workload?: string; stepMs: Record<string, number> } {
  const stepMs: Record<string, number> = {};
  for (const t of report.tried) if (t.stepMs !== undefined) stepMs[t.name] = Math.round(t.stepMs * 10) / 10;
  return { chosenBy: report.chosenBy ?? 'first', ...(report.workload ? { workload: report.workload } : {}), stepMs };
}

/** "chosen by timing one training step: wasm 85 ms, webgpu 1210 ms, cpu 3400 ms" and the like. */
export function backendChoiceWords(report: BackendReport): string {
  const times = report.tried
    .filter((t) => t.stepMs !== undefined)
    .sort((a, b) => a.stepMs! - b.stepMs!)
    .map((t) => `${t.name} ${t.stepMs! < 10 ? t.stepMs!.toFixed(1) : t.stepMs!.toFixed(0)} ms`)
    .join(', ');
  switch (report.chosenBy) {
    case 'forced': return `as asked (NAS_STUDIO_BACKEND or --backend)${times ? `; a training step: ${times}` : ''}`;
    case 'timed': return `the fastest of a timed training step: ${times}`;
    case 'cached': return `the fastest when this model's training step was timed on this machine before: ${times}`;
    default: return 'the first that started';
  }
}
