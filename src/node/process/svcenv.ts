// The kubelet's service environment variables (pkg/kubelet/envvars): for the `kubernetes` Service
// of the default namespace always, and for every Service of the pod's namespace while
// spec.enableServiceLinks is not false — {NAME}_SERVICE_HOST, {NAME}_SERVICE_PORT[_{PORT}],
// {NAME}_PORT and {NAME}_PORT_{port}_{PROTO}[_PROTO|_PORT|_ADDR]. The container's own env wins.
import type { KubeObject } from '../../api/types.ts';

const envName = (s: string) => s.toUpperCase().replace(/-/g, '_');

/** One Service's variables (none when it has no cluster IP). */
export function serviceVars(svc: KubeObject): [string, string][] {
  const ip = svc.spec?.clusterIP;
  if (!ip || ip === 'None') return [];
  const ports: any[] = (svc.spec?.ports ?? []).filter((p: any) => typeof p?.port === 'number');
  if (!ports.length) return [];
  const name = envName(svc.metadata.name!);
  const out: [string, string][] = [[`${name}_SERVICE_HOST`, ip], [`${name}_SERVICE_PORT`, String(ports[0].port)]];
  for (const p of ports) if (p.name) out.push([`${name}_SERVICE_PORT_${envName(p.name)}`, String(p.port)]);
  const first = ports[0];
  out.push([`${name}_PORT`, `${String(first.protocol ?? 'TCP').toLowerCase()}://${ip}:${first.port}`]);
  for (const p of ports) {
    const proto = String(p.protocol ?? 'TCP');
    const prefix = `${name}_PORT_${p.port}_${proto.toUpperCase()}`;
    out.push([prefix, `${proto.toLowerCase()}://${ip}:${p.port}`], [`${prefix}_PROTO`, proto.toLowerCase()], [`${prefix}_PORT`, String(p.port)], [`${prefix}_ADDR`, ip]);
  }
  return out;
}

/** The variables a pod in `namespace` gets from `services`. */
export function serviceEnv(services: KubeObject[], namespace: string, enableServiceLinks: boolean | undefined): Map<string, string> {
  const out = new Map<string, string>();
  const master = services.find((s) => s.metadata.namespace === 'default' && s.metadata.name === 'kubernetes');
  const linked = enableServiceLinks === false ? [] : services.filter((s) => s.metadata.namespace === namespace && s !== master);
  // namespace Services first, then the master service (it wins a clash, as the kubelet orders them)
  for (const svc of [...linked, ...(master ? [master] : [])]) for (const [k, v] of serviceVars(svc)) out.set(k, v);
  return out;
}
