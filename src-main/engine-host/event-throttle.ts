import type { RunEvent } from '../contract/events.js';

/**
 * Step events arrive as fast as training runs (hundreds a second on small batches); the UI needs about
 * ten. Steps are coalesced to the latest one per interval, and the last step is always delivered.
 * Every other event (phase, epoch, log, guard) passes at once, after any step still held back, so
 * order is kept and nothing that changes the picture is ever dropped.
 */
export interface EventThrottle {
  push(event: RunEvent): void;
  /** Delivers a held step now and stops the timer. */
  flush(): void;
}

export function createEventThrottle(forward: (event: RunEvent) => void, intervalMs = 100): EventThrottle {
  let lastStepAt = -Infinity;
  let held: RunEvent | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const deliverHeld = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (held === undefined) return;
    const event = held;
    held = undefined;
    lastStepAt = Date.now();
    forward(event);
  };

  return {
    push(event) {
      if (event.type !== 'step') {
        deliverHeld();
        forward(event);
        return;
      }
      const now = Date.now();
      if (held === undefined && now - lastStepAt >= intervalMs) {
        lastStepAt = now;
        forward(event);
        return;
      }
      held = event;
      timer ??= setTimeout(deliverHeld, Math.max(0, intervalMs - (now - lastStepAt)));
    },
    flush: deliverHeld,
  };
}
