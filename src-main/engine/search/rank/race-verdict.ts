import type { DecisionVerdict, RaceEntry } from '../../../contract/decision.js';

/** PSNR has no sampling formula here: differences under this many dB are treated as noise. */
const PSNR_NOISE_DB = 0.05;

/**
 * How far apart the race's two finalists are, against the noise of a validation split of n images
 * (accuracy: the standard error of a difference of two proportions, √(2p(1-p)/n)). Two standard errors
 * or more: decided; one or more: partly; less: the data cannot separate them, said in plain words.
 */
export function raceVerdict(
  winner: RaceEntry,
  runnerUp: RaceEntry | undefined,
  validationSize: number,
  scoreName: string,
): { margin?: number; noise: number; verdict: DecisionVerdict; message: string } {
  const accuracy = scoreName === 'accuracy';
  const p = Math.min(Math.max(winner.validation, 1e-3), 1 - 1e-3);
  const noise = accuracy ? Math.sqrt((2 * p * (1 - p)) / Math.max(1, validationSize)) : PSNR_NOISE_DB;
  const show = (v: number) => (accuracy ? `${(v * 100).toFixed(1)} points` : `${v.toFixed(2)} dB`);
  if (!runnerUp) return { noise, verdict: 'decided', message: 'One candidate entered the race, so it was kept.' };
  const margin = winner.validation - runnerUp.validation;
  if (margin >= 2 * noise) {
    return { margin, noise, verdict: 'decided', message: `The chosen architecture beat the runner-up by ${show(margin)} on validation data, more than the ${show(noise)} that chance explains.` };
  }
  if (margin >= noise) {
    return { margin, noise, verdict: 'partly', message: `The chosen architecture led the runner-up by ${show(margin)} on validation data: a lead, but within twice what chance explains (${show(noise)}).` };
  }
  return {
    margin,
    noise,
    verdict: 'undecided',
    message: `The two best architectures scored within ${show(Math.abs(margin))} of each other on validation data, less than chance explains (${show(noise)}): your data cannot separate them, and either is a sound choice.`,
  };
}
