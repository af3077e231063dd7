/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Projects: what the CLI verbs and the window do with a project file, on
 * top of the store (bytes and rows) and the engine (numbers). Data sets
 * are imported with their original bytes and parsed again on use; a run
 * trains with every finished epoch committed as one transaction (its
 * metrics and a checkpoint), so a killed run resumes from its last epoch
 * to the very weights an uninterrupted run reaches; a paused run leaves a
 * checkpoint at the step it stopped after and resumes from there.
 *
 * Settings are stored as experiment JSON (see distillery-experiment.h): a
 * teacher's from its "teacher" member, an experiment's from its "student"
 * member. Each data set fixes its own test split (fraction and seed) at
 * import, so every model trained on it is tested on the same samples.
 */
#pragma once

#include "distillery-experiment.h"
#include "distillery-store.h"
#include "distillery-training.h"
#include "distillery-teacher.h"
#include "distillery-writer.h"

G_BEGIN_DECLS

/* After each epoch's evaluation, on the training thread. The agreement
 * matrix, when there is one, may be kept with g_bytes_ref. */
typedef void (*DistilleryEpochFunc) (const char *model_name, const DistilleryEpochRow *epoch,
                                     gpointer user_data);

/* What a run tells its caller while it trains; any member may be NULL,
 * and so may the observer. */
typedef struct
{
  DistilleryStepFunc  step;
  DistilleryEpochFunc epoch;
  gpointer            user_data;
} DistilleryRunObserver;

typedef struct
{
  const char *name;                  /* NULL: from the file names */
  const char *train_images, *train_labels, *test_images, *test_labels;   /* IDX */
  const char *csv_path, *label_column;                                   /* CSV */
  double      test_fraction;         /* when there is no test file; 0: 0.25 */
  guint64     split_seed;
  const char *const *class_names;    /* IDX: the classes' names; NULL: their numbers */
} DistilleryImport;

gint64           distillery_project_import      (DistilleryStore *store, const DistilleryImport *import,
                                                 GError **error);
gint64           distillery_project_import_demo (DistilleryStore *store, GError **error);

/* Parses a stored data set into training and test sets. */
gboolean         distillery_project_load_dataset (DistilleryStore *store, gint64 dataset_id,
                                                  DistilleryDataset **train, DistilleryDataset **test,
                                                  GError **error);

/* A new project with the demo data set, a trained teacher and two
 * experiments, "Distilled student" and "Plain student". */
DistilleryStore *distillery_project_new_demo    (const char *path, const DistilleryRunObserver *observer,
                                                 GError **error);

gint64           distillery_project_add_teacher (DistilleryStore *store, const char *name, gint64 dataset_id,
                                                 const DistilleryExperiment *settings, GError **error);
gint64           distillery_project_add_experiment (DistilleryStore *store, const char *name,
                                                    gint64 dataset_id, gint64 teacher_id,
                                                    const DistilleryExperiment *settings, GError **error);

/* A teacher for a data set, with a distilled and a plain experiment that
 * use these settings, named after the data set. Returns the teacher's id
 * (0 on error); the names are returned when asked for. */
gint64           distillery_project_add_starter_experiments (DistilleryStore *store, gint64 dataset_id,
                                                             const DistilleryExperiment *settings,
                                                             char **distilled_name, char **plain_name,
                                                             GError **error);

/* The teacher a stored teacher row describes, ready to answer questions
 * about `data`, the data set's `split` ("train" or "test"): a trained one
 * (its model) or recorded answers (from the cache; NOT_FOUND when they do
 * not cover that split). */
DistilleryTeacher *distillery_project_open_teacher (DistilleryStore *store, const DistilleryStoreTeacher *t,
                                                    const KdData *data, const char *split, GError **error);
/* A teacher that is an external program (docs/teacher-protocol.md), run
 * with argv (never through a shell), each batch answered within
 * timeout_ms. Adding it records the user's consent for this project. */
gint64           distillery_project_add_program_teacher (DistilleryStore *store, const char *name, gint64 dataset_id,
                                                         const char *const *argv, guint timeout_ms, GError **error);
/* The commands this teacher (or the members of this ensemble) would run
 * that the user has not allowed for this project yet; empty when none. */
char           **distillery_project_programs_to_allow (DistilleryStore *store, gint64 teacher_id, GError **error);
/* A budget sweep of an experiment with a teacher: one copy per budget,
 * named "NAME, N questions" (copies made before are reused). Returns
 * their ids (gint64), in the order of the budgets. */
/* The copies a budget sweep made of an experiment, ordered by budget
 * (one per budget), as ids (gint64); their budgets are put in `budgets`
 * when it is not NULL. */
GArray          *distillery_project_list_budget_sweep (DistilleryStore *store, gint64 experiment_id,
                                                       GArray *budgets, GError **error);
GArray          *distillery_project_add_budget_sweep (DistilleryStore *store, gint64 experiment_id,
                                                      const gint64 *budgets, guint n_budgets, GError **error);
/* An ensemble of teachers of one data set: the weighted mean of their
 * probabilities, or of their logits (each member must answer logits),
 * at a temperature. weights may be NULL (equal). Returns its id or 0. */
gint64           distillery_project_add_ensemble (DistilleryStore *store, const char *name, const gint64 *members,
                                                  const double *weights, guint n_members, gboolean logits,
                                                  double temperature, GError **error);
/* A recorded-answers teacher for a data set, from a CSV or .npy file of
 * logits or probabilities (distillery-answers.h says what is checked), one
 * row per sample of the data set's file (all its rows when the test set
 * was split off here; the training file's rows otherwise). Returns the
 * teacher's id, or 0 with an error naming the row at fault. */
gint64           distillery_project_import_answers (DistilleryStore *store, gint64 dataset_id, const char *name,
                                                    const char *path, DistilleryAnswerKind kind,
                                                    const char *id_column, GError **error);

/* Changing a teacher: the answers cached for it are no longer its
 * answers, so they are forgotten, with those of every ensemble that
 * contains it (directly or through other ensembles), and the next run
 * asks again. A recorded-answers teacher never loses its answers. A
 * trained teacher that gets a new finished run forgets the same way. */

/* Changes an ensemble's member weights (n_weights must equal its number
 * of members; weights >= 0, not all zero), and forgets the cached answers
 * of this ensemble and of every ensemble that contains it. */
gboolean         distillery_project_set_ensemble_weights (DistilleryStore *store, gint64 teacher_id,
                                                          const double *weights, guint n_weights, GError **error);
/* Changes the command and time-out of an external-program teacher
 * (argv NULL or timeout_ms 0: as it was), records the user's consent for the new
 * command in this project, and forgets the cached answers of it and of
 * the ensembles that contain it (unless the command stayed the same: a
 * time-out changes no answer). */
gboolean         distillery_project_set_program_command (DistilleryStore *store, gint64 teacher_id,
                                                         const char *const *argv, guint timeout_ms, GError **error);
/* The members, weights, combination and temperature of an ensemble
 * teacher. members and weights are newly allocated arrays of *n_members
 * (either may be NULL when not wanted). */
gboolean         distillery_project_get_ensemble (DistilleryStore *store, gint64 teacher_id, gint64 **members,
                                                  double **weights, guint *n_members, gboolean *logits,
                                                  double *temperature, GError **error);
/* The number of answers cached for this teacher (all data sets, splits
 * and policies; for recorded answers, the answers themselves too); -1 on
 * error. */
gint64           distillery_project_count_cached_answers (DistilleryStore *store, gint64 teacher_id, GError **error);

/* One of a run's final metrics (its final_metrics JSON: accuracy,
 * agreement, kl, ece, loss, seconds, samples_per_second, queries_asked,
 * queries_cached), NaN when it has none. */
double           distillery_project_run_metric (const char *final_metrics, const char *name);

/* Training. `store` is the caller's own connection, used for reading;
 * every write goes through `writer`, the project's writer thread. These
 * return once training stopped, having committed a finished run; the
 * writes of a run that stopped early may still be queued, and
 * distillery_writer_sync waits for them. */

/* Trains a teacher (a new run) unless it has a finished one. */
gboolean         distillery_project_train_teacher (DistilleryStore *store, DistilleryWriter *writer,
                                                   gint64 teacher_id, const DistilleryRunObserver *observer,
                                                   GError **error);
/* A new run of an experiment with this seed (the experiment's when seed
 * < 0). It reads as running from the start, so a process that dies before
 * it trains leaves it interrupted. Returns its id, or 0 with an error. */
gint64           distillery_project_create_run  (DistilleryStore *store, DistilleryWriter *writer,
                                                 gint64 experiment_id, gint64 seed, GError **error);
/* Trains a run made by create_run, training its teacher first if needed.
 * The run's row says how it ended either way. */
gboolean         distillery_project_execute_run (DistilleryStore *store, DistilleryWriter *writer,
                                                 gint64 run_id, const DistilleryRunObserver *observer,
                                                 GError **error);
/* Continues an interrupted, paused or failed run from its last checkpoint. */
gboolean         distillery_project_resume (DistilleryStore *store, DistilleryWriter *writer, gint64 run_id,
                                            const DistilleryRunObserver *observer, GError **error);

G_END_DECLS
