// An Event's name, as client-go's recorder makes it: `<object name>.<unix nanoseconds in hex>`.
// kubesim's clocks count milliseconds, so the nanosecond digits carry a sequence shared by every
// recorder of the process: two recorders writing about one object in the same millisecond (an HPA
// and a Deployment about web-1, the scheduler and the kubelet about a pod) get two names, where
// per-recorder counters gave both the same name and the second create failed with 409.
let seq = 0;

export function eventName(objectName: string, atMs: number): string {
  const nanos = BigInt(Math.floor(atMs)) * 1_000_000n + BigInt(seq++ % 1_000_000);
  return `${objectName}.${nanos.toString(16)}`;
}
