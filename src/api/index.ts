// The resource model's public surface (a barrel): import from here or from the modules directly.
export * from './types.ts';
export * from './errors.ts';
export * from './resource.ts';
export { Registry, registry } from './registry.ts';
export * from './schema.ts';
export * from './validation.ts';
export * from './quantity.ts';
export * from './labels.ts';
export * from './fields.ts';
export * from './duration.ts';
export * from './meta.ts';
export * from './subresources.ts';
export * from './kinds/helpers.ts';
export * from './core/index.ts';
