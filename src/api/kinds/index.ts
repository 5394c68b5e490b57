// Every built-in kind, one module per kind. Adding a kind = one entry here.
import type { ResourceType } from '../resource.ts';

export const kinds: ResourceType[] = [];
