// A program's output as log lines: split at newlines, a line longer than 16 KiB split as the CRI
// splits it, the unterminated rest delivered when the stream ends.
import type { Readable } from 'node:stream';

export const MAX_LINE = 16 * 1024;

export function eachLine(stream: Readable, onLine: (text: string) => void): void {
  let partial = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    partial += chunk;
    let nl: number;
    while ((nl = partial.indexOf('\n')) >= 0) {
      onLine(partial.slice(0, nl));
      partial = partial.slice(nl + 1);
    }
    while (partial.length > MAX_LINE) {
      onLine(partial.slice(0, MAX_LINE));
      partial = partial.slice(MAX_LINE);
    }
  });
  stream.on('end', () => {
    if (partial) onLine(partial);
    partial = '';
  });
}
