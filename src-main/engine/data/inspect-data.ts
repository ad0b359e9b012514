import type { DataInspection } from '../../contract/channels.js';
import type { DataSourceSchema, TaskKindSchema } from '../../contract/search-config.js';
import type { z } from 'zod';
import type { ArrayDataset, ValidationReport } from './dataset.types.js';
import { loadHar } from './har/load-har.js';
import { generateSyntheticHar } from './har/synthetic-har.js';
import { loadMnist } from './mnist.js';
import { loadFashionMnist } from './fashion-mnist.js';
import { previewSamples } from './preview.js';
import { loadUserImages } from './user-images.js';

const PREVIEWS = 8;

function countsPerClass(ds: ArrayDataset): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(ds.classes.map((c) => [c, 0]));
  for (let i = 0; i < ds.y.length; i++) counts[ds.classes[ds.y[i]]]++;
  return counts;
}

function reportOf(ds: ArrayDataset, base: Partial<ValidationReport> = {}): ValidationReport {
  return {
    ok: true,
    samples: ds.xShape[0],
    countsPerClass: countsPerClass(ds),
    shapes: [ds.xShape.slice(1).join('×')],
    issues: [],
    skipped: 0,
    ...base,
  };
}

/**
 * What the data step of the wizard shows before a search: counts per class, sizes, every problem
 * naming its file, and a few samples as pictures (images only: sensor windows have no picture here).
 */
export async function inspectDataSource(request: { task: z.infer<typeof TaskKindSchema>; source: z.infer<typeof DataSourceSchema> }): Promise<DataInspection> {
  const { task, source } = request;
  if (task === 'har') {
    if (source.kind === 'builtin') {
      const ds = generateSyntheticHar({ subjects: 30, windowsPerActivity: 40, seed: 2026 });
      return { report: reportOf(ds), previews: [] };
    }
    const loaded = loadHar(source.path, { skipBadFiles: true });
    const errors = loaded.issues.filter((i) => i.severity === 'error');
    return { report: reportOf(loaded.dataset, { ok: errors.length === 0, issues: loaded.issues, skipped: loaded.skipped }), previews: [] };
  }
  if (source.kind === 'builtin') {
    if (source.name === 'har-synthetic') throw new Error(`The built-in set '${source.name}' holds sensor windows, not images.`);
    const { train } = source.name === 'fashion-mnist' ? loadFashionMnist() : loadMnist();
    return { report: reportOf(train), previews: previewSamples(train, PREVIEWS, 1) };
  }
  // Bad files are listed rather than fatal here: the report is where the user learns about them.
  const loaded = await loadUserImages(source.path, { skipBadFiles: true });
  return { report: loaded.report, previews: previewSamples(loaded.dataset, PREVIEWS, 1) };
}
