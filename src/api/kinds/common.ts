// Schemas shared by several kinds: ObjectReference, conditions, label selectors.
import { freeform, int64, list, map, mergeList, obj, str, time } from '../schema.ts';
import type { Schema } from '../resource.ts';

export const objectReferenceSchema: Schema = obj('ObjectReference contains enough information to let you inspect or modify the referred object.', {
  apiVersion: str('API version of the referent.'),
  kind: str('Kind of the referent.'),
  namespace: str('Namespace of the referent.'),
  name: str('Name of the referent.'),
  uid: str('UID of the referent.'),
  resourceVersion: str('Specific resourceVersion to which this reference is made, if any.'),
  fieldPath: str('If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.'),
});

export const localObjectReferenceSchema: Schema = obj('LocalObjectReference contains enough information to let you locate the referenced object inside the same namespace.', {
  name: str('Name of the referent.'),
});

export const labelSelectorSchema: Schema = obj(
  'A label selector is a label query over a set of resources.',
  {
    matchLabels: map('matchLabels is a map of {key,value} pairs.'),
    matchExpressions: list(
      'matchExpressions is a list of label selector requirements. The requirements are ANDed.',
      obj('A label selector requirement is a selector that contains values, a key, and an operator that relates the key and values.', {
        key: str('key is the label key that the selector applies to.'),
        operator: str("operator represents a key's relationship to a set of values. Valid operators are In, NotIn, Exists and DoesNotExist."),
        values: list('values is an array of string values.', str(), { listType: 'atomic' }),
      }),
      { listType: 'atomic' },
    ),
  },
  { 'x-kubernetes-map-type': 'atomic' },
);

/** A condition list merged by type (patchStrategy:"merge" patchMergeKey:"type"). */
export function conditionsSchema(description: string, extra: Record<string, Schema> = {}): Schema {
  return mergeList(
    description,
    obj('A condition of the object.', {
      type: str('Type of the condition.'),
      status: str('Status of the condition, one of True, False, Unknown.'),
      observedGeneration: int64('The .metadata.generation that the condition was set based upon.'),
      lastTransitionTime: time('Last time the condition transitioned from one status to another.'),
      lastUpdateTime: time('The last time this condition was updated.'),
      lastProbeTime: time('Last time we probed the condition.'),
      lastHeartbeatTime: time('Last time we got an update on a given condition.'),
      reason: str("The reason for the condition's last transition."),
      message: str('A human readable message indicating details about the transition.'),
      ...extra,
    }),
    'type',
  );
}

export { freeform };
