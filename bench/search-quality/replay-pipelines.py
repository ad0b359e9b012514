"""Replays rank-race designs on stored measurements instead of running them (seconds, not hours).

Inputs: the NB201 ground truth (two trainings per cell, bench/results/search-groundtruth.json) and
bench/results/race-budget.json (first-round scores per budget, NASWOT per seed). For each design and each
NASWOT seed: NASWOT keeps the best `entrants`, the first round keeps the best `finalists`, and one ground-truth
training stands in for the final round while the other judges the pick (then the roles swap). Prints the
judged accuracy against the judge's 90th percentile. Optimistic: both trainings score the same validation images.

    python3 bench/search-quality/replay-pipelines.py
"""
import json
import statistics

truth = json.load(open('bench/results/search-groundtruth.json'))['spaces']['nb201']
budgets = json.load(open('bench/results/race-budget.json'))
repeat = {r['genotype']: r['accuracy'] for r in truth['repeats']}
seed0 = [r['accuracy'] for r in truth['rows']]
seed1 = [repeat[r['genotype']] for r in truth['rows']]
n = len(seed0)


def p90(values):
    return sorted(values)[int(0.9 * len(values))]


def pick(naswot, first_round, entrants, finalists, final_round):
    entered = sorted(range(n), key=lambda i: -naswot[i])[:entrants]
    final = sorted(entered, key=lambda i: -first_round[i])[:finalists]
    return max(final, key=lambda i: final_round[i])


for name, budget in budgets['budgets'].items():
    for entrants in (10, 16, 20, 30):
        cells = []
        for finalists in (2, 3, 4):
            above = [judge[pick(naswot, budget['scores'], entrants, finalists, final)] - p90(judge)
                     for final, judge in ((seed1, seed0), (seed0, seed1)) for naswot in budgets['naswot']]
            cells.append(f'{finalists} finalists {statistics.mean(above) * 100:+.2f}')
        print(f'first round {name:18s} {entrants:2d} entrants: ' + ', '.join(cells) + ' points against the 90th percentile')
