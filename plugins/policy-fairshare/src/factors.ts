/**
 * The factors of a job's FairShare score, each a pure function of plain numbers.
 *
 * score = w_wait·age + w_uf·F_user + w_pf·F_project + w_up·P_user + w_pp·P_project
 * where F = 2^(-usage_share/target_share) and P = priority/100 are in [0, 1], and the age factor
 * is unbounded and convex, so the waiting time always ends up outweighing the bounded rest.
 */

/** Fair-share factor: 1 with no usage, 1/2 at exactly the target share, towards 0 above it. */
export function fairShareFactor(usageShare: number, targetShare: number): number {
  if (!(targetShare > 0)) return 0;
  // exp rather than 2 ** x: the same value, measurably cheaper on the per-step path.
  return Math.exp((-Math.LN2 * Math.max(0, usageShare)) / targetShare);
}

/**
 * Age factor of a job that waited `ageMs`: linear up to `maxAgeMs` (where it is 1), then
 * x + (x-1)² with x = age/max_age. Below max_age, two jobs' age difference is worth the same at
 * any age, so fair share decides between jobs of similar age; beyond it the advantage of an
 * older job over a younger one grows without bound, so no job starves.
 */
export function ageFactor(ageMs: number, maxAgeMs: number): number {
  const x = ageMs > 0 ? ageMs / maxAgeMs : 0;
  return x <= 1 ? x : x + (x - 1) * (x - 1);
}

/** The waiting time (ms) at which the age factor reaches `factor` (inverse of `ageFactor`). */
export function ageForFactor(factor: number, maxAgeMs: number): number {
  if (!(factor > 0)) return 0;
  if (factor <= 1) return factor * maxAgeMs;
  // x + (x-1)² = f  <=>  u² + u + 1 - f = 0 with u = x - 1
  return (1 + (Math.sqrt(4 * factor - 3) - 1) / 2) * maxAgeMs;
}

/** The factor weights of the score. */
export interface Weights {
  waiting_time: number;
  user_fairshare: number;
  project_fairshare: number;
  user_priority: number;
  project_priority: number;
}

/** The largest score difference the non-age factors can make (each factor is in [0, 1]). */
export function boundedSpan(w: Weights): number {
  return w.user_fairshare + w.project_fairshare + w.user_priority + w.project_priority;
}
