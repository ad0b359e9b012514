import { app, Menu, type MenuItemConstructorOptions } from 'electron';
import { openExternally } from './security.js';

export interface MenuActions {
  openRunsFolder(): void;
  restartEngine(): void;
}

export function buildAppMenu(actions: MenuActions): Menu {
  const isMac = process.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [{ label: 'Open Runs Folder', click: () => actions.openRunsFolder() }, { type: 'separator' }, isMac ? { role: 'close' } : { role: 'quit' }],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        ...(app.isPackaged ? [] : [{ role: 'toggleDevTools' as const }]),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { label: 'Engine', submenu: [{ label: 'Restart Engine', click: () => actions.restartEngine() }] },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [
        { label: 'DARTS (Liu et al., 2019)', click: () => openExternally('https://arxiv.org/abs/1806.09055') },
        { label: 'GDAS (Dong & Yang, 2019)', click: () => openExternally('https://arxiv.org/abs/1910.04465') },
      ],
    },
  ];
  return Menu.buildFromTemplate(template);
}
