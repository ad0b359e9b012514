import { RunStore, type RunDetail } from '../engine/store/run-store.js';
import { UserFacingError } from './cli-errors.js';

/** Runs `use` with the run store open, and closes it; a store that cannot open is the user's one-line error. */
export function withRunStore<T>(use: (store: RunStore) => T): T {
  let store: RunStore;
  try {
    store = RunStore.open();
  } catch (error) {
    throw new UserFacingError((error as Error).message);
  }
  try {
    return use(store);
  } finally {
    store.close();
  }
}

/** The run with this id (or unique start of one), undefined when none; an ambiguous id is a user error. */
export function lookUpRun(store: RunStore, id: string): RunDetail | undefined {
  try {
    return store.getRun(id);
  } catch (error) {
    throw new UserFacingError((error as Error).message);
  }
}
