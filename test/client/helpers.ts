// Re-exports for client tests, plus a loose object type for handlers.
export * from '../../src/client/index.ts';
import type { KubeObject } from '../../src/api/types.ts';
export type KubeObjectLike = KubeObject;
