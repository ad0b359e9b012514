import { readFile, rename, writeFile } from 'node:fs/promises';
import { formatGenotype, parseGenotype } from './genotype.js';
import type { Genotype } from './space.types.js';

/** Reads a genotype saved as text (any of the three formats); errors name the file and the problem. */
export async function readGenotypeFile(path: string): Promise<Genotype> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`${path}: cannot read the genotype file (${(err as Error).message})`, { cause: err });
  }
  try {
    return parseGenotype(text);
  } catch (err) {
    throw new Error(`${path}: ${(err as Error).message}`, { cause: err });
  }
}

/** Writes the literature's string (no trailing newline) to a temp file, then renames it over `path`. */
export async function writeGenotypeFile(path: string, genotype: Genotype): Promise<void> {
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temp, formatGenotype(genotype), 'utf8');
  await rename(temp, path);
}
