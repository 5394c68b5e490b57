// DueHeap: entries come out in (due time, creation) order whatever the order of pushes and pops
// (the virtual clock's and the node pool's firing order, hence the simulation's determinism, rest on it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DueHeap, type Due } from '../../src/clock/heap.ts';
import { seededRandom } from '../../src/clock/index.ts';

const order = (a: Due, b: Due) => a.at - b.at || a.seq - b.seq;

for (const { name, ops, span } of [
  { name: 'few, spread out', ops: 50, span: 1_000_000 },
  { name: 'many ties on due time', ops: 5_000, span: 7 },
  { name: 'many, interleaved pops', ops: 20_000, span: 1000 },
]) {
  test(`DueHeap pops in (at, seq) order: ${name}`, () => {
    const r = seededRandom(ops);
    const rnd = () => r.next();
    const heap = new DueHeap<Due>();
    const model: Due[] = [];
    let seq = 0;
    for (let i = 0; i < ops; i++) {
      if (model.length && rnd() < 0.4) {
        model.sort(order);
        assert.deepEqual(heap.pop(), model.shift());
      } else {
        const e = { at: Math.floor(rnd() * span), seq: seq++ };
        heap.push(e);
        model.push(e);
      }
      assert.equal(heap.length, model.length);
    }
    model.sort(order);
    const rest: Due[] = [];
    for (let e = heap.pop(); e; e = heap.pop()) rest.push(e);
    assert.deepEqual(rest, model);
    assert.equal(heap.pop(), undefined);
    assert.equal(heap.peek(), undefined);
  });
}
