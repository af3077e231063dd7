/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The schema of the project file, as the list of migrations that build it:
 * migration i takes a file from schema version i to i + 1, and a new
 * project is made by running all of them on an empty database, so creating
 * and upgrading are one path. A change to the schema appends a migration
 * and bumps DISTILLERY_STORE_SCHEMA_VERSION; a migration once released is
 * never edited. docs/file-format.md explains every table and column.
 *
 * JSON columns are checked by the store's code before they are written,
 * not by CHECK constraints: connections run with trusted_schema off, under
 * which SQLite refuses json_valid () inside a schema.
 */
#include "distillery-store-private.h"

#define STATUSES "'queued', 'running', 'paused', 'finished', 'failed', 'cancelled', 'interrupted'"

const StoreMigration _distillery_store_migrations[DISTILLERY_STORE_SCHEMA_VERSION] = {
  /* 0 -> 1: the first schema. */
  { "CREATE TABLE project ("
    "  id             INTEGER PRIMARY KEY CHECK (id = 1),"
    "  name           TEXT NOT NULL,"
    "  created        INTEGER NOT NULL,"
    "  app_version    TEXT NOT NULL,"
    "  created_schema INTEGER NOT NULL"
    ");"
    "CREATE TABLE datasets ("
    "  id           INTEGER PRIMARY KEY,"
    "  name         TEXT NOT NULL,"
    "  kind         TEXT NOT NULL CHECK (kind IN ('idx', 'csv', 'demo')),"
    "  options      TEXT NOT NULL,"
    "  n_samples    INTEGER NOT NULL CHECK (n_samples >= 0),"
    "  n_features   INTEGER NOT NULL CHECK (n_features >= 0),"
    "  n_classes    INTEGER NOT NULL CHECK (n_classes >= 0),"
    "  class_names  TEXT NOT NULL,"
    "  image_width  INTEGER NOT NULL DEFAULT 0,"
    "  image_height INTEGER NOT NULL DEFAULT 0,"
    "  created      INTEGER NOT NULL"
    ");"
    "CREATE TABLE dataset_files ("
    "  dataset_id   INTEGER NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,"
    "  role         TEXT NOT NULL,"
    "  file_name    TEXT NOT NULL,"
    "  size         INTEGER NOT NULL CHECK (size >= 0),"
    "  crc32        INTEGER NOT NULL,"
    "  compression  TEXT NOT NULL CHECK (compression IN ('none', 'zlib')),"
    "  data         BLOB NOT NULL,"
    "  PRIMARY KEY (dataset_id, role)"
    ");"
    "CREATE TABLE teachers ("
    "  id           INTEGER PRIMARY KEY,"
    "  name         TEXT NOT NULL,"
    "  kind         TEXT NOT NULL CHECK (kind IN ('mlp', 'ensemble', 'answers', 'program')),"
    "  settings     TEXT NOT NULL,"
    "  dataset_id   INTEGER REFERENCES datasets (id),"
    "  run_id       INTEGER REFERENCES runs (id) ON DELETE SET NULL,"
    "  created      INTEGER NOT NULL"
    ");"
    "CREATE TABLE teacher_answers ("
    "  teacher_id   INTEGER NOT NULL REFERENCES teachers (id) ON DELETE CASCADE,"
    "  dataset_id   INTEGER NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,"
    "  split        TEXT NOT NULL CHECK (split IN ('train', 'test')),"
    "  policy       TEXT NOT NULL,"
    "  sample       INTEGER NOT NULL CHECK (sample >= 0),"
    "  answer       BLOB NOT NULL,"
    "  PRIMARY KEY (teacher_id, dataset_id, split, policy, sample)"
    ") WITHOUT ROWID;"
    "CREATE TABLE experiments ("
    "  id           INTEGER PRIMARY KEY,"
    "  name         TEXT NOT NULL UNIQUE,"
    "  settings     TEXT NOT NULL,"
    "  dataset_id   INTEGER NOT NULL REFERENCES datasets (id),"
    "  teacher_id   INTEGER REFERENCES teachers (id),"
    "  created      INTEGER NOT NULL"
    ");"
    "CREATE TABLE runs ("
    "  id            INTEGER PRIMARY KEY,"
    "  experiment_id INTEGER REFERENCES experiments (id) ON DELETE CASCADE,"
    "  teacher_id    INTEGER REFERENCES teachers (id),"
    "  seed          INTEGER NOT NULL,"
    "  status        TEXT NOT NULL DEFAULT 'queued' CHECK (status IN (" STATUSES ")),"
    "  error         TEXT,"
    "  created       INTEGER NOT NULL,"
    "  started       INTEGER,"
    "  finished      INTEGER,"
    "  epochs_done   INTEGER NOT NULL DEFAULT 0,"
    "  steps_done    INTEGER NOT NULL DEFAULT 0,"
    "  seconds       REAL NOT NULL DEFAULT 0,"
    "  final_metrics TEXT,"
    "  owner_pid     INTEGER,"
    "  owner_start   INTEGER,"
    "  owner_boot_id TEXT,"
    "  owner_host    TEXT"
    ");"
    "CREATE INDEX runs_by_experiment ON runs (experiment_id);"
    "CREATE TABLE steps ("
    "  run_id        INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
    "  step          INTEGER NOT NULL,"
    "  epoch         INTEGER NOT NULL,"
    "  loss          REAL,"
    "  loss_kd       REAL,"
    "  loss_ce       REAL,"
    "  learning_rate REAL,"
    "  wall          REAL,"
    "  PRIMARY KEY (run_id, step)"
    ") WITHOUT ROWID;"
    "CREATE TABLE epochs ("
    "  run_id           INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
    "  epoch            INTEGER NOT NULL,"
    "  step             INTEGER NOT NULL,"
    "  wall             REAL,"
    "  train_loss       REAL,"
    "  val_loss         REAL,"
    "  val_accuracy     REAL,"
    "  val_agreement    REAL,"
    "  val_kl           REAL,"
    "  val_ece          REAL,"
    "  agreement_matrix BLOB,"
    "  PRIMARY KEY (run_id, epoch)"
    ");"
    "CREATE TABLE checkpoints ("
    "  run_id       INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
    "  kind         TEXT NOT NULL CHECK (kind IN ('last', 'best')),"
    "  epoch        INTEGER NOT NULL,"
    "  step         INTEGER NOT NULL,"
    "  created      INTEGER NOT NULL,"
    "  data         BLOB NOT NULL,"
    "  PRIMARY KEY (run_id, kind)"
    ");"
    "CREATE TABLE models ("
    "  run_id       INTEGER PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,"
    "  created      INTEGER NOT NULL,"
    "  data         BLOB NOT NULL"
    ");" },

  /* 1 -> 2: step metrics as packed chunks of up to 4096 steps instead of
   * a row per step, so that logging costs a few inserts per batch. The
   * chunks of a run cover disjoint ranges of steps; min_epoch and
   * max_epoch let truncation find the chunks it must rewrite. */
  { "CREATE TABLE step_chunks ("
    "  run_id       INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
    "  first_step   INTEGER NOT NULL,"
    "  last_step    INTEGER NOT NULL,"
    "  n_rows       INTEGER NOT NULL CHECK (n_rows >= 1),"
    "  min_epoch    INTEGER NOT NULL,"
    "  max_epoch    INTEGER NOT NULL,"
    "  data         BLOB NOT NULL,"
    "  PRIMARY KEY (run_id, first_step),"
    "  CHECK (first_step <= last_step AND min_epoch <= max_epoch)"
    ");",
    _distillery_store_steps_to_chunks },
};

/* The tables of the current schema; a file of this version without all of
 * them is damaged. */
const char *const _distillery_store_tables[] = {
  "project", "datasets", "dataset_files", "teachers", "teacher_answers",
  "experiments", "runs", "step_chunks", "epochs", "checkpoints", "models",
  NULL,
};
