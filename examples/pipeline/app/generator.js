// The generator: sends COUNT messages {id, value} to the processor Service, RATE a second, fire and
// forget — it waits only for the processor's 202 Accepted (the acknowledgement), never for the
// processing. A message that is not acknowledged (503 from a full processor, a refused or broken
// connection, a pod going away) is sent again, so every message ends up acknowledged once at least.
// Each request opens its own connection (agent: false): the Service balances per connection.
'use strict';
const http = require('node:http');

const COUNT = Number(process.env.COUNT ?? 300);
const RATE = Number(process.env.RATE ?? 20);
const TARGET = process.env.PROCESSOR_URL ?? 'http://processor/work';

function post(url, body) {
  return new Promise((resolve) => {
    const req = http.request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json' }, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(0));
    req.end(JSON.stringify(body));
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function send(msg) {
  for (let attempt = 1; ; attempt++) {
    const status = await post(TARGET, msg);
    if (status === 202) return attempt;
    await sleep(Math.min(1000, 50 * attempt)); // not acknowledged: try again (maybe another pod)
  }
}

(async () => {
  console.log(`generator: sending ${COUNT} messages to ${TARGET} at ${RATE}/s`);
  let retried = 0;
  const inFlight = [];
  for (let id = 1; id <= COUNT; id++) {
    // fire and forget: the next message does not wait for this one's processing
    inFlight.push(send({ id, value: id }).then((attempts) => (retried += attempts - 1)));
    if (id % 50 === 0) console.log(`generator: ${id} sent`);
    await sleep(1000 / RATE);
  }
  await Promise.all(inFlight);
  console.log(`generator: all ${COUNT} messages acknowledged (${retried} resent)`);
  setInterval(() => {}, 1 << 30); // a Deployment's container keeps running
})();
