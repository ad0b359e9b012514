import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

/**
 * The app's settings: `<userData>/settings.json`. Written atomically (temp file, then rename); a file
 * that cannot be read is kept beside as settings.json.bad-<time> and the defaults used, so nothing
 * saved is silently lost. Plain Node: testable without Electron.
 */
const BoundsSchema = z.object({ x: z.number().int(), y: z.number().int(), width: z.number().int().min(400), height: z.number().int().min(300), maximized: z.boolean().default(false) });

export const SettingsSchema = z.object({
  windowBounds: BoundsSchema.optional(),
  /** Folders and files the user picked in a native dialog: the only paths the renderer may name. */
  pickedPaths: z.array(z.string()).default([]),
  runsDir: z.string().optional(),
  /**
   * The engine's TensorFlow.js backend: 'auto' (default: the fastest of a timed training step) or one by name;
   * passed to the engine process as NAS_STUDIO_BACKEND (engine/backend/select-backend.ts).
   */
  backend: z.enum(['auto', 'tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu']).default('auto'),
});
export type Settings = z.output<typeof SettingsSchema>;
export type WindowBounds = z.output<typeof BoundsSchema>;

const MAX_PICKED = 100;

export class SettingsStore {
  private settings: Settings = SettingsSchema.parse({});
  private writing: Promise<void> = Promise.resolve();

  constructor(readonly file: string) {}

  static async open(dir: string, log: (message: string) => void = console.warn): Promise<SettingsStore> {
    const store = new SettingsStore(path.join(dir, 'settings.json'));
    await store.load(log);
    return store;
  }

  get current(): Readonly<Settings> {
    return this.settings;
  }

  private async load(log: (message: string) => void): Promise<void> {
    if (!existsSync(this.file)) return;
    const text = await readFile(this.file, 'utf8');
    let problem: string | undefined;
    try {
      const parsed = SettingsSchema.safeParse(JSON.parse(text));
      if (parsed.success) this.settings = parsed.data;
      else problem = z.prettifyError(parsed.error).replace(/\n/g, '; ');
    } catch (error) {
      problem = `not valid JSON (${(error as Error).message})`;
    }
    if (problem) {
      const kept = `${this.file}.bad-${Date.now()}`;
      await rename(this.file, kept);
      log(`${this.file}: ${problem}; kept it as ${kept} and started from defaults`);
    }
  }

  /** Applies a change and writes the file; writes are serialised so the last change wins on disk. */
  update(change: (settings: Settings) => Settings): Promise<void> {
    this.settings = SettingsSchema.parse(change(structuredClone(this.settings)));
    const snapshot = JSON.stringify(this.settings, null, 2);
    this.writing = this.writing.catch(() => undefined).then(() => writeAtomically(this.file, snapshot));
    return this.writing;
  }

  addPickedPath(picked: string): Promise<void> {
    const resolved = path.resolve(picked);
    return this.update((settings) => ({ ...settings, pickedPaths: [resolved, ...settings.pickedPaths.filter((p) => p !== resolved)].slice(0, MAX_PICKED) }));
  }
}

export async function writeAtomically(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temp, text, 'utf8');
  await rename(temp, file);
}
