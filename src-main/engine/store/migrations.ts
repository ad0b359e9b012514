import type Database from 'better-sqlite3';

/**
 * Schema changes in order; `PRAGMA user_version` is the number applied. Append only: never edit a
 * migration that has shipped, add the next one.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: runs, per-step metrics, genotype per epoch, artifacts.
  `CREATE TABLE runs (
     id          TEXT PRIMARY KEY,
     run_dir     TEXT NOT NULL,
     config      TEXT NOT NULL,
     hardware    TEXT,
     status      TEXT NOT NULL CHECK (status IN ('queued', 'running', 'paused', 'done', 'failed', 'cancelled')),
     phase       TEXT,
     error       TEXT,
     pid         INTEGER,
     created_at  TEXT NOT NULL,
     started_at  TEXT,
     finished_at TEXT,
     updated_at  TEXT NOT NULL,
     result      TEXT
   );
   CREATE INDEX runs_by_created ON runs (created_at);
   CREATE TABLE metrics (
     run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
     phase  TEXT NOT NULL CHECK (phase IN ('search', 'retrain')),
     epoch  INTEGER NOT NULL,
     step   INTEGER NOT NULL,
     loss   REAL,
     score  REAL,
     time   REAL NOT NULL
   );
   CREATE INDEX metrics_by_run ON metrics (run_id, phase, epoch);
   CREATE TABLE genotypes (
     run_id   TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
     epoch    INTEGER NOT NULL,
     genotype TEXT NOT NULL,
     alphas   TEXT,
     PRIMARY KEY (run_id, epoch)
   );
   CREATE TABLE artifacts (
     run_id     TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
     kind       TEXT NOT NULL CHECK (kind IN ('checkpoint', 'export', 'image', 'model')),
     path       TEXT NOT NULL,
     bytes      INTEGER NOT NULL,
     created_at TEXT NOT NULL
   );
   CREATE INDEX artifacts_by_run ON artifacts (run_id, kind);`,
];

/**
 * Brings a database to the newest schema, each migration in its own IMMEDIATE transaction that
 * re-reads the version: two processes opening a new store at once do not both apply a migration.
 */
export function migrate(db: Database.Database, migrations: readonly string[] = MIGRATIONS): number {
  const version = () => db.pragma('user_version', { simple: true }) as number;
  const current = version();
  if (current > migrations.length) {
    throw new Error(`the file has schema version ${current}, newer than this NAS Studio knows (${migrations.length}); update NAS Studio`);
  }
  for (let next = current; next < migrations.length; next++) {
    db.transaction(() => {
      if (version() > next) return;
      db.exec(migrations[next]);
      db.pragma(`user_version = ${next + 1}`);
    }).immediate();
  }
  return migrations.length;
}
