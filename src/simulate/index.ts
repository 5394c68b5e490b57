// `kubesim simulate`: scenarios on virtual time (docs/simulate.md).
export { parseScenario, parseDuration, ScenarioError, type Scenario, type NodeGroup, type Action } from './scenario.ts';
export { simulate, type SimulateOptions, type SimulationReport, type SimulationResult } from './run.ts';
export { formatTable, summarize, percentile, type Interval } from './measure.ts';
