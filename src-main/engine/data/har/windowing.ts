/** Options shared by the importers that cut continuous recordings into windows. */
export interface WindowOptions {
  /** Samples per window. */
  windowSize: number;
  /** Fraction of a window shared with the next one, in [0, 1): 0.5 is UCI HAR's 50 % overlap. */
  overlap: number;
}

/** Start indices of the full windows that fit in a run of `length` samples (a short tail is dropped). */
export function windowStarts(length: number, { windowSize, overlap }: WindowOptions): number[] {
  const step = Math.max(1, Math.round(windowSize * (1 - overlap)));
  const starts: number[] = [];
  for (let s = 0; s + windowSize <= length; s += step) starts.push(s);
  return starts;
}

export function checkWindowOptions(source: string, o: WindowOptions): void {
  if (!Number.isInteger(o.windowSize) || o.windowSize < 2) throw new Error(`${source}: windowSize must be an integer ≥ 2, got ${o.windowSize}`);
  if (!(o.overlap >= 0 && o.overlap < 1)) throw new Error(`${source}: overlap must be in [0, 1), got ${o.overlap}`);
}

/** A continuous recording of one subject doing one activity: samples × channels, row-major. */
export interface Run {
  subject: number;
  label: string;
  values: number[];
}

/**
 * Windows every run and packs the result as [N, windowSize, C]. Classes are sorted by name so the same
 * activities always get the same indices, whatever order the file lists them in.
 */
export function windowRuns(runs: Run[], channels: number, o: WindowOptions, classes?: string[]) {
  const names = classes ?? [...new Set(runs.map((r) => r.label))].sort();
  const index = new Map(names.map((n, i) => [n, i]));
  const chunks: { run: Run; start: number }[] = [];
  for (const run of runs) for (const start of windowStarts(run.values.length / channels, o)) chunks.push({ run, start });
  const size = o.windowSize * channels;
  const x = new Float32Array(chunks.length * size);
  const y = new Int32Array(chunks.length);
  const subjects = new Int32Array(chunks.length);
  chunks.forEach(({ run, start }, i) => {
    x.set(run.values.slice(start * channels, start * channels + size), i * size);
    y[i] = index.get(run.label) ?? -1;
    subjects[i] = run.subject;
  });
  return { x, xShape: [chunks.length, o.windowSize, channels], y, subjects, classes: names };
}
