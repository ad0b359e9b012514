import { describe, expect, it } from 'vitest';
import { startupFailureMessage } from '../../src-main/app/startup-failure.js';

describe('app start-up failures', () => {
  it('read as one line with the reason in words', () => {
    const error = Object.assign(new Error("EACCES: permission denied, open '/home/u/.config/NAS Studio/settings.json'"), { code: 'EACCES', path: '/home/u/.config/NAS Studio/settings.json' });
    const line = startupFailureMessage(error);
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toMatch(/^NAS Studio could not start: .*settings\.json.*\(permission denied\)$/);
  });
});
