"""The flows users run with the official Python client (Debian's python3-kubernetes), against the
kubesim cluster named by $KUBECONFIG. Each flow prints one JSON line: {"flow", "ok", "error"}.
Run: KUBECONFIG=... /usr/bin/python3 flows.py [flow ...]"""
import json
import os
import sys
import time
import traceback

from kubernetes import client, config, dynamic, watch
from kubernetes.client.rest import ApiException

NS = 'default'


def eventually(check, timeout=30.0, what='condition'):
    deadline = time.time() + timeout
    last = None
    while True:
        try:
            v = check()
            if v:
                return v
        except Exception as e:  # noqa: BLE001 - retried until the deadline
            last = e
        if time.time() > deadline:
            raise AssertionError('timed out waiting for %s%s' % (what, ': %r' % last if last else ''))
        time.sleep(0.1)


def expect(cond, message):
    if not cond:
        raise AssertionError(message)


def labels(app):
    return {'app': app}


def web_deployment(name, replicas):
    return client.V1Deployment(
        metadata=client.V1ObjectMeta(name=name, labels=labels(name)),
        spec=client.V1DeploymentSpec(
            replicas=replicas,
            selector=client.V1LabelSelector(match_labels=labels(name)),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels=labels(name)),
                spec=client.V1PodSpec(containers=[client.V1Container(name='web', image='nginx:1.27')]),
            ),
        ),
    )


def flow_configmap_read_modify_write(api):
    v1 = client.CoreV1Api(api)
    created = v1.create_namespaced_config_map(NS, client.V1ConfigMap(metadata=client.V1ObjectMeta(name='py-rmw'), data={'a': '1', 'b': '2'}))
    cm = v1.read_namespaced_config_map('py-rmw', NS)
    cm.data['a'] = 'changed'  # creationTimestamp goes back as "...+00:00"
    replaced = v1.replace_namespaced_config_map('py-rmw', NS, cm)
    expect(replaced.data == {'a': 'changed', 'b': '2'}, replaced.data)
    expect(replaced.metadata.creation_timestamp == created.metadata.creation_timestamp, 'creationTimestamp kept')
    replaced.data['b'] = 'again'
    expect(v1.replace_namespaced_config_map('py-rmw', NS, replaced).data['b'] == 'again', 'second replace')
    try:
        v1.replace_namespaced_config_map('py-rmw', NS, cm)
        raise AssertionError('a stale replace must conflict')
    except ApiException as e:
        expect(e.status == 409, e.status)


def flow_patches(api):
    v1 = client.CoreV1Api(api)
    v1.create_namespaced_config_map(NS, {'metadata': {'name': 'py-patch'}, 'data': {'a': '1'}})
    s = v1.patch_namespaced_config_map('py-patch', NS, {'data': {'b': '2'}})  # strategic merge
    expect(s.data == {'a': '1', 'b': '2'}, s.data)
    j = v1.patch_namespaced_config_map('py-patch', NS, [{'op': 'replace', 'path': '/data/a', 'value': 'one'}])  # JSON patch
    expect(j.data['a'] == 'one', j.data)
    dyn = dynamic.DynamicClient(api)
    cms = dyn.resources.get(api_version='v1', kind='ConfigMap')
    m = cms.patch(name='py-patch', namespace=NS, body={'data': {'c': '3'}}, content_type='application/merge-patch+json', field_manager='py-merge')
    expect(m.data.c == '3', m.data)
    # this client version sends an apply body only as text (JSON is YAML)
    body = json.dumps({'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': 'py-patch'}, 'data': {'c': 'applied'}})
    try:
        cms.server_side_apply(body=body, name='py-patch', namespace=NS, field_manager='py-apply')
        raise AssertionError('apply over another manager must conflict without force')
    except ApiException as e:
        expect(e.status == 409, e.status)
    a = cms.server_side_apply(body=body, name='py-patch', namespace=NS, field_manager='py-apply', force_conflicts=True)  # force=True
    expect(a.data.c == 'applied', a.data)


def flow_list_selectors_pages(api):
    v1 = client.CoreV1Api(api)
    for i in range(1, 6):
        v1.create_namespaced_config_map(NS, {'metadata': {'name': 'py-page-%d' % i, 'labels': {'pypaged': 'yes', 'odd': str(i % 2)}}})
    odd = v1.list_namespaced_config_map(NS, label_selector='pypaged=yes,odd=1')
    expect([i.metadata.name for i in odd.items] == ['py-page-1', 'py-page-3', 'py-page-5'], odd.items)
    one = v1.list_namespaced_config_map(NS, field_selector='metadata.name=py-page-2')
    expect([i.metadata.name for i in one.items] == ['py-page-2'], one.items)
    names, token, pages = [], None, 0
    while True:
        page = v1.list_namespaced_config_map(NS, label_selector='pypaged=yes', limit=2, _continue=token)
        names += [i.metadata.name for i in page.items]
        pages += 1
        token = page.metadata._continue
        if not token:
            break
    expect(pages == 3 and names == ['py-page-%d' % i for i in range(1, 6)], (pages, names))


def flow_watch_stream(api):
    v1 = client.CoreV1Api(api)
    v1.create_namespaced_config_map(NS, {'metadata': {'name': 'py-watched', 'labels': {'pyw': '1'}}, 'data': {'v': '1'}})
    w = watch.Watch()
    seen = []
    for ev in w.stream(v1.list_namespaced_config_map, NS, label_selector='pyw=1', timeout_seconds=10):
        seen.append((ev['type'], ev['object'].metadata.name))
        if len(seen) == 1:
            cm = v1.read_namespaced_config_map('py-watched', NS)
            cm.data = {'v': '2'}
            v1.replace_namespaced_config_map('py-watched', NS, cm)
        elif len(seen) == 2:
            v1.delete_namespaced_config_map('py-watched', NS)
        else:
            w.stop()
    expect(seen == [('ADDED', 'py-watched'), ('MODIFIED', 'py-watched'), ('DELETED', 'py-watched')], seen)


def flow_dynamic_client(api):
    dyn = dynamic.DynamicClient(api)  # walks discovery
    deployments = dyn.resources.get(api_version='apps/v1', kind='Deployment')
    expect(deployments.namespaced and deployments.name == 'deployments', deployments)
    nodes = dyn.resources.get(api_version='v1', kind='Node').get()
    expect(len(nodes.items) == 2, nodes.items)
    cms = dyn.resources.get(api_version='v1', kind='ConfigMap')
    cms.create(body={'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': 'py-dyn'}, 'data': {'a': '1'}}, namespace=NS)
    got = cms.get(name='py-dyn', namespace=NS)
    body = got.to_dict()
    body['data']['a'] = '2'
    expect(cms.replace(body=body, namespace=NS).data.a == '2', 'dynamic replace')
    listed = cms.get(namespace=NS, label_selector='')
    expect(any(i.metadata.name == 'py-dyn' for i in listed.items), 'dynamic list')
    events = []
    for ev in cms.watch(namespace=NS, name='py-dyn', timeout=5):
        events.append(ev['type'])
        if ev['type'] == 'ADDED':
            cms.delete(name='py-dyn', namespace=NS)
        if ev['type'] == 'DELETED':
            break
    expect(events[0] == 'ADDED' and events[-1] == 'DELETED', events)


def flow_workloads(api):
    v1 = client.CoreV1Api(api)
    apps = client.AppsV1Api(api)
    batch = client.BatchV1Api(api)
    autoscaling = client.AutoscalingV1Api(api)
    apps.create_namespaced_deployment(NS, web_deployment('py-web', 2))
    eventually(lambda: apps.read_namespaced_deployment('py-web', NS).status.available_replicas == 2, 40, 'py-web available')
    d = apps.read_namespaced_deployment('py-web', NS)
    d.metadata.labels['touched'] = 'yes'
    expect(apps.replace_namespaced_deployment('py-web', NS, d).metadata.labels['touched'] == 'yes', 'deployment replace')
    # typed reads of every workload kind (required status fields present from the first write)
    rs = apps.list_namespaced_replica_set(NS, label_selector='app=py-web').items
    expect(len(rs) == 1 and rs[0].status.replicas == 2, rs)
    apps.read_namespaced_replica_set(rs[0].metadata.name, NS)
    tmpl = {'metadata': {'labels': {'app': 'py-zk'}}, 'spec': {'containers': [{'name': 'zk', 'image': 'zookeeper'}]}}
    apps.create_namespaced_stateful_set(NS, {'metadata': {'name': 'py-zk'}, 'spec': {'serviceName': 'py-zk', 'replicas': 1, 'selector': {'matchLabels': {'app': 'py-zk'}}, 'template': tmpl}})
    expect(apps.read_namespaced_stateful_set('py-zk', NS).status.replicas is not None, 'sts status')
    dtmpl = {'metadata': {'labels': {'app': 'py-fluentd'}}, 'spec': {'containers': [{'name': 'f', 'image': 'fluentd'}]}}
    apps.create_namespaced_daemon_set(NS, {'metadata': {'name': 'py-fluentd'}, 'spec': {'selector': {'matchLabels': {'app': 'py-fluentd'}}, 'template': dtmpl}})
    apps.read_namespaced_daemon_set('py-fluentd', NS)
    eventually(lambda: apps.read_namespaced_daemon_set('py-fluentd', NS).status.number_ready == 2, 30, 'py-fluentd ready')
    rtmpl = {'metadata': {'labels': {'app': 'py-rc'}}, 'spec': {'containers': [{'name': 'r', 'image': 'nginx'}]}}
    v1.create_namespaced_replication_controller(NS, {'metadata': {'name': 'py-rc'}, 'spec': {'replicas': 1, 'selector': {'app': 'py-rc'}, 'template': rtmpl}})
    # the ReplicaSet controller's logic serves ReplicationControllers
    eventually(lambda: v1.read_namespaced_replication_controller('py-rc', NS).status.ready_replicas == 1, 30, 'py-rc pod ready')
    autoscaling.create_namespaced_horizontal_pod_autoscaler(NS, {'metadata': {'name': 'py-hpa'}, 'spec': {'scaleTargetRef': {'apiVersion': 'apps/v1', 'kind': 'Deployment', 'name': 'py-web'}, 'minReplicas': 1, 'maxReplicas': 3, 'targetCPUUtilizationPercentage': 50}})
    autoscaling.read_namespaced_horizontal_pod_autoscaler('py-hpa', NS)
    job = {'metadata': {'name': 'py-pi'}, 'spec': {'backoffLimit': 2, 'template': {'metadata': {'annotations': {'kubesim.io/exit-after': '1s', 'kubesim.io/exit-code': '0'}}, 'spec': {'restartPolicy': 'Never', 'containers': [{'name': 'pi', 'image': 'perl:5.34'}]}}}}
    batch.create_namespaced_job(NS, job)
    done = eventually(lambda: (lambda j: j if j.status.succeeded == 1 else None)(batch.read_namespaced_job('py-pi', NS)), 30, 'py-pi succeeded')
    done.metadata.annotations = {'seen': 'yes'}
    expect(batch.replace_namespaced_job('py-pi', NS, done).status.completion_time == done.status.completion_time, 'job replace')
    for lister in (v1.list_pod_for_all_namespaces, apps.list_deployment_for_all_namespaces, apps.list_replica_set_for_all_namespaces, apps.list_stateful_set_for_all_namespaces,
                   apps.list_daemon_set_for_all_namespaces, v1.list_replication_controller_for_all_namespaces, batch.list_job_for_all_namespaces,
                   autoscaling.list_horizontal_pod_autoscaler_for_all_namespaces, v1.list_node, v1.list_namespace, v1.list_service_for_all_namespaces, v1.list_endpoints_for_all_namespaces):
        lister()
    # pod logs, with the client's True/False query spelling
    pods = v1.list_namespaced_pod(NS, label_selector='app=py-web', field_selector='status.phase=Running').items
    expect(len(pods) == 2, pods)
    log = v1.read_namespaced_pod_log(pods[0].metadata.name, NS, tail_lines=5, timestamps=True)
    expect('starting container web' in log and log[:4].isdigit(), log)
    # delete with propagation
    apps.delete_namespaced_deployment('py-web', NS, propagation_policy='Foreground')
    eventually(lambda: not apps.list_namespaced_replica_set(NS, label_selector='app=py-web').items, 30, 'py-web ReplicaSet gone')
    batch.delete_namespaced_job('py-pi', NS, body=client.V1DeleteOptions(propagation_policy='Background'))
    eventually(lambda: not v1.list_namespaced_pod(NS, label_selector='job-name=py-pi').items, 30, 'py-pi pods gone')


FLOWS = {name[len('flow_'):]: fn for name, fn in sorted(globals().items()) if name.startswith('flow_')}


def main(names):
    config.load_kube_config(config_file=os.environ['KUBECONFIG'])
    api = client.ApiClient()
    for name in names or sorted(FLOWS):
        try:
            FLOWS[name](api)
            print(json.dumps({'flow': name, 'ok': True}), flush=True)
        except Exception as e:  # noqa: BLE001 - reported to the test
            body = getattr(e, 'body', None)
            print(json.dumps({'flow': name, 'ok': False, 'error': '%s: %s%s\n%s' % (type(e).__name__, e, ' body=%s' % body if body else '', traceback.format_exc())}), flush=True)


if __name__ == '__main__':
    main(sys.argv[1:])
