// A pod's aggregate requests and limits as quantity lists (k8s.io/component-helpers/resource
// PodRequests / PodLimits), for the rules that print or compare exact quantities: ResourceQuota
// usage and LimitRange's Pod limits. The same aggregation as podRequests (requests.ts), which the
// scheduler uses in plain numbers: containers add up, init containers count as their maximum
// (restartable sidecars add up and run alongside), plus spec.overhead.
import { addLists, maxLists, parseResourceList, type ResourceList } from './resourcelist.ts';

function aggregate(spec: any, field: 'requests' | 'limits'): ResourceList {
  let sum: ResourceList = {};
  for (const c of spec?.containers ?? []) sum = addLists(sum, parseResourceList(c?.resources?.[field]));
  let sidecars: ResourceList = {};
  let init: ResourceList = {};
  for (const ic of spec?.initContainers ?? []) {
    let r = parseResourceList(ic?.resources?.[field]);
    if (ic?.restartPolicy === 'Always') {
      sum = addLists(sum, r);
      sidecars = addLists(sidecars, r);
      r = sidecars;
    } else {
      r = addLists(r, sidecars);
    }
    init = maxLists(init, r);
  }
  return maxLists(sum, init);
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
