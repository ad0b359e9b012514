import * as tf from '@tensorflow/tfjs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Saves a tf.LayersModel as a TF.js layers-model folder (model.json + one weights .bin), without the
 * file:// handler (that lives in tfjs-node, which is not installed): model.save() hands the artifacts to
 * a custom handler that writes them, and loadTfjsFolder reads them back through an IO handler.
 */

export const TFJS_WEIGHTS_FILE = 'group1-shard1of1.bin';

export async function saveTfjsFolder(model: tf.LayersModel, folder: string): Promise<string[]> {
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      if (!artifacts.modelTopology || !artifacts.weightSpecs) throw new Error(`tfjs export: model "${model.name}" produced no topology or weights`);
      const weights = artifacts.weightData ? new Uint8Array(tf.io.concatenateArrayBuffers(artifacts.weightData as ArrayBuffer | ArrayBuffer[])) : new Uint8Array();
      const modelJson = {
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [TFJS_WEIGHTS_FILE], weights: artifacts.weightSpecs }],
      };
      await writeFile(join(folder, 'model.json'), JSON.stringify(modelJson));
      await writeFile(join(folder, TFJS_WEIGHTS_FILE), weights);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.byteLength } };
    }),
  );
  return ['model.json', TFJS_WEIGHTS_FILE];
}

/** Loads a folder written by saveTfjsFolder (any single-group layers-model folder). */
export async function loadTfjsFolder(folder: string): Promise<tf.LayersModel> {
  const handler: tf.io.IOHandler = {
    load: async () => {
      const path = join(folder, 'model.json');
      let json: any;
      try {
        json = JSON.parse(await readFile(path, 'utf8'));
      } catch (e) {
        throw new Error(`tfjs load: ${path} is not readable JSON (${(e as Error).message})`, { cause: e });
      }
      if (!json.modelTopology || !Array.isArray(json.weightsManifest)) throw new Error(`tfjs load: ${path} has no modelTopology or weightsManifest`);
      const weightSpecs: tf.io.WeightsManifestEntry[] = [];
      const parts: ArrayBuffer[] = [];
      for (const group of json.weightsManifest as { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[]) {
        weightSpecs.push(...group.weights);
        for (const p of group.paths) {
          const buf = await readFile(join(folder, p));
          parts.push(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
        }
      }
      return { modelTopology: json.modelTopology, format: json.format, generatedBy: json.generatedBy, weightSpecs, weightData: tf.io.concatenateArrayBuffers(parts) };
    },
  };
  return tf.loadLayersModel(handler);
}
