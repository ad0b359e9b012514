import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseGenotype } from '../../../src-main/engine/space/genotype.js';
import { readGenotypeFile, writeGenotypeFile } from '../../../src-main/engine/space/genotype-file.js';

describe('genotype files', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'genotype-file-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the literature string atomically and reads it back', async () => {
    const path = join(dir, 'cell.txt');
    const text = '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|';
    await writeGenotypeFile(path, parseGenotype(text));
    expect(await readFile(path, 'utf8')).toBe(text);
    expect(await readdir(dir)).toEqual(['cell.txt']);
    expect(await readGenotypeFile(path)).toEqual(parseGenotype(text));
  });

  it('names the file in every error', async () => {
    const bad = join(dir, 'bad.txt');
    await writeFile(bad, '|nor_conv_3x3|', 'utf8');
    await expect(readGenotypeFile(bad)).rejects.toThrow(`${bad}: Cannot parse NB201 genotype`);
    const missing = join(dir, 'missing.txt');
    await expect(readGenotypeFile(missing)).rejects.toThrow(`${missing}: cannot read the genotype file`);
  });
});
