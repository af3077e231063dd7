/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One training run in a worker thread of its own, steerable from the main
 * thread: pause and cancel take effect at the next step, and progress
 * reaches the main thread as GObject properties, coalesced to at most 30
 * updates a second, so widgets can bind to them. The worker opens its own
 * connection to the project file and never touches a widget.
 */
#pragma once

#include <gio/gio.h>

#include "distillery-store.h"

G_BEGIN_DECLS

#define DISTILLERY_TYPE_JOB (distillery_job_get_type ())
G_DECLARE_FINAL_TYPE (DistilleryJob, distillery_job, DISTILLERY, JOB, GObject)

/* Shortest interval between two progress updates on the main thread: ten
 * a second keeps bars and live charts moving and left the window's main
 * loop shorter gaps under load than thirty (docs/threads.md). */
#define DISTILLERY_JOB_PROGRESS_INTERVAL_US (G_USEC_PER_SEC / 10)

/* A new run of an experiment (seed < 0: the experiment's own), or the
 * continuation of a run that stopped before its end. */
DistilleryJob      *distillery_job_new_run    (const char *project_path, gint64 experiment_id, gint64 seed);
DistilleryJob      *distillery_job_new_resume (const char *project_path, gint64 run_id);
/* Trains a teacher unless it has a finished run already. */
DistilleryJob      *distillery_job_new_teacher (const char *project_path, gint64 teacher_id);

void                distillery_job_run_async  (DistilleryJob       *job,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean            distillery_job_run_finish (DistilleryJob  *job,
                                               GAsyncResult   *result,
                                               GError        **error);

/* Both act at the worker's next step: the status property changes as soon
 * as training stopped, and the task ends once the project file says so
 * too (a paused run with a checkpoint at the step it stopped after). A
 * paused run resumes later with distillery_job_new_resume. A job cancelled
 * before it started reads as cancelled at once and never runs. */
void                distillery_job_pause      (DistilleryJob *job);
void                distillery_job_cancel     (DistilleryJob *job);

DistilleryRunStatus distillery_job_get_status (DistilleryJob *job);
/* A run's status as people read it ("Training", "Paused", ...), translated. */
const char         *distillery_run_status_label (DistilleryRunStatus status);
const char         *distillery_job_get_project_path (DistilleryJob *job);
/* The experiment of a new run; 0 for a resumed run or a teacher's. */
gint64              distillery_job_get_experiment_id (DistilleryJob *job);
gint64              distillery_job_get_run_id (DistilleryJob *job);
const char         *distillery_job_get_model_name (DistilleryJob *job);
gint64              distillery_job_get_step   (DistilleryJob *job);
gint64              distillery_job_get_total_steps (DistilleryJob *job);
int                 distillery_job_get_epoch  (DistilleryJob *job);
double              distillery_job_get_fraction (DistilleryJob *job);
double              distillery_job_get_samples_per_second (DistilleryJob *job);
double              distillery_job_get_eta    (DistilleryJob *job);
double              distillery_job_get_loss   (DistilleryJob *job);
/* Of the last evaluated epoch, on the test set: -1 before the first (and
 * agreement of a run without a teacher). */
double              distillery_job_get_accuracy  (DistilleryJob *job);
double              distillery_job_get_agreement (DistilleryJob *job);
/* The metrics of every step and epoch of the model in training (the
 * teacher, then the student of a run that trains both), as delivered to
 * the main thread so far; wall is seconds since this job began training
 * the model. Valid until the next main-loop iteration; the
 * "logged-steps" and "evaluated-epochs" properties notify growth. */
const DistilleryStepRow  *distillery_job_get_steps  (DistilleryJob *job, guint *n_steps);
const DistilleryEpochRow *distillery_job_get_epochs (DistilleryJob *job, guint *n_epochs);
/* How many progress updates reached the main thread (for tests and
 * diagnostics). */
guint               distillery_job_get_n_updates (DistilleryJob *job);

G_END_DECLS
