import type { RunEvent, RunStage } from '../../contract/events.js';
import type { ResolvedSearchConfig } from '../../contract/search-config.js';
import { raceSecondsLeft, raceTrainPace, type EntrantTiming } from './race-timing.js';
import { loadRatios, recordRatios } from './pace-calibration.js';
import { defaultRatios, racePlan, retrainImages, RETRAIN_MS_PER_IMAGE, STAGE_LABELS, stageWork, type DataSizes, type PaceRatios, type RacePlan } from './stage-work.js';

export type ProgressEvent = Extract<RunEvent, { type: 'progress' }>;

/**
 * One progress model for the whole run. Every stage's work is counted in one unit (stage-work.ts: an image
 * trained at the retraining batch); the seconds a unit takes are measured as the run goes, in the stage
 * running now, and carried to the stages still to come. The ETA is the current stage's work left at its own
 * measured pace plus the later stages' work at the latest pace; the fraction is the time spent of the time
 * spent and left. Before anything is timed the pace is the reference machine's (basis 'rough').
 */
export interface RunProgress {
  /** Every event of the run passes here (the tracker reads phases, steps and the ranking search's decisions). */
  observe(event: RunEvent): void;
  /** The data's sizes, known once it is loaded: the stages' work follows from them and the config. */
  sizes(sizes: DataSizes): void;
  /** Stages no phase event announces: the baseline's training and the latency measurement. */
  enter(stage: RunStage): void;
  /** The progress now (also what was last emitted, recomputed). */
  snapshot(): ProgressEvent;
  /** Stops the ticking timer. */
  stop(): void;
}

export interface RunProgressOptions {
  emit: (event: ProgressEvent) => void;
  /** Milliseconds; performance.now() by default (tests pass a clock of their own). */
  now?: () => number;
  /** An event at least this often while a stage is quiet (evaluation, latency); 0: no timer. */
  tickMs?: number;
  /** At most one event per this many milliseconds, but at every change of stage. */
  minIntervalMs?: number;
  /** How kinds of work compare (stage-work.ts); default: the defaults. */
  ratios?: PaceRatios;
  /** Read the ratios measured on this machine by earlier runs, and add this run's when it is done (pace-calibration.ts). */
  calibrate?: boolean;
}

/** A run whose retraining took less than this teaches this machine's calibration nothing. */
const MIN_CALIBRATION_SECONDS = 10;
/** A pace measured in a stage counts fully once the stage has run this many seconds; before, the earlier pace is blended in. */
const PRIOR_SECONDS = 5;
/** A stage that runs past its prediction (no progress events to say how far it is) is given this share of its time again. */
const OVERRUN_SHARE = 0.1;

interface StageState {
  stage: RunStage;
  startedAt: number;
  /** Units done in this stage (from its events). */
  done: number;
  /** Units the first event of the stage reported as done already (a resumed retraining), left out of the pace. */
  doneBefore?: number;
  /** When `done` last grew: the pace is timed up to there, and the time since counts against what is left. */
  doneAt: number;
}

export function createRunProgress(config: ResolvedSearchConfig, options: RunProgressOptions): RunProgress {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const minInterval = options.minIntervalMs ?? 500;
  // The reference machine's pace, shared by the threads that train: the guess until something is timed.
  let pace = RETRAIN_MS_PER_IMAGE / 1000 / Math.max(1, config.workers * 0.9);
  let measured = false;
  const ratios = options.ratios ?? (options.calibrate ? loadRatios(config) : defaultRatios(config));
  let work: Map<RunStage, number> | undefined;
  let dataSizes: DataSizes | undefined;
  /** Seconds each finished stage took, for this machine's calibration. */
  const took: Partial<Record<RunStage, number>> = {};
  let race: RacePlan | undefined;
  let current: StageState = { stage: 'loading', startedAt: started, done: 0, doneAt: started };
  /** The race's entrants as timed, and when the last one finished (or the race began). */
  const timings: EntrantTiming[] = [];
  let raceMark = started;
  /** Seconds per image at the retraining batch, once a model's training steps were timed (race or retraining). */
  let trainPace: number | undefined;
  let lastEmitAt = -Infinity;
  let lastFraction = 0;
  const order = (): RunStage[] => (work ? [...work.keys()] : ['loading']);

  /** Seconds per unit in the current stage, timed up to its last completed unit, blended with the earlier pace. */
  function currentPace(): number {
    const units = current.done - (current.doneBefore ?? 0);
    if (units <= 0) return pace;
    const seconds = (current.doneAt - current.startedAt) / 1000;
    const priorUnits = PRIOR_SECONDS / pace;
    return (seconds + PRIOR_SECONDS) / (units + priorUnits);
  }

  /** Seconds a stage not yet begun will take; `unitPace` for stages whose units no training speed prices. */
  function predictedSeconds(stage: RunStage, unitPace: number, imagePace: number | undefined): number {
    if (stage === 'latency') return ratios.latencySeconds;
    if (stage === 'race' && race) return raceSecondsLeft(race, [], unitPace);
    const trains = stage === 'retrain' || stage === 'evaluate' || stage === 'baseline';
    return (work?.get(stage) ?? 0) * (trains && imagePace !== undefined ? imagePace : unitPace);
  }

  function compute(t: number): ProgressEvent {
    const elapsed = (t - started) / 1000;
    const stage = current.stage;
    if (stage === 'done') {
      return { type: 'progress', stage, label: STAGE_LABELS.done, fraction: 1, etaSeconds: 0, elapsedSeconds: elapsed, basis: measured ? 'measured' : 'rough' };
    }
    const stagePace = currentPace();
    const inStage = (t - current.startedAt) / 1000;
    const total = work?.get(stage) ?? 0;
    let left: number;
    if (stage === 'race' && race && timings.length > 0) {
      const inFlight = (t - raceMark) / 1000;
      left = Math.max(raceSecondsLeft(race, timings, stagePace) - inFlight, OVERRUN_SHARE * inFlight, 0);
    } else if (current.done > 0 && total > 0) {
      // A long unit in flight (a race entrant, an epoch's evaluation) is part of what is left, already begun.
      const inFlight = (t - current.doneAt) / 1000;
      const ahead = Math.max(0, total - current.done) * stagePace;
      left = Math.max(ahead - inFlight, OVERRUN_SHARE * inFlight, 0);
    } else {
      const predicted = predictedSeconds(stage, stagePace, trainPace);
      left = Math.max(predicted - inStage, OVERRUN_SHARE * inStage);
    }
    // The stages after this one, at the pace measured last (this stage's when it trains); the retraining's
    // speed, once known, prices every later stage that trains or scores a model.
    const later = order().slice(order().indexOf(stage) + 1);
    const unitPace = current.done > 0 ? stagePace : pace;
    const imagePace = stage === 'retrain' && current.done > 0 ? stagePace : trainPace;
    for (const next of later) left += predictedSeconds(next, unitPace, imagePace);
    const fraction = Math.max(lastFraction, Math.min(0.999, elapsed / Math.max(1e-9, elapsed + left)));
    return { type: 'progress', stage, label: STAGE_LABELS[stage], fraction, etaSeconds: left, elapsedSeconds: elapsed, basis: measured || current.done > 0 ? 'measured' : 'rough' };
  }

  function send(force: boolean): void {
    const t = now();
    if (!work) return;
    if (!force && t - lastEmitAt < minInterval) return;
    const event = compute(t);
    lastEmitAt = t;
    lastFraction = event.fraction;
    options.emit(event);
  }

  function enter(stage: RunStage): void {
    if (stage === current.stage) return;
    const t = now();
    // A finished stage that trained hands its pace on to the stages after it.
    if (current.done > (current.doneBefore ?? 0)) {
      pace = currentPace();
      measured = true;
    }
    if (current.stage === 'retrain' && current.done > (current.doneBefore ?? 0)) trainPace = pace;
    took[current.stage] = (t - current.startedAt) / 1000;
    if (stage === 'done' && options.calibrate) recordRatios(config, measuredRatios());
    current = { stage, startedAt: t, done: 0, doneAt: t };
    if (stage === 'race') raceMark = t;
    send(true);
  }

  /** This run's ratios, each from stages it timed in full, against its retraining's seconds per image. */
  function measuredRatios(): Partial<PaceRatios> {
    const perImage = trainPace;
    // A retraining of a few seconds (tests, tiny data) times start-up more than work: nothing to learn from.
    if (perImage === undefined || !dataSizes || took.retrain === undefined || took.retrain < MIN_CALIBRATION_SECONDS) return {};
    const measured: Partial<PaceRatios> = {};
    if (took.evaluate !== undefined) measured.evalUnits = took.evaluate / ((dataSizes.validation + dataSizes.test) * perImage);
    const evalUnits = measured.evalUnits ?? ratios.evalUnits;
    if (took.rank !== undefined) measured.rankUnits = took.rank / config.candidates / perImage;
    // The latest first-round entrant: the warmest, as the ETA reads them (race-timing.ts).
    const firstRound = timings.filter((t) => t.rung === 0 && t.imagesPerSecond).slice(-1).map((t) => 1 / t.imagesPerSecond! / perImage);
    if (firstRound.length > 0) measured.firstRoundFactor = firstRound.reduce((a, b) => a + b, 0) / firstRound.length;
    if (race && firstRound.length > 0) {
      const round = race.rounds[0];
      const fixed = timings.filter((t) => t.rung === 0 && t.imagesPerSecond).map((t) => (t.seconds - round.trainImages / t.imagesPerSecond!) / perImage - round.evalImages * evalUnits);
      measured.entrantUnits = Math.max(1, fixed.reduce((a, b) => a + b, 0) / fixed.length);
    }
    if (took.baseline !== undefined) measured.baselineUnits = took.baseline / ((retrainImages(config, dataSizes) + dataSizes.test * evalUnits) * perImage);
    if (took.latency !== undefined) measured.latencySeconds = took.latency;
    return measured;
  }

  function setDone(done: number, firstEventDone?: number): void {
    if (current.done === 0 && current.doneBefore === undefined && firstEventDone !== undefined) current.doneBefore = firstEventDone;
    if (done > current.done) {
      current.done = done;
      current.doneAt = now();
    }
  }

  function observe(event: RunEvent): void {
    switch (event.type) {
      case 'phase':
        if (event.phase === 'search') enter(config.strategy === 'rank-race' ? 'rank' : 'search');
        else if (event.phase === 'retrain' || event.phase === 'evaluate' || event.phase === 'done' || event.phase === 'loading') enter(event.phase);
        return;
      case 'decision': {
        const progress = event.progress;
        if (!progress || !work) return;
        const sampled = event.decision.method === 'rank-race' ? event.decision.sampled : 0;
        const entries = event.decision.method === 'rank-race' ? event.decision.race : [];
        if (current.stage === 'rank') {
          setDone(Math.min(progress.done, sampled) * ((work.get('rank') ?? 0) / Math.max(1, config.candidates)));
          if (progress.done >= sampled) enter('race');
        }
        if (current.stage === 'race' && race) {
          // A new entrant finished: its time since the previous one, and its training speed.
          const t = now();
          for (const entry of entries.slice(timings.length)) {
            timings.push({ rung: entry.rung, seconds: (t - raceMark) / 1000, imagesPerSecond: progress.imagesPerSecond });
            raceMark = t;
          }
          trainPace = raceTrainPace(race, timings) ?? trainPace;
          // Units of the entrants trained so far, round by round.
          const byRound = race.rounds.map((round, i) => entries.filter((e) => e.rung === i).length * round.units);
          setDone(byRound.reduce((a, b) => a + b, 0));
        }
        send(false);
        return;
      }
      case 'step': {
        const stage: RunStage = event.model === 'baseline' ? 'baseline' : event.phase === 'retrain' ? 'retrain' : 'search';
        if (stage !== current.stage) {
          if (stage === 'search') return; // a gradient search's steps arrive after its phase event
          enter(stage);
        }
        const steps = (event.epoch - 1) * event.stepsPerEpoch + event.step;
        const totalSteps = event.epochs * event.stepsPerEpoch;
        const units = work?.get(stage) ?? 0;
        // The baseline's units include its test evaluation: its steps cover the training part.
        const training = stage === 'baseline' ? (work?.get('retrain') ?? 0) * ratios.baselineUnits : units;
        const done = (training * steps) / Math.max(1, totalSteps);
        setDone(done, done - training / Math.max(1, totalSteps));
        send(false);
        return;
      }
      default:
        return;
    }
  }

  // A tick's write can fail (a full disk): the run's own next event meets the same failure and reports it.
  const tick = (): void => {
    try {
      send(false);
    } catch {
      // reported by the run's next event
    }
  };
  const timer = options.tickMs ? setInterval(tick, options.tickMs) : undefined;
  timer?.unref?.();

  return {
    observe,
    sizes(sizes) {
      dataSizes = sizes;
      work = stageWork(config, sizes, ratios);
      race = config.strategy === 'rank-race' ? racePlan(config, sizes, ratios) : undefined;
      send(true);
    },
    enter,
    snapshot: () => compute(now()),
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}
