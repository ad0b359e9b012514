import type { ResolvedSearchConfig } from '../../contract/search-config.js';
import type { ArrayDataset, ValidationReport } from '../data/dataset.types.js';
import { loadHar } from '../data/har/load-har.js';
import { splitBySubject } from '../data/har/split-by-subject.js';
import { generateSyntheticHar } from '../data/har/synthetic-har.js';
import { loadUserImages } from '../data/user-images.js';
import { loadMnist } from '../data/mnist.js';
import { loadFashionMnist } from '../data/fashion-mnist.js';
import { holdOut } from '../data/split.js';
import { createTask } from '../tasks/task-factory.js';
import type { Task } from '../tasks/task.types.js';

export interface TaskData {
  task: Task;
  /** Training data: the search splits it into weight/arch halves, retraining reads all of it. */
  train: ArrayDataset;
  /** Held out for the final evaluation only. */
  test: ArrayDataset;
  /** Name recorded in result.json. */
  dataset: string;
  report?: ValidationReport;
}

/** Fraction of user data held out as the test set when the data comes without one. */
const USER_TEST_FRACTION = 0.2;

/** Built-in synthetic HAR: 30 simulated people like UCI HAR's 30 volunteers. */
const SYNTHETIC_HAR = { subjects: 30, windowsPerActivity: 40 } as const;

async function loadImages(config: ResolvedSearchConfig): Promise<Omit<TaskData, 'task'>> {
  if (config.data.kind === 'builtin') {
    if (config.data.name === 'har-synthetic') throw new Error(`The built-in set '${config.data.name}' holds sensor windows, not images: use --data mnist, --data fashion-mnist or a folder.`);
    const { train, test } = config.data.name === 'fashion-mnist' ? loadFashionMnist() : loadMnist();
    return { train, test, dataset: config.data.name };
  }
  const loaded = await loadUserImages(config.data.path, { skipBadFiles: config.skipBadFiles });
  const { train, test } = loaded.test ? { train: loaded.dataset, test: loaded.test } : holdOut(loaded.dataset, USER_TEST_FRACTION, config.seed);
  return { train, test, dataset: config.data.path, report: loaded.report };
}

function loadSensorWindows(config: ResolvedSearchConfig): Omit<TaskData, 'task'> {
  if (config.data.kind === 'builtin') {
    if (config.data.name !== 'har-synthetic') throw new Error(`The built-in set '${config.data.name}' holds images: use --data har-synthetic or your own HAR files.`);
    const all = generateSyntheticHar({ ...SYNTHETIC_HAR, seed: 2026 });
    const { train, test } = splitBySubject(all, USER_TEST_FRACTION, config.seed);
    return { train, test, dataset: 'har-synthetic' };
  }
  const loaded = loadHar(config.data.path, { skipBadFiles: config.skipBadFiles });
  const { train, test } = loaded.predefinedSplit ?? splitBySubject(loaded.dataset, USER_TEST_FRACTION, config.seed);
  return { train, test, dataset: `${config.data.path} (${loaded.format})` };
}

/** Loads the data a config names and builds the matching task. */
export async function loadTaskData(config: ResolvedSearchConfig): Promise<TaskData> {
  const data = config.task === 'har' ? loadSensorWindows(config) : await loadImages(config);
  const task = createTask(config.task, { train: data.train, noise: config.noise });
  return { ...data, task };
}
