import { InvalidArgumentError } from 'commander';

/** An error the user can act on: printed as one line, no stack trace, non-zero exit. */
export class UserFacingError extends Error {
  override name = 'UserFacingError';
}

export function positiveInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n <= 0) {
      throw new InvalidArgumentError(`${flag} must be a positive whole number, got '${value}'.`);
    }
    return n;
  };
}

export function nonNegativeInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) {
      throw new InvalidArgumentError(`${flag} must be a whole number ≥ 0, got '${value}'.`);
    }
    return n;
  };
}

export function positiveNumber(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${flag} must be a number > 0, got '${value}'.`);
    return n;
  };
}

export function nonNegativeNumber(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${flag} must be a number ≥ 0, got '${value}'.`);
    return n;
  };
}

export function oneOf<T extends string>(flag: string, allowed: readonly T[]) {
  return (value: string): T => {
    if (!(allowed as readonly string[]).includes(value)) {
      throw new InvalidArgumentError(`${flag} must be one of ${allowed.join(', ')}; got '${value}'.`);
    }
    return value as T;
  };
}

/** Prints an error as one line and exits non-zero; stack traces only with NAS_STUDIO_DEBUG=1. */
export function exitWithError(error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`nas-studio: ${message.split('\n')[0]}`);
  if (process.env.NAS_STUDIO_DEBUG && error instanceof Error) console.error(error.stack);
  process.exit(error instanceof UserFacingError ? 2 : 1);
}
