// The aggregator: answers each processor's POST /results (request/response) with the totals so far,
// counting every message id once (a message sent again after a lost acknowledgement is not counted
// twice), and logs the result — how many messages, their sum, which processor pods did the work —
// whenever it changed. GET / answers the same as JSON.
'use strict';
const http = require('node:http');

const seen = new Set();
const byProcessor = {};
let sum = 0;
let changed = false;

const totals = () => ({ count: seen.size, sum, byProcessor });

http
  .createServer((req, res) => {
    if (req.method === 'GET') return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(totals()) + '\n');
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      let r;
      try {
        r = JSON.parse(body);
      } catch {
        return res.writeHead(400).end('bad result');
      }
      if (!seen.has(r.id)) {
        seen.add(r.id);
        sum += r.value;
        byProcessor[r.processor] = (byProcessor[r.processor] ?? 0) + 1;
        changed = true;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(totals()));
    });
  })
  .listen(8080, () => console.log('aggregator: listening on 8080'));

setInterval(() => {
  if (!changed) return;
  changed = false;
  const by = Object.entries(byProcessor).map(([p, n]) => `${p}=${n}`).join(' ');
  console.log(`aggregator: ${seen.size} messages, sum ${sum}, by processor: ${by}`);
}, 1000);
