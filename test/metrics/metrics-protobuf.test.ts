// metrics.k8s.io lists as application/vnd.kubernetes.protobuf (what kubectl top asks for first):
// decoded with k8s.io/metrics' field numbers, they say what the JSON objects say.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import protobuf from 'protobufjs';
import { nodeMetricsObject, podMetricsObject, type NodeSample, type PodSample } from '../../src/apiserver/resourcemetrics/index.ts';
import { nodeMetricsListProtobuf, podMetricsListProtobuf, varint } from '../../src/apiserver/resourcemetrics/protobuf.ts';
import { prefersProtobuf } from '../../src/apiserver/negotiate.ts';

const PROTO = `
syntax = "proto2";
message TypeMeta { optional string apiVersion = 1; optional string kind = 2; }
message Unknown { optional TypeMeta typeMeta = 1; optional bytes raw = 2; optional string contentEncoding = 3; optional string contentType = 4; }
message Quantity { optional string string = 1; }
message Time { optional int64 seconds = 1; optional int32 nanos = 2; }
message Duration { optional int64 duration = 1; }
message ListMeta { optional string selfLink = 1; optional string resourceVersion = 2; }
message ObjectMeta { optional string name = 1; optional string namespace = 3; optional Time creationTimestamp = 8; map<string, string> labels = 11; }
message ContainerMetrics { optional string name = 1; map<string, Quantity> usage = 2; }
message PodMetrics { optional ObjectMeta metadata = 1; optional Time timestamp = 2; optional Duration window = 3; repeated ContainerMetrics containers = 4; }
message PodMetricsList { optional ListMeta metadata = 1; repeated PodMetrics items = 2; }
message NodeMetrics { optional ObjectMeta metadata = 1; optional Time timestamp = 2; optional Duration window = 3; map<string, Quantity> usage = 4; }
message NodeMetricsList { optional ListMeta metadata = 1; repeated NodeMetrics items = 2; }
`;
const root = protobuf.parse(PROTO, { keepCase: true }).root;

/** Envelope → [apiVersion, kind, the list message as JSON-ish values]. */
function decode(buf: Buffer, listType: string): [string, string, any] {
  assert.deepEqual([...buf.subarray(0, 4)], [0x6b, 0x38, 0x73, 0x00], 'k8s\\0 magic');
  const u: any = root.lookupType('Unknown').toObject(root.lookupType('Unknown').decode(buf.subarray(4)));
  const list = root.lookupType(listType).toObject(root.lookupType(listType).decode(u.raw), { longs: Number });
  return [u.typeMeta.apiVersion, u.typeMeta.kind, list];
}

const iso = (t: any) => new Date(t.seconds * 1000).toISOString().replace('.000Z', 'Z');
const window = (d: any) => `${d.duration / 1e9}s`;
const quantities = (m: Record<string, any>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v.string]));

test('varints are base 128, little end first, past 32 bits', () => {
  const cases: [number, number[]][] = [
    [0, [0]],
    [1, [1]],
    [127, [0x7f]],
    [128, [0x80, 0x01]],
    [300, [0xac, 0x02]],
    [15e9, [0x80, 0xac, 0xc7, 0xf0, 0x37]],
  ];
  for (const [n, bytes] of cases) assert.deepEqual([...varint(n)], bytes, String(n));
});

test('a PodMetricsList in protobuf decodes to the JSON objects, member for member', () => {
  const now = Date.parse('2026-01-01T00:01:00.700Z');
  const pod = (name: string, containers: PodSample['containers']): PodSample => ({ namespace: 'team', name, timestampMs: Date.parse('2026-01-01T00:00:59.400Z'), windowMs: 15_000, containers });
  const cases: { name: string; items: { sample: PodSample; labels?: Record<string, string> }[] }[] = [
    { name: 'empty', items: [] },
    { name: 'one pod, labels', items: [{ sample: pod('web', [{ name: 'app', cpuNanoCores: 246112926, memoryBytes: 12144 * 1024 }]), labels: { b: '2', a: 'ü' } }] },
    {
      name: 'two pods, two containers, no labels',
      items: [{ sample: pod('a', [{ name: 'x', cpuNanoCores: 2e9, memoryBytes: 64 * 2 ** 20 }, { name: 'y', cpuNanoCores: 0, memoryBytes: 0 }]) }, { sample: pod('b', [{ name: 'x', cpuNanoCores: 1e6, memoryBytes: 4096 }]) }],
    },
  ];
  for (const c of cases) {
    const [apiVersion, kind, list] = decode(podMetricsListProtobuf(c.items, now), 'PodMetricsList');
    assert.deepEqual([apiVersion, kind], ['metrics.k8s.io/v1beta1', 'PodMetricsList'], c.name);
    const got = (list.items ?? []).map((i: any) => ({
      metadata: { name: i.metadata.name, namespace: i.metadata.namespace, creationTimestamp: iso(i.metadata.creationTimestamp), ...(i.metadata.labels ? { labels: i.metadata.labels } : {}) },
      timestamp: iso(i.timestamp),
      window: window(i.window),
      containers: i.containers.map((x: any) => ({ name: x.name, usage: quantities(x.usage) })),
    }));
    const want = c.items.map(({ sample, labels }) => {
      const { kind: _k, apiVersion: _v, ...rest } = podMetricsObject(sample, labels, now);
      return rest;
    });
    assert.deepEqual(got, want, c.name);
  }
});

test('a NodeMetricsList in protobuf decodes to the JSON objects', () => {
  const now = Date.parse('2026-01-01T00:01:00Z');
  const s: NodeSample = { name: 'node-0', timestampMs: now - 3000, windowMs: 15_000, cpuNanoCores: 355e6, memoryBytes: 584 * 2 ** 20 };
  const [, kind, list] = decode(nodeMetricsListProtobuf([{ sample: s, labels: { zone: 'a' } }], now), 'NodeMetricsList');
  assert.equal(kind, 'NodeMetricsList');
  const i = list.items[0];
  const { kind: _k, apiVersion: _v, ...want } = nodeMetricsObject(s, { zone: 'a' }, now);
  assert.deepEqual({ metadata: { name: i.metadata.name, creationTimestamp: iso(i.metadata.creationTimestamp), labels: i.metadata.labels }, timestamp: iso(i.timestamp), window: window(i.window), usage: quantities(i.usage) }, want);
});

test('protobuf is answered when it is the first acceptable type and no Table is asked', () => {
  const cases: [string | undefined, boolean][] = [
    ['application/vnd.kubernetes.protobuf, */*', true], // kubectl top
    ['application/vnd.kubernetes.protobuf', true],
    ['application/json, */*', false],
    ['application/json;q=0.9, application/vnd.kubernetes.protobuf', true],
    ['application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io, application/json', false],
    ['text/html, application/vnd.kubernetes.protobuf', true],
    [undefined, false],
  ];
  for (const [accept, want] of cases) assert.equal(prefersProtobuf(accept), want, String(accept));
});
