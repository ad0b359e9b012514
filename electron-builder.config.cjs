// @ts-check
/**
 * Packaging for NAS Studio (npm run dist). The app is out/** (built by electron-vite) plus the
 * production node_modules electron-builder collects. Native addons and the tfjs wasm binaries are
 * unpacked from the asar: Node can only dlopen real files, and tfjs-backend-wasm reads its .wasm
 * from disk.
 *
 * @type {import('electron-builder').Configuration}
 */
module.exports = {
  appId: 'org.nasstudio.app',
  productName: 'NAS Studio',
  copyright: 'Copyright © NAS Studio contributors',
  directories: { output: 'dist', buildResources: 'resources' },
  files: ['out/**', 'package.json', '!**/*.map'],
  asar: true,
  asarUnpack: [
    '**/node_modules/@tensorflow/tfjs-node/**',
    '**/node_modules/@tensorflow/tfjs-node-gpu/**',
    '**/node_modules/better-sqlite3/**',
    '**/node_modules/onnxruntime-node/**',
    '**/node_modules/@tensorflow/tfjs-backend-wasm/**/*.wasm',
  ],
  // better-sqlite3 is compiled against Node; the engine host runs in Electron's utility process, so it
  // must be rebuilt for Electron's ABI when packaging. electron-builder does that IN PLACE in
  // node_modules: afterwards plain-Node use (tests, CLI) needs `npm rebuild better-sqlite3` again.
  npmRebuild: true,
  linux: {
    target: ['AppImage', 'deb'],
    category: 'Science',
    synopsis: 'On-device neural architecture search',
  },
  deb: { depends: ['libnss3', 'libgtk-3-0', 'libxss1', 'libasound2'] },
  win: { target: ['nsis'] },
  nsis: { oneClick: false, perMachine: false, allowToChangeInstallationDirectory: true },
  mac: { target: ['dmg'], category: 'public.app-category.developer-tools' },
};
