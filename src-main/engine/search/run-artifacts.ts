import { mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { encodePng } from '../data/preview.js';
import type { Example } from '../derive/evaluate.js';
import { saveTfjsFolder } from '../export/tfjs.export.js';
import { writeFileAtomic } from '../util/atomic-write.js';

/** Saves the retrained model as <runDir>/model (TF.js layers format): written aside, then renamed. */
export async function saveRunModel(model: tf.LayersModel, runDir: string): Promise<string> {
  const final = path.join(runDir, 'model');
  const temp = path.join(runDir, `.model-${process.pid}.tmp`);
  rmSync(temp, { recursive: true, force: true });
  mkdirSync(temp, { recursive: true });
  try {
    await saveTfjsFolder(model, temp);
    rmSync(final, { recursive: true, force: true });
    renameSync(temp, final);
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    throw new Error(`${final}: the trained model could not be saved (${(error as Error).message}).`, { cause: error });
  }
  return final;
}

/** Before / noisy / after pictures of a denoiser, for the results view: images/example-<i>-<kind>.png. */
export function saveDenoisingExamples(examples: Example[], runDir: string): string[] {
  const files: string[] = [];
  examples.forEach((example, i) => {
    const [h, w, c] = example.shape;
    for (const [kind, pixels] of [['clean', example.target], ['noisy', example.input], ['denoised', example.output]] as const) {
      const file = path.join(runDir, 'images', `example-${i}-${kind}.png`);
      writeFileAtomic(file, encodePng(pixels, h, w, c));
      files.push(file);
    }
  });
  return files;
}
