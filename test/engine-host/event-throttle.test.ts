import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RunEvent } from '../../src-main/contract/events.js';
import { createEventThrottle } from '../../src-main/engine-host/event-throttle.js';

const step = (n: number): RunEvent => ({ type: 'step', phase: 'search', epoch: 0, epochs: 1, step: n, stepsPerEpoch: 1000, loss: 1, score: 0, scoreName: 'accuracy', etaSeconds: 1, imagesPerSecond: 1 });

describe('createEventThrottle', () => {
  afterEach(() => vi.useRealTimers());

  it('coalesces steps to about one per interval, keeps the last, never holds phase or epoch events', () => {
    vi.useFakeTimers();
    const out: RunEvent[] = [];
    const throttle = createEventThrottle((event) => out.push(event), 100);
    throttle.push({ type: 'phase', phase: 'search' });
    for (let n = 0; n < 1000; n++) {
      throttle.push(step(n));
      if (n === 500) throttle.push({ type: 'epoch', phase: 'search', epoch: 0, epochs: 2, trainLoss: 1, trainScore: 0 });
      vi.advanceTimersByTime(1); // 1000 steps over one second
    }
    vi.advanceTimersByTime(200);
    const steps = out.filter((e) => e.type === 'step');
    expect(steps.length).toBeGreaterThanOrEqual(9);
    expect(steps.length).toBeLessThanOrEqual(14);
    expect(steps.at(-1)).toEqual(step(999));
    expect(out[0]).toEqual({ type: 'phase', phase: 'search' });
    const epochAt = out.findIndex((e) => e.type === 'epoch');
    expect(epochAt).toBeGreaterThan(0);
    // The step just before the epoch (500) was delivered before it, so order is kept.
    expect(out[epochAt - 1]).toEqual(step(500));
    const order = steps.map((e) => (e.type === 'step' ? e.step : -1));
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('flush delivers a held step at once', () => {
    vi.useFakeTimers();
    const out: RunEvent[] = [];
    const throttle = createEventThrottle((event) => out.push(event), 100);
    throttle.push(step(0));
    throttle.push(step(1));
    expect(out).toHaveLength(1);
    throttle.flush();
    expect(out).toEqual([step(0), step(1)]);
    vi.advanceTimersByTime(500);
    expect(out).toHaveLength(2);
  });
});
