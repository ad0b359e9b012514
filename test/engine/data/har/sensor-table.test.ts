import { describe, expect, it } from 'vitest';
import { channelCandidates, parseSensorTable } from '../../../../src-main/engine/data/har/sensor-table.js';
import { rateFromFileName, rateFromTimes, recordingRate } from '../../../../src-main/engine/data/har/sample-rate.js';
import { resampleRecording } from '../../../../src-main/engine/data/har/resample.js';

describe('parseSensorTable', () => {
  it.each([
    [',', '1,2,3\n4,5,6\n'],
    [';', '1;2;3\n4;5;6\n'],
    ['\t', '1\t2\t3\n4\t5\t6\n'],
    [' ', '  1   2 3\n4  5   6\n'],
  ])('reads headerless rows separated by %j', (delimiter, text) => {
    const t = parseSensorTable('rec.txt', text);
    expect(t.delimiter).toBe(delimiter);
    expect(t.hasHeader).toBe(false);
    expect(t.columns).toEqual(['col1', 'col2', 'col3']);
    expect([...t.values[2]]).toEqual([3, 6]);
    expect(t.timeColumn).toBeUndefined();
  });

  it('reads a header, finds the time column and its unit, and leaves a label column out of the channels', () => {
    const t = parseSensorTable('rec.csv', 'time_ms;acc x;acc y;label\r\n0;1,5;2;walk\r\n20;1,25;2;walk\r\n40;1;2;walk\r\n');
    expect(t.hasHeader).toBe(true);
    expect(t.timeColumn).toBe(0);
    expect(t.timeUnit).toBe(1e-3);
    expect([...t.values[1]]).toEqual([1.5, 1.25, 1]); // decimal commas when ';' separates
    expect(channelCandidates(t)).toEqual(['acc x', 'acc y']);
  });

  it('takes a headerless first column that always increases as time', () => {
    const t = parseSensorTable('rec.csv', '0.00,1,2\n0.04,3,1\n0.08,2,2\n0.12,1,1\n');
    expect(t.timeColumn).toBe(0);
    expect(channelCandidates(t)).toEqual(['col2', 'col3']);
  });

  it('names file and line of a ragged row, text in a number column, NaN and an empty cell', () => {
    expect(() => parseSensorTable('walk/a.csv', '1,2,3\n4,5,6\n7,8\n')).toThrow('walk/a.csv:3: 2 columns, but line 1 has 3');
    expect(() => parseSensorTable('walk/b.csv', 'x,y,z\n1,2,3\n1,oops,3\n')).toThrow('walk/b.csv:3: column "y" is "oops", not a number');
    expect(() => parseSensorTable('walk/c.csv', '1,2,3\n1,NaN,3\n')).toThrow('walk/c.csv:2: column "col2" is NaN, not a measured value');
    expect(() => parseSensorTable('walk/d.csv', '1,2,3\n\n1,,3\n')).toThrow('walk/d.csv:3: column "col2" is empty');
    expect(() => parseSensorTable('walk/e.csv', '\n\n')).toThrow('walk/e.csv: empty file');
  });
});

describe('sample rate', () => {
  it('comes from the file name', () => {
    expect(rateFromFileName('/data/walk/walk_01_26Hz.csv')).toBe(26);
    expect(rateFromFileName('run-12.5hz.txt')).toBe(12.5);
    expect(rateFromFileName('run-01.txt')).toBeUndefined();
  });

  it('comes from timestamps in s, ms or ns, judged by the step', () => {
    const steps = (step: number) => Float64Array.from({ length: 50 }, (_, i) => 1_700_000_000 * (step > 1 ? 1 : 0) + i * step);
    expect(rateFromTimes('f', steps(1 / 26)).rateHz).toBeCloseTo(26, 6);
    expect(rateFromTimes('f', steps(20)).rateHz).toBeCloseTo(50, 6); // ms
    expect(rateFromTimes('f', steps(1e7)).rateHz).toBeCloseTo(100, 6); // ns
    expect(() => rateFromTimes('f', Float64Array.from([0, 1, 1, 2]))).toThrow('f: the time column does not increase at data row 3');
  });

  it('prefers the time column, then the configured rate, then the file name; else says how to give one', () => {
    const timed = parseSensorTable('walk_50Hz.csv', 't,x\n0,1\n0.04,2\n0.08,3\n');
    expect(recordingRate(timed, 10)).toMatchObject({ rateHz: 25, source: 'timestamps' });
    const plain = parseSensorTable('walk_50Hz.csv', '1,2\n2,1\n');
    expect(recordingRate(plain, 10)).toMatchObject({ rateHz: 10, source: 'config' });
    expect(recordingRate(plain)).toMatchObject({ rateHz: 50, source: 'file name' });
    expect(() => recordingRate(parseSensorTable('walk.csv', '1,2\n2,1\n'))).toThrow(/walk\.csv: no time column and no sample rate: give one \(the wizard's sample rate field, --sample-rate <Hz>/);
  });
});

describe('resampleRecording', () => {
  const sine = (hz: number, seconds: number, f: number) => Float32Array.from({ length: Math.round(hz * seconds) }, (_, i) => Math.sin(2 * Math.PI * f * (i / hz)));

  it('52 Hz → 26 Hz keeps a 1 Hz motion and halves the samples', () => {
    const out = resampleRecording(sine(52, 10, 1), 1, 26, { sourceHz: 52 });
    expect(out.length).toBe(260);
    const want = sine(26, 10, 1);
    let err = 0;
    // (the first and last samples average fewer neighbours)
    for (let i = 1; i < out.length - 1; i++) err = Math.max(err, Math.abs(out[i] - want[i]));
    expect(err).toBeLessThan(0.05);
  });

  it('puts jittered timestamps on a regular grid', () => {
    const times = Float64Array.from({ length: 100 }, (_, i) => i / 20 + (i % 2 ? 0.01 : 0));
    const values = Float32Array.from(times, (t) => 2 * t);
    const out = resampleRecording(values, 1, 20, { sourceHz: 20, times });
    expect(out[10]).toBeCloseTo(1.0, 5);
    expect(out[51]).toBeCloseTo(5.1, 5);
  });
});
