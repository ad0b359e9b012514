import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'electron-vite';
import { resolve } from 'node:path';

/**
 * electron-vite 6 (Vite 8 / Rolldown):
 *  - main: src-main/app/main.ts → out/main/index.js, plus the engine host (src-main/engine-host/main.ts
 *    → out/main/engine-host.js) as a second entry so utilityProcess.fork can load it; ES modules
 *    (package.json has "type": "module"). Native and heavy engine packages stay external, loaded
 *    from node_modules (unpacked from the asar by electron-builder).
 *  - preload: CommonJS (out/preload/index.cjs): a sandboxed preload cannot be an ES module.
 *  - renderer: src-renderer with Svelte → out/renderer.
 */
// playwright-core (a devDependency) drives Chromium for the TFLite check in development only.
const engineExternals = [/^@tensorflow\//, 'better-sqlite3', 'onnxruntime-node', 'playwright-core'];

export default defineConfig({
  main: {
    build: {
      outDir: resolve('out/main'),
      rolldownOptions: {
        input: {
          index: resolve('src-main/app/main.ts'),
          'engine-host': resolve('src-main/engine-host/main.ts'),
        },
        external: engineExternals,
      },
    },
  },
  preload: {
    build: {
      outDir: resolve('out/preload'),
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve('src-main/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: '[name]-[hash].cjs' },
      },
    },
  },
  renderer: {
    root: resolve('src-renderer'),
    plugins: [svelte()],
    build: {
      outDir: resolve('out/renderer'),
      rolldownOptions: { input: { index: resolve('src-renderer/index.html') } },
    },
  },
});
