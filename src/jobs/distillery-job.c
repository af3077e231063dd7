/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A run in a worker thread; see distillery-job.h.
 *
 * The worker copies each step's report into `pending` under a mutex held
 * for a few stores, and schedules one main-context callback at a time, no
 * sooner than DISTILLERY_JOB_PROGRESS_INTERVAL_US after the previous one;
 * that callback copies `pending` into the public fields and notifies.
 * The metrics of each step and epoch travel the same way, in arrays that
 * the callback appends to the job's history of the model in training.
 * The main thread therefore never waits on the worker for longer than
 * that copy, and a flood of fast steps costs the main loop at most 10
 * dispatches a second.
 */
#include "config.h"

#include "distillery-job.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "distillery-project.h"

typedef struct
{
  char        *model_name;
  gint64       run_id;
  KdStepReport report;
  double       samples_per_second;
  gboolean     have_report;
  DistilleryRunStatus stopped;   /* how training stopped, once it has; else RUNNING */
  /* pending: logged since the last delivery; shown: all of this model's. */
  GArray      *steps;            /* DistilleryStepRow */
  GArray      *epochs;           /* DistilleryEpochRow, each holding its matrix */
  gboolean     new_model;        /* pending only: the history starts over */
} Progress;

struct _DistilleryJob
{
  GObject       parent_instance;

  char         *project_path;
  gint64        experiment_id;
  gint64        seed;
  gint64        resume_run_id;   /* 0 for a new run */
  gint64        teacher_id;      /* a job that trains this teacher, or 0 */

  GMainContext *context;         /* where progress is delivered */
  GCancellable *cancellable;
  GCancellable *caller_cancellable;
  gulong        caller_handler;
  gint          pause_requested; /* atomic */

  GMutex        lock;            /* guards pending and update_scheduled */
  Progress      pending;
  gboolean      update_scheduled;
  gint64        last_update;     /* worker's clock of the last scheduling */
  gint64        model_started;   /* worker's clock when this model's training began */

  /* Main thread only. */
  DistilleryRunStatus status;
  Progress      shown;
  guint         n_updates;
};

enum
{
  PROP_0,
  PROP_STATUS,
  PROP_RUN_ID,
  PROP_MODEL_NAME,
  PROP_STEP,
  PROP_TOTAL_STEPS,
  PROP_EPOCH,
  PROP_FRACTION,
  PROP_SAMPLES_PER_SECOND,
  PROP_ETA,
  PROP_LOSS,
  PROP_ACCURACY,
  PROP_AGREEMENT,
  PROP_LOGGED_STEPS,
  PROP_EVALUATED_EPOCHS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (DistilleryJob, distillery_job, G_TYPE_OBJECT)

static void
distillery_job_finalize (GObject *object)
{
  DistilleryJob *self = DISTILLERY_JOB (object);

  g_free (self->project_path);
  g_free (self->pending.model_name);
  g_free (self->shown.model_name);
  g_array_unref (self->pending.steps);
  g_array_unref (self->pending.epochs);
  g_array_unref (self->shown.steps);
  g_array_unref (self->shown.epochs);
  g_clear_object (&self->cancellable);
  g_main_context_unref (self->context);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (distillery_job_parent_class)->finalize (object);
}

static void
distillery_job_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  DistilleryJob *self = DISTILLERY_JOB (object);

  switch (prop_id)
    {
    case PROP_STATUS:
      g_value_set_int (value, self->status);
      break;
    case PROP_RUN_ID:
      g_value_set_int64 (value, self->shown.run_id);
      break;
    case PROP_MODEL_NAME:
      g_value_set_string (value, self->shown.model_name);
      break;
    case PROP_STEP:
      g_value_set_int64 (value, distillery_job_get_step (self));
      break;
    case PROP_TOTAL_STEPS:
      g_value_set_int64 (value, distillery_job_get_total_steps (self));
      break;
    case PROP_EPOCH:
      g_value_set_int (value, distillery_job_get_epoch (self));
      break;
    case PROP_FRACTION:
      g_value_set_double (value, distillery_job_get_fraction (self));
      break;
    case PROP_SAMPLES_PER_SECOND:
      g_value_set_double (value, self->shown.samples_per_second);
      break;
    case PROP_ETA:
      g_value_set_double (value, distillery_job_get_eta (self));
      break;
    case PROP_LOSS:
      g_value_set_double (value, distillery_job_get_loss (self));
      break;
    case PROP_ACCURACY:
      g_value_set_double (value, distillery_job_get_accuracy (self));
      break;
    case PROP_AGREEMENT:
      g_value_set_double (value, distillery_job_get_agreement (self));
      break;
    case PROP_LOGGED_STEPS:
      g_value_set_uint (value, self->shown.steps->len);
      break;
    case PROP_EVALUATED_EPOCHS:
      g_value_set_uint (value, self->shown.epochs->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
distillery_job_class_init (DistilleryJobClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = distillery_job_finalize;
  object_class->get_property = distillery_job_get_property;

  properties[PROP_STATUS] = g_param_spec_int ("status", NULL, NULL, 0, DISTILLERY_RUN_INTERRUPTED,
                                              DISTILLERY_RUN_QUEUED, flags);
  properties[PROP_RUN_ID] = g_param_spec_int64 ("run-id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_MODEL_NAME] = g_param_spec_string ("model-name", NULL, NULL, NULL, flags);
  properties[PROP_STEP] = g_param_spec_int64 ("step", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_TOTAL_STEPS] = g_param_spec_int64 ("total-steps", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_EPOCH] = g_param_spec_int ("epoch", NULL, NULL, 0, G_MAXINT, 0, flags);
  properties[PROP_FRACTION] = g_param_spec_double ("fraction", NULL, NULL, 0, 1, 0, flags);
  properties[PROP_SAMPLES_PER_SECOND] = g_param_spec_double ("samples-per-second", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
  properties[PROP_ETA] = g_param_spec_double ("eta", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
  properties[PROP_LOSS] = g_param_spec_double ("loss", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, flags);
  /* Of the last evaluated epoch on the test set; -1 before the first, and
   * agreement without a teacher. */
  properties[PROP_ACCURACY] = g_param_spec_double ("accuracy", NULL, NULL, -1, 1, -1, flags);
  properties[PROP_AGREEMENT] = g_param_spec_double ("agreement", NULL, NULL, -1, 1, -1, flags);
  properties[PROP_LOGGED_STEPS] = g_param_spec_uint ("logged-steps", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_EVALUATED_EPOCHS] = g_param_spec_uint ("evaluated-epochs", NULL, NULL, 0, G_MAXUINT, 0, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
clear_epoch_row (gpointer data)
{
  g_clear_pointer (&((DistilleryEpochRow *) data)->agreement_matrix, g_bytes_unref);
}

static void
distillery_job_init (DistilleryJob *self)
{
  g_mutex_init (&self->lock);
  self->context = g_main_context_ref_thread_default ();
  self->cancellable = g_cancellable_new ();
  self->status = DISTILLERY_RUN_QUEUED;
  self->pending.stopped = self->shown.stopped = DISTILLERY_RUN_RUNNING;
  for (Progress *p = &self->pending; p != NULL; p = p == &self->pending ? &self->shown : NULL)
    {
      p->steps = g_array_new (FALSE, FALSE, sizeof (DistilleryStepRow));
      p->epochs = g_array_new (FALSE, FALSE, sizeof (DistilleryEpochRow));
      g_array_set_clear_func (p->epochs, clear_epoch_row);
    }
}

DistilleryJob *
distillery_job_new_run (const char *project_path, gint64 experiment_id, gint64 seed)
{
  g_return_val_if_fail (project_path != NULL && experiment_id > 0, NULL);

  DistilleryJob *self = g_object_new (DISTILLERY_TYPE_JOB, NULL);
  self->project_path = g_strdup (project_path);
  self->experiment_id = experiment_id;
  self->seed = seed;
  return self;
}

DistilleryJob *
distillery_job_new_teacher (const char *project_path, gint64 teacher_id)
{
  g_return_val_if_fail (project_path != NULL && teacher_id > 0, NULL);

  DistilleryJob *self = g_object_new (DISTILLERY_TYPE_JOB, NULL);
  self->project_path = g_strdup (project_path);
  self->teacher_id = teacher_id;
  return self;
}

DistilleryJob *
distillery_job_new_resume (const char *project_path, gint64 run_id)
{
  g_return_val_if_fail (project_path != NULL && run_id > 0, NULL);

  DistilleryJob *self = g_object_new (DISTILLERY_TYPE_JOB, NULL);
  self->project_path = g_strdup (project_path);
  self->resume_run_id = run_id;
  return self;
}

static void
set_status (DistilleryJob *self, DistilleryRunStatus status)
{
  if (self->status == status)
    return;
  self->status = status;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

/* Main thread: publish what the worker last reported. */
static gboolean
deliver_progress (gpointer data)
{
  DistilleryJob *self = data;
  gboolean name_changed, run_changed;

  g_mutex_lock (&self->lock);
  name_changed = g_strcmp0 (self->shown.model_name, self->pending.model_name) != 0;
  run_changed = self->shown.run_id != self->pending.run_id;
  if (name_changed)
    {
      g_free (self->shown.model_name);
      self->shown.model_name = g_strdup (self->pending.model_name);
    }
  self->shown.run_id = self->pending.run_id;
  self->shown.report = self->pending.report;
  self->shown.samples_per_second = self->pending.samples_per_second;
  self->shown.have_report = self->pending.have_report;
  self->shown.stopped = self->pending.stopped;
  if (self->pending.new_model)
    {
      g_array_set_size (self->shown.steps, 0);
      g_array_set_size (self->shown.epochs, 0);
      self->pending.new_model = FALSE;
    }
  guint new_steps = self->pending.steps->len, new_epochs = self->pending.epochs->len;
  g_array_append_vals (self->shown.steps, self->pending.steps->data, new_steps);
  g_array_set_size (self->pending.steps, 0);
  /* The rows' matrices change hands with them. */
  g_array_append_vals (self->shown.epochs, self->pending.epochs->data, new_epochs);
  g_array_set_clear_func (self->pending.epochs, NULL);
  g_array_set_size (self->pending.epochs, 0);
  g_array_set_clear_func (self->pending.epochs, clear_epoch_row);
  self->update_scheduled = FALSE;
  g_mutex_unlock (&self->lock);

  self->n_updates++;
  g_object_freeze_notify (G_OBJECT (self));
  if (name_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL_NAME]);
  if (run_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUN_ID]);
  for (guint p = PROP_STEP; p <= PROP_LOSS; p++)
    g_object_notify_by_pspec (G_OBJECT (self), properties[p]);
  if (new_steps > 0 || name_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOGGED_STEPS]);
  if (new_epochs > 0 || name_changed)
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCURACY]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AGREEMENT]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EVALUATED_EPOCHS]);
    }
  /* Training stopped: the window says so now, while the run's last
   * writes are still on their way to the file. */
  if (self->shown.stopped != DISTILLERY_RUN_RUNNING && self->status == DISTILLERY_RUN_RUNNING)
    set_status (self, self->shown.stopped);
  g_object_thaw_notify (G_OBJECT (self));
  return G_SOURCE_REMOVE;
}

/* Worker: schedule a delivery unless one is pending or one went out less
 * than an interval ago; `force` for the last word before the worker ends. */
static void
schedule_progress (DistilleryJob *self, gboolean force)
{
  gint64 now = g_get_monotonic_time ();
  gboolean schedule = FALSE;

  g_mutex_lock (&self->lock);
  if (!self->update_scheduled && (force || now - self->last_update >= DISTILLERY_JOB_PROGRESS_INTERVAL_US))
    {
      self->update_scheduled = TRUE;
      self->last_update = now;
      schedule = TRUE;
    }
  g_mutex_unlock (&self->lock);

  if (schedule)
    g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, deliver_progress,
                                g_object_ref (self), g_object_unref);
}

/* Worker, under the lock: a new model in training (the teacher, then the
 * student) starts its history over. */
static void
switch_model (DistilleryJob *self, const char *model_name)
{
  if (g_strcmp0 (self->pending.model_name, model_name) == 0)
    return;
  g_free (self->pending.model_name);
  self->pending.model_name = g_strdup (model_name);
  self->pending.new_model = TRUE;
  self->model_started = g_get_monotonic_time ();
  g_array_set_size (self->pending.steps, 0);
  g_array_set_size (self->pending.epochs, 0);
}

static void
on_epoch (const char *model_name, const DistilleryEpochRow *epoch, gpointer data)
{
  DistilleryJob *self = data;
  DistilleryEpochRow row = *epoch;

  if (row.agreement_matrix != NULL)
    g_bytes_ref (row.agreement_matrix);
  g_mutex_lock (&self->lock);
  switch_model (self, model_name);
  g_array_append_val (self->pending.epochs, row);
  g_mutex_unlock (&self->lock);
  schedule_progress (self, FALSE);
}

static DistilleryStepAction
on_step (const char *model_name, const KdStepReport *report, double samples_per_second, gpointer data)
{
  DistilleryJob *self = data;

  if (report == NULL)
    goto steer;   /* waiting for the teacher: nothing new to show */
  g_mutex_lock (&self->lock);
  switch_model (self, model_name);
  DistilleryStepRow row = {
    .step = report->step, .epoch = report->epoch,
    .loss = (float) report->loss.total, .loss_kd = (float) report->loss.kd,
    .loss_ce = (float) report->loss.ce, .learning_rate = report->learning_rate,
    .wall = (g_get_monotonic_time () - self->model_started) / (double) G_USEC_PER_SEC,
  };
  g_array_append_val (self->pending.steps, row);
  self->pending.report = *report;
  self->pending.samples_per_second = samples_per_second;
  self->pending.have_report = TRUE;
  g_mutex_unlock (&self->lock);
  schedule_progress (self, FALSE);

steer:
  if (g_cancellable_is_cancelled (self->cancellable))
    return DISTILLERY_STEP_CANCEL;
  if (g_atomic_int_get (&self->pause_requested))
    return DISTILLERY_STEP_PAUSE;
  return DISTILLERY_STEP_CONTINUE;
}

static void
run_in_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  DistilleryJob *self = source;
  g_autoptr(GError) error = NULL;
  DistilleryWriter *writer = NULL;
  DistilleryStore *store = NULL;
  gint64 run_id = self->resume_run_id;
  gboolean ok = FALSE;

#ifdef __linux__
  /* Training yields to the window: a nice worker thread cannot hold the
   * main loop off the cores for a scheduler slice. Failure is harmless. */
  (void) setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), 19);
#endif
  if (g_cancellable_set_error_if_cancelled (self->cancellable, &error))
    goto out;
  /* Writes go through the project's one writer; this connection reads. */
  writer = distillery_writer_open (self->project_path, &error);
  store = writer ? distillery_store_open (self->project_path, DISTILLERY_STORE_OPEN_READ_ONLY, &error) : NULL;
  if (store == NULL)
    goto out;
  DistilleryRunObserver observer = { on_step, on_epoch, self };
  if (self->teacher_id != 0)
    {
      ok = distillery_project_train_teacher (store, writer, self->teacher_id, &observer, &error);
      g_autoptr(DistilleryStoreTeacher) teacher = distillery_store_get_teacher (store, self->teacher_id, NULL);
      run_id = teacher != NULL ? teacher->run_id : 0;
      g_mutex_lock (&self->lock);
      self->pending.run_id = run_id;
      g_mutex_unlock (&self->lock);
      goto out;
    }
  if (run_id == 0
      && (run_id = distillery_project_create_run (store, writer, self->experiment_id, self->seed, &error)) <= 0)
    goto out;
  g_mutex_lock (&self->lock);
  self->pending.run_id = run_id;
  g_mutex_unlock (&self->lock);

  if (self->resume_run_id != 0)
    ok = distillery_project_resume (store, writer, run_id, &observer, &error);
  else
    ok = distillery_project_execute_run (store, writer, run_id, &observer, &error);

out:
  g_mutex_lock (&self->lock);
  self->pending.stopped = distillery_run_status_for_error (error);
  g_mutex_unlock (&self->lock);
  schedule_progress (self, TRUE);
  /* The task ends once the file says how the run ended. A failed write
   * fails a run that had stopped for another reason, too: its row may not
   * say so. */
  if (writer != NULL)
    {
      g_autoptr(GError) write_error = NULL;
      if (!distillery_writer_sync (writer, run_id, &write_error))
        {
          ok = FALSE;
          g_clear_error (&error);
          error = g_steal_pointer (&write_error);
        }
    }
  g_clear_pointer (&store, distillery_store_close);
  g_clear_pointer (&writer, distillery_writer_unref);
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
cancel_job (GCancellable *caller, gpointer data)
{
  g_cancellable_cancel (G_CANCELLABLE (data));
}

static void
run_done (GObject *source, GAsyncResult *result, gpointer data)
{
  DistilleryJob *self = DISTILLERY_JOB (source);
  GTask *outer = data;
  GError *error = NULL;

  if (self->caller_cancellable != NULL)
    {
      g_cancellable_disconnect (self->caller_cancellable, self->caller_handler);
      g_clear_object (&self->caller_cancellable);
    }

  g_task_propagate_boolean (G_TASK (result), &error);
  set_status (self, distillery_run_status_for_error (error));

  if (error != NULL)
    g_task_return_error (outer, error);
  else
    g_task_return_boolean (outer, TRUE);
  g_object_unref (outer);
}

void
distillery_job_run_async (DistilleryJob *self, GCancellable *cancellable,
                          GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (DISTILLERY_IS_JOB (self));
  g_return_if_fail (self->status == DISTILLERY_RUN_QUEUED);

  /* The caller's cancellable cancels the job too. */
  GTask *outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, distillery_job_run_async);
  if (cancellable != NULL)
    {
      self->caller_cancellable = g_object_ref (cancellable);
      self->caller_handler = g_cancellable_connect (cancellable, G_CALLBACK (cancel_job),
                                                    g_object_ref (self->cancellable), g_object_unref);
    }

  set_status (self, DISTILLERY_RUN_RUNNING);
  /* The inner task reports to run_done on this thread's context; its own
   * cancellable is not checked by GTask, so the worker always gets to
   * record how the run ended. */
  GTask *inner = g_task_new (self, NULL, run_done, outer);
  g_task_run_in_thread (inner, run_in_thread);
  g_object_unref (inner);
}

gboolean
distillery_job_run_finish (DistilleryJob *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
distillery_job_pause (DistilleryJob *self)
{
  g_return_if_fail (DISTILLERY_IS_JOB (self));
  g_atomic_int_set (&self->pause_requested, TRUE);
}

void
distillery_job_cancel (DistilleryJob *self)
{
  g_return_if_fail (DISTILLERY_IS_JOB (self));
  g_cancellable_cancel (self->cancellable);
  /* A job that never started ends here; a running one at its next step. */
  if (self->status == DISTILLERY_RUN_QUEUED)
    set_status (self, DISTILLERY_RUN_CANCELLED);
}

const char *
distillery_run_status_label (DistilleryRunStatus status)
{
  switch (status)
    {
    case DISTILLERY_RUN_QUEUED: return _("Queued");
    case DISTILLERY_RUN_RUNNING: return _("Training");
    case DISTILLERY_RUN_PAUSED: return _("Paused");
    case DISTILLERY_RUN_FINISHED: return _("Finished");
    case DISTILLERY_RUN_FAILED: return _("Failed");
    case DISTILLERY_RUN_CANCELLED: return _("Cancelled");
    case DISTILLERY_RUN_INTERRUPTED:
    default: return _("Interrupted");
    }
}

DistilleryRunStatus
distillery_job_get_status (DistilleryJob *self)
{
  return self->status;
}

gint64
distillery_job_get_experiment_id (DistilleryJob *self)
{
  return self->experiment_id;
}

const char *
distillery_job_get_project_path (DistilleryJob *self)
{
  return self->project_path;
}

gint64
distillery_job_get_run_id (DistilleryJob *self)
{
  return self->shown.run_id;
}

const char *
distillery_job_get_model_name (DistilleryJob *self)
{
  return self->shown.model_name;
}

gint64
distillery_job_get_step (DistilleryJob *self)
{
  return self->shown.have_report ? self->shown.report.step + 1 : 0;
}

gint64
distillery_job_get_total_steps (DistilleryJob *self)
{
  return self->shown.report.total_steps;
}

int
distillery_job_get_epoch (DistilleryJob *self)
{
  return self->shown.have_report ? self->shown.report.epoch + 1 : 0;
}

double
distillery_job_get_fraction (DistilleryJob *self)
{
  const KdStepReport *r = &self->shown.report;
  return r->total_steps > 0 && self->shown.have_report ? (double) (r->step + 1) / r->total_steps : 0;
}

double
distillery_job_get_samples_per_second (DistilleryJob *self)
{
  return self->shown.samples_per_second;
}

double
distillery_job_get_eta (DistilleryJob *self)
{
  const KdStepReport *r = &self->shown.report;
  if (!self->shown.have_report || self->shown.samples_per_second <= 0)
    return 0;
  return (r->total_steps - r->step - 1) * (double) r->batch_size / self->shown.samples_per_second;
}

double
distillery_job_get_loss (DistilleryJob *self)
{
  return self->shown.report.loss.total;
}

guint
distillery_job_get_n_updates (DistilleryJob *self)
{
  return self->n_updates;
}

double
distillery_job_get_accuracy (DistilleryJob *self)
{
  GArray *epochs = self->shown.epochs;
  double value = epochs->len > 0 ? g_array_index (epochs, DistilleryEpochRow, epochs->len - 1).val_accuracy : NAN;
  return isfinite (value) ? value : -1;
}

double
distillery_job_get_agreement (DistilleryJob *self)
{
  GArray *epochs = self->shown.epochs;
  double value = epochs->len > 0 ? g_array_index (epochs, DistilleryEpochRow, epochs->len - 1).val_agreement : NAN;
  return isfinite (value) ? value : -1;
}

const DistilleryStepRow *
distillery_job_get_steps (DistilleryJob *self, guint *n_steps)
{
  g_return_val_if_fail (DISTILLERY_IS_JOB (self) && n_steps != NULL, NULL);
  *n_steps = self->shown.steps->len;
  return (const DistilleryStepRow *) self->shown.steps->data;
}

const DistilleryEpochRow *
distillery_job_get_epochs (DistilleryJob *self, guint *n_epochs)
{
  g_return_val_if_fail (DISTILLERY_IS_JOB (self) && n_epochs != NULL, NULL);
  *n_epochs = self->shown.epochs->len;
  return (const DistilleryEpochRow *) self->shown.epochs->data;
}
