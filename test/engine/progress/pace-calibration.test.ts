import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRatios, recordRatios } from '../../../src-main/engine/progress/pace-calibration.js';
import { defaultRatios } from '../../../src-main/engine/progress/stage-work.js';
import { resolveConfig } from '../../../src-main/engine/search/presets.js';

const config = resolveConfig({ data: { kind: 'builtin', name: 'mnist' }, workers: 2 });
const temp = () => path.join(mkdtempSync(path.join(os.tmpdir(), 'nas-pace-')), 'progress-calibration.json');

describe("this machine's pace calibration", () => {
  it('uses the median of the last five runs, per ratio, and the defaults for the rest', () => {
    const file = temp();
    for (const value of [100, 400, 200, 900, 300, 250]) recordRatios(config, { rankUnits: value }, file);
    // The first (100) is dropped: the last five are 400, 200, 900, 300, 250.
    expect(loadRatios(config, file)).toEqual({ ...defaultRatios(config), rankUnits: 300 });
  });

  it('keeps other model sizes apart, writes nothing for a run that measured nothing, and survives a broken file', () => {
    const file = temp();
    recordRatios({ ...config, channels: 4, cells: 1 }, { latencySeconds: 99 }, file);
    expect(loadRatios(config, file)).toEqual(defaultRatios(config));
    const other = temp();
    recordRatios(config, {}, other);
    expect(existsSync(other)).toBe(false);
    writeFileSync(other, '{ not json');
    expect(loadRatios(config, other)).toEqual(defaultRatios(config));
    recordRatios(config, { latencySeconds: 5 }, other);
    expect(loadRatios(config, other).latencySeconds).toBe(5);
  });
});
