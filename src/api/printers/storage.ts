// Volumes and their classes: persistent volumes, claims and storage classes.

import { at, list, quantity, str } from './access.js';
import { age } from './format.js';
import { ageColumn, column, nameColumn, type TablePrinter } from './table.js';

const name = (obj: unknown): string => str(obj, 'metadata', 'name');

/** helper.GetAccessModesAsString: RWO, ROX, RWX, RWOP in that order, each once. */
export function accessModes(modes: unknown[]): string {
  const short: [string, string][] = [
    ['ReadWriteOnce', 'RWO'],
    ['ReadOnlyMany', 'ROX'],
    ['ReadWriteMany', 'RWX'],
    ['ReadWriteOncePod', 'RWOP'],
  ];
  return short
    .filter(([mode]) => modes.includes(mode))
    .map(([, abbr]) => abbr)
    .join(',');
}

/** The beta annotation still overrides spec.storageClassName, as upstream honours it. */
function storageClassOf(obj: unknown): string {
  const beta = at(obj, 'metadata', 'annotations', 'volume.beta.kubernetes.io/storage-class');
  return typeof beta === 'string' ? beta : str(obj, 'spec', 'storageClassName');
}

const orUnset = (v: unknown): string => (typeof v === 'string' ? v : '<unset>');
const deleting = (obj: unknown): boolean => str(obj, 'metadata', 'deletionTimestamp') !== '';

export const persistentVolumePrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Capacity', 'capacity is the description of the persistent volume\'s resources and capacity.'),
    column('Access Modes', 'accessModes contains all ways the volume can be mounted.'),
    column('Reclaim Policy', 'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.'),
    column('Status', 'phase indicates if a volume is available, bound to a claim, or released by a claim.'),
    column('Claim', 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.'),
    column('StorageClass', 'StorageClass of the pv'),
    column('VolumeAttributesClass', 'VolumeAttributesClass of the pv'),
    column('Reason', 'reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.'),
    ageColumn(),
    column('VolumeMode', 'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.', { priority: 1 }),
  ],
  row(pv, now) {
    const claim = at(pv, 'spec', 'claimRef') ? `${str(pv, 'spec', 'claimRef', 'namespace')}/${str(pv, 'spec', 'claimRef', 'name')}` : '';
    return [
      name(pv),
      quantity(pv, 'spec', 'capacity', 'storage'),
      accessModes(list(pv, 'spec', 'accessModes')),
      str(pv, 'spec', 'persistentVolumeReclaimPolicy'),
      deleting(pv) ? 'Terminating' : str(pv, 'status', 'phase'),
      claim,
      storageClassOf(pv),
      orUnset(at(pv, 'spec', 'volumeAttributesClassName')),
      str(pv, 'status', 'reason'),
      age(pv, now),
      orUnset(at(pv, 'spec', 'volumeMode')),
    ];
  },
};

export const persistentVolumeClaimPrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Status', 'phase represents the current phase of PersistentVolumeClaim.'),
    column('Volume', 'volumeName is the binding reference to the PersistentVolume backing this claim.'),
    column('Capacity', 'capacity represents the actual resources of the underlying volume.'),
    column('Access Modes', 'accessModes contains the actual access modes the volume backing the PVC has.'),
    column('StorageClass', 'StorageClass of the pvc'),
    column('VolumeAttributesClass', 'VolumeAttributesClass of the pvc'),
    ageColumn(),
    column('VolumeMode', 'volumeMode defines what type of volume is required by the claim.', { priority: 1 }),
  ],
  row(pvc, now) {
    const volume = str(pvc, 'spec', 'volumeName');
    // Capacity and modes describe the bound volume, so they stay empty until binding.
    const bound = volume !== '';
    return [
      name(pvc),
      deleting(pvc) ? 'Terminating' : str(pvc, 'status', 'phase'),
      volume,
      bound ? quantity(pvc, 'status', 'capacity', 'storage') : '',
      bound ? accessModes(list(pvc, 'status', 'accessModes')) : '',
      storageClassOf(pvc),
      orUnset(at(pvc, 'spec', 'volumeAttributesClassName')),
      age(pvc, now),
      orUnset(at(pvc, 'spec', 'volumeMode')),
    ];
  },
};

const DEFAULT_CLASS_ANNOTATIONS = ['storageclass.kubernetes.io/is-default-class', 'storageclass.beta.kubernetes.io/is-default-class'];

export const storageClassPrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Provisioner', 'provisioner indicates the type of the provisioner.'),
    column('ReclaimPolicy', 'reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class. Defaults to Delete.'),
    column('VolumeBindingMode', 'volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.'),
    column('AllowVolumeExpansion', 'allowVolumeExpansion shows whether the storage class allow volume expand.'),
    ageColumn(),
  ],
  row(sc, now) {
    const isDefault = DEFAULT_CLASS_ANNOTATIONS.some((a) => at(sc, 'metadata', 'annotations', a) === 'true');
    return [
      isDefault ? `${name(sc)} (default)` : name(sc),
      str(sc, 'provisioner'),
      str(sc, 'reclaimPolicy') || 'Delete',
      str(sc, 'volumeBindingMode') || 'Immediate',
      at(sc, 'allowVolumeExpansion') === true,
      age(sc, now),
    ];
  },
};
