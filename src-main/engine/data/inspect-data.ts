import { basename } from 'node:path';
import type { DataInspection } from '../../contract/channels.js';
import type { DataSourceSchema, TaskKindSchema } from '../../contract/search-config.js';
import type { z } from 'zod';
import type { ArrayDataset, ValidationReport } from './dataset.types.js';
import { loadDenoisingSource } from './denoising-images.js';
import { denoisingPreviews } from './denoising-preview.js';
import { harInspection } from './har/har-inspection.js';
import { loadHar, UCI_HAR_TIMING } from './har/load-har.js';
import { generateSyntheticHar, UCI_HAR_CHANNELS } from './har/synthetic-har.js';
import { loadMnist } from './mnist.js';
import { loadFashionMnist } from './fashion-mnist.js';
import { previewSamples } from './preview.js';
import { loadUserImages } from './user-images.js';

const PREVIEWS = 8;
/** Enough previews to show every class once (MNIST's ten digits, not the first eight), up to 16. */
const previewCount = (ds: { classes: string[] }): number => Math.max(PREVIEWS, Math.min(ds.classes.length, 16));

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
export async function inspectDataSource(request: {
  task: z.infer<typeof TaskKindSchema>;
  source: z.infer<typeof DataSourceSchema>;
  har?: { sampleRateHz?: number; windowSeconds?: number; columns?: string[] };
}): Promise<DataInspection> {
  const { task, source } = request;
  if (task === 'har') {
    if (source.kind === 'builtin') {
      const ds = generateSyntheticHar({ subjects: 30, windowsPerActivity: 40, seed: 2026 });
      const har = harInspection({ format: 'uci-har', dataset: ds, issues: [], skipped: 0, timing: UCI_HAR_TIMING, channels: [...UCI_HAR_CHANNELS] });
      return { report: reportOf(ds), previews: [], har: { ...har, format: 'built-in (synthetic, UCI HAR layout)' } };
    }
    const loaded = loadHar(source.path, { ...request.har, skipBadFiles: true });
    const errors = loaded.issues.filter((i) => i.severity === 'error');
    return { report: reportOf(loaded.dataset, { ok: errors.length === 0, issues: loaded.issues, skipped: loaded.skipped }), previews: [], har: harInspection(loaded) };
  }
  if (task === 'denoising' && source.kind === 'path') {
    // Clean images as they come; the preview pairs a clean patch with the noise training will add.
    const loaded = await loadDenoisingSource(source.path, { skipBadFiles: true });
    const names = loaded.files?.map((f) => basename(f));
    return { report: loaded.report, previews: denoisingPreviews(loaded.dataset, PREVIEWS / 2, 1, undefined, names) };
  }
  if (source.kind === 'builtin') {
    if (source.name === 'har-synthetic') throw new Error(`The built-in set '${source.name}' holds sensor windows, not images.`);
    const { train } = source.name === 'fashion-mnist' ? loadFashionMnist() : loadMnist();
    return { report: reportOf(train), previews: previewSamples(train, previewCount(train), 1) };
  }
  // Bad files are listed rather than fatal here: the report is where the user learns about them.
  const loaded = await loadUserImages(source.path, { skipBadFiles: true });
  return { report: loaded.report, previews: previewSamples(loaded.dataset, previewCount(loaded.dataset), 1) };
}
