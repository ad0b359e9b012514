import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../src-main/engine/search/presets.js';

describe('the space a search uses when none is chosen', () => {
  it("is the task's own: the mobile chain for images, DARTS cells for denoising, 1-D cells for sensor windows", () => {
    expect(resolveConfig({}).space).toBe('chain');
    expect(resolveConfig({ task: 'denoising' }).space).toBe('darts');
    expect(resolveConfig({ task: 'har', data: { kind: 'builtin', name: 'har-synthetic' } }).space).toBe('har1d');
  });

  it('gives way to a chosen space; DARTS cells for HAR are the 1-D ones', () => {
    expect(resolveConfig({ space: 'darts' }).space).toBe('darts');
    expect(resolveConfig({ space: 'nb201', task: 'denoising' }).space).toBe('nb201');
    expect(resolveConfig({ task: 'har', space: 'darts', data: { kind: 'builtin', name: 'har-synthetic' } }).space).toBe('har1d');
  });
});
