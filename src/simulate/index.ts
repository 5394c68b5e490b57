// `kubesim simulate`: scenarios on virtual time (docs/simulate.md).
export { parseScenario, parseDuration, ScenarioError, type Scenario, type NodeGroup, type Action } from './scenario.ts';
export { simulate, type SimulateOptions, type SimulationReport, type SimulationResult } from './run.ts';
export { formatTable, summarize, percentile, type Interval } from './measure.ts';
export { loadSchedulerConfig, type SchedulerConfigFile } from './compare.ts';
export { formatCompare, summarizeRun, type Summary } from './summary.ts';
export { toCsv, toSvg } from './series.ts';
export { expandGenerator, arrivals, sample, type Generator } from './generators.ts';
export { parseExpect, evaluate, type Assertion, type AssertionResult } from './assertions.ts';
export { parseFault, type Fault, type FaultRecord } from './faults.ts';
