/** The flows the config's modules define, and where each was defined. */
export interface FlowCatalog {
  /** Registered flow names, in registration order. */
  readonly names: readonly string[];
  /** The module (relative to the project) that registered each flow. */
  readonly moduleOf: ReadonlyMap<string, string>;
  /** Every module that was imported, relative to the project. */
  readonly modules: readonly string[];
}
