import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The engine is loaded lazily (tfjs and friends take seconds to load, and the host must answer
 * app:info at once), and parts of it are still being written: a feature whose module is absent makes
 * its channel throw "not available yet: …" instead of breaking the build.
 *
 * Under Vite (electron-vite build, vitest) `import.meta.glob` bundles each engine module as a lazy
 * chunk; under tsx (CLI, serve mode from source) it is absent and the folder is read at run time.
 */
type ModuleLoader = () => Promise<Record<string, unknown>>;

const FOLDERS = ['search', 'hardware', 'data', 'export', 'store'] as const;
export type EngineFolder = (typeof FOLDERS)[number];

function bundledLoaders(): Record<string, ModuleLoader> | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/ban-ts-comment
    // @ts-ignore -- Vite replaces this call at build time; under tsx import.meta.glob is undefined and throws.
    const found = import.meta.glob(['../engine/{search,hardware,data,export,store}/*.ts', '!../engine/**/*.types.ts', '!../engine/**/*.test.ts']);
    return found as Record<string, ModuleLoader>;
  } catch {
    return undefined;
  }
}

function sourceLoaders(): Record<string, ModuleLoader> {
  const loaders: Record<string, ModuleLoader> = {};
  for (const folder of FOLDERS) {
    const url = new URL(`../engine/${folder}/`, import.meta.url);
    const dir = fileURLToPath(url);
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir)) {
      if (!/\.(ts|js)$/.test(file) || /\.types\.(ts|js)$/.test(file) || file.endsWith('.d.ts')) continue;
      const href = new URL(file, url).href;
      loaders[`../engine/${folder}/${file}`] = () => import(/* @vite-ignore */ href) as Promise<Record<string, unknown>>;
    }
  }
  return loaders;
}

let loaders: Record<string, ModuleLoader> | undefined;
function allLoaders(): Record<string, ModuleLoader> {
  loaders ??= bundledLoaders() ?? sourceLoaders();
  return loaders;
}

export class NotAvailableError extends Error {
  override name = 'NotAvailableError';
}

/**
 * Finds an export by name in one engine folder. `file` (without extension) is tried first so that a
 * known module is loaded alone; otherwise every module of the folder is loaded until one has it.
 */
export async function findEngineExport<T>(folder: EngineFolder, exportName: string, what: string, file?: string): Promise<T> {
  const inFolder = Object.entries(allLoaders()).filter(([key]) => key.startsWith(`../engine/${folder}/`));
  const preferred = file ? inFolder.filter(([key]) => key.replace(/\.(ts|js)$/, '').endsWith(`/${file}`)) : [];
  for (const [, load] of [...preferred, ...inFolder.filter((entry) => !preferred.includes(entry))]) {
    const module = await load();
    if (exportName in module) return module[exportName] as T;
  }
  throw new NotAvailableError(`not available yet: ${what} (no export '${exportName}' in src-main/engine/${folder}/)`);
}
