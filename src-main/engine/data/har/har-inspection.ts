import type { HarInspection } from '../../../contract/channels.js';
import type { ArrayDataset } from '../dataset.types.js';
import { sampleSize } from '../split.js';
import type { LoadedHar } from './load-har.js';

/** samples × channels row-major → values[channel][sample], rounded to 4 significant digits for the wire. */
function byChannel(values: ArrayLike<number>, channels: number): number[][] {
  const out: number[][] = Array.from({ length: channels }, () => []);
  for (let i = 0; i < values.length; i++) out[i % channels].push(Number(values[i].toPrecision(4)));
  return out;
}

/** The first window of each class, where the format gives no recordings to show. */
function firstWindows(ds: ArrayDataset): HarInspection['traces'] {
  const size = sampleSize(ds);
  const C = ds.xShape[ds.xShape.length - 1];
  return ds.classes.flatMap((label, k) => {
    const i = ds.y.indexOf(k);
    return i < 0 ? [] : [{ label, file: ds.name, values: byChannel(ds.x.subarray(i * size, (i + 1) * size), C) }];
  });
}

/** What the wizard shows of loaded sensor data before anything trains. */
export function harInspection(loaded: LoadedHar): HarInspection {
  const ds = loaded.dataset;
  const C = ds.xShape[2];
  const channels = loaded.channels ?? Array.from({ length: C }, (_, c) => `channel ${c + 1}`);
  const rateSources: Record<string, number> = {};
  if (!loaded.recordings) {
    const hz = loaded.timing?.sampleRateHz;
    const counts = new Map(ds.classes.map((c) => [c, 0]));
    for (const y of ds.y) counts.set(ds.classes[y], counts.get(ds.classes[y])! + 1);
    return {
      format: loaded.format,
      // Windows, not files, are what these formats give; minutes count each window once (overlap included).
      classes: ds.classes.map((name) => ({ name, files: 0, minutes: hz ? (counts.get(name)! * ds.xShape[1]) / hz / 60 : 0 })),
      columns: loaded.columns ?? channels,
      channels,
      ...(hz ? { sampleRateHz: hz, windowSeconds: loaded.timing!.windowSeconds } : {}),
      rateSources,
      windowSamples: ds.xShape[1],
      traces: firstWindows(ds),
    };
  }
  const recs = loaded.recordings;
  for (const r of recs) rateSources[r.rateSource] = (rateSources[r.rateSource] ?? 0) + 1;
  return {
    format: loaded.format,
    classes: ds.classes.map((name) => {
      const mine = recs.filter((r) => r.label === name);
      return { name, files: mine.length, minutes: mine.reduce((a, r) => a + r.seconds, 0) / 60 };
    }),
    columns: loaded.columns ?? channels,
    channels,
    sampleRateHz: loaded.timing!.sampleRateHz,
    rateSources,
    windowSeconds: loaded.timing!.windowSeconds,
    windowSamples: loaded.timing!.windowSamples,
    traces: ds.classes.flatMap((label) => {
      const first = recs.find((r) => r.label === label);
      return first ? [{ label, file: first.file, rateHz: first.rateHz, values: byChannel(first.head, C) }] : [];
    }),
  };
}
