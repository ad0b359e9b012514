/**
 * The (edge, operation) pairs a genotype keeps, named as the alpha heatmaps name them ("2<-0"), per cell
 * type: what the heatmap outlines. DARTS: node k = 2 + ⌊i/2⌋ takes pair i; NAS-Bench-201: node j gathers
 * `op~i` from each earlier node i. Anything else keeps nothing here (the chain space has no alphas grid).
 */
export interface KeptOps {
  normal: Set<string>;
  reduce: Set<string>;
}

const key = (edge: string, op: string): string => `${edge}|${op}`;

function dartsCell(text: string, field: 'normal' | 'reduce'): Set<string> {
  const list = new RegExp(`${field}=\\[([^\\]]*)\\]`).exec(text)?.[1] ?? '';
  const pairs = [...list.matchAll(/\(\s*'([^']+)'\s*,\s*(\d+)\s*\)/g)];
  return new Set(pairs.map((m, i) => key(`${2 + Math.floor(i / 2)}<-${m[2]}`, m[1])));
}

export function keptOps(genotype: string | undefined): KeptOps {
  const empty = { normal: new Set<string>(), reduce: new Set<string>() };
  if (!genotype) return empty;
  const text = genotype.trim();
  if (text.startsWith('Genotype(')) return { normal: dartsCell(text, 'normal'), reduce: dartsCell(text, 'reduce') };
  if (text.startsWith('|')) {
    const normal = new Set<string>();
    text.split('+').forEach((node, j) => {
      for (const m of node.matchAll(/([a-z0-9_]+)~(\d+)/g)) if (m[1] !== 'none') normal.add(key(`${j + 1}<-${m[2]}`, m[1]));
    });
    return { normal, reduce: new Set() };
  }
  return empty;
}

export const isKept = (kept: Set<string>, edge: string, op: string): boolean => kept.has(key(edge, op));
