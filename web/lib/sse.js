// Server-Sent Events over fetch: EventSource cannot send an Authorization header, so the dashboard
// reads the stream itself, the way the EventSource spec parses it (fields per line; a blank line
// dispatches the message; lines starting with ':' are comments, as the server's keepalives).

/** Reads one SSE response; onMessage({event, id, data}) per message. Resolves when the stream ends. */
export async function readSse(url, { headers = {}, signal, onMessage, onOpen }) {
  const r = await fetch(url, { headers: { Accept: 'text/event-stream', ...headers }, signal, cache: 'no-store' });
  if (!r.ok) {
    const body = await r.json().catch(() => ({}));
    throw Object.assign(new Error(body.message || r.statusText), { status: r.status, body });
  }
  onOpen?.();
  const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
  const parser = sseParser(onMessage);
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    try {
      parser(value);
    } catch (err) {
      reader.cancel().catch(() => {});
      throw err;
    }
  }
}

/** An incremental parser: feed it text chunks, it calls onMessage per complete message. */
export function sseParser(onMessage) {
  let buf = '';
  let msg = { data: [] };
  return (chunk) => {
    buf += chunk;
    let start = 0;
    let i;
    while ((i = buf.indexOf('\n', start)) >= 0) {
      let line = buf.slice(start, i);
      start = i + 1;
      if (line.endsWith('\r')) line = line.slice(0, -1);
      if (line === '') {
        if (msg.data.length) onMessage({ event: msg.event ?? 'message', id: msg.id, data: msg.data.join('\n') });
        msg = { data: [] };
        continue;
      }
      if (line[0] === ':') continue;
      const k = line.indexOf(':');
      const field = k < 0 ? line : line.slice(0, k);
      let v = k < 0 ? '' : line.slice(k + 1);
      if (v[0] === ' ') v = v.slice(1);
      if (field === 'data') msg.data.push(v);
      else if (field === 'event') msg.event = v;
      else if (field === 'id') msg.id = v;
    }
    buf = buf.slice(start);
  };
}
