// Object keys as client-go's cache builds them (MetaNamespaceKeyFunc / SplitMetaNamespaceKey):
// "namespace/name" for namespaced objects, "name" for cluster-scoped ones. Every cache, queue and
// expectation in kubesim keys objects with these.

export function metaNamespaceKey(obj: { metadata?: { namespace?: string; name?: string } }): string {
  const ns = obj.metadata?.namespace;
  return ns ? `${ns}/${obj.metadata!.name}` : `${obj.metadata?.name}`;
}

export function splitMetaNamespaceKey(key: string): { namespace?: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}
