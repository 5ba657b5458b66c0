/** The `local` auth plugin: god's own user records, with scrypt password hashes. */
import type { AuthContext, AuthDefinition, AuthPlugin, PasswordSetter } from '@god/core';
import { z } from 'zod';
import { createLocalAuth } from './local.js';
import { costProblem, COST_CEILING, COST_FLOOR, DEFAULT_COST } from './scrypt.js';

/** Settings under `plugins.local`: the scrypt cost of new hashes, never under the floor. */
export const LocalAuthConfigSchema = z
  .strictObject({
    /** log2 of scrypt's N (CPU and memory cost). */
    scrypt_log_n: z
      .number()
      .int()
      .min(COST_FLOOR.logN)
      .max(COST_CEILING.logN)
      .default(DEFAULT_COST.logN),
    /** scrypt's block size r. */
    scrypt_r: z.number().int().min(COST_FLOOR.r).max(COST_CEILING.r).default(DEFAULT_COST.r),
    /** scrypt's parallelism p. */
    scrypt_p: z.number().int().min(COST_FLOOR.p).max(COST_CEILING.p).default(DEFAULT_COST.p),
  })
  .superRefine((s, ctx) => {
    const problem = costProblem({ logN: s.scrypt_log_n, r: s.scrypt_r, p: s.scrypt_p });
    if (problem !== null)
      ctx.addIssue({ code: 'custom', path: ['scrypt_log_n'], message: problem });
  })
  .prefault({});
/** The resolved settings. */
export type LocalAuthConfig = z.output<typeof LocalAuthConfigSchema>;

/** Creates the plugin from its settings. */
export function createLocal(
  config: LocalAuthConfig,
  ctx: AuthContext,
): AuthPlugin & PasswordSetter {
  return createLocalAuth(
    { logN: config.scrypt_log_n, r: config.scrypt_r, p: config.scrypt_p },
    ctx,
  );
}

/** The `local` auth definition, as listed in the auth plugin registry. */
export const localAuth: AuthDefinition<typeof LocalAuthConfigSchema> = {
  kind: 'auth',
  name: 'local',
  configSchema: LocalAuthConfigSchema,
  create: createLocal,
};

export default localAuth;

export {
  COST_CEILING,
  COST_FLOOR,
  DEFAULT_COST,
  HashFormatError,
  hashPassword,
  parseHash,
  verifyPassword,
} from './scrypt.js';
export type { ParsedHash, ScryptCost } from './scrypt.js';
