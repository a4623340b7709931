// Every controller the manager runs, by name (as kube-controller-manager's --controllers).
import type { ControllerDef } from './context.js';
import { namespaceController } from './namespace.js';
import { replicaSetController, replicationControllerController } from './replicaset.js';
import { deploymentController } from './deployment/controller.js';
import { daemonSetController } from './daemonset/controller.js';
import { statefulSetController } from './statefulset/controller.js';
import { jobController } from './job/job-controller.js';
import { cronJobController } from './cronjob/cronjob-controller.js';
import { ttlAfterFinishedController } from './ttl-after-finished.js';
import { garbageCollectorController } from './garbage-collector/garbage-collector.js';
import { serviceAccountController } from './serviceaccount.js';
import { rootCaPublisherController } from './root-ca-publisher.js';
import { endpointsController } from './endpoints.js';
import { endpointSliceController } from './endpointslice.js';
import { persistentVolumeBinderController } from './pv-binder.js';
import { localPathProvisionerController } from './local-path-provisioner.js';
import { resourceQuotaController } from './resourcequota.js';
import { disruptionController } from './disruption.js';
import { nodeIpamController } from './node-ipam.js';
import { nodeLifecycleController } from './node-lifecycle.js';
import { tokenCleanerController } from './token-cleaner.js';
import { csrCleanerController } from './certificates/cleaner.js';
import { clusterRoleAggregationController } from './clusterrole-aggregation.js';

export const allControllers: ControllerDef[] = [
  namespaceController,
  nodeIpamController,
  nodeLifecycleController,
  serviceAccountController,
  rootCaPublisherController,
  garbageCollectorController,
  replicaSetController,
  replicationControllerController,
  deploymentController,
  daemonSetController,
  statefulSetController,
  jobController,
  cronJobController,
  ttlAfterFinishedController,
  endpointsController,
  endpointSliceController,
  persistentVolumeBinderController,
  localPathProvisionerController,
  resourceQuotaController,
  disruptionController,
  tokenCleanerController,
  csrCleanerController,
  clusterRoleAggregationController,
];
