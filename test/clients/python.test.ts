// The official Python client (/usr/bin/python3 with Debian's python3-kubernetes) through the flows
// in python/flows.py: typed read-modify-write, every patch type, selectors and pages,
// watch.Watch().stream(...), the DynamicClient over discovery, typed reads of every workload kind,
// logs and propagation; the security kinds (RBAC, flowcontrol v1 through the DynamicClient, CSR
// approval and signing, SelfSubjectAccessReview, TokenRequest) read and replaced unchanged. Skipped, with a clear line, where the module is missing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PYTHON, hasPythonKubernetes, startClientCluster, type ClientCluster } from './helpers.ts';

const FLOWS = join(dirname(fileURLToPath(import.meta.url)), 'python', 'flows.py');
const available = hasPythonKubernetes();
if (!available) console.log(`SKIP test/clients/python.test.ts: ${PYTHON} cannot import kubernetes (apt-get install -y python3-kubernetes)`);
const skip = available ? false : 'python3-kubernetes is not installed';

let c: ClientCluster;
before(async () => {
  // Node,RBAC and APF on, as in `kubesim up` (the kubeconfig's admin is in system:masters).
  if (available) c = await startClientCluster(2, { apiServer: { authorizationModes: ['Node', 'RBAC'] }, enablePriorityAndFairness: true });
});
after(async () => {
  await c?.stop();
});

function runFlow(name: string): Promise<{ ok: boolean; error?: string }> {
  return new Promise((resolve) => {
    execFile(PYTHON, [FLOWS, name], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', KUBECONFIG: c.kubeconfigPath }, timeout: 120_000, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      const line = String(stdout).trim().split('\n').filter(Boolean).pop();
      if (!line) return resolve({ ok: false, error: `no result (${err?.message ?? ''}): ${stderr}` });
      resolve(JSON.parse(line));
    });
  });
}

for (const flow of ['configmap_read_modify_write', 'patches', 'list_selectors_pages', 'watch_stream', 'dynamic_client', 'workloads', 'security_rbac', 'security_flowcontrol', 'security_csr', 'security_reviews']) {
  test(`python client: ${flow}`, { skip }, async () => {
    const r = await runFlow(flow);
    assert.ok(r.ok, r.error);
  });
}
