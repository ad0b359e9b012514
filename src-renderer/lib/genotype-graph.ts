/**
 * Genotype strings → drawable cell graphs. The renderer cannot import engine code, so this is a small
 * parser of its own for the two literature formats (and the chain format of the chain space):
 * - DARTS: Genotype(normal=[('sep_conv_3x3', 0), ...], normal_concat=[2, 3, 4, 5], reduce=[...], reduce_concat=[...])
 *   Inputs 0 and 1 are c_{k-2} and c_{k-1}; input j ≥ 2 is intermediate node j-2; two ops per node.
 * - NAS-Bench-201: |nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|...| — node i+1 gathers one op per
 *   earlier node; node 0 is the cell input, the last node the output.
 * - chain: blocks joined by '-'.
 */

export interface GraphNode {
  id: string;
  label: string;
  kind: 'input' | 'intermediate' | 'output';
}

export interface GraphEdge {
  from: string;
  to: string;
  op: string;
}

export interface CellGraph {
  title: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export interface ParsedGenotypeGraphs {
  format: 'darts' | 'nb201' | 'chain';
  cells: CellGraph[];
}

function genotypeError(text: string, problem: string): Error {
  const shown = text.length > 80 ? `${text.slice(0, 77)}...` : text;
  return new Error(`Cannot read the genotype "${shown}": ${problem}`);
}

function dartsField(compact: string, name: string): string | undefined {
  // Field values are a bracketed list (ops or concat) or range(a, b); find `name=` at the top level.
  const at = compact.search(new RegExp(`(?:^|[(,])${name}=`));
  if (at < 0) return undefined;
  const start = compact.indexOf('=', at) + 1;
  let depth = 0;
  for (let i = start; i < compact.length; i++) {
    const ch = compact[i];
    if (ch === '(' || ch === '[') depth++;
    else if (ch === ')' || ch === ']') {
      if (depth === 0) return compact.slice(start, i);
      depth--;
    } else if (ch === ',' && depth === 0) return compact.slice(start, i);
  }
  return compact.slice(start);
}

function parseDartsOps(value: string, field: string, text: string): [string, number][] {
  if (!/^\[.*\]$/.test(value)) throw genotypeError(text, `${field} should be a list of ('op', input) pairs`);
  const ops: [string, number][] = [];
  const pair = /\((['"])([A-Za-z0-9_]+)\1,(\d+)\)/g;
  for (const m of value.matchAll(pair)) ops.push([m[2], Number(m[3])]);
  if (ops.length === 0 && value !== '[]') throw genotypeError(text, `${field} has no ('op', input) pairs`);
  return ops;
}

function parseConcat(value: string | undefined, steps: number): number[] {
  if (value === undefined) return Array.from({ length: steps }, (_, i) => i + 2);
  const range = /range\((\d+)(?:,(\d+))?\)/.exec(value);
  if (range) {
    const [from, to] = range[2] === undefined ? [0, Number(range[1])] : [Number(range[1]), Number(range[2])];
    return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
  }
  return value
    .replace(/[[\]]/g, '')
    .split(',')
    .filter((s) => s !== '')
    .map(Number);
}

function dartsCell(title: string, ops: [string, number][], concat: number[], text: string): CellGraph {
  if (ops.length % 2 !== 0) throw genotypeError(text, `${title} has ${ops.length} ops; DARTS cells have two per node`);
  const steps = ops.length / 2;
  const name = (j: number): string => (j === 0 ? 'c_{k-2}' : j === 1 ? 'c_{k-1}' : String(j - 2));
  const nodes: GraphNode[] = [
    { id: 'in0', label: 'c_{k-2}', kind: 'input' },
    { id: 'in1', label: 'c_{k-1}', kind: 'input' },
  ];
  // Numbered as the alpha edges number them ("2<-0": node 2 is the first intermediate), so diagram and heatmap agree.
  for (let i = 0; i < steps; i++) nodes.push({ id: `n${i}`, label: String(i + 2), kind: 'intermediate' });
  nodes.push({ id: 'out', label: 'c_{k}', kind: 'output' });
  const idOf = (j: number): string => (j < 2 ? `in${j}` : `n${j - 2}`);
  const edges: GraphEdge[] = [];
  ops.forEach(([op, input], k) => {
    const node = Math.floor(k / 2);
    if (input >= node + 2) throw genotypeError(text, `${title} node ${node} reads ${name(input)}, which comes after it`);
    edges.push({ from: idOf(input), to: `n${node}`, op });
  });
  for (const c of concat) if (c >= 2 && c < steps + 2) edges.push({ from: idOf(c), to: 'out', op: 'concat' });
  return { title, nodes, edges };
}

function parseDarts(text: string): ParsedGenotypeGraphs {
  const compact = text.replace(/\s+/g, '');
  if (!/^Genotype\(.*\)$/.test(compact)) throw genotypeError(text, 'expected Genotype(normal=[...], ...)');
  const cells: CellGraph[] = [];
  for (const type of ['normal', 'reduce'] as const) {
    const opsText = dartsField(compact, type);
    if (opsText === undefined) throw genotypeError(text, `missing ${type}`);
    const ops = parseDartsOps(opsText, type, text);
    cells.push(dartsCell(type === 'normal' ? 'Normal cell' : 'Reduction cell', ops, parseConcat(dartsField(compact, `${type}_concat`), ops.length / 2), text));
  }
  return { format: 'darts', cells };
}

function parseNb201(text: string): ParsedGenotypeGraphs {
  const compact = text.replace(/\s+/g, '');
  const groups = compact.split('+');
  const nodeCount = groups.length + 1;
  const nodes: GraphNode[] = Array.from({ length: nodeCount }, (_, i) => ({
    id: `n${i}`,
    label: i === 0 ? 'input' : i === nodeCount - 1 ? 'output' : String(i),
    kind: i === 0 ? 'input' : i === nodeCount - 1 ? 'output' : 'intermediate',
  }));
  const edges: GraphEdge[] = [];
  groups.forEach((group, g) => {
    if (!/^\|.+\|$/.test(group)) throw genotypeError(text, `node ${g + 1} should look like |op~0|op~1|`);
    for (const part of group.slice(1, -1).split('|')) {
      const m = /^([A-Za-z0-9_]+)~(\d+)$/.exec(part);
      if (!m) throw genotypeError(text, `edge "${part}" should look like op~input`);
      const from = Number(m[2]);
      if (from > g) throw genotypeError(text, `node ${g + 1} reads node ${from}, which comes after it`);
      edges.push({ from: `n${from}`, to: `n${g + 1}`, op: m[1] });
    }
  });
  return { format: 'nb201', cells: [{ title: 'Cell', nodes, edges }] };
}

function parseChain(text: string): ParsedGenotypeGraphs {
  const blocks = text.trim().split('-');
  if (blocks.some((b) => !/^[A-Za-z0-9_]+$/.test(b))) throw genotypeError(text, 'blocks should be primitive names joined by "-"');
  const nodes: GraphNode[] = Array.from({ length: blocks.length + 1 }, (_, i) => ({
    id: `n${i}`,
    label: i === 0 ? 'input' : i === blocks.length ? 'output' : String(i),
    kind: i === 0 ? 'input' : i === blocks.length ? 'output' : 'intermediate',
  }));
  const edges = blocks.map((op, i) => ({ from: `n${i}`, to: `n${i + 1}`, op }));
  return { format: 'chain', cells: [{ title: 'Chain', nodes, edges }] };
}

/** Parses a genotype string of any supported format into one graph per cell type. */
export function genotypeToGraphs(text: string): ParsedGenotypeGraphs {
  const trimmed = text.trim();
  if (trimmed === '') throw new Error('Cannot read the genotype: the text is empty');
  if (/^Genotype\s*\(/.test(trimmed)) return parseDarts(trimmed);
  if (trimmed.startsWith('|')) return parseNb201(trimmed);
  return parseChain(trimmed);
}

export interface PlacedNode extends GraphNode {
  x: number;
  y: number;
  layer: number;
}

export interface LayeredLayout {
  nodes: PlacedNode[];
  /** Each edge is a quadratic curve (x1,y1) → control (cx,cy) → (x2,y2); the label sits at its middle. */
  edges: (GraphEdge & { x1: number; y1: number; cx: number; cy: number; x2: number; y2: number; labelX: number; labelY: number })[];
  width: number;
  height: number;
}

/**
 * A layered (longest-path) layout: inputs in layer 0, each node one layer right of its deepest input,
 * the output alone in the last layer; nodes of a layer spread vertically.
 */
export function layeredLayout(graph: CellGraph, spacing = { x: 165, y: 90, margin: 40 }): LayeredLayout {
  const layer = new Map<string, number>();
  for (const node of graph.nodes) if (node.kind === 'input') layer.set(node.id, 0);
  const incoming = (id: string): GraphEdge[] => graph.edges.filter((e) => e.to === id);
  let changed = true;
  // Graphs are tiny (≤ 15 nodes) and acyclic by construction; relax until stable.
  for (let round = 0; changed && round < graph.nodes.length + 1; round++) {
    changed = false;
    for (const node of graph.nodes) {
      if (node.kind === 'input') continue;
      const deepest = Math.max(0, ...incoming(node.id).map((e) => layer.get(e.from) ?? 0));
      const next = deepest + 1;
      if (layer.get(node.id) !== next) {
        layer.set(node.id, next);
        changed = true;
      }
    }
  }
  const lastInner = Math.max(0, ...graph.nodes.filter((n) => n.kind !== 'output').map((n) => layer.get(n.id) ?? 0));
  for (const node of graph.nodes) if (node.kind === 'output') layer.set(node.id, Math.max(lastInner + 1, layer.get(node.id) ?? 0));
  const layers = Math.max(...graph.nodes.map((n) => layer.get(n.id) ?? 0)) + 1;
  const perLayer: string[][] = Array.from({ length: layers }, () => []);
  for (const node of graph.nodes) perLayer[layer.get(node.id) ?? 0].push(node.id);
  const tallest = Math.max(...perLayer.map((ids) => ids.length));
  // A chain of lone intermediate nodes zigzags up and down, so that long edges from the inputs pass
  // between the nodes instead of through them.
  const zig = spacing.y * 0.4;
  const height = spacing.margin * 2 + (tallest - 1) * spacing.y + 2 * zig;
  const placed = new Map<string, PlacedNode>();
  let lone = 0;
  perLayer.forEach((ids, l) => {
    const offset = (height - (ids.length - 1) * spacing.y) / 2;
    const single = ids.length === 1 && graph.nodes.find((n) => n.id === ids[0])?.kind === 'intermediate';
    const shift = single ? (lone++ % 2 === 0 ? -zig : zig) : 0;
    ids.forEach((id, i) => {
      const node = graph.nodes.find((n) => n.id === id)!;
      placed.set(id, { ...node, layer: l, x: spacing.margin + l * spacing.x, y: offset + i * spacing.y + shift });
    });
  });
  // Edges into one node bend apart so that their labels do not sit on top of each other.
  const edges = graph.edges.map((edge) => {
    const a = placed.get(edge.from)!;
    const b = placed.get(edge.to)!;
    const siblings = graph.edges.filter((e) => e.to === edge.to);
    const bend = (siblings.indexOf(edge) - (siblings.length - 1) / 2) * 44;
    const length = Math.hypot(b.x - a.x, b.y - a.y) || 1;
    const cx = (a.x + b.x) / 2 + (-(b.y - a.y) / length) * bend;
    const cy = (a.y + b.y) / 2 + ((b.x - a.x) / length) * bend;
    const labelX = 0.25 * a.x + 0.5 * cx + 0.25 * b.x;
    const labelY = 0.25 * a.y + 0.5 * cy + 0.25 * b.y;
    return { ...edge, x1: a.x, y1: a.y, cx, cy, x2: b.x, y2: b.y, labelX, labelY };
  });
  return { nodes: [...placed.values()], edges, width: spacing.margin * 2 + (layers - 1) * spacing.x, height };
}
