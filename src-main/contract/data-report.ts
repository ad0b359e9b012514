/** What reading the user's data found, as the wizard and result.json show it. Owned here; the engine imports it. */

/** One problem found while reading user data. Every message names the file. */
export interface DataIssue {
  file: string;
  problem: string;
  severity: 'error' | 'warning';
}

export interface ValidationReport {
  ok: boolean;
  samples: number;
  countsPerClass: Record<string, number>;
  /** e.g. "28×28×1" or "128×9"; several when sizes differ before resizing */
  shapes: string[];
  issues: DataIssue[];
  skipped: number;
}
