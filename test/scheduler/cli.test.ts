// `kubesim scheduler` rejects a bad policy with a message and exit code 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

test('kubesim scheduler --policy with an unknown value exits 2 naming the allowed policies', () => {
  const r = spawnSync(process.execPath, [path.join(root, 'bin/kubesim.js'), 'scheduler', '--policy', 'fastest', '--kubeconfig', '/nonexistent'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--policy must be one of spread, binpack, round-robin \(got "fastest"\)/);
});
