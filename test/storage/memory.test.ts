// The in-memory backend passes the storage conformance suite.
import { MemoryStore } from '../../src/storage/memory.ts';
import { runStoreConformance } from './conformance.ts';

runStoreConformance('memory', async () => {
  const store = new MemoryStore();
  return { store, cleanup: () => store.close() };
});
