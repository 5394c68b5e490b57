// A pod's aggregate requests and limits as quantity lists (k8s.io/component-helpers/resource
// PodRequests / PodLimits), for the rules that print or compare exact quantities: ResourceQuota
// usage and LimitRange's Pod limits, through the one aggregation rule of requests.ts.
import { addLists, maxLists, parseResourceList, type ResourceList } from './resourcelist.ts';
import { aggregateContainers, type Aggregation } from './requests.ts';

const lists: Aggregation<ResourceList> = { empty: () => ({}), add: addLists, max: maxLists };

function aggregate(spec: any, field: 'requests' | 'limits'): ResourceList {
  return aggregateContainers(spec, (c) => parseResourceList(c?.resources?.[field]), lists);
}

/** PodRequests: aggregate container requests plus the pod's overhead. */
export function podRequestsList(pod: any): ResourceList {
  const reqs = aggregate(pod?.spec, 'requests');
  return pod?.spec?.overhead ? addLists(reqs, parseResourceList(pod.spec.overhead)) : reqs;
}

/** PodLimits: aggregate container limits; overhead is added only to resources that have a limit. */
export function podLimitsList(pod: any): ResourceList {
  const limits = aggregate(pod?.spec, 'limits');
  const overhead = parseResourceList(pod?.spec?.overhead);
  for (const k of Object.keys(overhead)) if (k in limits) limits[k] = addLists({ [k]: limits[k] }, { [k]: overhead[k] })[k];
  return limits;
}
