// Whether a child process has ended: shared by children.ts and heapflags.ts (a leaf, so neither imports the other's users).
import type { ChildProcess } from 'node:child_process';

/** Whether a child has exited (or was killed by a signal). */
export const hasExited = (c: ChildProcess) => c.exitCode !== null || c.signalCode !== null;
