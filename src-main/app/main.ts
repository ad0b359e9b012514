import { app, BrowserWindow, dialog, ipcMain, Menu, session, shell, utilityProcess } from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EventChannel, EventPayloads } from '../contract/channels.js';
import { appHandlers } from './app-handlers.js';
import { APP_ORIGIN, registerAppScheme, serveAppProtocol } from './app-protocol.js';
import { EngineProcess } from './engine-process.js';
import { registerIpcRouter } from './ipc-router.js';
import { buildAppMenu } from './menu.js';
import { hardenWebContents, installSessionSecurity } from './security.js';
import { isTrustedSender, originOf } from './sender-check.js';
import { SettingsStore } from './settings.store.js';
import { startupFailureMessage } from './startup-failure.js';
import { createMainWindow } from './window.js';

/**
 * Electron main: one window, the contract over IPC, the engine in a utility process started on the
 * first request. Built by electron-vite to out/main/index.js, beside out/main/engine-host.js.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const devUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
const devOrigin = originOf(devUrl);
const ownOrigins = [APP_ORIGIN, ...(devOrigin ? [devOrigin] : [])];

registerAppScheme();
app.enableSandbox();
hardenWebContents(ownOrigins);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  void app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      const line = startupFailureMessage(error);
      console.error(line);
      if (process.env.NAS_STUDIO_DEBUG && error instanceof Error) console.error(error.stack);
      dialog.showErrorBox('NAS Studio could not start', line);
      app.exit(1);
    });
}

/** The backend setting reaches the engine as NAS_STUDIO_BACKEND; 'auto' leaves an environment's own value alone. */
function backendEnv(backend: string): Record<string, string> {
  return backend === 'auto' ? {} : { NAS_STUDIO_BACKEND: backend };
}

async function start(): Promise<void> {
  const settings = await SettingsStore.open(app.getPath('userData'));
  const runsDir = settings.current.runsDir ?? path.join(app.getPath('userData'), 'runs');
  let mainWindow: BrowserWindow | undefined;

  serveAppProtocol(path.join(here, '../renderer'));
  installSessionSecurity(session.defaultSession, devOrigin);

  const emit = <E extends EventChannel>(channel: E, payload: EventPayloads[E]): void => {
    if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(channel, payload);
  };
  const engine = new EngineProcess({
    fork: (env) => utilityProcess.fork(path.join(here, 'engine-host.js'), [], { serviceName: 'NAS Studio engine', stdio: 'pipe', env: { ...process.env, ...backendEnv(settings.current.backend), ...env } }),
    runsDir,
    version: app.getVersion(),
    emit,
  });

  const handlers = appHandlers({
    version: app.getVersion(),
    invokeEngine: (channel, request) => engine.invoke(channel, request),
    pickedPaths: () => settings.current.pickedPaths,
    pickPath: async ({ kind, title }) => {
      const options: Electron.OpenDialogOptions = { title, properties: kind === 'folder' ? ['openDirectory', 'createDirectory'] : ['openFile'] };
      const picked = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
      const chosen = picked.canceled ? undefined : picked.filePaths[0];
      if (!chosen) return { path: null };
      await settings.addPickedPath(chosen);
      return { path: chosen };
    },
  });
  registerIpcRouter(ipcMain, handlers, (event) =>
    isTrustedSender(
      { frameUrl: event.senderFrame?.url, webContentsId: event.sender.id, isMainFrame: event.senderFrame?.parent === null },
      { origins: ownOrigins, webContentsId: mainWindow && !mainWindow.isDestroyed() ? mainWindow.webContents.id : undefined },
    ),
  );

  Menu.setApplicationMenu(
    buildAppMenu({
      openRunsFolder: () => void shell.openPath(runsDir),
      restartEngine: () => void engine.restart().catch((error: Error) => console.error(`engine restart failed: ${error.message}`)),
    }),
  );

  const openWindow = (): void => {
    mainWindow = createMainWindow({ settings, preload: path.join(here, '../preload/index.cjs'), url: devUrl ?? `${APP_ORIGIN}/index.html` });
  };
  openWindow();

  app.on('second-instance', () => {
    if (!mainWindow || mainWindow.isDestroyed()) return openWindow();
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) openWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('before-quit', () => engine.stop());
}
