import { parentPort, workerData } from 'node:worker_threads';
import type { ArrayDataset } from '../data/dataset.types.js';
import { selectBackend } from '../backend/select-backend.js';
import type { FromWorker, Replica, ReplicaFactory, ReplicaSpec, ToWorker } from './replica.types.js';

/** One replica in its own thread with its own tfjs runtime (and wasm instance): a second core at work. */
interface WorkerInit {
  spec: ReplicaSpec;
  datasets: Record<string, ArrayDataset>;
  /** The backend the coordinating thread chose; this worker loads the same one. */
  backend?: string;
}

const port = parentPort!;
const send = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

async function start(): Promise<Replica> {
  const { spec, datasets, backend } = workerData as WorkerInit;
  // A worker's process.env is its own copy: forcing here forces this worker only.
  if (backend) process.env.NAS_STUDIO_BACKEND = backend;
  await selectBackend();
  const factory = (await import(spec.module)) as { createReplica: ReplicaFactory };
  return factory.createReplica(spec.options, datasets);
}

const ready = start();
ready.then(
  () => send({ type: 'ready' }),
  (error: unknown) => send({ type: 'error', message: `a training worker could not start: ${(error as Error).message}` }),
);

// Messages are handled strictly in arrival order: 'apply' for step k always precedes 'gradients' for k+1.
let queue = Promise.resolve();
port.on('message', (message: ToWorker) => {
  queue = queue.then(async () => {
    const replica = await ready;
    try {
      switch (message.type) {
        case 'gradients': {
          const result = replica.gradientsAsync
            ? await replica.gradientsAsync(message.phase, message.data, message.indices, message.ctx)
            : replica.gradients(message.phase, message.data, message.indices, message.ctx);
          send({ type: 'gradients', seq: message.seq, result }, [result.grads.buffer as ArrayBuffer]);
          return;
        }
        case 'apply':
          replica.apply(message.phase, message.grads, message.ctx, message.present);
          return;
        case 'snapshot': {
          const values = await replica.snapshot();
          send({ type: 'snapshot', seq: message.seq, values }, [values.buffer as ArrayBuffer]);
          return;
        }
        case 'load':
          replica.load(message.values);
          send({ type: 'loaded', seq: message.seq });
          return;
        case 'loadOptimizer':
          if (!replica.loadOptimizerState) throw new Error('this replica has no optimizer state to load');
          replica.loadOptimizerState(message.values);
          send({ type: 'loaded', seq: message.seq });
          return;
        case 'close':
          replica.dispose();
          port.close();
          return;
      }
    } catch (error) {
      send({ type: 'error', seq: 'seq' in message ? message.seq : undefined, message: (error as Error).message });
    }
  });
});
