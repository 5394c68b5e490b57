// custom.metrics.k8s.io/v1beta2 MetricValueList and external.metrics.k8s.io/v1beta1
// ExternalMetricValueList (k8s.io/metrics, served by metrics adapters such as prometheus-adapter):
// read only, never stored. Their resource names are data (`pods/*/<metric>`,
// `deployments.apps/<name>/<metric>`, `<metric>`), so the API server routes every path of these
// group/versions to their storage (src/apiserver/kinds/custommetrics.ts); the registry entries give
// the groups to discovery and the APIServices, and the objects' schemas to OpenAPI.
import { defineKind } from '../meta.ts';
import { int64, list, map, obj, quantity, str, time } from '../schema.ts';

const READ_ONLY = ['get'];

const objectReference = obj('ObjectReference contains enough information to let you inspect or modify the referred object.', {
  kind: str('Kind of the referent.'),
  namespace: str('Namespace of the referent.'),
  name: str('Name of the referent.'),
  apiVersion: str('API version of the referent.'),
});

const timestamp = time('indicates the time at which the metrics were produced');
const windowSeconds = int64('indicates the window ([Timestamp-Window, Timestamp]) from which these metrics were calculated, when returning rate metrics calculated from cumulative metrics (or zero for non-calculated instantaneous metrics).');
const value = quantity('the value of the metric for this');

export const metricValueList = defineKind({
  group: 'custom.metrics.k8s.io',
  version: 'v1beta2',
  kind: 'MetricValueList',
  plural: 'metricvaluelists',
  namespaced: true,
  verbs: READ_ONLY,
  description: 'MetricValueList is a list of values for a given metric for some set of objects',
  fields: {
    items: list(
      'the value of the metric across the described objects',
      obj('MetricValue is the metric value for some object', {
        describedObject: objectReference,
        metric: obj('MetricIdentifier identifies a metric by name and, optionally, selector', { name: str('name is the name of the given metric'), selector: obj('selector represents the label selector that could be used to select this metric.', { matchLabels: map('matchLabels is a map of {key,value} pairs.') }) }),
        timestamp,
        windowSeconds,
        value,
      }),
    ),
  },
});

export const externalMetricValueList = defineKind({
  group: 'external.metrics.k8s.io',
  version: 'v1beta1',
  kind: 'ExternalMetricValueList',
  plural: 'externalmetricvaluelists',
  namespaced: true,
  verbs: READ_ONLY,
  description: 'ExternalMetricValueList is a list of values for a given metric for some set labels',
  fields: {
    items: list(
      'value of the metric matching a given set of labels',
      obj('ExternalMetricValue is a metric value for external metric', {
        metricName: str('the name of the metric'),
        metricLabels: map('a set of labels that identify a single time series for the metric'),
        timestamp,
        window: windowSeconds,
        value,
      }),
    ),
  },
});
