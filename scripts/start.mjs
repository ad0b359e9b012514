#!/usr/bin/env node
// `npm start`: build what is stale, then open NAS Studio in Electron. When Electron's binary cannot be
// had (Electron 45 fetches it on first run, and some machines cannot reach its host), serve the same
// UI on http://127.0.0.1 instead and print its URL.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const outputs = ['out/main/index.js', 'out/main/engine-host.js', 'out/preload/index.cjs', 'out/renderer/index.html'].map((file) => path.join(root, file));
const sources = ['src-main', 'src-renderer', 'electron.config.ts', 'package.json'].map((file) => path.join(root, file));

function newestMtime(target) {
  if (!existsSync(target)) return 0;
  const info = statSync(target);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

function buildIfNeeded() {
  const built = outputs.every((file) => existsSync(file));
  const builtAt = built ? Math.min(...outputs.map((file) => statSync(file).mtimeMs)) : 0;
  if (built && Math.max(...sources.map(newestMtime)) <= builtAt) return;
  console.log('Building NAS Studio (electron-vite)…');
  const result = spawnSync(bin('electron-vite'), ['build', '--config', 'electron.config.ts'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('The build failed (see above); nothing was started.');
    process.exit(result.status ?? 1);
  }
}

/** The path of Electron's binary, or undefined. Asked in a child: require('electron') may try to download it. */
function electronBinary() {
  const probe = spawnSync(process.execPath, ['-e', "process.stdout.write(require('electron'))"], { cwd: root, encoding: 'utf8', timeout: 180_000 });
  const binary = probe.status === 0 ? probe.stdout.trim() : '';
  return binary && existsSync(binary) ? binary : undefined;
}

function run(command, args, env = process.env) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit', env });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

buildIfNeeded();
const electron = electronBinary();
if (electron) {
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  run(electron, ['.'], env);
} else {
  console.log("Electron's binary could not be had (it is fetched on first run); serving the same UI in your browser instead.");
  const port = process.env.NAS_STUDIO_PORT ?? '5317';
  run(process.execPath, [path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'src-main/cli/serve-entry.ts', '--port', port, '--runs-dir', 'runs', '--static-dir', 'out/renderer']);
}
