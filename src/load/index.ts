// `kubesim load`: a clusterloader2-style load generator that speaks the API only through src/client.
export { runLoad, PROFILES, type Profile, type LoadOptions, type LoadReport } from './run.ts';
export { formatReport, sloTable } from './format.ts';
export { evaluateSlos, sloPassed, API_SLOS, type SloResult } from './slo.ts';
export { serverRows, Recorder, normalizeVerb, type RequestRow } from './requests.ts';
export { histogramQuantile, quantile, summarize } from './stats.ts';
