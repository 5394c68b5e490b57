// The metrics API's data (metrics.k8s.io, served in-process as metrics-server would serve it): one
// background scraper per API server, found from a request's ApiCore.
import type { ApiCore } from '../rest/scope.ts';
import { ResourceMetricsScraper, type ScraperOptions } from './scraper.ts';

export { ResourceMetricsScraper, groupByKubelet, type ScraperOptions, type SummarySource } from './scraper.ts';
export * from './samples.ts';

const scrapers = new WeakMap<ApiCore, ResourceMetricsScraper>();

/** Starts the scraper of a server (first scrape at once, then every resolution). */
export function startResourceMetrics(core: ApiCore, opts: ScraperOptions = {}): ResourceMetricsScraper {
  const s = new ResourceMetricsScraper(core.store, core.logger, { clock: core.clock, ...opts });
  scrapers.set(core, s);
  s.start();
  return s;
}

export function scraperOf(core: ApiCore): ResourceMetricsScraper | undefined {
  return scrapers.get(core);
}
