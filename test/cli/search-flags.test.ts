import { describe, expect, it } from 'vitest';
import { SearchConfigSchema } from '../../src-main/contract/search-config.js';
import { configFromFlags, searchCommand } from '../../src-main/cli/search.command.js';

/** Parses flags as `nas-studio search` would, without running the search. */
async function parse(args: string[]): Promise<Record<string, unknown>> {
  const command = searchCommand().exitOverride().configureOutput({ writeErr: () => undefined });
  command.action(() => undefined);
  await command.parseAsync(args, { from: 'user' });
  return command.opts();
}

describe('search flags', () => {
  it('accepts --latency-weight 0, as the config schema does, and passes it on', async () => {
    const flags = await parse(['--latency-weight', '0']);
    expect(flags.latencyWeight).toBe(0);
    const config = await configFromFlags({ out: 'runs', strategy: 'fbnet', latencyWeight: flags.latencyWeight as number });
    expect(SearchConfigSchema.parse(config).latencyWeight).toBe(0);
  });

  it('refuses a latency target or weight for a strategy that would ignore it, saying which reads it', async () => {
    for (const strategy of ['rank-race', 'darts', 'gdas', 'pcdarts', 'random'] as const) {
      const result = SearchConfigSchema.safeParse(await configFromFlags({ out: 'runs', strategy, latencyTargetMs: 5 }));
      expect(result.success).toBe(false);
      expect(result.error!.issues[0].message).toMatch(new RegExp(`latency-aware search only \\(strategy fbnet\\), not by ${strategy}`));
    }
    expect(SearchConfigSchema.safeParse(await configFromFlags({ out: 'runs', strategy: 'fbnet', latencyTargetMs: 5 })).success).toBe(true);
    // The size budget binds every strategy, so it is accepted everywhere.
    expect(SearchConfigSchema.safeParse(await configFromFlags({ out: 'runs', strategy: 'gdas', maxParams: 5000 })).success).toBe(true);
  });

  it('still refuses a negative or non-numeric latency weight', async () => {
    await expect(parse(['--latency-weight', '-1'])).rejects.toThrow(/--latency-weight must be a number ≥ 0/);
    await expect(parse(['--latency-weight', 'abc'])).rejects.toThrow(/--latency-weight/);
  });

  it('passes the HAR recordings flags on: rate, window and stride in seconds, channel columns', async () => {
    const flags = await parse(['--task', 'har', '--sample-rate', '26', '--window-seconds', '2', '--stride-seconds', '0.5', '--columns', 'ax, ay,az']);
    const config = SearchConfigSchema.parse(await configFromFlags({ out: 'runs', ...flags }));
    expect(config).toMatchObject({ sampleRateHz: 26, windowSeconds: 2, strideSeconds: 0.5, columns: ['ax', 'ay', 'az'] });
    await expect(parse(['--sample-rate', '0'])).rejects.toThrow(/--sample-rate/);
  });
});
