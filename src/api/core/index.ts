// Typed core/v1 rules that several components apply: taints and tolerations, node selectors and
// required node affinity, the labels a kubelet may set on its Node, QoS, effective pod requests, object keys, canonical JSON, and the
// resource refs components address. Each rule is written here once; the scheduler, the node
// agent, the controllers and the API server call it.
export * from './taints.ts';
export * from './nodeaffinity.ts';
export * from './qos.ts';
export * from './requests.ts';
export * from './keys.ts';
export * from './json.ts';
export * from './refs.ts';
export * from './podready.ts';
export * from './volumes.ts';
export * from './patterns.ts';
export * from './hash.ts';
export * from './podnetwork.ts';
export * from './kubeletlabels.ts';
export * from './eventname.ts';
