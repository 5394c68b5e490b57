// A stable 32-bit FNV-1a hash over a string's UTF-16 code units: deterministic ids, jitter and noise
// (not cryptographic; controllers' pod-template-hash hashes bytes instead, see controllers/util/hash.ts).
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
