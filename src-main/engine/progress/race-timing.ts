import type { RacePlan } from './stage-work.js';

/** One race entrant as timed: its round, its wall time, and its training steps' speed (images per second at its batch). */
export interface EntrantTiming {
  rung: number;
  seconds: number;
  imagesPerSecond?: number;
}

const mean = (xs: number[]): number | undefined => (xs.length === 0 ? undefined : xs.reduce((a, b) => a + b, 0) / xs.length);

/** Models train faster as the process warms up (compiled kernels, optimised code): recent entrants say most. */
const RECENT = 2;
const recent = <T>(xs: T[]): T[] => xs.slice(-RECENT);

/**
 * Seconds per image at the retraining batch, from the race's latest training speeds: its final round trains
 * at that batch; its first round at a smaller one, and colder, costing `batchFactor` times as much per image.
 */
export function raceTrainPace(plan: RacePlan, timings: EntrantTiming[]): number | undefined {
  const paces = (rung: number) => recent(timings.filter((t) => t.rung === rung && t.imagesPerSecond)).map((t) => 1 / t.imagesPerSecond! / plan.rounds[rung].batchFactor);
  return mean(paces(1)) ?? mean(paces(0));
}

/**
 * Seconds the race still needs for the entrants not yet timed. An entrant costs a fixed part (building the
 * model, starting the training threads, scoring it) plus its training: a round already timed is predicted by
 * its latest entrants; the final round, before it starts, by the first round's fixed part and the training
 * speed. Without any timing, `fallback` seconds per unit.
 */
export function raceSecondsLeft(plan: RacePlan, timings: EntrantTiming[], fallback: number): number {
  const trainPace = raceTrainPace(plan, timings);
  const fixed = mean(recent(timings.filter((t) => t.rung === 0 && t.imagesPerSecond)).map((t) => t.seconds - plan.rounds[0].trainImages / t.imagesPerSecond!));
  let left = 0;
  plan.rounds.forEach((round, rung) => {
    const done = timings.filter((t) => t.rung === rung);
    const remaining = Math.max(0, round.entrants - done.length);
    if (remaining === 0) return;
    const own = mean(recent(done).map((t) => t.seconds));
    let each: number;
    if (own !== undefined) each = own;
    else if (trainPace !== undefined && fixed !== undefined) {
      const moreScoring = (round.evalImages - plan.rounds[0].evalImages) * plan.evalUnits * trainPace;
      each = Math.max(0, fixed + moreScoring) + round.trainImages * round.batchFactor * trainPace;
    } else each = round.units * fallback;
    left += remaining * each;
  });
  return left;
}
