import { describe, expect, it } from 'vitest';
import { isTrustedSender, originOf } from '../../src-main/app/sender-check.js';

const trusted = { origins: ['app://nas-studio'], webContentsId: 7 };

describe('isTrustedSender', () => {
  it('accepts the main window showing the app’s own page', () => {
    expect(isTrustedSender({ frameUrl: 'app://nas-studio/index.html#/runs', webContentsId: 7, isMainFrame: true }, trusted)).toBe(true);
  });

  it('refuses a foreign frame URL, an iframe, another window, a closed frame, or no window at all', () => {
    expect(isTrustedSender({ frameUrl: 'https://evil.example/', webContentsId: 7, isMainFrame: true }, trusted)).toBe(false);
    expect(isTrustedSender({ frameUrl: 'app://nas-studio.evil/index.html', webContentsId: 7, isMainFrame: true }, trusted)).toBe(false);
    expect(isTrustedSender({ frameUrl: 'file:///work/main/out/renderer/index.html', webContentsId: 7, isMainFrame: true }, trusted)).toBe(false);
    expect(isTrustedSender({ frameUrl: 'app://nas-studio/index.html', webContentsId: 7, isMainFrame: false }, trusted)).toBe(false);
    expect(isTrustedSender({ frameUrl: 'app://nas-studio/index.html', webContentsId: 8, isMainFrame: true }, trusted)).toBe(false);
    expect(isTrustedSender({ frameUrl: null, webContentsId: 7, isMainFrame: true }, trusted)).toBe(false);
    expect(isTrustedSender({ frameUrl: 'app://nas-studio/index.html', webContentsId: 7, isMainFrame: true }, { ...trusted, webContentsId: undefined })).toBe(false);
  });

  it('compares custom-scheme origins by scheme and host (Node reports them as "null")', () => {
    expect(new URL('app://nas-studio/x').origin).toBe('null');
    expect(originOf('app://nas-studio/x')).toBe('app://nas-studio');
    expect(originOf('http://localhost:5173/a?b')).toBe('http://localhost:5173');
    expect(originOf('not a url')).toBeUndefined();
  });
});
