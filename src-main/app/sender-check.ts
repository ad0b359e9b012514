/**
 * Only the app's own page in the main window may call the contract. Chromium gives a registered
 * standard scheme (app://nas-studio) a real origin, but Node's URL reports "null" for non-special
 * schemes, so origins are compared as scheme + host.
 */
export function originOf(url: string | undefined | null): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.host ? `${parsed.protocol}//${parsed.host}` : undefined;
  } catch {
    return undefined;
  }
}

export interface SenderFacts {
  /** event.senderFrame?.url (null when the frame is gone) */
  frameUrl: string | undefined | null;
  /** event.sender.id */
  webContentsId: number;
  /** the frame is the top frame of its page (no iframes) */
  isMainFrame: boolean;
}

export interface TrustedSenders {
  origins: readonly string[];
  /** The main window's webContents id, when there is a window. */
  webContentsId: number | undefined;
}

export function isTrustedSender(sender: SenderFacts, trusted: TrustedSenders): boolean {
  const origin = originOf(sender.frameUrl);
  return (
    trusted.webContentsId !== undefined &&
    sender.webContentsId === trusted.webContentsId &&
    sender.isMainFrame &&
    origin !== undefined &&
    trusted.origins.includes(origin)
  );
}
