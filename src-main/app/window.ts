import { BrowserWindow, screen } from 'electron';
import type { SettingsStore, WindowBounds } from './settings.store.js';

function visibleOnSomeDisplay(bounds: WindowBounds): boolean {
  return screen.getAllDisplays().some(({ workArea }) => bounds.x < workArea.x + workArea.width && bounds.x + bounds.width > workArea.x && bounds.y < workArea.y + workArea.height && bounds.y + bounds.height > workArea.y);
}

/** The one window: sandboxed, isolated, no Node; its size and place remembered across starts. */
export function createMainWindow(options: { settings: SettingsStore; preload: string; url: string }): BrowserWindow {
  const saved = options.settings.current.windowBounds;
  const bounds = saved && visibleOnSomeDisplay(saved) ? saved : undefined;
  const window = new BrowserWindow({
    width: bounds?.width ?? 1280,
    height: bounds?.height ?? 820,
    ...(bounds ? { x: bounds.x, y: bounds.y } : {}),
    minWidth: 800,
    minHeight: 560,
    show: false,
    title: 'NAS Studio',
    backgroundColor: '#111318',
    webPreferences: {
      preload: options.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      // Middle-click would open links in a new window behind the window-open handler's back.
      disableBlinkFeatures: 'Auxclick',
    },
  });
  if (bounds?.maximized) window.maximize();
  window.once('ready-to-show', () => window.show());
  window.on('close', () => {
    const { x, y, width, height } = window.getNormalBounds();
    void options.settings.update((settings) => ({ ...settings, windowBounds: { x, y, width, height, maximized: window.isMaximized() } }));
  });
  void window.loadURL(options.url);
  return window;
}
