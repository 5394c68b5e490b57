// kubectl exec at the kubelet (src/node/exec.ts): the request's path and query, the channel
// protocol chosen, and the final Status. The WebSocket path with real kubectl is in test/e2e/echo.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseProtocol, exitStatus, parseExec } from '../../src/node/exec.ts';
import { relayedHead } from '../../src/apiserver/kinds/connect.ts';

test('parseExec: path after an optional /nodes/<name>, repeated command, stdin flag', () => {
  assert.deepEqual(parseExec('/nodes/n1/exec/default/web/app?command=node&command=-e&command=1&stdin=true&stdout=true'), {
    verb: 'exec', node: 'n1', namespace: 'default', pod: 'web', container: 'app', command: ['node', '-e', '1'], stdin: true, tty: false,
  });
  assert.deepEqual(parseExec('/exec/ns/p/c?command=ls'), { verb: 'exec', node: undefined, namespace: 'ns', pod: 'p', container: 'c', command: ['ls'], stdin: false, tty: false });
  assert.equal(parseExec('/exec/ns/p'), undefined);
  assert.equal(parseExec('/containerLogs/ns/p/c'), undefined);
});

test('chooseProtocol: v5 before v4, nothing else', () => {
  const table: [string[], string | false][] = [
    [['v4.channel.k8s.io', 'v5.channel.k8s.io'], 'v5.channel.k8s.io'],
    [['v4.channel.k8s.io'], 'v4.channel.k8s.io'],
    [['SPDY/3.1+portforward.k8s.io'], false],
    [[], false],
  ];
  for (const [offered, want] of table) assert.equal(chooseProtocol(offered), want);
});

test('exitStatus: Success, or NonZeroExitCode with the ExitCode cause kubectl exits with', () => {
  assert.deepEqual(exitStatus(['ls'], 0), { metadata: {}, status: 'Success' });
  const s: any = exitStatus(['sh', '-c', 'exit 3'], 3);
  assert.equal(s.reason, 'NonZeroExitCode');
  assert.deepEqual(s.details.causes, [{ reason: 'ExitCode', message: '3' }]);
});

test('relayedHead: the upgrade request to the kubelet without credentials', () => {
  const head = relayedHead('GET', '/nodes/n/exec/d/p/c?command=ls', { host: 'api', authorization: 'Bearer x', upgrade: 'websocket', 'sec-websocket-protocol': 'v5.channel.k8s.io' }, '127.0.0.1:1');
  assert.equal(head, 'GET /nodes/n/exec/d/p/c?command=ls HTTP/1.1\r\nHost: 127.0.0.1:1\r\nupgrade: websocket\r\nsec-websocket-protocol: v5.channel.k8s.io\r\n\r\n');
});
