/**
 * Plugin contracts. A plugin default-exports a definition `{ kind, name, configSchema, create }`;
 * built-ins are listed in one static registry per process; unknown or duplicate names fail at
 * startup. Plugins depend on core only.
 */
import type { z } from 'zod';
import { GodError } from './errors.js';

/** The kinds of plugin god has. */
export type PluginKind = 'policy' | 'executor' | 'auth' | 'watcher';

/** What every plugin gets besides its own config. */
export interface PluginContext {
  /** A pino-compatible logger scoped to the plugin. */
  logger: PluginLogger;
  /** Clock in epoch ms (tests and simulations pass their own). */
  now(): number;
}

/** The logging surface plugins may use: constant messages, data in fields. */
export interface PluginLogger {
  debug(fields: object, msg: string): void;
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
  error(fields: object, msg: string): void;
}

/** A plugin: its kind, unique name, config schema and factory (with its kind's context). */
export interface PluginDefinition<
  K extends PluginKind,
  S extends z.ZodType,
  I,
  C extends PluginContext = PluginContext,
> {
  kind: K;
  name: string;
  /** Validates the plugin's section of the config (defaults filled by the schema). */
  configSchema: S;
  create(config: z.output<S>, ctx: C): I;
}

/** A static registry of plugins of one kind, keyed by name (case-insensitive). */
export interface PluginRegistry<D extends { kind: PluginKind; name: string }> {
  get(name: string): D;
  names(): string[];
}

/** Builds a registry; a duplicate name or a wrong kind throws at once (startup). */
export function createRegistry<D extends { kind: PluginKind; name: string }>(
  kind: PluginKind,
  defs: readonly D[],
): PluginRegistry<D> {
  const byName = new Map<string, D>();
  for (const def of defs) {
    if (def.kind !== kind)
      throw new GodError(
        'INVALID_CONFIG',
        `plugin ${def.name} is a ${def.kind} plugin, not ${kind}`,
      );
    const key = def.name.toLowerCase();
    if (byName.has(key))
      throw new GodError('INVALID_CONFIG', `two ${kind} plugins are named ${def.name}`);
    byName.set(key, def);
  }
  return {
    get(name) {
      const def = byName.get(name.toLowerCase());
      if (def === undefined) {
        throw new GodError(
          'INVALID_CONFIG',
          `unknown ${kind} plugin "${name}" (known: ${[...byName.values()].map((d) => d.name).join(', ')})`,
        );
      }
      return def;
    },
    names: () => [...byName.values()].map((d) => d.name),
  };
}
