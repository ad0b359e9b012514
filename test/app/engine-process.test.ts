import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { EngineProcess, type UtilityLike } from '../../src-main/app/engine-process.js';
import type { EventChannel, EventPayloads } from '../../src-main/contract/channels.js';
import { startEngineHost } from '../../src-main/engine-host/host.js';
import type { HostEndpoint, RequestMessage } from '../../src-main/engine-host/protocol.js';
import { fakeRunSearch, tempRunsDir } from '../engine-host/helpers.js';

/** A stand-in for Electron's UtilityProcess: the real engine host, in this thread, behind the same events. */
class FakeUtility extends EventEmitter implements UtilityLike {
  private readonly hostListeners = new Set<(message: RequestMessage) => void>();
  killed = false;
  constructor(runsDir: string, steps: number) {
    super();
    const endpoint: HostEndpoint = {
      post: (message) => setImmediate(() => !this.killed && this.emit('message', structuredClone(message))),
      onMessage: (listener) => (this.hostListeners.add(listener), () => this.hostListeners.delete(listener)),
    };
    startEngineHost(endpoint, { runsDir, version: '1', mode: 'electron', engine: { runSearch: fakeRunSearch(steps, 2) } });
    setImmediate(() => this.emit('spawn'));
  }
  postMessage(message: unknown): void {
    if (this.killed) return;
    setImmediate(() => this.hostListeners.forEach((listener) => listener(structuredClone(message) as RequestMessage)));
  }
  crash(code: number): void {
    this.killed = true;
    this.emit('exit', code);
  }
  kill(): boolean {
    this.crash(0);
    return true;
  }
}

function setup(steps = 300) {
  const children: FakeUtility[] = [];
  const events: { channel: EventChannel; payload: unknown }[] = [];
  const engine = new EngineProcess({
    fork: () => {
      const child = new FakeUtility(tempRunsDir(), steps);
      children.push(child);
      return child;
    },
    runsDir: '/unused',
    version: '1',
    emit: (channel, payload) => events.push({ channel, payload }),
    log: () => undefined,
  });
  const states = () => events.filter((e) => e.channel === 'engine:status').map((e) => (e.payload as EventPayloads['engine:status']).state);
  return { engine, children, events, states };
}

describe('EngineProcess', () => {
  it('starts the engine on the first request only, and forwards its events', async () => {
    const { engine, children, states } = setup(5);
    expect(children).toHaveLength(0);
    expect(await engine.invoke('app:info', {})).toMatchObject({ result: { mode: 'electron' } });
    await engine.invoke('app:info', {});
    expect(children).toHaveLength(1);
    expect(states()).toEqual(['starting', 'ready']);
  });

  it('reports a crash, fails requests in flight and the run it had, and restarts on the next request', async () => {
    const { engine, children, events, states } = setup();
    const started = await engine.invoke('search:start', { config: {} });
    const runId = 'result' in started ? started.result.runId : '';
    await new Promise((resolve) => setTimeout(resolve, 20));
    const inFlight = engine.invoke('runs:list', {});
    children[0]?.crash(134);
    expect(await inFlight).toMatchObject({ error: { name: 'EngineCrashed', message: expect.stringMatching(/exit code 134/) } });
    expect(events).toContainEqual({ channel: 'run:status', payload: { runId, status: 'failed', error: expect.stringMatching(/stopped unexpectedly/) } });
    expect(states()).toEqual(['starting', 'ready', 'crashed']);
    expect(await engine.invoke('app:info', {})).toMatchObject({ result: { version: '1' } });
    expect(children).toHaveLength(2);
    expect(states()).toEqual(['starting', 'ready', 'crashed', 'restarting', 'ready']);
  });

  it('a deliberate stop is not a crash', async () => {
    const { engine, states } = setup(5);
    await engine.invoke('app:info', {});
    engine.stop();
    expect(states()).toEqual(['starting', 'ready']);
    expect(engine.running).toBe(false);
  });
});
