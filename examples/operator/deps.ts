// Everything the operator takes from kubesim, in one place: its client machinery and Status errors.
export * from '../../src/client/index.ts';
export { isStatusError } from '../../src/api/errors.ts';
