// Shuffle sharding (k8s.io/apiserver/pkg/util/shufflesharding): a flow's hash deals it a hand of
// `handSize` distinct queues out of `queues`, always the same hand for the same flow, so two flows
// rarely share their whole hand and a heavy flow can fill only its own queues.
import { createHash } from 'node:crypto';

/** The flow's 64-bit hash: the first 8 bytes of sha256(schema name, distinguisher). */
export function flowHash(schema: string, distinguisher: string): bigint {
  return createHash('sha256').update(schema).update('\u0000').update(distinguisher).digest().readBigUInt64BE(0);
}

/**
 * Deals a hand: digit i of the hash in the mixed radix (deckSize, deckSize-1, ...) picks among the
 * cards not dealt yet; each pick is then shifted past the cards dealt before it, so cards are distinct.
 */
export function dealHand(hash: bigint, deckSize: number, handSize: number): number[] {
  if (handSize > deckSize || handSize < 1) throw new Error(`handSize ${handSize} must be in [1, deckSize ${deckSize}]`);
  const remainders: number[] = [];
  let h = hash;
  for (let i = 0; i < handSize; i++) {
    const d = BigInt(deckSize - i);
    remainders.push(Number(h % d));
    h /= d;
  }
  const hand: number[] = [];
  for (let i = 0; i < handSize; i++) {
    let card = remainders[i];
    for (let j = i; j > 0; j--) if (card >= remainders[j - 1]) card++;
    hand.push(card);
  }
  return hand;
}
