import type { DecisionVerdict, GradientDecision, RankRaceDecision, SearchDecision } from '../../src-main/contract/decision.js';
import type { RunEvent } from '../../src-main/contract/events.js';
import { formatMetric } from './format.js';

/**
 * How decided a search is (result.json `decision`, live 'decision' events), turned into what the
 * decision panel shows: a headline in plain words, the engine's message, and the numbers behind it.
 */

export type DecisionProgress = NonNullable<Extract<RunEvent, { type: 'decision' }>['progress']>;

/** 'forming': the search is still going; the verdict is not in yet. */
export type DecisionState = DecisionVerdict | 'forming';

export interface RankedRow {
  /** 1 = best training-free score. */
  rank: number;
  label: string;
  genotype: string;
  score: string;
}

export type RaceStatus = 'winner' | 'through' | 'eliminated' | 'racing';

export interface RaceRow {
  /** 1-based round. */
  round: number;
  images: string;
  /** "#3": the candidate's rank by training-free score. */
  label: string;
  genotype: string;
  validation: string;
  status: RaceStatus;
}

export interface RankRaceView {
  method: 'rank-race';
  state: DecisionState;
  headline: string;
  message: string;
  /** "Scored 40 of 100 candidate architectures without training." */
  scored: { done: number; total: number; text: string };
  proxy: { name: string; explanation: string };
  ranked: RankedRow[];
  race: RaceRow[];
  /** "round 2 of 3", or "over after 3 rounds", once the race has begun. */
  raceText?: string;
  scoreName: string;
  winner?: string;
}

export interface EdgeRow {
  cell: 'normal' | 'reduce';
  edge: string;
  op: string;
  probability: string;
  runnerUp: string;
  margin: string;
  /** 0..1, for a bar. */
  marginValue: number;
  decided: boolean;
}

export interface GradientView {
  method: 'gradient';
  state: DecisionState;
  headline: string;
  message: string;
  decidedText: string;
  threshold: number;
  edges: EdgeRow[];
}

export type DecisionView = RankRaceView | GradientView;

/** Plain words for the training-free scores the engine may use; an unknown one is named as is. */
const PROXIES: Record<string, { name: string; explanation: string }> = {
  naswot: {
    name: 'training-free score',
    explanation:
      'how differently the untrained network responds to each of your images (NASWOT). Networks that tell your images apart before any training tend to learn them better; it is a quick first guess, not a measurement of accuracy.',
  },
};

export function proxyWords(proxy: string): { name: string; explanation: string } {
  return PROXIES[proxy] ?? { name: `training-free score (${proxy})`, explanation: 'a score of the untrained network on your images; higher is better.' };
}

/** Genotype strings are long: at most `max` characters, the rest elided (the full text goes in a tooltip). */
export function shortGenotype(genotype: string, max = 64): string {
  return genotype.length <= max ? genotype : `${genotype.slice(0, max - 1)}…`;
}

function formatScore(score: number): string {
  if (!Number.isFinite(score)) return '—';
  return Number(score.toPrecision(4)).toLocaleString('en');
}

function formatImages(n: number): string {
  return Math.round(n).toLocaleString('en');
}

/** Rounds of successive halving from `entrants` candidates down to one (at least one round). */
export function raceRounds(entrants: number): number {
  return Math.max(1, Math.ceil(Math.log2(Math.max(1, entrants))));
}

const HEADLINES: Record<'rank-race' | 'gradient', Record<DecisionState, string>> = {
  'rank-race': {
    forming: 'Still deciding',
    decided: 'Decided: the chosen architecture won the race clearly.',
    partly: 'Partly decided: the chosen architecture is ahead, but not by much.',
    undecided: 'Undecided: your data cannot separate the best candidates: either is a sound choice.',
  },
  gradient: {
    forming: 'Still deciding',
    decided: 'Decided: the search settled on a clear choice for each connection of the cell.',
    partly: 'Partly decided: some connections of the cell were close calls.',
    undecided: 'Undecided: your data cannot separate the operations on most connections, so the ones chosen there are one sound choice among several.',
  },
};

/**
 * The view of a decision. `forming`: the run is still searching; it matters for gradient decisions only,
 * which have no `final` of their own (live, each search epoch sends the current one). `progress`: the
 * latest decision event's.
 */
export function decisionView(decision: SearchDecision, options: { forming?: boolean; progress?: DecisionProgress } = {}): DecisionView {
  return decision.method === 'rank-race' ? rankRaceView(decision, options) : gradientView(decision, options.forming ?? false);
}

function rankRaceView(decision: RankRaceDecision, options: { progress?: DecisionProgress }): RankRaceView {
  // The ranking search says itself when its decision is final.
  const state: DecisionState = decision.final ? decision.verdict : 'forming';
  const total = decision.sampled;
  // While ranking, the progress counts scored candidates; once the race has begun every candidate was scored.
  const done = decision.final || decision.race.length > 0 || !options.progress ? total : Math.min(total, Math.floor(options.progress.done));
  const rankOf = new Map(decision.ranked.map((c, i) => [c.genotype, i + 1]));
  const label = (genotype: string) => (rankOf.has(genotype) ? `#${rankOf.get(genotype)}` : shortGenotype(genotype, 24));
  const entrants = decision.ranked.length;
  const rounds = raceRounds(entrants);
  const race = raceRows(decision, entrants).map((r) => ({ ...r, label: label(r.genotype) }));
  const lastRound = race.length > 0 ? Math.max(...race.map((r) => r.round)) : 0;
  return {
    method: 'rank-race',
    state,
    headline: HEADLINES['rank-race'][state],
    message: decision.message,
    scored: { done, total, text: `Scored ${done} of ${total} candidate architectures without training.` },
    proxy: proxyWords(decision.proxy),
    ranked: decision.ranked.map((c, i) => ({ rank: i + 1, label: `#${i + 1}`, genotype: c.genotype, score: formatScore(c.score) })),
    race,
    ...(race.length > 0 ? { raceText: decision.final ? `over after ${lastRound} round${lastRound === 1 ? '' : 's'}` : `round ${lastRound} of ${rounds}` } : {}),
    scoreName: decision.scoreName,
    ...(decision.winner ? { winner: decision.winner } : {}),
  };
}

/**
 * The race table, round by round (best first within a round). A round is complete when it holds as many
 * candidates as entered it; then its better half (rounded up, as the engine keeps it) goes through and the
 * rest are eliminated. The last round's best is the winner once the decision is final.
 */
function raceRows(decision: RankRaceDecision, entrants: number): Omit<RaceRow, 'label'>[] {
  const rungs = [...new Set(decision.race.map((e) => e.rung))].sort((a, b) => a - b);
  const lastRung = rungs.at(-1);
  const rows: Omit<RaceRow, 'label'>[] = [];
  let expected = entrants;
  for (const rung of rungs) {
    const entries = decision.race.filter((e) => e.rung === rung);
    // Stable: ties keep the order of training, as in the engine's sort.
    const sorted = [...entries].sort((a, b) => b.validation - a.validation);
    // A later round has begun, or every entrant of this one has its score.
    const complete = rung !== lastRung || entries.length >= expected || decision.final;
    const keep = Math.ceil(entries.length / 2);
    sorted.forEach((entry, i) => {
      let status: RaceStatus;
      if (decision.final && rung === lastRung) status = entry.genotype === decision.winner ? 'winner' : 'eliminated';
      else if (complete) status = i < keep ? 'through' : 'eliminated';
      else status = 'racing';
      rows.push({ round: rung + 1, images: formatImages(entry.samples), genotype: entry.genotype, validation: formatMetric(decision.scoreName, entry.validation), status });
    });
    expected = Math.ceil(expected / 2);
  }
  return rows;
}

function gradientView(decision: GradientDecision, forming: boolean): GradientView {
  const state: DecisionState = forming ? 'forming' : decision.verdict;
  const percent = (p: number) => `${(p * 100).toFixed(0)} %`;
  return {
    method: 'gradient',
    state,
    headline: HEADLINES.gradient[state],
    message: decision.message,
    decidedText: `${decision.decidedEdges} of ${decision.totalEdges} connections have a clear favourite (ahead of the next operation by ${(decision.threshold * 100).toFixed(0)} points of probability or more).`,
    threshold: decision.threshold,
    edges: decision.edges.map((e) => ({
      cell: e.cell,
      edge: e.edge,
      op: e.op,
      probability: percent(e.probability),
      runnerUp: e.runnerUp,
      margin: `${(e.margin * 100).toFixed(Math.abs(e.margin) < 0.1 ? 1 : 0)} points`,
      marginValue: Math.min(1, Math.max(0, e.margin)),
      decided: e.margin >= decision.threshold,
    })),
  };
}

/** The newest decision in a run's events, with its progress (a run opened before it finished). */
export function latestDecision(events: readonly RunEvent[]): { decision: SearchDecision; progress?: DecisionProgress } | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i];
    if (event.type === 'decision') return { decision: event.decision, ...(event.progress ? { progress: event.progress } : {}) };
  }
  return undefined;
}
