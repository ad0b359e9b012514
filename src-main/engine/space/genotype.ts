/**
 * Genotypes in the literature's own strings, so published cells serve as golden fixtures:
 * - DARTS (quark0/darts genotypes.py, as Python prints the namedtuple):
 *   Genotype(normal=[('sep_conv_3x3', 0), ...], normal_concat=[2, 3, 4, 5], reduce=[...], reduce_concat=[2, 3, 4, 5])
 * - NAS-Bench-201: |nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|
 * - chain: the block primitives joined by '-', e.g. ir_k3_e6-ir_k5_e3-skip
 */
import type { ChainGenotype, DartsCellGenotype, DartsGenotype, Genotype, Nb201Genotype, SearchSpace } from './space.types.js';

const OP_NAME = /^[A-Za-z0-9_]+$/;

function fail(kind: string, text: string, problem: string): never {
  const shown = text.length > 120 ? `${text.slice(0, 117)}...` : text;
  throw new Error(`Cannot parse ${kind} genotype "${shown}": ${problem}`);
}

/** Splits on commas that are not nested inside (), [] — the top level of a Python call. */
function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '(' || ch === '[') depth++;
    else if (ch === ')' || ch === ']') depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  const last = s.slice(start);
  if (last !== '') parts.push(last);
  return parts;
}

function parseOpList(value: string, field: string, text: string): [string, number][] {
  const list = /^\[(.*)\]$/.exec(value);
  if (!list) fail('DARTS', text, `${field} should be a list like [('sep_conv_3x3', 0), ...], got ${value}`);
  const ops: [string, number][] = [];
  const pair = /\((['"])([A-Za-z0-9_]+)\1,(\d+)\),?/y;
  const inner = list[1];
  while (pair.lastIndex < inner.length) {
    const at = pair.lastIndex;
    const m = pair.exec(inner);
    if (!m) fail('DARTS', text, `${field}: expected ('op', input) at "${inner.slice(at, at + 30)}"`);
    ops.push([m[2], Number(m[3])]);
  }
  return ops;
}

function parseConcat(value: string, field: string, text: string): number[] {
  const range = /^(?:list\()?range\((\d+)(?:,(\d+))?\)\)?$/.exec(value);
  if (range) {
    const [from, to] = range[2] === undefined ? [0, Number(range[1])] : [Number(range[1]), Number(range[2])];
    return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
  }
  const list = /^\[((?:\d+,)*\d+,?)?\]$/.exec(value);
  if (!list) fail('DARTS', text, `${field} should be a list of node indices or range(a, b), got ${value}`);
  return list[1] === undefined ? [] : list[1].split(',').filter((s) => s !== '').map(Number);
}

const DARTS_FIELDS = ['normal', 'normal_concat', 'reduce', 'reduce_concat'] as const;

function parseDarts(text: string): DartsGenotype {
  const compact = text.replace(/\s+/g, '');
  const call = /^Genotype\((.*)\)$/.exec(compact);
  if (!call) fail('DARTS', text, 'expected Genotype(normal=[...], normal_concat=[...], reduce=[...], reduce_concat=[...])');
  const args = splitTopLevel(call[1]);
  const values = new Map<string, string>();
  args.forEach((arg, i) => {
    const kw = /^([A-Za-z_]+)=(.*)$/.exec(arg);
    const key = kw ? kw[1] : DARTS_FIELDS[i];
    if (!key || !(DARTS_FIELDS as readonly string[]).includes(key)) fail('DARTS', text, `unexpected argument "${arg.slice(0, 40)}"`);
    if (values.has(key)) fail('DARTS', text, `${key} given twice`);
    values.set(key, kw ? kw[2] : arg);
  });
  for (const field of DARTS_FIELDS) if (!values.has(field)) fail('DARTS', text, `missing ${field}`);
  const cell = (name: 'normal' | 'reduce'): DartsCellGenotype => ({
    ops: parseOpList(values.get(name)!, name, text),
    concat: parseConcat(values.get(`${name}_concat`)!, `${name}_concat`, text),
  });
  return { format: 'darts', normal: cell('normal'), reduce: cell('reduce') };
}

function parseNb201(text: string): Nb201Genotype {
  const compact = text.replace(/\s+/g, '');
  const nodes = compact.split('+').map((node, j) => {
    if (node.length < 2 || !node.startsWith('|') || !node.endsWith('|')) fail('NB201', text, `node ${j + 1} "${node}" should look like |op~0|op~1|`);
    return node
      .slice(1, -1)
      .split('|')
      .map((edge): [string, number] => {
        const m = /^([A-Za-z0-9_]+)~(\d+)$/.exec(edge);
        if (!m) fail('NB201', text, `edge "${edge}" of node ${j + 1} should look like op~input`);
        return [m[1], Number(m[2])];
      });
  });
  return { format: 'nb201', nodes };
}

function parseChain(text: string): ChainGenotype {
  const compact = text.trim();
  const blocks = compact.split('-');
  blocks.forEach((b, i) => {
    if (!OP_NAME.test(b)) fail('chain', text, `block ${i} "${b}" is not a primitive name (blocks are joined by "-")`);
  });
  return { format: 'chain', blocks };
}

/** Detects the format from the text: "Genotype(" → DARTS, "|" → NAS-Bench-201, otherwise a chain. */
export function parseGenotype(text: string): Genotype {
  const trimmed = text.trim();
  if (trimmed === '') throw new Error('Cannot parse genotype: the text is empty');
  if (/^Genotype\s*\(/.test(trimmed)) return parseDarts(trimmed);
  if (trimmed.startsWith('|')) return parseNb201(trimmed);
  return parseChain(trimmed);
}

function formatOps(ops: [string, number][]): string {
  return `[${ops.map(([op, input]) => `('${op}', ${input})`).join(', ')}]`;
}

/** Prints a genotype exactly as the literature does (the DARTS concat always as a list). */
export function formatGenotype(g: Genotype): string {
  switch (g.format) {
    case 'darts':
      return (
        `Genotype(normal=${formatOps(g.normal.ops)}, normal_concat=[${g.normal.concat.join(', ')}], ` +
        `reduce=${formatOps(g.reduce.ops)}, reduce_concat=[${g.reduce.concat.join(', ')}])`
      );
    case 'nb201':
      return g.nodes.map((node) => `|${node.map(([op, input]) => `${op}~${input}`).join('|')}|`).join('+');
    case 'chain':
      return g.blocks.join('-');
  }
}

function checkOp(op: string, space: SearchSpace, where: string, problems: string[], allowNone: boolean): void {
  if (!space.primitives.includes(op)) problems.push(`${where}: unknown op "${op}" (space ${space.name} has ${space.primitives.join(', ')})`);
  else if (op === 'none' && !allowNone) problems.push(`${where}: "none" cannot be chosen in a derived ${space.name} cell`);
}

function validateDartsCell(cell: DartsCellGenotype, type: string, space: SearchSpace, problems: string[]): void {
  const { inputs, steps } = space.topology;
  if (cell.ops.length !== 2 * steps) {
    problems.push(`${type}: ${cell.ops.length} (op, input) pairs, expected ${2 * steps} (2 per node × ${steps} nodes)`);
  }
  cell.ops.forEach(([op, input], k) => {
    const node = inputs + Math.floor(k / 2);
    const where = `${type} node ${node} edge ${k % 2}`;
    checkOp(op, space, where, problems, false);
    if (!Number.isInteger(input) || input < 0 || input >= node) problems.push(`${where}: input ${input} out of range (node ${node} reads nodes 0..${node - 1})`);
  });
  if (cell.concat.length === 0) problems.push(`${type}_concat is empty`);
  for (const c of cell.concat) {
    if (c < 0 || c >= inputs + steps) problems.push(`${type}_concat: node ${c} out of range 0..${inputs + steps - 1}`);
  }
  if (new Set(cell.concat).size !== cell.concat.length) problems.push(`${type}_concat lists a node twice`);
}

/** Throws one Error listing every problem: unknown ops, inputs out of range, wrong edge counts. */
export function validateGenotype(g: Genotype, space: SearchSpace): void {
  const problems: string[] = [];
  const expected = { darts: ['darts', 'har1d'], nb201: ['nb201'], chain: ['chain'] }[g.format];
  if (!expected.includes(space.name)) {
    problems.push(`a ${g.format} genotype does not belong to the ${space.name} space (it fits ${expected.join(' or ')})`);
  } else if (g.format === 'darts') {
    validateDartsCell(g.normal, 'normal', space, problems);
    validateDartsCell(g.reduce, 'reduce', space, problems);
  } else if (g.format === 'nb201') {
    if (g.nodes.length !== space.topology.steps) problems.push(`${g.nodes.length} nodes, expected ${space.topology.steps}`);
    g.nodes.forEach((edges, j) => {
      const node = j + 1;
      if (edges.length !== node) problems.push(`node ${node}: ${edges.length} edges, expected ${node} (one from each of nodes 0..${node - 1})`);
      const seen = new Set<number>();
      edges.forEach(([op, input], e) => {
        const where = `node ${node} edge ${e}`;
        checkOp(op, space, where, problems, true);
        if (!Number.isInteger(input) || input < 0 || input >= node) problems.push(`${where}: input ${input} out of range 0..${node - 1}`);
        else if (seen.has(input)) problems.push(`${where}: input ${input} appears twice`);
        seen.add(input);
      });
    });
  } else {
    const blocks = space.topology.edges.length;
    if (g.blocks.length !== blocks) problems.push(`${g.blocks.length} blocks, expected ${blocks}`);
    g.blocks.forEach((op, b) => checkOp(op, space, `block ${b}`, problems, false));
  }
  if (problems.length > 0) throw new Error(`Invalid genotype for the ${space.name} space: ${problems.join('; ')}`);
}
