// The pod-template-hash (controller.ComputeHash): FNV-32a of the printed template plus the
// collisionCount, rendered with rand.SafeEncodeString. Kubernetes prints the Go struct with spew;
// we print canonical JSON (sorted keys), so the hash is stable but not identical to Kubernetes'.
import { canonicalJson } from '../../api/core/json.ts';

export function fnv32a(bytes: Uint8Array, h = 0x811c9dc5): number {
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

// rand.SafeEncodeString: no vowels (no bad words) and no 0/1/3 (confusable).
const alphanums = 'bcdfghjklmnpqrstvwxz2456789';

export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += alphanums[s.charCodeAt(i) % alphanums.length];
  return out;
}

export function computeHash(template: unknown, collisionCount?: number): string {
  const printed = new TextEncoder().encode(canonicalJson(template ?? {}));
  let h = fnv32a(printed);
  if (collisionCount !== undefined && collisionCount !== null) {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(b, h);
  }
  return safeEncodeString(String(h));
}
