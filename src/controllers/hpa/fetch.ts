// The HPA's custom and external metrics clients (k8s.io/metrics custom_metrics and
// external_metrics, through the API server): one GET per Pods, Object or External entry of
// spec.metrics, its items or the error message kept for the plan (custom.ts).
import { labelSelectorQuery } from '../../api/labels.ts';
import { registry } from '../../api/registry.ts';
import { parseApiVersion } from '../../api/types.ts';
import type { Client } from '../../client/index.ts';
import type { Fetched } from './custom.ts';
import { discoverCustomResources } from '../util/discovery.ts';

const CUSTOM = '/apis/custom.metrics.k8s.io/v1beta2';
const EXTERNAL = '/apis/external.metrics.k8s.io/v1beta1';
const seg = encodeURIComponent;

/** `Deployment` in `apps/v1` → `deployments.apps` (the RESTMapper's group resource), or an error text. */
export function groupResourceOf(apiVersion: string | undefined, kind: string): string | { error: string } {
  const gv = parseApiVersion(apiVersion ?? '');
  const rt = registry.byKind(gv.group, gv.version, kind) ?? registry.all().find((r) => r.group === gv.group && r.kind === kind);
  if (!rt) return { error: `no matches for kind "${kind}" in group "${gv.group}"` };
  return rt.group ? `${rt.plural}.${rt.group}` : rt.plural;
}

/** A custom resource's group resource from discovery (the RESTMapper's view of CRDs): its group and kind, any version. */
async function customGroupResource(client: Client, ref: { apiVersion?: string; kind?: string }): Promise<string | undefined> {
  const { group } = parseApiVersion(ref.apiVersion ?? '');
  if (!group || !ref.kind) return undefined;
  const found = (await discoverCustomResources(client).catch(() => [])).find((r) => r.group === group && r.kind === ref.kind);
  return found && `${found.plural}.${found.group}`;
}

/** The request of one metric spec: path and query; undefined for Resource metrics. */
export function metricRequest(spec: any, namespace: string, podSelector: string, objectResource?: string): { path: string; query: Record<string, string> } | { error: string } | undefined {
  const ns = `namespaces/${seg(namespace)}`;
  const metricSel = (m: any): Record<string, string> => (m?.selector ? { metricLabelSelector: labelSelectorQuery(m.selector) } : {});
  switch (spec?.type) {
    case 'Pods':
      return { path: `${CUSTOM}/${ns}/pods/*/${seg(spec.pods?.metric?.name ?? '')}`, query: { labelSelector: podSelector, ...metricSel(spec.pods?.metric) } };
    case 'Object': {
      const ref = spec.object?.describedObject ?? {};
      const gr = objectResource ?? groupResourceOf(ref.apiVersion, ref.kind);
      if (typeof gr !== 'string') return gr;
      return { path: `${CUSTOM}/${ns}/${gr}/${seg(ref.name ?? '')}/${seg(spec.object?.metric?.name ?? '')}`, query: metricSel(spec.object?.metric) };
    }
    case 'External': {
      const sel = spec.external?.metric?.selector;
      return { path: `${EXTERNAL}/${ns}/${seg(spec.external?.metric?.name ?? '')}`, query: sel ? { labelSelector: labelSelectorQuery(sel) } : {} };
    }
  }
  return undefined;
}

export async function fetchCustomMetrics(client: Client, specs: any[], namespace: string, podSelector: string): Promise<Map<any, Fetched>> {
  const out = new Map<any, Fetched>();
  await Promise.all(
    specs.map(async (spec) => {
      let r = metricRequest(spec, namespace, podSelector);
      if (r && 'error' in r && spec?.type === 'Object') {
        const gr = await customGroupResource(client, spec.object?.describedObject ?? {});
        if (gr) r = metricRequest(spec, namespace, podSelector, gr);
      }
      if (!r) return;
      if ('error' in r) return void out.set(spec, r);
      try {
        const list = await client.request<any>({ path: r.path, query: r.query });
        out.set(spec, { items: (list?.items as any[]) ?? [] });
      } catch (e) {
        out.set(spec, { error: (e as Error).message });
      }
    }),
  );
  return out;
}
