// src/log: one env var, one default.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_LOG_LEVEL, LOG_LEVEL_ENV, logLevel, newLogger, silentLogger } from '../../src/log/index.ts';

test('logLevel reads KUBESIM_LOG_LEVEL, else the one default', () => {
  assert.equal(LOG_LEVEL_ENV, 'KUBESIM_LOG_LEVEL');
  const cases: [NodeJS.ProcessEnv, string][] = [
    [{}, 'info'],
    [{ KUBESIM_LOG_LEVEL: '' }, 'info'],
    [{ KUBESIM_LOG_LEVEL: 'debug' }, 'debug'],
    [{ KUBESIM_LOG_LEVEL: 'silent' }, 'silent'],
    // The old scheduler/node variable is not read.
    [{ LOG_LEVEL: 'debug' }, 'info'],
  ];
  for (const [env, want] of cases) assert.equal(logLevel(env), want, JSON.stringify(env));
  assert.equal(DEFAULT_LOG_LEVEL, 'info');
});

test('newLogger takes the environment level and name; silentLogger writes nothing', () => {
  const l = newLogger({ name: 'x' });
  assert.equal(l.level, logLevel());
  assert.equal(silentLogger.level, 'silent');
});
