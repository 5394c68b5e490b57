// The one logger setup: pino, its level from KUBESIM_LOG_LEVEL (one default, "info"). Every layer
// may import this; it imports nothing of ours. Tests stay quiet because scripts/run-tests.js sets
// KUBESIM_LOG_LEVEL for the test processes when it is unset, not through a second default here.
import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/** The environment variable every component reads its log level from. */
export const LOG_LEVEL_ENV = 'KUBESIM_LOG_LEVEL';
/** The level when KUBESIM_LOG_LEVEL is unset or empty. */
export const DEFAULT_LOG_LEVEL = 'info';

/** The log level the environment asks for (pino's names: trace, debug, info, warn, error, fatal, silent). */
export function logLevel(env: NodeJS.ProcessEnv = process.env): string {
  return env[LOG_LEVEL_ENV] || DEFAULT_LOG_LEVEL;
}

export interface NewLoggerOptions {
  /** pino's `name` field on every line. */
  name?: string;
  /** Where lines go (default stdout; a process of its own logs to stderr, keeping stdout for its output). */
  destination?: 'stdout' | 'stderr';
}

/** A root logger at the environment's level. */
export function newLogger(opts: NewLoggerOptions = {}): Logger {
  const options = { level: logLevel(), ...(opts.name !== undefined ? { name: opts.name } : {}) };
  return opts.destination === 'stderr' ? pino(options, pino.destination(2)) : pino(options);
}

/** The logger of a process of its own (`kubesim apiserver`, `kubesim controller-manager`): named, to stderr. */
export function processLogger(name: string): Logger {
  return newLogger({ name, destination: 'stderr' });
}

/** For building blocks given no logger (a controller loop, an event recorder): writes nothing. */
export const silentLogger: Logger = pino({ level: 'silent' });
