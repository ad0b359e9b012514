/**
 * The engine functions the host calls, each imported on first use (tfjs takes seconds to load and the
 * host must answer app:info at once; Vite makes each a lazy chunk). Named imports of literal paths: a
 * renamed or moved function fails the type check, not a run.
 */
export const engineEntry = {
  runSearch: async () => (await import('../engine/search/run-search.js')).runSearch,
  estimateSearch: async () => (await import('../engine/search/estimate.js')).estimateSearch,
  inspectDataSource: async () => (await import('../engine/data/inspect-data.js')).inspectDataSource,
  buildLatencyTable: async () => (await import('../engine/hardware/latency-service.js')).buildLatencyTable,
  getMachineProfile: async () => (await import('../engine/hardware/machine-profile.js')).getMachineProfile,
  exportRun: async () => (await import('../engine/export/export-run-folder.js')).exportRun,
};
