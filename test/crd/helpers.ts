// A small CRD (widgets.example.com) to test with, and waiting for a CRD to be served.
import { req, type Res } from '../apiserver/helpers.ts';
import { eventually } from '../helpers/eventually.ts';

export const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
export const WIDGETS = '/apis/example.com/v1/namespaces/default/widgets';

export function widgetCrd(extra: { versions?: any[]; names?: Record<string, unknown>; scope?: string } = {}): any {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      scope: extra.scope ?? 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget', shortNames: ['wd'], categories: ['all', 'gadgets'], ...extra.names },
      versions: extra.versions ?? [
        {
          name: 'v1',
          served: true,
          storage: true,
          subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' } },
          additionalPrinterColumns: [
            { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
            { name: 'Color', type: 'string', jsonPath: '.spec.color', priority: 1 },
            { name: 'Ready', type: 'string', jsonPath: ".status.conditions[?(@.type=='Ready')].status" },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
          selectableFields: [{ jsonPath: '.spec.color' }],
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: 'A Widget is a test resource.',
              properties: {
                spec: {
                  type: 'object',
                  description: 'What the widget should be.',
                  properties: {
                    replicas: { type: 'integer', format: 'int32', minimum: 0, default: 1, description: 'How many widgets.' },
                    color: { type: 'string', enum: ['red', 'blue'], default: 'red' },
                    size: { type: 'string', pattern: '^[0-9]+(cm|m)$' },
                    tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set', maxItems: 4 },
                    min: { type: 'integer' },
                    max: { type: 'integer' },
                  },
                  'x-kubernetes-validations': [
                    { rule: '!has(self.min) || !has(self.max) || self.min <= self.max', message: 'min must not exceed max' },
                    { rule: '!has(oldSelf.size) || self.size == oldSelf.size', message: 'size is immutable' },
                  ],
                },
                status: {
                  type: 'object',
                  properties: {
                    replicas: { type: 'integer' },
                    selector: { type: 'string' },
                    conditions: { type: 'array', items: { type: 'object', properties: { type: { type: 'string' }, status: { type: 'string' } } } },
                  },
                },
              },
            },
          },
        },
      ],
    },
  };
}

export function widget(name: string, spec: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): any {
  return { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name, ...extra }, spec };
}

/** Creates a CRD and waits until it is Established and its resource answers. */
export async function establish(base: string, crd: any, probe = `/apis/${crd.spec.group}/${crd.spec.versions.find((v: any) => v.served).name}/${crd.spec.names.plural}`): Promise<Res> {
  const r = await req(base, 'POST', CRDS, crd);
  if (r.status !== 201) throw new Error(`CRD create failed: ${r.status} ${r.text}`);
  await eventually(async () => {
    const c = await req(base, 'GET', `${CRDS}/${crd.metadata.name}`);
    return c.body?.status?.conditions?.some((x: any) => x.type === 'Established' && x.status === 'True');
  }, 'Established', 5000);
  await eventually(async () => (await req(base, 'GET', probe)).status === 200, 'served', 5000);
  return r;
}
