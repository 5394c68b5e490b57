#!/usr/bin/env node
// Entry point of the `kubesim` command: TypeScript sources run through tsx's loader. Commands that
// want a larger V8 young generation (`kubesim simulate`) re-execute node with it first
// (src/process/heapflags.ts): this process then only waits for its child and passes signals on.
import { register } from 'tsx/esm/api';
register();
const { reexecWithYoungGeneration } = await import('../src/process/heapflags.ts');
const child = reexecWithYoungGeneration(process.argv[2]);
if (child) await child;
else await import('../src/cli/main.ts');
