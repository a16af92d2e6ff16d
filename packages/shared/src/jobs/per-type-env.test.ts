import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseEnv } from '../env/parse-env';
import { perTypeNumbersEnv } from './per-type-env';

const Env = z.object({ LIMITS: perTypeNumbersEnv({ min: 1, max: 1_000 }) });

describe('perTypeNumbersEnv', () => {
  it('reads type=N pairs and is empty when unset', () => {
    expect(parseEnv(Env, { LIMITS: 'compute=3, page-extract=500' }).LIMITS).toEqual({ compute: 3, 'page-extract': 500 });
    expect(parseEnv(Env, {}).LIMITS).toEqual({});
  });

  it('names unknown types and bad numbers', () => {
    expect(() => parseEnv(Env, { LIMITS: 'nope=1,compute=0,sentiment=x' })).toThrow(
      /unknown job type "nope"[\s\S]*compute must be a whole number from 1 to 1000, got "0"[\s\S]*sentiment must be/,
    );
  });
});
