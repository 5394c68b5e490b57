// metrics.k8s.io/v1beta1 lists as application/vnd.kubernetes.protobuf, the encoding kubectl top
// asks for first (`Accept: application/vnd.kubernetes.protobuf, */*`) and metrics-server answers:
// the `k8s\0` magic, a runtime.Unknown naming apiVersion and kind, the list message inside. Field
// numbers of k8s.io/metrics' and k8s.io/apimachinery's generated.proto (proto2):
//   PodMetricsList{metadata=1 ListMeta, items=2}  PodMetrics{metadata=1, timestamp=2 Time, window=3 Duration, containers=4}
//   NodeMetricsList{metadata=1, items=2}          NodeMetrics{metadata=1, timestamp=2, window=3, usage=4 map}
//   ContainerMetrics{name=1, usage=2 map<string, Quantity{string=1}>}
//   ObjectMeta{name=1, namespace=3, creationTimestamp=8 Time, labels=11 map}  Time{seconds=1}  Duration{duration=1 ns}
// A pod's usage part (fields 2–4) is made once per sample, as its JSON text is.
import { cpuQuantity, memoryQuantity, type NodeSample, type PodSample } from './samples.ts';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]); // "k8s\0"

/** Base-128 varint of a non-negative integer up to 2^53. */
export function varint(n: number): Buffer {
  const w = new Writer(10);
  w.varint(n);
  return w.finish();
}

/**
 * Appends protobuf fields to one growing buffer. An embedded message reserves one byte for its
 * length and moves its bytes when the length needs more (a handful of times per list).
 */
class Writer {
  private buf: Buffer;
  private pos = 0;
  constructor(size = 1 << 16) {
    this.buf = Buffer.allocUnsafe(size);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  varint(n: number): void {
    this.ensure(10);
    let v = Math.floor(n);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
  }

  int(field: number, n: number): void {
    this.varint(field << 3);
    this.varint(n);
  }

  string(field: number, s: string): void {
    const len = Buffer.byteLength(s);
    this.varint((field << 3) | 2);
    this.varint(len);
    this.ensure(len);
    this.pos += this.buf.write(s, this.pos, len, 'utf8');
  }

  /** Bytes already encoded, appended as they are (no tag). */
  raw(b: Buffer): void {
    this.ensure(b.length);
    b.copy(this.buf, this.pos);
    this.pos += b.length;
  }

  /** Starts an embedded message (or bytes) field; end(at) writes its length. */
  begin(field: number): number {
    this.varint((field << 3) | 2);
    this.ensure(1);
    return this.pos++;
  }

  end(at: number): void {
    const len = this.pos - at - 1;
    if (len < 0x80) {
      this.buf[at] = len;
      return;
    }
    const head = varint(len);
    this.ensure(head.length - 1);
    this.buf.copyWithin(at + head.length, at + 1, this.pos);
    head.copy(this.buf, at);
    this.pos += head.length - 1;
  }

  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

function time(w: Writer, field: number, ms: number): void {
  const at = w.begin(field);
  w.int(1, Math.floor(ms / 1000));
  w.end(at);
}

function duration(w: Writer, field: number, ms: number): void {
  const at = w.begin(field);
  w.int(1, ms * 1e6);
  w.end(at);
}

/** map<string, Quantity> of cpu and memory: entries {key=1, value=2}, in Go's sorted key order. */
function usage(w: Writer, field: number, cpuNano: number, memBytes: number): void {
  for (const [k, q] of [
    ['cpu', cpuQuantity(cpuNano)],
    ['memory', memoryQuantity(memBytes)],
  ]) {
    const e = w.begin(field);
    w.string(1, k);
    const v = w.begin(2);
    w.string(1, q);
    w.end(v);
    w.end(e);
  }
}

function objectMeta(w: Writer, name: string, namespace: string | undefined, created: number, labels: Record<string, string> | undefined): void {
  const at = w.begin(1);
  w.string(1, name);
  if (namespace !== undefined) w.string(3, namespace);
  time(w, 8, created);
  if (labels) {
    for (const k of Object.keys(labels).sort()) {
      const e = w.begin(11);
      w.string(1, k);
      w.string(2, labels[k]);
      w.end(e);
    }
  }
  w.end(at);
}

/** PodMetrics fields 2–4 (timestamp, window, containers) of a sample, made once. */
function podUsage(s: PodSample): Buffer {
  let b = s.usageProtobuf;
  if (!b) {
    const w = new Writer(256);
    time(w, 2, s.timestampMs);
    duration(w, 3, s.windowMs);
    for (const c of s.containers) {
      const at = w.begin(4);
      w.string(1, c.name);
      usage(w, 2, c.cpuNanoCores, c.memoryBytes);
      w.end(at);
    }
    s.usageProtobuf = b = Buffer.from(w.finish());
  }
  return b;
}

/** The envelope around a list: magic, Unknown{typeMeta, raw = the list {metadata, items...}}. */
function envelope(kind: string, writeItems: (w: Writer) => void): Buffer {
  const w = new Writer();
  w.raw(MAGIC);
  const tm = w.begin(1);
  w.string(1, 'metrics.k8s.io/v1beta1');
  w.string(2, kind);
  w.end(tm);
  const raw = w.begin(2);
  w.end(w.begin(1)); // ListMeta {}
  writeItems(w);
  w.end(raw);
  w.string(3, '');
  w.string(4, '');
  return w.finish();
}

/** A PodMetricsList of (sample, pod labels), creationTimestamp = now. */
export function podMetricsListProtobuf(items: { sample: PodSample; labels?: Record<string, string> }[], now: number): Buffer {
  return envelope('PodMetricsList', (w) => {
    for (const { sample, labels } of items) {
      const at = w.begin(2);
      objectMeta(w, sample.name, sample.namespace, now, labels);
      w.raw(podUsage(sample));
      w.end(at);
    }
  });
}

/** A NodeMetricsList of (sample, node labels), creationTimestamp = now. */
export function nodeMetricsListProtobuf(items: { sample: NodeSample; labels?: Record<string, string> }[], now: number): Buffer {
  return envelope('NodeMetricsList', (w) => {
    for (const { sample: s, labels } of items) {
      const at = w.begin(2);
      objectMeta(w, s.name, undefined, now, labels);
      time(w, 2, s.timestampMs);
      duration(w, 3, s.windowMs);
      usage(w, 4, s.cpuNanoCores, s.memoryBytes);
      w.end(at);
    }
  });
}
