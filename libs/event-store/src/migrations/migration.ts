/** A forward-only schema change, embedded in the bundle so a deployment needs no files beside it. */
export interface Migration {
  /** 1, 2, 3…: applied in this order, each once. */
  version: number;
  name: string;
  /** Runs with `search_path` set to the deployment's schema, inside one transaction. */
  sql: string;
}
