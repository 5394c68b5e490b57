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



RBAC_GROUP = 'rbac.authorization.k8s.io'


def flow_security_rbac(api):
    rbac = client.RbacAuthorizationV1Api(api)
    rule = client.V1PolicyRule(api_groups=[''], resources=['pods'], verbs=['get', 'list'])
    rbac.create_namespaced_role(NS, client.V1Role(metadata=client.V1ObjectMeta(name='py-pod-reader'), rules=[rule]))
    role = rbac.read_namespaced_role('py-pod-reader', NS)
    same = rbac.replace_namespaced_role('py-pod-reader', NS, role)  # dates as "+00:00", None fields dropped
    expect(same.rules[0].verbs == ['get', 'list'], same.rules)
    same.rules[0].resource_names = ['web']
    expect(rbac.replace_namespaced_role('py-pod-reader', NS, same).rules[0].resource_names == ['web'], 'role replace')
    ref = client.V1RoleRef(api_group=RBAC_GROUP, kind='Role', name='py-pod-reader')
    subjects = [client.V1Subject(kind='User', api_group=RBAC_GROUP, name='alice'), client.V1Subject(kind='ServiceAccount', name='default', namespace=NS)]
    rbac.create_namespaced_role_binding(NS, client.V1RoleBinding(metadata=client.V1ObjectMeta(name='py-alice'), role_ref=ref, subjects=subjects))
    rb = rbac.read_namespaced_role_binding('py-alice', NS)
    expect([x.name for x in rbac.replace_namespaced_role_binding('py-alice', NS, rb).subjects] == ['alice', 'default'], 'rolebinding replace')
    # an aggregated ClusterRole, filled by the controller, read and sent back unchanged
    sel = {'rbac.example.com/aggregate-to-py': 'true'}
    agg = client.V1AggregationRule(cluster_role_selectors=[client.V1LabelSelector(match_labels=sel)])
    rbac.create_cluster_role(client.V1ClusterRole(metadata=client.V1ObjectMeta(name='py-agg'), aggregation_rule=agg))
    rbac.create_cluster_role(client.V1ClusterRole(metadata=client.V1ObjectMeta(name='py-agg-leaf', labels=sel), rules=[client.V1PolicyRule(api_groups=[''], resources=['endpoints'], verbs=['get'])]))
    filled = eventually(lambda: (lambda r: r if r.rules else None)(rbac.read_cluster_role('py-agg')), 30, 'py-agg aggregated')
    expect(filled.rules[0].resources == ['endpoints'], filled.rules)
    again = rbac.replace_cluster_role('py-agg', filled)
    expect(again.aggregation_rule.cluster_role_selectors[0].match_labels == sel, again.aggregation_rule)
    cref = client.V1RoleRef(api_group=RBAC_GROUP, kind='ClusterRole', name='py-agg')
    rbac.create_cluster_role_binding(client.V1ClusterRoleBinding(metadata=client.V1ObjectMeta(name='py-ops'), role_ref=cref, subjects=[client.V1Subject(kind='Group', api_group=RBAC_GROUP, name='ops')]))
    crb = rbac.read_cluster_role_binding('py-ops')
    expect(rbac.replace_cluster_role_binding('py-ops', crb).metadata.uid == crb.metadata.uid, 'clusterrolebinding replace')
    # the bootstrap objects go back unchanged too
    rbac.replace_cluster_role('view', rbac.read_cluster_role('view'))
    rbac.replace_cluster_role_binding('cluster-admin', rbac.read_cluster_role_binding('cluster-admin'))
    rbac.delete_cluster_role_binding('py-ops')
    rbac.delete_cluster_role('py-agg')
    rbac.delete_cluster_role('py-agg-leaf')
    rbac.delete_namespaced_role_binding('py-alice', NS)
    rbac.delete_namespaced_role('py-pod-reader', NS)
    try:
        rbac.read_namespaced_role('py-pod-reader', NS)
        raise AssertionError('deleted role still readable')
    except ApiException as e:
        expect(e.status == 404, e.status)


def flow_security_flowcontrol(api):
    # python3-kubernetes 22 has no typed flowcontrol v1 models: users reach v1 through the DynamicClient.
    dyn = dynamic.DynamicClient(api)
    levels = dyn.resources.get(api_version='flowcontrol.apiserver.k8s.io/v1', kind='PriorityLevelConfiguration')
    schemas = dyn.resources.get(api_version='flowcontrol.apiserver.k8s.io/v1', kind='FlowSchema')
    levels.create(body={'apiVersion': 'flowcontrol.apiserver.k8s.io/v1', 'kind': 'PriorityLevelConfiguration', 'metadata': {'name': 'py-batch'},
                        'spec': {'type': 'Limited', 'limited': {'nominalConcurrencyShares': 5, 'limitResponse': {'type': 'Reject'}}}})
    pl = levels.get(name='py-batch').to_dict()
    expect(pl['spec']['limited']['lendablePercent'] == 0, pl['spec'])
    expect(levels.replace(body=pl).spec.limited.nominalConcurrencyShares == 5, 'plc replace unchanged')
    schemas.create(body={'apiVersion': 'flowcontrol.apiserver.k8s.io/v1', 'kind': 'FlowSchema', 'metadata': {'name': 'py-batch'},
                         'spec': {'priorityLevelConfiguration': {'name': 'py-batch'}, 'matchingPrecedence': 6000, 'distinguisherMethod': {'type': 'ByNamespace'},
                                  'rules': [{'subjects': [{'kind': 'Group', 'group': {'name': 'py-batchers'}}],
                                             'resourceRules': [{'verbs': ['list'], 'apiGroups': [''], 'resources': ['pods'], 'clusterScope': True, 'namespaces': ['*']}]}]}})
    # read after the API server's flow control wrote its Dangling condition (a write that bumps the resourceVersion)
    fs = eventually(lambda: (lambda o: o if (o.get('status') or {}).get('conditions') else None)(schemas.get(name='py-batch').to_dict()), 30, 'py-batch Dangling condition')
    expect(fs['status']['conditions'][0]['type'] == 'Dangling' and fs['status']['conditions'][0]['status'] == 'False', fs['status'])
    fs['spec']['matchingPrecedence'] = 6001
    expect(schemas.replace(body=fs).spec.matchingPrecedence == 6001, 'flowschema replace')
    schemas.replace(body=schemas.get(name='catch-all').to_dict())
    schemas.delete(name='py-batch')
    levels.delete(name='py-batch')


def flow_security_csr(api):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    import tempfile
    from cryptography.x509.oid import NameOID
    import base64
    key = ec.generate_private_key(ec.SECP256R1())  # what client-go's certificate manager uses too
    req = x509.CertificateSigningRequestBuilder().subject_name(x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, 'py-dave'), x509.NameAttribute(NameOID.ORGANIZATION_NAME, 'dev')])).sign(key, hashes.SHA256())
    pem = req.public_bytes(serialization.Encoding.PEM)
    certs = client.CertificatesV1Api(api)
    body = client.V1CertificateSigningRequest(metadata=client.V1ObjectMeta(name='py-dave'), spec=client.V1CertificateSigningRequestSpec(
        request=base64.b64encode(pem).decode(), signer_name='kubernetes.io/kube-apiserver-client', usages=['client auth'], expiration_seconds=3600))
    certs.create_certificate_signing_request(body)
    csr = certs.read_certificate_signing_request('py-dave')
    csr = certs.replace_certificate_signing_request('py-dave', csr)
    csr.status = client.V1CertificateSigningRequestStatus(conditions=[client.V1CertificateSigningRequestCondition(
        type='Approved', status='True', reason='PythonApprove', message='approved by the python client')])
    approved = certs.replace_certificate_signing_request_approval('py-dave', csr)
    expect(approved.status.conditions[0].type == 'Approved' and approved.status.conditions[0].last_update_time is not None, approved.status)
    signed = eventually(lambda: (lambda r: r if r.status.certificate else None)(certs.read_certificate_signing_request('py-dave')), 30, 'py-dave signed')
    cert = x509.load_pem_x509_certificate(base64.b64decode(signed.status.certificate))
    expect(cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == 'py-dave', cert.subject)
    certs.replace_certificate_signing_request('py-dave', signed)
    certs.delete_certificate_signing_request('py-dave')
    # the certificate and its key authenticate as py-dave (RBAC then refuses the list)
    with tempfile.TemporaryDirectory() as d:
        cert_file, key_file = os.path.join(d, 'c.pem'), os.path.join(d, 'k.pem')
        with open(cert_file, 'wb') as f:
            f.write(base64.b64decode(signed.status.certificate))
        with open(key_file, 'wb') as f:
            f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        cfg = client.Configuration.get_default_copy()
        cfg.cert_file, cfg.key_file, cfg.api_key = cert_file, key_file, {}
        try:
            client.CoreV1Api(client.ApiClient(cfg)).list_namespace()
            raise AssertionError('py-dave listed namespaces')
        except ApiException as e:
            expect(e.status == 403 and 'User \\"py-dave\\"' in e.body, (e.status, e.body))


def flow_security_reviews(api):
    authz = client.AuthorizationV1Api(api)
    r = authz.create_self_subject_access_review(client.V1SelfSubjectAccessReview(spec=client.V1SelfSubjectAccessReviewSpec(
        resource_attributes=client.V1ResourceAttributes(namespace=NS, verb='delete', resource='secrets'))))
    expect(r.status.allowed is True, r.status)
    v1 = client.CoreV1Api(api)
    v1.create_namespaced_service_account(NS, client.V1ServiceAccount(metadata=client.V1ObjectMeta(name='py-robot')))
    tr = v1.create_namespaced_service_account_token('py-robot', NS, client.AuthenticationV1TokenRequest(spec=client.V1TokenRequestSpec(
        audiences=['https://kubernetes.default.svc.cluster.local'], expiration_seconds=3600)))
    expect(tr.status.token.count('.') == 2 and tr.status.expiration_timestamp is not None, tr.status)
    # the token works as a bearer token: the robot may not list secrets
    cfg = client.Configuration.get_default_copy()
    cfg.api_key = {'authorization': 'Bearer ' + tr.status.token}
    cfg.cert_file = cfg.key_file = None
    robot = client.ApiClient(cfg)
    rr = client.AuthorizationV1Api(robot).create_self_subject_access_review(client.V1SelfSubjectAccessReview(spec=client.V1SelfSubjectAccessReviewSpec(
        resource_attributes=client.V1ResourceAttributes(namespace=NS, verb='list', resource='secrets'))))
    expect(rr.status.allowed is False, rr.status)
    try:
        client.CoreV1Api(robot).list_namespaced_secret(NS)
        raise AssertionError('the robot listed secrets')
    except ApiException as e:
        expect(e.status == 403, e.status)
    v1.delete_namespaced_service_account('py-robot', NS)


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
