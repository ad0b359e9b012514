import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { userDataDir } from '../hardware/profile-store.js';
import { migrate } from './migrations.js';
import {
  ARTIFACT_KINDS,
  RUN_STATUSES,
  type Artifact,
  type ArtifactKind,
  type EpochGenotype,
  type NewRun,
  type RunDetail,
  type RunRecord,
  type RunStatus,
  type StepMetric,
} from './run-store.types.js';

export * from './run-store.types.js';

/** <userDataDir>/runs.db: one store shared by the CLI and the app. */
export function defaultStoreFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(userDataDir(env), 'runs.db');
}

interface RunRow {
  id: string;
  run_dir: string;
  config: string;
  hardware: string | null;
  status: RunStatus;
  phase: string | null;
  error: string | null;
  pid: number | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  updated_at: string;
  result: string | null;
}

const parse = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

function toRecord(row: RunRow): RunRecord {
  return {
    id: row.id,
    runDir: row.run_dir,
    config: parse(row.config),
    hardware: parse(row.hardware),
    status: row.status,
    phase: row.phase,
    error: row.error,
    pid: row.pid,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    updatedAt: row.updated_at,
    result: parse(row.result),
  };
}

/** True when a process with this id exists on this machine (EPERM: it exists, owned by someone else). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const FINAL: readonly RunStatus[] = ['done', 'failed', 'cancelled'];

/**
 * The run store: SQLite in WAL mode so the CLI and the app can read while a run writes, with a
 * busy timeout so two writers wait for each other instead of failing. Every write is one statement
 * or one transaction, so a killed process leaves the database consistent.
 */
export class RunStore {
  private constructor(
    readonly file: string,
    private readonly db: Database.Database,
  ) {}

  static open(file: string = defaultStoreFile()): RunStore {
    let db: Database.Database;
    try {
      if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
      db = new Database(file, { timeout: 10_000 });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new Error(`${file}: cannot open the run store (${code ?? (error as Error).message}).`, { cause: error });
    }
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      migrate(db);
    } catch (error) {
      db.close();
      throw new Error(`${file}: the run store cannot be used (${(error as Error).message}).`, { cause: error });
    }
    return new RunStore(file, db);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** `PRAGMA integrity_check`: 'ok' when the file is sound. */
  integrityCheck(): string {
    return (this.db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
  }

  schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  createRun(run: NewRun): RunRecord {
    const status = run.status ?? 'queued';
    assertStatus(status);
    const now = new Date().toISOString();
    try {
      this.db
        .prepare(
          `INSERT INTO runs (id, run_dir, config, hardware, status, pid, created_at, started_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(run.id, run.runDir, JSON.stringify(run.config), run.hardware === undefined ? null : JSON.stringify(run.hardware), status, process.pid, now, status === 'running' ? now : null, now);
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new Error(`run ${run.id}: a run with this id is already in the store.`, { cause: error });
      throw error;
    }
    return this.getRecord(run.id) as RunRecord;
  }

  /** Moves a run to `status`; final statuses stamp finished_at, 'running' stamps started_at once and this pid. */
  setStatus(id: string, status: RunStatus, details: { error?: string | null; phase?: string; result?: unknown } = {}): void {
    assertStatus(status);
    const now = new Date().toISOString();
    const info = this.db
      .prepare(
        `UPDATE runs SET status = @status, updated_at = @now,
           started_at = CASE WHEN @status = 'running' AND started_at IS NULL THEN @now ELSE started_at END,
           finished_at = CASE WHEN @final THEN @now ELSE NULL END,
           pid = CASE WHEN @status = 'running' THEN @pid ELSE pid END,
           error = CASE WHEN @hasError THEN @error WHEN @status IN ('running', 'queued', 'done') THEN NULL ELSE error END,
           phase = COALESCE(@phase, phase),
           result = COALESCE(@result, result)
         WHERE id = @id`,
      )
      .run({
        id,
        status,
        now,
        final: FINAL.includes(status) ? 1 : 0,
        pid: process.pid,
        hasError: details.error !== undefined ? 1 : 0,
        error: details.error ?? null,
        phase: details.phase ?? null,
        result: details.result === undefined ? null : JSON.stringify(details.result),
      });
    if (info.changes === 0) throw new Error(`run ${id}: not in the run store.`);
  }

  setHardware(id: string, hardware: unknown): void {
    this.db.prepare(`UPDATE runs SET hardware = ?, updated_at = ? WHERE id = ?`).run(JSON.stringify(hardware), new Date().toISOString(), id);
  }

  setPhase(id: string, phase: string): void {
    this.db.prepare(`UPDATE runs SET phase = ?, updated_at = ? WHERE id = ?`).run(phase, new Date().toISOString(), id);
  }

  recordStep(id: string, m: StepMetric): void {
    // SQLite keeps NaN as NULL: a diverged step stays visible as a row with no loss.
    this.db.prepare(`INSERT INTO metrics (run_id, phase, epoch, step, loss, score, time) VALUES (?, ?, ?, ?, ?, ?, ?)`).run(id, m.phase, m.epoch, m.step, finiteOrNull(m.loss), finiteOrNull(m.score), m.time);
  }

  /** Drops metrics and genotypes of `phase` from `epoch` on: a resumed run redoes those epochs. */
  truncateFrom(id: string, phase: 'search' | 'retrain', epoch: number): void {
    this.db.transaction(() => {
      this.db.prepare(`DELETE FROM metrics WHERE run_id = ? AND phase = ? AND epoch >= ?`).run(id, phase, epoch);
      if (phase === 'search') this.db.prepare(`DELETE FROM genotypes WHERE run_id = ? AND epoch >= ?`).run(id, epoch);
    })();
  }

  metrics(id: string, phase?: 'search' | 'retrain'): StepMetric[] {
    const rows = this.db
      .prepare(`SELECT phase, epoch, step, loss, score, time FROM metrics WHERE run_id = ? AND (? IS NULL OR phase = ?) ORDER BY rowid`)
      .all(id, phase ?? null, phase ?? null) as { phase: 'search' | 'retrain'; epoch: number; step: number; loss: number | null; score: number | null; time: number }[];
    return rows.map((r) => ({ ...r, loss: r.loss ?? NaN, score: r.score ?? NaN }));
  }

  recordEpochGenotype(id: string, g: EpochGenotype): void {
    this.db
      .prepare(`INSERT INTO genotypes (run_id, epoch, genotype, alphas) VALUES (?, ?, ?, ?) ON CONFLICT (run_id, epoch) DO UPDATE SET genotype = excluded.genotype, alphas = excluded.alphas`)
      .run(id, g.epoch, g.genotype, g.alphas === undefined ? null : JSON.stringify(g.alphas));
  }

  addArtifact(id: string, a: { kind: ArtifactKind; path: string; bytes: number }): void {
    if (!ARTIFACT_KINDS.includes(a.kind)) throw new Error(`artifact kind must be one of ${ARTIFACT_KINDS.join(', ')}; got '${a.kind}'.`);
    this.db.prepare(`INSERT INTO artifacts (run_id, kind, path, bytes, created_at) VALUES (?, ?, ?, ?, ?)`).run(id, a.kind, a.path, a.bytes, new Date().toISOString());
  }

  /** Removes artifact rows of a kind whose path is not in `keep` (old checkpoints, once replaced). */
  pruneArtifacts(id: string, kind: ArtifactKind, keep: string[]): void {
    const rows = this.db.prepare(`SELECT rowid, path FROM artifacts WHERE run_id = ? AND kind = ?`).all(id, kind) as { rowid: number; path: string }[];
    const del = this.db.prepare(`DELETE FROM artifacts WHERE rowid = ?`);
    this.db.transaction(() => {
      for (const row of rows) if (!keep.includes(row.path)) del.run(row.rowid);
    })();
  }

  /** Newest first. Runs marked running whose process is gone are reported (and saved) as failed. */
  listRuns(options: { limit?: number; status?: RunStatus } = {}): RunRecord[] {
    this.reconcileDeadRuns();
    const rows = this.db
      .prepare(`SELECT * FROM runs WHERE (? IS NULL OR status = ?) ORDER BY created_at DESC, id DESC LIMIT ?`)
      .all(options.status ?? null, options.status ?? null, options.limit ?? -1) as RunRow[];
    return rows.map(toRecord);
  }

  /** A run by its id or a unique prefix of it; undefined when none matches. */
  getRun(idOrPrefix: string): RunDetail | undefined {
    this.reconcileDeadRuns();
    const id = this.resolveId(idOrPrefix);
    if (!id) return undefined;
    const record = this.getRecord(id) as RunRecord;
    const genotypes = (this.db.prepare(`SELECT epoch, genotype, alphas FROM genotypes WHERE run_id = ? ORDER BY epoch`).all(id) as { epoch: number; genotype: string; alphas: string | null }[]).map((g) => ({
      epoch: g.epoch,
      genotype: g.genotype,
      ...(g.alphas !== null ? { alphas: JSON.parse(g.alphas) } : {}),
    }));
    const artifacts = (this.db.prepare(`SELECT kind, path, bytes, created_at FROM artifacts WHERE run_id = ? ORDER BY rowid`).all(id) as { kind: ArtifactKind; path: string; bytes: number; created_at: string }[]).map(
      (a): Artifact => ({ kind: a.kind, path: a.path, bytes: a.bytes, createdAt: a.created_at }),
    );
    const progress = this.db
      .prepare(
        `SELECT phase, COUNT(*) AS steps, MAX(epoch) AS lastEpoch,
           (SELECT loss FROM metrics m2 WHERE m2.run_id = m.run_id AND m2.phase = m.phase ORDER BY rowid DESC LIMIT 1) AS lastLoss
         FROM metrics m WHERE run_id = ? GROUP BY phase ORDER BY MIN(rowid)`,
      )
      .all(id) as RunDetail['progress'];
    return { ...record, genotypes, artifacts, progress };
  }

  /** The full id for an id or a unique prefix; throws when the prefix is ambiguous. */
  resolveId(idOrPrefix: string): string | undefined {
    const exact = this.db.prepare(`SELECT id FROM runs WHERE id = ?`).get(idOrPrefix) as { id: string } | undefined;
    if (exact) return exact.id;
    const escaped = idOrPrefix.replace(/[\\%_]/g, (c) => `\\${c}`);
    const rows = this.db.prepare(`SELECT id FROM runs WHERE id LIKE ? ESCAPE '\\' LIMIT 3`).all(`${escaped}%`) as { id: string }[];
    if (rows.length > 1) throw new Error(`run '${idOrPrefix}': the prefix matches several runs (${rows.map((r) => r.id).join(', ')}${rows.length === 3 ? ', …' : ''}); give more of the id.`);
    return rows[0]?.id;
  }

  private getRecord(id: string): RunRecord | undefined {
    const row = this.db.prepare(`SELECT * FROM runs WHERE id = ?`).get(id) as RunRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  /** A run left 'running' or 'paused' by a process that no longer exists was interrupted (kill -9, power cut). */
  private reconcileDeadRuns(): void {
    const rows = this.db.prepare(`SELECT id, pid FROM runs WHERE status IN ('running', 'paused') AND pid IS NOT NULL AND pid != ?`).all(process.pid) as { id: string; pid: number }[];
    for (const row of rows) {
      if (processAlive(row.pid)) continue;
      this.db
        .prepare(`UPDATE runs SET status = 'failed', error = ?, finished_at = ?, updated_at = ? WHERE id = ? AND status IN ('running', 'paused')`)
        .run(`interrupted: process ${row.pid} ended without finishing the run; continue it with: nas-studio resume ${row.id}`, new Date().toISOString(), new Date().toISOString(), row.id);
    }
  }
}

function assertStatus(status: RunStatus): void {
  if (!RUN_STATUSES.includes(status)) throw new Error(`run status must be one of ${RUN_STATUSES.join(', ')}; got '${status}'.`);
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}
