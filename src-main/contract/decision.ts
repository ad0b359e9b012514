/**
 * How decided a search is, in result.json (`decision`) and live ('decision' events): per-edge margins for
 * gradient strategies; training-free scores and the race for the ranking search. `verdict` and `message`
 * are what the user reads: 'undecided' means the data could not separate the candidates.
 */
export type DecisionVerdict = 'decided' | 'partly' | 'undecided';

/** One searched edge at the end of a gradient search: its chosen op and how far ahead of the next it is. */
export interface EdgeMargin {
  cell: 'normal' | 'reduce';
  /** Literature edge name, e.g. "2<-0". */
  edge: string;
  op: string;
  probability: number;
  runnerUp: string;
  /** probability(op) - probability(runnerUp). */
  margin: number;
}

/** A candidate ranked without training: its genotype and its training-free score (higher is better). */
export interface RankedCandidate {
  genotype: string;
  score: number;
  params?: number;
}

/** One candidate's result in one rung of the race: trained on `samples` training images, scored on validation. */
export interface RaceEntry {
  genotype: string;
  rung: number;
  samples: number;
  /** The task's validation score (accuracy, or PSNR for denoising): higher is better. */
  validation: number;
}

export interface GradientDecision {
  method: 'gradient';
  edges: EdgeMargin[];
  /** Edges whose margin clears the decision threshold, of all searched edges. */
  decidedEdges: number;
  totalEdges: number;
  /** A margin at or above this counts as decided. */
  threshold: number;
  verdict: DecisionVerdict;
  message: string;
}

export interface RankRaceDecision {
  method: 'rank-race';
  /** The training-free score that ranked the candidates. */
  proxy: string;
  /** Candidates sampled and scored. */
  sampled: number;
  /** Candidates drawn but dropped before ranking because they do not fit the target's SRAM or flash. */
  droppedForTarget?: number;
  /** The best-scored candidates (those that entered the race first). */
  ranked: RankedCandidate[];
  race: RaceEntry[];
  /** Validation score name (accuracy, psnr). */
  scoreName: string;
  winner?: string;
  /** Winner's validation score minus the runner-up's, in the last rung. */
  margin?: number;
  /** Spread one expects between two trainings of the same candidate at the last rung's budget. */
  noise?: number;
  verdict: DecisionVerdict;
  message: string;
  /** false while the search is still forming it (live events). */
  final: boolean;
}

export type SearchDecision = GradientDecision | RankRaceDecision;
