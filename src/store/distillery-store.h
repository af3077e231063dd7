/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The project file: one SQLite database holding everything of a project
 * (data sets with their original bytes, teachers, the teacher-answer
 * cache, experiments, runs, per-step and per-epoch metrics, checkpoints
 * and trained models), so that it can be moved to another machine and
 * opened there with nothing else. docs/file-format.md documents the
 * schema.
 *
 * Safety: a file that is not ours, is damaged, is empty or comes from a
 * newer schema is refused with a DISTILLERY_STORE_ERROR and left byte for
 * byte unchanged. Each finished epoch is one transaction; step metrics are
 * appended in batches. Opening a project never runs anything stored in it.
 *
 * A DistilleryStore is one connection and is used from one thread at a
 * time; readers on other threads open their own.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define DISTILLERY_STORE_ERROR (distillery_store_error_quark ())

/* PRAGMA application_id: "DSTL" read as a big-endian 32-bit number. */
#define DISTILLERY_STORE_APPLICATION_ID 0x4453544c
#define DISTILLERY_STORE_SCHEMA_VERSION 2

typedef enum
{
  DISTILLERY_STORE_ERROR_IO,          /* cannot read or write the file */
  DISTILLERY_STORE_ERROR_EMPTY,       /* an empty file */
  DISTILLERY_STORE_ERROR_NOT_SQLITE,  /* not an SQLite database at all */
  DISTILLERY_STORE_ERROR_FOREIGN,     /* SQLite, but another application's */
  DISTILLERY_STORE_ERROR_TOO_NEW,     /* written by a newer Distillery */
  DISTILLERY_STORE_ERROR_DAMAGED,     /* fails SQLite's integrity check */
  DISTILLERY_STORE_ERROR_EXISTS,      /* create: the file is already there */
  DISTILLERY_STORE_ERROR_READ_ONLY,   /* a write to a project opened read-only */
  DISTILLERY_STORE_ERROR_NOT_FOUND,   /* no such data set, teacher, run, ... */
  DISTILLERY_STORE_ERROR_INVALID,     /* a value the schema does not accept */
} DistilleryStoreError;

typedef enum
{
  DISTILLERY_STORE_OPEN_DEFAULT   = 0,
  DISTILLERY_STORE_OPEN_READ_ONLY = 1 << 0,
} DistilleryStoreOpenFlags;

typedef enum
{
  DISTILLERY_RUN_QUEUED,
  DISTILLERY_RUN_RUNNING,
  DISTILLERY_RUN_PAUSED,
  DISTILLERY_RUN_FINISHED,
  DISTILLERY_RUN_FAILED,
  DISTILLERY_RUN_CANCELLED,
  DISTILLERY_RUN_INTERRUPTED,
} DistilleryRunStatus;

typedef struct _DistilleryStore DistilleryStore;

/* One file of a data set as it came: role is "train-images",
 * "train-labels", "test-images", "test-labels" or "csv". */
typedef struct
{
  const char *role;
  const char *file_name;
  GBytes     *bytes;
} DistilleryStoreFile;

typedef struct
{
  gint64  id;
  char   *name;
  char   *kind;            /* "idx", "csv" or "demo" */
  char   *options;         /* JSON: how to parse the files again */
  guint   n_samples, n_features, n_classes;
  char  **class_names;     /* read back as an empty list, never NULL */
  guint   image_width, image_height;
  gint64  created;         /* Unix seconds */
} DistilleryStoreDataset;

typedef struct
{
  gint64  id;
  char   *name;
  char   *kind;            /* "mlp", "ensemble", "answers", "program" */
  char   *settings;        /* JSON */
  gint64  dataset_id;
  gint64  run_id;          /* the run that trained it, or 0 */
  gint64  created;
} DistilleryStoreTeacher;

typedef struct
{
  gint64  id;
  char   *name;
  char   *settings;        /* JSON, with "version" inside */
  gint64  dataset_id;
  gint64  teacher_id;      /* 0: trained on labels only */
  gint64  created;
} DistilleryStoreExperiment;

typedef struct
{
  gint64  id;
  gint64  experiment_id;   /* 0 for a teacher's own training run */
  gint64  teacher_id;      /* the teacher this run trains, or 0 */
  guint64 seed;
  DistilleryRunStatus status;
  char   *error;           /* why it failed, or NULL */
  gint64  created, started, finished;   /* Unix seconds, 0 when not yet */
  int     epochs_done;
  gint64  steps_done;
  double  seconds;         /* training wall time so far */
  char   *final_metrics;   /* JSON, or NULL */
} DistilleryStoreRun;

/* Metrics that are not numbers (NaN) are stored as NULL and read back as
 * NaN. */
typedef struct
{
  gint64 step;             /* from 0 */
  int    epoch;            /* from 0, as the engine counts */
  float  loss, loss_kd, loss_ce;
  float  learning_rate;
  double wall;             /* seconds since the run started */
} DistilleryStepRow;

typedef struct
{
  int     epoch;           /* from 0 */
  gint64  step;            /* the epoch's last step */
  double  wall;
  double  train_loss;
  double  val_loss, val_accuracy, val_agreement, val_kl, val_ece;
  GBytes *agreement_matrix;   /* uint64 [C * C], or NULL */
} DistilleryEpochRow;

GQuark            distillery_store_error_quark (void);
const char       *distillery_run_status_to_string (DistilleryRunStatus status);

DistilleryStore  *distillery_store_create   (const char *path, const char *project_name, GError **error);
/* A missing file fails with NOT_FOUND; docs/file-format.md lists every refusal. */
DistilleryStore  *distillery_store_open     (const char *path, DistilleryStoreOpenFlags flags, GError **error);
void              distillery_store_close    (DistilleryStore *store);
const char       *distillery_store_get_path (DistilleryStore *store);
gboolean          distillery_store_is_read_only (DistilleryStore *store);
char             *distillery_store_get_name (DistilleryStore *store);

/* Runs left "running" by a process that is gone read as interrupted.
 * Returns how many were marked. Called by open in read-write mode. */
int               distillery_store_recover_runs (DistilleryStore *store, GError **error);

/* Data sets: the files are kept compressed; metadata is parsed once. */
gint64            distillery_store_add_dataset  (DistilleryStore *store, const DistilleryStoreDataset *meta,
                                                 const DistilleryStoreFile *files, guint n_files, GError **error);
GPtrArray        *distillery_store_list_datasets (DistilleryStore *store, GError **error);   /* of DistilleryStoreDataset */
DistilleryStoreDataset *distillery_store_get_dataset (DistilleryStore *store, gint64 id, GError **error);
GBytes           *distillery_store_get_dataset_file (DistilleryStore *store, gint64 dataset_id,
                                                     const char *role, char **file_name, GError **error);
void              distillery_store_dataset_free (DistilleryStoreDataset *dataset);

gint64            distillery_store_add_teacher  (DistilleryStore *store, const DistilleryStoreTeacher *teacher, GError **error);
GPtrArray        *distillery_store_list_teachers (DistilleryStore *store, GError **error);
DistilleryStoreTeacher *distillery_store_get_teacher (DistilleryStore *store, gint64 id, GError **error);
gboolean          distillery_store_set_teacher_run (DistilleryStore *store, gint64 teacher_id, gint64 run_id, GError **error);
void              distillery_store_teacher_free (DistilleryStoreTeacher *teacher);
/* A teacher changed: its new settings (NULL: as they were) and the run
 * that trained it (-1: as it was, 0: none), and, in the same transaction,
 * the cached answers of the teachers in `stale` forgotten (it and those
 * whose answers come from it). A teacher of kind "answers" keeps its
 * rows: recorded answers are the teacher itself. */
gboolean          distillery_store_change_teacher (DistilleryStore *store, gint64 teacher_id, const char *settings,
                                                   gint64 run_id, const gint64 *stale, guint n_stale,
                                                   GError **error);

/* The teacher-answer cache: one row of n_classes floats per sample, keyed
 * by teacher, data set, split ("train" or "test") and disclosure policy. */
gboolean          distillery_store_put_answers (DistilleryStore *store, gint64 teacher_id, gint64 dataset_id,
                                                const char *split, const char *policy,
                                                const guint32 *samples, const float *rows, guint n, guint n_classes,
                                                GError **error);
/* Fills rows for the samples found; returns how many were, and marks them in found[];
 * -1 on error. */
gint64            distillery_store_get_answers (DistilleryStore *store, gint64 teacher_id, gint64 dataset_id,
                                                const char *split, const char *policy,
                                                float *rows, guint n_samples, guint n_classes,
                                                gboolean *found, GError **error);
gboolean          distillery_store_clear_answers (DistilleryStore *store, gint64 teacher_id, GError **error);
/* How many answers the cache holds for the teacher: every data set, split
 * and policy (a recorded-answers teacher's own rows included); -1 on error. */
gint64            distillery_store_count_answers (DistilleryStore *store, gint64 teacher_id, GError **error);

gint64            distillery_store_add_experiment (DistilleryStore *store, const DistilleryStoreExperiment *e, GError **error);
GPtrArray        *distillery_store_list_experiments (DistilleryStore *store, GError **error);
DistilleryStoreExperiment *distillery_store_get_experiment (DistilleryStore *store, gint64 id, GError **error);
DistilleryStoreExperiment *distillery_store_find_experiment (DistilleryStore *store, const char *name, GError **error);
/* Sets the settings, data set and teacher of experiment e->id; refused with
 * INVALID once the experiment has runs (they were trained with them). */
gboolean          distillery_store_update_experiment (DistilleryStore *store, const DistilleryStoreExperiment *e,
                                                      GError **error);
gboolean          distillery_store_rename_experiment (DistilleryStore *store, gint64 id, const char *name,
                                                      GError **error);
/* Deletes the experiment with its runs and everything they logged. */
gboolean          distillery_store_delete_experiment (DistilleryStore *store, gint64 id, GError **error);
void              distillery_store_experiment_free (DistilleryStoreExperiment *experiment);

gint64            distillery_store_add_run   (DistilleryStore *store, gint64 experiment_id, gint64 teacher_id,
                                              guint64 seed, GError **error);
DistilleryStoreRun *distillery_store_get_run (DistilleryStore *store, gint64 id, GError **error);
GPtrArray        *distillery_store_list_runs (DistilleryStore *store, gint64 experiment_id, GError **error);  /* experiment_id < 0: all */
/* Sets the status; RUNNING records this process as the owner and the start
 * time, terminal states the finish time; error may be NULL. */
gboolean          distillery_store_set_run_status (DistilleryStore *store, gint64 run_id, DistilleryRunStatus status,
                                                   const char *error_message, GError **error);
gboolean          distillery_store_set_run_result (DistilleryStore *store, gint64 run_id, const char *final_metrics_json,
                                                   GBytes *model, GError **error);
GBytes           *distillery_store_get_model (DistilleryStore *store, gint64 run_id, GError **error);
void              distillery_store_run_free  (DistilleryStoreRun *run);

/* Appends step rows in one transaction; callers batch thousands. A step
 * logged again replaces its earlier row. */
gboolean          distillery_store_append_steps (DistilleryStore *store, gint64 run_id,
                                                 const DistilleryStepRow *rows, guint n, GError **error);
/* One transaction: the pending step rows, the epoch's metrics, the "last"
 * checkpoint (and "best" when is_best), and the run's progress counters. */
gboolean          distillery_store_commit_epoch (DistilleryStore *store, gint64 run_id,
                                                 const DistilleryStepRow *pending, guint n_pending,
                                                 const DistilleryEpochRow *epoch, double seconds,
                                                 GBytes *checkpoint, gboolean is_best, GError **error);
/* One transaction for a run paused mid-epoch: the pending step rows, a
 * "last" checkpoint taken after `step` of the unfinished `epoch` (so the
 * run resumes from the next step), and the steps and seconds so far;
 * epochs_done still counts finished epochs. */
gboolean          distillery_store_commit_pause (DistilleryStore *store, gint64 run_id,
                                                 const DistilleryStepRow *pending, guint n_pending,
                                                 int epoch, gint64 step, double seconds,
                                                 GBytes *checkpoint, GError **error);
/* kind: "last" or "best"; NULL with NOT_FOUND when there is none. */
GBytes           *distillery_store_get_checkpoint (DistilleryStore *store, gint64 run_id, const char *kind,
                                                   int *epoch, GError **error);
/* Deletes the run's steps, epochs and checkpoints after `epoch` (to resume
 * cleanly from a checkpoint taken at the end of that epoch; -1: all). */
gboolean          distillery_store_truncate_run (DistilleryStore *store, gint64 run_id, int epoch, GError **error);

GArray           *distillery_store_get_steps  (DistilleryStore *store, gint64 run_id, GError **error);  /* DistilleryStepRow */
GArray           *distillery_store_get_epochs (DistilleryStore *store, gint64 run_id, GError **error);  /* DistilleryEpochRow; matrices included */

/* Groups the writes that follow, until end_batch, into one transaction:
 * one commit for many small writes. Each write stays atomic on its own (a
 * savepoint), so one that fails leaves the others to commit. */
gboolean          distillery_store_begin_batch (DistilleryStore *store, GError **error);
gboolean          distillery_store_end_batch   (DistilleryStore *store, GError **error);

/* Copies the whole project to another file with SQLite's backup API. */
gboolean          distillery_store_save_as (DistilleryStore *store, const char *path, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DistilleryStore, distillery_store_close)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DistilleryStoreDataset, distillery_store_dataset_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DistilleryStoreTeacher, distillery_store_teacher_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DistilleryStoreExperiment, distillery_store_experiment_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DistilleryStoreRun, distillery_store_run_free)

G_END_DECLS
