// The processor: takes messages on POST /work (fire and forget: answered 202 Accepted as soon as the
// message is queued, 503 when its queue is full so the sender tries another pod), works on them one
// at a time (WORK_MS each: value → value²) and hands each result to the aggregator Service by
// request/response — it awaits the aggregator's answer and keeps the message until it had one.
// On SIGTERM (kubectl delete pod, a scale down, a rollout) it stops taking messages and finishes its
// queue before exiting: a message it acknowledged is never lost.
'use strict';
const http = require('node:http');

const WORK_MS = Number(process.env.WORK_MS ?? 100);
const MAX_QUEUE = Number(process.env.MAX_QUEUE ?? 5);
const AGGREGATOR = process.env.AGGREGATOR_URL ?? 'http://aggregator/results';
const POD = process.env.POD_NAME ?? process.env.HOSTNAME;

const queue = [];
let working = false;
let stopping = false;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function call(url, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, timeout: 5000 }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(text)) : reject(new Error(`aggregator answered ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

async function work() {
  if (working) return;
  working = true;
  while (queue.length) {
    const msg = queue[0];
    await sleep(WORK_MS);
    const result = { id: msg.id, value: msg.value * msg.value, processor: POD };
    for (;;) {
      try {
        const answer = await call(AGGREGATOR, result); // request/response: wait for the answer
        if (msg.id % 25 === 0) console.log(`processor ${POD}: message ${msg.id} → ${result.value} (aggregator has ${answer.count})`);
        break;
      } catch (e) {
        console.log(`processor ${POD}: aggregator not reached (${e.message}), retrying`);
        await sleep(500);
      }
    }
    queue.shift();
  }
  working = false;
  if (stopping) process.exit(0);
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/healthz') return res.end('ok');
  if (req.method !== 'POST' || req.url !== '/work') return res.writeHead(404).end();
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    if (stopping || queue.length >= MAX_QUEUE) return res.writeHead(503).end('busy');
    let msg;
    try {
      msg = JSON.parse(body);
    } catch {
      return res.writeHead(400).end('bad message');
    }
    queue.push(msg);
    res.writeHead(202).end('accepted'); // acknowledged: from now on this pod answers for it
    void work();
  });
});
server.listen(8080, () => console.log(`processor ${POD}: listening on 8080, ${WORK_MS} ms a message, queue of ${MAX_QUEUE}`));

process.on('SIGTERM', () => {
  stopping = true;
  server.close(); // no new connections; what is queued is still processed
  console.log(`processor ${POD}: SIGTERM, finishing ${queue.length} queued message(s)`);
  if (!working) process.exit(0);
});
