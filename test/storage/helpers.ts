// Temp data dirs for storage tests.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function tempDir(): { dir: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubesim-'));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
