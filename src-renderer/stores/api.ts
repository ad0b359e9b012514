import { writable } from 'svelte/store';
import { createClient } from '../lib/client/index.js';
import type { InvokeChannel, InvokeRequest, InvokeResponses, NasStudioApi } from '../../src-main/contract/channels.js';
import { errorMessage } from '../lib/format.js';

/** Errors shown in the banner: one per failed call, newest last; the user dismisses them. */
export interface ShownError {
  id: number;
  title: string;
  message: string;
}

export const errors = writable<ShownError[]>([]);
let nextId = 1;

export function showError(title: string, error: unknown): void {
  const message = errorMessage(error);
  errors.update((list) => [...list.filter((e) => e.message !== message || e.title !== title), { id: nextId++, title, message }].slice(-5));
}

export function dismissError(id: number): void {
  errors.update((list) => list.filter((e) => e.id !== id));
}

export function clearErrors(): void {
  errors.set([]);
}

let client: NasStudioApi | undefined;
export function api(): NasStudioApi {
  client ??= createClient();
  return client;
}

/** For tests and storybook-like pages: use another client (e.g. a fake). */
export function useClient(other: NasStudioApi): void {
  client = other;
}

/**
 * Invokes a channel; a rejection is shown in the error banner (titled `what`) and rethrown so the
 * caller can stop. Use `api().invoke` directly where a failure is expected and shown in place.
 */
export async function invoke<C extends InvokeChannel>(channel: C, request: InvokeRequest<C>, what: string): Promise<InvokeResponses[C]> {
  try {
    return await api().invoke(channel, request);
  } catch (error) {
    showError(what, error);
    throw error;
  }
}
