// Namespace (core/v1, cluster-scoped). Created Active with the "kubernetes" finalizer.
import { invalidValue } from '../errors.ts';
import type { FieldError } from '../errors.ts';
import { age, ageColumn, col, defineKind, keepOldSpec, keepOldStatus, pathGetter } from '../meta.ts';
import { list, obj, str } from '../schema.ts';
import { fromChecks, isQualifiedName, nameIsDNSLabel } from '../validation.ts';
import { conditionsSchema } from './common.ts';
import { deepCopy } from '../core/json.ts';

export const namespace = defineKind({
  group: '',
  version: 'v1',
  kind: 'Namespace',
  plural: 'namespaces',
  shortNames: ['ns'],
  namespaced: false,
  subresources: { status: true },
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  fieldSelectors: { 'status.phase': pathGetter('status.phase') },
  nameValidator: nameIsDNSLabel,
  description: 'Namespace provides a scope for Names.',
  fields: {
    spec: obj('Spec defines the behavior of the Namespace.', {
      finalizers: list('Finalizers is an opaque list of values that must be empty to permanently remove object from storage.', str(), { listType: 'atomic' }),
    }),
    status: obj('Status describes the current status of a Namespace.', {
      phase: str('Phase is the current lifecycle phase of the namespace: Active or Terminating.'),
      conditions: conditionsSchema('Represents the latest available observations of a namespace\'s current state.'),
    }),
  },
  defaults: (o) => {
    // Every namespace carries its own name as a label (NamespaceDefaultLabelName, 1.21+).
    if (o.metadata.name) (o.metadata.labels ??= {})['kubernetes.io/metadata.name'] = o.metadata.name;
    const st = (o.status ??= {});
    if (!st.phase) st.phase = 'Active';
  },
  validate: (o) => {
    const errs: FieldError[] = [];
    for (const f of o.spec?.finalizers ?? []) {
      const msgs = isQualifiedName(f);
      if (!f.includes('/') && f !== 'kubernetes') msgs.push('name is neither a standard finalizer name nor is it fully qualified');
      errs.push(...fromChecks('spec.finalizers', f, msgs));
    }
    const phase = o.status?.phase;
    if (phase && phase !== 'Active' && phase !== 'Terminating') errs.push(invalidValue('status.phase', phase, 'must be Active or Terminating'));
    return errs;
  },
  // A deleted namespace goes Terminating and stays until the namespace controller has emptied it
  // and cleared spec.finalizers through /finalize.
  deletion: {
    extraFinalizers: (o) => (Array.isArray(o.spec?.finalizers) ? o.spec.finalizers : []),
    markDeleting: (o) => {
      o.status = { ...(o.status ?? {}), phase: 'Terminating' };
    },
  },
  strategy: {
    prepareForCreate: (o) => {
      o.status = { phase: 'Active' };
      const spec = (o.spec ??= {});
      const fins: string[] = (spec.finalizers ??= []);
      if (!fins.includes('kubernetes')) fins.push('kubernetes');
    },
    // spec.finalizers change only through /finalize (the namespace controller); a main update
    // keeps them and the status, as namespaceStrategy.PrepareForUpdate does.
    prepareForUpdate: (o, old) => {
      keepOldStatus(o, old);
      if (old.spec?.finalizers !== undefined) (o.spec ??= {}).finalizers = deepCopy(old.spec.finalizers);
      else if (o.spec) delete o.spec.finalizers;
    },
    prepareForStatusUpdate: keepOldSpec,
  },
  columns: [col('Status', 'string', 'The status of the namespace'), ageColumn],
  cells: (o, now) => [o.status?.phase ?? '', age(o, now)],
});
