/**
 * Fault injection, for tests and for trying the recovery paths by hand: an explicit engine option
 * (RunOptions.faults), also read from the environment by the CLI so a child process can be given one.
 * Documented in docs/run-store.md. Nothing here is active unless asked for.
 */
export interface FaultInjection {
  /** The search's weight loss becomes NaN at this global step (0-based, counted over all epochs)... */
  nanLossAtStep?: number;
  /** ...this many times (default: every time the step is reached, so a rollback meets it again). */
  nanLossTimes?: number;
}

/** NAS_STUDIO_FAULT_NAN_STEP=<step> and optional NAS_STUDIO_FAULT_NAN_TIMES=<n>. */
export function faultsFromEnv(env: NodeJS.ProcessEnv = process.env): FaultInjection | undefined {
  const step = env.NAS_STUDIO_FAULT_NAN_STEP;
  if (step === undefined || step === '') return undefined;
  const parsed = Number(step);
  if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`NAS_STUDIO_FAULT_NAN_STEP must be a whole number ≥ 0, got '${step}'.`);
  const times = env.NAS_STUDIO_FAULT_NAN_TIMES;
  const parsedTimes = times === undefined || times === '' ? undefined : Number(times);
  if (parsedTimes !== undefined && !(Number.isInteger(parsedTimes) && parsedTimes > 0)) throw new Error(`NAS_STUDIO_FAULT_NAN_TIMES must be a whole number > 0, got '${times}'.`);
  return { nanLossAtStep: parsed, ...(parsedTimes !== undefined ? { nanLossTimes: parsedTimes } : {}) };
}

/** Counts firings across attempts (a rollback reruns the step with the same injector). */
export class FaultInjector {
  private fired = 0;
  constructor(private readonly faults: FaultInjection = {}) {}

  /** The loss to use at `step`: NaN when the fault fires there, else `loss`. */
  weightLoss(step: number, loss: number): number {
    const { nanLossAtStep, nanLossTimes } = this.faults;
    if (nanLossAtStep !== step || (nanLossTimes !== undefined && this.fired >= nanLossTimes)) return loss;
    this.fired++;
    return NaN;
  }
}

/** The loss stopped being finite: the run may roll back to its last checkpoint. */
export class SearchDivergedError extends Error {
  override name = 'SearchDivergedError';
  constructor(
    message: string,
    readonly step: number,
    readonly epoch: number,
  ) {
    super(message);
  }
}
