// Read-only answers (RequestOptions.readonly): the caller promises not to change what it is
// answered, so the lean in-process exchange (lean.ts) hands it the server's own deep-frozen
// values instead of a copy of them. Only the parts the server made for this answer alone (a
// list's wrapper, its metadata, its items array) are copied, then frozen like the rest.
import { jsonCopyFrozen } from '../api/core/jsoncopy.ts';

/**
 * What JSON.parse of v's JSON text would give, deep-frozen: v's frozen objects and arrays shared as
 * they are, the rest copied as jsonCopy copies (same members, same order) and frozen (jsonCopyFrozen).
 * Only for a value whose frozen parts are deep-frozen JSON data as JSON.parse makes it — the store's
 * objects (src/storage/common.ts), which the API server answers with as a JsonAnswer (src/apiserver/respond.ts).
 * Nothing the caller gets can change afterwards, and nothing the server keeps is handed out unfrozen.
 */
export function frozenAnswer(v: unknown): unknown {
  return jsonCopyFrozen(v);
}
