import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../types.js';
import { applyDefaults, imageTag } from './index.js';

const pod = (spec: Record<string, unknown>): KObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec });

test('pod spec defaults match upstream v1.32', () => {
  const p = pod({ containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80 }], resources: { limits: { cpu: '1' } } }] });
  applyDefaults('', 'Pod', p);
  const spec = p.spec as Record<string, unknown>;
  assert.equal(spec.restartPolicy, 'Always');
  assert.equal(spec.dnsPolicy, 'ClusterFirst');
  assert.equal(spec.schedulerName, 'default-scheduler');
  assert.equal(spec.terminationGracePeriodSeconds, 30);
  assert.deepEqual(spec.securityContext, {});
  assert.equal(spec.enableServiceLinks, true);
  const c = (spec.containers as Record<string, unknown>[])[0]!;
  assert.equal(c.imagePullPolicy, 'Always');
  assert.equal(c.terminationMessagePath, '/dev/termination-log');
  assert.equal(c.terminationMessagePolicy, 'File');
  assert.deepEqual(c.ports, [{ containerPort: 80, protocol: 'TCP' }]);
  assert.deepEqual(c.resources, { limits: { cpu: '1' }, requests: { cpu: '1' } });
});

test('imagePullPolicy follows the tag: latest/none → Always, tag or digest → IfNotPresent', () => {
  assert.equal(imageTag('nginx'), 'latest');
  assert.equal(imageTag('nginx:1.27'), '1.27');
  assert.equal(imageTag('localhost:5000/nginx'), 'latest');
  assert.equal(imageTag('nginx@sha256:abc'), '');
  const p = pod({ containers: [{ name: 'a', image: 'nginx:1.27' }, { name: 'b', image: 'nginx@sha256:abc' }, { name: 'c', image: 'nginx:latest' }, { name: 'd', image: 'x', imagePullPolicy: 'Never' }] });
  applyDefaults('', 'Pod', p);
  const policies = ((p.spec as Record<string, unknown>).containers as Record<string, unknown>[]).map((c) => c.imagePullPolicy);
  assert.deepEqual(policies, ['IfNotPresent', 'IfNotPresent', 'Always', 'Never']);
});

test('probe, env fieldRef and volume defaults', () => {
  const p = pod({
    containers: [{
      name: 'a', image: 'x:1',
      livenessProbe: { httpGet: { port: 80 } },
      env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
    }],
    volumes: [{ name: 's', secret: { secretName: 's' } }, { name: 'c', configMap: { name: 'c' } }, { name: 'e' }, { name: 'h', hostPath: { path: '/tmp' } }],
  });
  applyDefaults('', 'Pod', p);
  const spec = p.spec as Record<string, unknown>;
  const c = (spec.containers as Record<string, unknown>[])[0]!;
  assert.deepEqual(c.livenessProbe, { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  assert.deepEqual(c.env, [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName', apiVersion: 'v1' } } }]);
  assert.deepEqual(spec.volumes, [
    { name: 's', secret: { secretName: 's', defaultMode: 420 } },
    { name: 'c', configMap: { name: 'c', defaultMode: 420 } },
    { name: 'e', emptyDir: {} },
    { name: 'h', hostPath: { path: '/tmp', type: '' } },
  ]);
});

test('deployment defaults, and template gets PodSpec (not Pod-only) defaults', () => {
  const d: KObject = { metadata: { name: 'web', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } };
  applyDefaults('apps', 'Deployment', d);
  const spec = d.spec as Record<string, unknown>;
  assert.equal(spec.replicas, 1);
  assert.deepEqual(spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  assert.equal(spec.revisionHistoryLimit, 10);
  assert.equal(spec.progressDeadlineSeconds, 600);
  const podSpec = (spec.template as Record<string, Record<string, unknown>>).spec!;
  assert.equal(podSpec.restartPolicy, 'Always');
  assert.equal(podSpec.enableServiceLinks, undefined);
});

test('Recreate deployments get no rollingUpdate block', () => {
  const d: KObject = { metadata: { name: 'web' }, spec: { strategy: { type: 'Recreate' } } };
  applyDefaults('apps', 'Deployment', d);
  assert.deepEqual((d.spec as Record<string, unknown>).strategy, { type: 'Recreate' });
});

test('statefulset, daemonset, replicaset defaults', () => {
  const sts: KObject = { metadata: { name: 'db' }, spec: { volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: {} }] } };
  applyDefaults('apps', 'StatefulSet', sts);
  const s = sts.spec as Record<string, unknown>;
  assert.equal(s.replicas, 1);
  assert.equal(s.podManagementPolicy, 'OrderedReady');
  assert.deepEqual(s.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
  assert.deepEqual(s.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
  assert.equal(s.revisionHistoryLimit, 10);
  assert.deepEqual(s.volumeClaimTemplates, [{ metadata: { name: 'data' }, spec: { volumeMode: 'Filesystem' }, status: { phase: 'Pending' } }]);

  const ds: KObject = { metadata: { name: 'agent' }, spec: {} };
  applyDefaults('apps', 'DaemonSet', ds);
  assert.deepEqual((ds.spec as Record<string, unknown>).updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  assert.equal((ds.spec as Record<string, unknown>).revisionHistoryLimit, 10);

  const rs: KObject = { metadata: { name: 'rs' }, spec: { replicas: 0 } };
  applyDefaults('apps', 'ReplicaSet', rs);
  assert.equal((rs.spec as Record<string, unknown>).replicas, 0);
});

test('job defaults and generated selector', () => {
  const job: KObject = { metadata: { name: 'pi', uid: 'u-1' }, spec: { template: { metadata: { labels: { app: 'pi' } }, spec: { containers: [{ name: 'c', image: 'perl' }], restartPolicy: 'Never' } } } };
  applyDefaults('batch', 'Job', job);
  const s = job.spec as Record<string, unknown>;
  assert.equal(s.completions, 1);
  assert.equal(s.parallelism, 1);
  assert.equal(s.backoffLimit, 6);
  assert.equal(s.completionMode, 'NonIndexed');
  assert.equal(s.suspend, false);
  assert.equal(s.podReplacementPolicy, 'TerminatingOrFailed');
  assert.deepEqual(job.metadata.labels, { app: 'pi' });
  assert.deepEqual(s.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u-1' } });
  const labels = ((s.template as Record<string, Record<string, unknown>>).metadata!.labels) as Record<string, string>;
  assert.equal(labels['job-name'], 'pi');
  assert.equal(labels['batch.kubernetes.io/job-name'], 'pi');
  assert.equal(labels['controller-uid'], 'u-1');

  const parallel: KObject = { metadata: { name: 'x' }, spec: { completions: 5 } };
  applyDefaults('batch', 'Job', parallel);
  assert.equal((parallel.spec as Record<string, unknown>).parallelism, 1);
  assert.equal((parallel.spec as Record<string, unknown>).selector, undefined, 'no uid yet: no selector');
});

test('cronjob defaults', () => {
  const cj: KObject = { metadata: { name: 'c' }, spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { containers: [] } } } } } };
  applyDefaults('batch', 'CronJob', cj);
  const s = cj.spec as Record<string, unknown>;
  assert.deepEqual([s.concurrencyPolicy, s.suspend, s.successfulJobsHistoryLimit, s.failedJobsHistoryLimit], ['Allow', false, 3, 1]);
  const js = (s.jobTemplate as Record<string, Record<string, unknown>>).spec!;
  assert.equal(js.backoffLimit, undefined, 'Job defaults are not applied inside CronJob templates');
});

test('service defaults', () => {
  const svc: KObject = { metadata: { name: 's' }, spec: { ports: [{ port: 80 }, { port: 443, targetPort: 'https', protocol: 'TCP' }] } };
  applyDefaults('', 'Service', svc);
  const s = svc.spec as Record<string, unknown>;
  assert.equal(s.type, 'ClusterIP');
  assert.equal(s.sessionAffinity, 'None');
  assert.equal(s.internalTrafficPolicy, 'Cluster');
  assert.equal(s.externalTrafficPolicy, undefined);
  assert.deepEqual(s.ports, [{ port: 80, protocol: 'TCP', targetPort: 80 }, { port: 443, targetPort: 'https', protocol: 'TCP' }]);

  const lb: KObject = { metadata: { name: 'lb' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } };
  applyDefaults('', 'Service', lb);
  const l = lb.spec as Record<string, unknown>;
  assert.equal(l.externalTrafficPolicy, 'Cluster');
  assert.equal(l.allocateLoadBalancerNodePorts, true);

  const ext: KObject = { metadata: { name: 'e' }, spec: { type: 'ExternalName', externalName: 'example.com' } };
  applyDefaults('', 'Service', ext);
  assert.equal((ext.spec as Record<string, unknown>).internalTrafficPolicy, undefined);
});

test('secret, namespace, PV, PVC defaults', () => {
  const secret: KObject = { metadata: { name: 's' }, data: { a: 'eA==' }, stringData: { b: 'hi' } };
  applyDefaults('', 'Secret', secret);
  assert.equal(secret.type, 'Opaque');
  assert.deepEqual(secret.data, { a: 'eA==', b: 'aGk=' });
  assert.equal(secret.stringData, undefined);

  const ns: KObject = { metadata: { name: 'team-a' } };
  applyDefaults('', 'Namespace', ns);
  assert.deepEqual(ns.spec, { finalizers: ['kubernetes'] });
  assert.deepEqual(ns.status, { phase: 'Active' });
  assert.equal(ns.metadata.labels?.['kubernetes.io/metadata.name'], 'team-a');

  const pv: KObject = { metadata: { name: 'pv' }, spec: { hostPath: { path: '/d' } } };
  applyDefaults('', 'PersistentVolume', pv);
  assert.equal((pv.spec as Record<string, unknown>).persistentVolumeReclaimPolicy, 'Retain');
  assert.equal((pv.spec as Record<string, unknown>).volumeMode, 'Filesystem');
  assert.deepEqual(pv.status, { phase: 'Pending' });

  const pvc: KObject = { metadata: { name: 'c' }, spec: { accessModes: ['ReadWriteOnce'] } };
  applyDefaults('', 'PersistentVolumeClaim', pvc);
  assert.equal((pvc.spec as Record<string, unknown>).volumeMode, 'Filesystem');
  assert.deepEqual(pvc.status, { phase: 'Pending' });
});

test('replication controller takes selector and labels from its template', () => {
  const rc: KObject = { metadata: { name: 'rc' }, spec: { template: { metadata: { labels: { app: 'x' } }, spec: { containers: [] } } } };
  applyDefaults('', 'ReplicationController', rc);
  assert.deepEqual((rc.spec as Record<string, unknown>).selector, { app: 'x' });
  assert.deepEqual(rc.metadata.labels, { app: 'x' });
  assert.equal((rc.spec as Record<string, unknown>).replicas, 1);
});

test('HPA defaults differ by served version', () => {
  const v2: KObject = { apiVersion: 'autoscaling/v2', metadata: { name: 'h' }, spec: { maxReplicas: 3, behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } } };
  applyDefaults('autoscaling', 'HorizontalPodAutoscaler', v2);
  const s = v2.spec as Record<string, unknown>;
  assert.equal(s.minReplicas, 1);
  assert.deepEqual(s.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
  assert.deepEqual(s.behavior, {
    scaleDown: { stabilizationWindowSeconds: 60, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
    scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] },
  });
  const v1: KObject = { apiVersion: 'autoscaling/v1', metadata: { name: 'h' }, spec: { maxReplicas: 3 } };
  applyDefaults('autoscaling', 'HorizontalPodAutoscaler', v1);
  assert.deepEqual(v1.spec, { maxReplicas: 3, minReplicas: 1 });
});

test('other groups: network policy, limit range, rbac, priority and storage classes', () => {
  const np: KObject = { metadata: { name: 'np' }, spec: { podSelector: {}, egress: [{ ports: [{ port: 53 }] }] } };
  applyDefaults('networking.k8s.io', 'NetworkPolicy', np);
  assert.deepEqual((np.spec as Record<string, unknown>).policyTypes, ['Ingress', 'Egress']);
  assert.deepEqual((np.spec as Record<string, unknown>).egress, [{ ports: [{ port: 53, protocol: 'TCP' }] }]);

  const lr: KObject = { metadata: { name: 'lr' }, spec: { limits: [{ type: 'Container', max: { cpu: '2' }, min: { memory: '1Mi' } }] } };
  applyDefaults('', 'LimitRange', lr);
  assert.deepEqual((lr.spec as { limits: unknown[] }).limits[0], { type: 'Container', max: { cpu: '2' }, min: { memory: '1Mi' }, default: { cpu: '2' }, defaultRequest: { cpu: '2', memory: '1Mi' } });

  const rb: KObject = { metadata: { name: 'rb' }, roleRef: { kind: 'Role', name: 'r' }, subjects: [{ kind: 'User', name: 'u' }, { kind: 'ServiceAccount', name: 'sa' }] };
  applyDefaults('rbac.authorization.k8s.io', 'RoleBinding', rb);
  assert.deepEqual(rb.roleRef, { kind: 'Role', name: 'r', apiGroup: 'rbac.authorization.k8s.io' });
  assert.deepEqual(rb.subjects, [{ kind: 'User', name: 'u', apiGroup: 'rbac.authorization.k8s.io' }, { kind: 'ServiceAccount', name: 'sa', apiGroup: '' }]);

  const pc: KObject = { metadata: { name: 'high' }, value: 100 };
  applyDefaults('scheduling.k8s.io', 'PriorityClass', pc);
  assert.equal(pc.preemptionPolicy, 'PreemptLowerPriority');

  const sc: KObject = { metadata: { name: 'sc' }, provisioner: 'x' };
  applyDefaults('storage.k8s.io', 'StorageClass', sc);
  assert.deepEqual([sc.reclaimPolicy, sc.volumeBindingMode], ['Delete', 'Immediate']);
});

test('defaults are idempotent and never override given values', () => {
  const p = pod({ restartPolicy: 'Never', terminationGracePeriodSeconds: 0, containers: [{ name: 'a', image: 'x', terminationMessagePolicy: 'FallbackToLogsOnError' }] });
  applyDefaults('', 'Pod', p);
  const once = structuredClone(p);
  applyDefaults('', 'Pod', p);
  assert.deepEqual(p, once);
  const spec = p.spec as Record<string, unknown>;
  assert.equal(spec.restartPolicy, 'Never');
  assert.equal(spec.terminationGracePeriodSeconds, 0);
  assert.equal((spec.containers as Record<string, unknown>[])[0]!.terminationMessagePolicy, 'FallbackToLogsOnError');
});
