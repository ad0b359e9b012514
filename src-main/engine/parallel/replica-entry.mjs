// Worker-thread entry: registers tsx so the TypeScript replica worker runs without a build step.
import { register } from 'tsx/esm/api';

register();
await import('./replica.worker.ts');
