/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Projects on the store and the engine; see distillery-project.h. This
 * file has data sets, experiments and runs; the teachers, their answers
 * and the budget are in distillery-project-teachers.c.
 */
#include "config.h"

#include <inttypes.h>

#include "distillery-project-private.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "distillery-transfer.h"
#include "kd-mlp.h"

/* Step rows are written in batches this large between epoch commits. */
#define STEP_BATCH 8192

/* ---- Data sets ---------------------------------------------------- */

GBytes *
_distillery_project_read_bytes (const char *path, GError **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GBytes) bytes = g_file_load_bytes (file, NULL, NULL, error);
  return g_steal_pointer (&bytes);
}

static char *
options_json (const char *label_column, double test_fraction, guint64 split_seed)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  if (label_column != NULL)
    {
      json_builder_set_member_name (b, "label_column");
      json_builder_add_string_value (b, label_column);
    }
  json_builder_set_member_name (b, "test_fraction");
  json_builder_add_double_value (b, test_fraction);
  json_builder_set_member_name (b, "split_seed");
  json_builder_add_int_value (b, (gint64) split_seed);
  json_builder_end_object (b);
  g_autoptr(JsonNode) root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

/* n_samples counts the training and test files together. */
static gint64
store_dataset (DistilleryStore *store, const char *name, const char *kind, const char *options,
               const DistilleryDataset *parsed, guint n_samples,
               const DistilleryStoreFile *files, guint n_files, GError **error)
{
  DistilleryStoreDataset meta = {
    .name = (char *) name,
    .kind = (char *) kind,
    .options = (char *) options,
    .n_samples = n_samples,
    .n_features = parsed->n_features,
    .n_classes = parsed->n_classes,
    .class_names = parsed->class_names,
    .image_width = parsed->image_width,
    .image_height = parsed->image_height,
  };
  return distillery_store_add_dataset (store, &meta, files, n_files, error);
}

gint64
distillery_project_import (DistilleryStore *store, const DistilleryImport *import, GError **error)
{
  double fraction = import->test_fraction > 0 ? import->test_fraction : 0.25;
  g_autofree char *options = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (store != NULL && import != NULL, 0);

  if (import->csv_path != NULL)
    {
      DistilleryCsvOptions csv = { import->label_column, -1, TRUE };
      g_autoptr(GBytes) bytes = _distillery_project_read_bytes (import->csv_path, error);
      g_autofree char *base = g_path_get_basename (import->csv_path);
      if (bytes == NULL)
        return 0;
      g_autoptr(DistilleryDataset) parsed = distillery_dataset_load_csv_bytes (bytes, base, &csv, error);
      if (parsed == NULL)
        return 0;
      DistilleryStoreFile file = { "csv", base, bytes };
      options = options_json (import->label_column, fraction, import->split_seed);
      return store_dataset (store, import->name ? import->name : base, "csv", options, parsed,
                            parsed->n_samples, &file, 1, error);
    }

  if (import->train_images == NULL || import->train_labels == NULL)
    {
      g_set_error_literal (error, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_CONFIG,
                           _("Importing IDX data needs a training image file and a training label file."));
      return 0;
    }
  const char *paths[4] = { import->train_images, import->train_labels,
                           import->test_images, import->test_labels };
  static const char *const roles[4] = { "train-images", "train-labels", "test-images", "test-labels" };
  GBytes *bytes[4] = { NULL };
  char *bases[4] = { NULL };
  DistilleryStoreFile files[4];
  guint n_files = import->test_images != NULL && import->test_labels != NULL ? 4 : 2;
  gint64 id = 0;

  for (guint i = 0; i < n_files; i++)
    {
      bases[i] = g_path_get_basename (paths[i]);
      if ((bytes[i] = _distillery_project_read_bytes (paths[i], error)) == NULL)
        goto out;
      files[i] = (DistilleryStoreFile) { roles[i], bases[i], bytes[i] };
    }
  {
    g_autoptr(DistilleryDataset) parsed =
      distillery_dataset_load_idx_bytes (bytes[0], bases[0], bytes[1], bases[1], error);
    if (parsed == NULL)
      goto out;
    guint n_samples = parsed->n_samples;
    if (n_files == 4)
      {
        g_autoptr(DistilleryDataset) test =
          distillery_dataset_load_idx_bytes (bytes[2], bases[2], bytes[3], bases[3], error);
        if (test == NULL)
          goto out;
        if (test->n_features != parsed->n_features)
          {
            g_set_error (error, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_CONFIG,
                         _("%s has images of %u pixels but %s has %u."),
                         bases[2], test->n_features, bases[0], parsed->n_features);
            goto out;
          }
        n_samples += test->n_samples;
      }
    for (guint c = 0; import->class_names != NULL && c < parsed->n_classes && import->class_names[c] != NULL; c++)
      {
        g_free (parsed->class_names[c]);
        parsed->class_names[c] = g_strdup (import->class_names[c]);
      }
    name = g_strdup (import->name ? import->name : bases[0]);
    options = options_json (NULL, fraction, import->split_seed);
    id = store_dataset (store, name, "idx", options, parsed, n_samples, files, n_files, error);
  }
out:
  for (guint i = 0; i < 4; i++)
    {
      g_free (bases[i]);
      g_clear_pointer (&bytes[i], g_bytes_unref);
    }
  return id;
}

gint64
distillery_project_import_demo (DistilleryStore *store, GError **error)
{
  g_autofree char *path = distillery_dataset_find_demo (error);
  if (path == NULL)
    return 0;
  g_autoptr(GBytes) bytes = _distillery_project_read_bytes (path, error);
  if (bytes == NULL)
    return 0;
  g_autoptr(DistilleryDataset) parsed = distillery_dataset_parse_demo (bytes, error);
  if (parsed == NULL)
    return 0;
  g_autofree char *options = options_json ("digit", 0.25, 1);
  DistilleryStoreFile file = { "csv", "digits.csv.gz", bytes };
  return store_dataset (store, _("Handwritten digits"), "demo", options, parsed,
                        parsed->n_samples, &file, 1, error);
}

static GBytes *
dataset_file (DistilleryStore *store, gint64 id, const char *role, char **name, GError **error)
{
  return distillery_store_get_dataset_file (store, id, role, name, error);
}

gboolean
distillery_project_load_dataset (DistilleryStore    *store,
                                 gint64              dataset_id,
                                 DistilleryDataset **train,
                                 DistilleryDataset **test,
                                 GError            **error)
{
  g_autoptr(DistilleryStoreDataset) meta = distillery_store_get_dataset (store, dataset_id, error);
  g_autoptr(JsonParser) parser = json_parser_new ();
  DistilleryDataset *all = NULL, *train_set = NULL, *test_set = NULL;
  double fraction = 0.25;
  guint64 seed = 1;
  const char *label_column = NULL;

  if (meta == NULL)
    return FALSE;
  if (meta->options != NULL && json_parser_load_from_data (parser, meta->options, -1, NULL)
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      JsonObject *o = json_node_get_object (json_parser_get_root (parser));
      fraction = json_object_get_double_member_with_default (o, "test_fraction", fraction);
      seed = (guint64) json_object_get_int_member_with_default (o, "split_seed", (gint64) seed);
      label_column = json_object_get_string_member_with_default (o, "label_column", NULL);
    }

  if (g_str_equal (meta->kind, "idx"))
    {
      g_autofree char *n0 = NULL, *n1 = NULL, *n2 = NULL, *n3 = NULL;
      g_autoptr(GBytes) images = dataset_file (store, dataset_id, "train-images", &n0, error);
      g_autoptr(GBytes) labels = images ? dataset_file (store, dataset_id, "train-labels", &n1, error) : NULL;
      if (labels == NULL)
        return FALSE;
      g_autoptr(GBytes) test_images = dataset_file (store, dataset_id, "test-images", &n2, NULL);
      g_autoptr(GBytes) test_labels = test_images ? dataset_file (store, dataset_id, "test-labels", &n3, NULL) : NULL;
      if (test_labels != NULL)
        {
          train_set = distillery_dataset_load_idx_bytes (images, n0, labels, n1, error);
          test_set = train_set ? distillery_dataset_load_idx_bytes (test_images, n2, test_labels, n3, error) : NULL;
          if (test_set == NULL)
            {
              g_clear_pointer (&train_set, distillery_dataset_free);
              return FALSE;
            }
        }
      else if ((all = distillery_dataset_load_idx_bytes (images, n0, labels, n1, error)) == NULL)
        return FALSE;
    }
  else
    {
      g_autofree char *name = NULL;
      g_autoptr(GBytes) bytes = dataset_file (store, dataset_id, "csv", &name, error);
      DistilleryCsvOptions csv = { label_column, -1, TRUE };
      if (bytes == NULL)
        return FALSE;
      all = g_str_equal (meta->kind, "demo") ? distillery_dataset_parse_demo (bytes, error)
                                             : distillery_dataset_load_csv_bytes (bytes, name, &csv, error);
      if (all == NULL)
        return FALSE;
    }

  for (guint c = 0; meta->class_names != NULL && c < meta->n_classes; c++)
    for (DistilleryDataset *ds = all ? all : train_set; ds != NULL; ds = ds == test_set ? NULL : test_set)
      if (c < ds->n_classes && meta->class_names[c] != NULL)
        {
          g_free (ds->class_names[c]);
          ds->class_names[c] = g_strdup (meta->class_names[c]);
        }
  return distillery_dataset_prepare (all, train_set, test_set, fraction, seed, train, test, error);
}

/* ---- Settings ----------------------------------------------------- */

gboolean
_distillery_project_settings_from_json (const char *json, DistilleryExperiment **out, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(DistilleryExperiment) e = distillery_experiment_new_demo ();

  if (!json_parser_load_from_data (parser, json, -1, error)
      || !distillery_experiment_merge_json (e, json_parser_get_root (parser), error))
    return FALSE;
  *out = g_steal_pointer (&e);
  return TRUE;
}

static char *
settings_to_json (const DistilleryExperiment *e)
{
  g_autoptr(JsonNode) node = distillery_experiment_to_json (e);
  return json_to_string (node, FALSE);
}

gint64
distillery_project_add_teacher (DistilleryStore *store, const char *name, gint64 dataset_id,
                                const DistilleryExperiment *settings, GError **error)
{
  g_autofree char *json = settings_to_json (settings);
  DistilleryStoreTeacher t = {
    .name = (char *) name, .kind = (char *) "mlp", .settings = json, .dataset_id = dataset_id,
  };
  return distillery_store_add_teacher (store, &t, error);
}

gint64
distillery_project_add_experiment (DistilleryStore *store, const char *name, gint64 dataset_id,
                                   gint64 teacher_id, const DistilleryExperiment *settings,
                                   GError **error)
{
  g_autofree char *json = settings_to_json (settings);
  DistilleryStoreExperiment x = {
    .name = (char *) name, .settings = json, .dataset_id = dataset_id, .teacher_id = teacher_id,
  };
  return distillery_store_add_experiment (store, &x, error);
}

gint64
distillery_project_add_starter_experiments (DistilleryStore *store, gint64 dataset_id,
                                            const DistilleryExperiment *settings,
                                            char **distilled_name, char **plain_name, GError **error)
{
  g_autoptr(DistilleryStoreDataset) d = distillery_store_get_dataset (store, dataset_id, error);
  gint64 teacher;

  if (d == NULL)
    return 0;
  /* Experiment names are unique in a project: these carry the data set's. */
  g_autofree char *teacher_name = g_strdup_printf (_("%s: teacher"), d->name);
  g_autofree char *distilled = g_strdup_printf (_("%s: distilled student"), d->name);
  g_autofree char *plain = g_strdup_printf (_("%s: plain student"), d->name);
  if ((teacher = distillery_project_add_teacher (store, teacher_name, dataset_id, settings, error)) <= 0
      || distillery_project_add_experiment (store, distilled, dataset_id, teacher, settings, error) <= 0
      || distillery_project_add_experiment (store, plain, dataset_id, 0, settings, error) <= 0)
    return 0;
  if (distilled_name != NULL)
    *distilled_name = g_steal_pointer (&distilled);
  if (plain_name != NULL)
    *plain_name = g_steal_pointer (&plain);
  return teacher;
}

double
distillery_project_run_metric (const char *final_metrics, const char *name)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (final_metrics == NULL || !json_parser_load_from_data (parser, final_metrics, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NAN;
  return json_object_get_double_member_with_default (json_node_get_object (json_parser_get_root (parser)),
                                                     name, NAN);
}

/* ---- Writes of a run ---------------------------------------------- */

/* Everything a run writes goes through its project's writer. The step
 * rows, epoch commits and the pause checkpoint are handed over and the
 * run trains on; writes whose result the run needs next (a new run's id,
 * the truncation before resuming) wait for their commit. */

typedef struct
{
  gint64              run_id;
  GArray             *steps;        /* DistilleryStepRow */
  DistilleryEpochRow  epoch;        /* an epoch commit; a pause uses epoch and step */
  double              seconds;
  GBytes             *checkpoint;
  gboolean            is_best;
  DistilleryRunStatus status;
  char               *message;      /* the status's error, or the result's JSON */
  GBytes             *model;
} RunWrite;

static void
run_write_free (gpointer data)
{
  RunWrite *w = data;
  g_clear_pointer (&w->steps, g_array_unref);
  g_clear_pointer (&w->epoch.agreement_matrix, g_bytes_unref);
  g_clear_pointer (&w->checkpoint, g_bytes_unref);
  g_clear_pointer (&w->model, g_bytes_unref);
  g_free (w->message);
  g_free (w);
}

static RunWrite *
run_write_new (gint64 run_id, GArray **steps)
{
  RunWrite *w = g_new0 (RunWrite, 1);
  w->run_id = run_id;
  if (steps != NULL)
    {
      /* The rows change hands; the run fills a new array. */
      w->steps = g_steal_pointer (steps);
      *steps = g_array_sized_new (FALSE, FALSE, sizeof (DistilleryStepRow), w->steps->len);
    }
  return w;
}

static gsize
run_write_cost (const RunWrite *w)
{
  return (w->steps ? w->steps->len * sizeof (DistilleryStepRow) : 0)
         + (w->checkpoint ? g_bytes_get_size (w->checkpoint) : 0)
         + (w->model ? g_bytes_get_size (w->model) : 0);
}

static gboolean
write_steps (DistilleryStore *store, gpointer data, GError **error)
{
  RunWrite *w = data;
  return distillery_store_append_steps (store, w->run_id, (DistilleryStepRow *) w->steps->data,
                                        w->steps->len, error);
}

static gboolean
write_epoch (DistilleryStore *store, gpointer data, GError **error)
{
  RunWrite *w = data;
  return distillery_store_commit_epoch (store, w->run_id, (DistilleryStepRow *) w->steps->data,
                                        w->steps->len, &w->epoch, w->seconds, w->checkpoint,
                                        w->is_best, error);
}

static gboolean
write_pause (DistilleryStore *store, gpointer data, GError **error)
{
  RunWrite *w = data;
  return distillery_store_commit_pause (store, w->run_id, (DistilleryStepRow *) w->steps->data,
                                        w->steps->len, w->epoch.epoch, w->epoch.step, w->seconds,
                                        w->checkpoint, error)
         && distillery_store_set_run_status (store, w->run_id, w->status, w->message, error);
}

static gboolean
write_status (DistilleryStore *store, gpointer data, GError **error)
{
  RunWrite *w = data;
  return (w->steps == NULL || w->steps->len == 0
          || distillery_store_append_steps (store, w->run_id, (DistilleryStepRow *) w->steps->data,
                                            w->steps->len, error))
         && distillery_store_set_run_status (store, w->run_id, w->status, w->message, error);
}

static gboolean
write_result (DistilleryStore *store, gpointer data, GError **error)
{
  RunWrite *w = data;
  return distillery_store_set_run_result (store, w->run_id, w->message, w->model, error)
         && distillery_store_set_run_status (store, w->run_id, DISTILLERY_RUN_FINISHED, NULL, error);
}

static void
post (DistilleryWriter *writer, DistilleryWriteFunc func, RunWrite *w)
{
  distillery_writer_post (writer, w->run_id, func, w, run_write_free, run_write_cost (w));
}

typedef struct
{
  gint64  run_id;           /* out for add_run */
  gint64  experiment_id, teacher_id;
  guint64 seed;
  int     epoch;            /* truncate after this epoch */
} RunSetup;

static gboolean
write_new_run (DistilleryStore *store, gpointer data, GError **error)
{
  RunSetup *s = data;
  /* Running from the moment it exists: a process that dies while still
   * loading data leaves a run that reads as interrupted, not as queued. */
  s->run_id = distillery_store_add_run (store, s->experiment_id, s->teacher_id, s->seed, error);
  return s->run_id > 0 && distillery_store_set_run_status (store, s->run_id, DISTILLERY_RUN_RUNNING, NULL, error);
}

static gboolean
write_restart (DistilleryStore *store, gpointer data, GError **error)
{
  RunSetup *s = data;
  /* Rows logged after the checkpoint belong to steps about to be redone. */
  return distillery_store_truncate_run (store, s->run_id, s->epoch, error)
         && distillery_store_set_run_status (store, s->run_id, DISTILLERY_RUN_RUNNING, NULL, error);
}

static gint64
new_run (DistilleryWriter *writer, gint64 experiment_id, gint64 teacher_id, guint64 seed, GError **error)
{
  RunSetup s = { 0, experiment_id, teacher_id, seed, -1 };
  return distillery_writer_call (writer, write_new_run, &s, error) ? s.run_id : 0;
}

/* ---- Runs --------------------------------------------------------- */

gpointer
_distillery_project_try_alloc (gsize n, gsize size, const char *what, GError **error)
{
  gpointer p = g_try_malloc_n (MAX (n, 1), size);
  if (p == NULL)
    g_set_error (error, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_CONFIG,
                 _("There is not enough memory for %s (%.0f MB)."), what, (double) n * size / 1e6);
  return p;
}

typedef struct
{
  DistilleryStore  *store;              /* this run's reading connection */
  DistilleryWriter *writer;
  gint64           run_id;
  const char      *model_name;
  KdTrainConfig    config;
  const KdData    *train, *test;
  const float     *teacher_answers;     /* [n_train, C] or NULL */
  const float     *teacher_test_probs;  /* [n_test, C] at T = 1, or NULL */
  const DistilleryRunObserver *observer;   /* or NULL */
  gint64           queries_asked, queries_cached;   /* of the teacher, for the results */
  const DistilleryLeftOut *left_out;    /* classes left out of the transfer set, or NULL */
} RunPlan;

static char *
metrics_json (const RunPlan *plan, const KdMetrics *m, const DistilleryLeftOutMetrics *lo,
              double seconds, double samples_per_second)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  const struct { const char *name; double value; } values[] = {
    { "accuracy", kd_metrics_accuracy (m) },
    { "agreement", kd_metrics_agreement (m) },
    { "kl", kd_metrics_kl (m) },
    { "ece", kd_metrics_ece (m) },
    { "loss", kd_metrics_loss (m) },
    { "seconds", seconds },
    { "samples_per_second", samples_per_second },
    /* Questions this run put to the teacher, and those the cache answered. */
    { "queries_asked", plan->teacher_answers ? (double) plan->queries_asked : NAN },
    { "queries_cached", plan->teacher_answers ? (double) plan->queries_cached : NAN },
    /* With classes left out (distillery-transfer.h). */
    { "left_out_samples", lo ? (double) lo->left_out_samples : NAN },
    { "left_out_recall", lo ? lo->left_out_recall : NAN },
    { "corrected_accuracy", lo ? lo->corrected_accuracy : NAN },
    { "corrected_agreement", lo ? lo->corrected_agreement : NAN },
    { "corrected_left_out_recall", lo ? lo->corrected_left_out_recall : NAN },
    { "tuned_bias", lo ? lo->tuned_bias : NAN },
    { "tuned_accuracy", lo ? lo->tuned_accuracy : NAN },
    { "tuned_left_out_recall", lo ? lo->tuned_left_out_recall : NAN },
  };
  json_builder_begin_object (b);
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    if (isfinite (values[i].value))
      {
        json_builder_set_member_name (b, values[i].name);
        json_builder_add_double_value (b, values[i].value);
      }
  json_builder_end_object (b);
  g_autoptr(JsonNode) root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

/* A checkpoint-sized buffer whose pages are mapped already. Copying a
 * large model into fresh pages costs a page fault per 4 KiB (about 40 ms
 * for the 1200-1200 model's 20 MB on our test machine), which a pause
 * cannot afford; a run keeps one such buffer ready. */
static guchar *
spare_buffer (KdTrainer *trainer)
{
  gsize size = kd_trainer_checkpoint_size (trainer);
  guchar *buffer = g_try_malloc (size);
  if (buffer != NULL)
    memset (buffer, 0, size);
  return buffer;
}

static GBytes *
take_checkpoint (KdTrainer *trainer, guchar **spare)
{
  gsize size = kd_trainer_checkpoint_size (trainer);
  guchar *blob = *spare != NULL ? g_steal_pointer (spare) : g_malloc (size);
  kd_trainer_checkpoint_save (trainer, blob);
  return g_bytes_new_take (blob, size);
}

/* Records how a run stopped (paused, cancelled or failed, as the cause
 * says), with the step rows still pending when there are any, and
 * passes the cause on. */
static gboolean
stop_run (DistilleryWriter *writer, gint64 run_id, GArray **pending, GError *cause, GError **error)
{
  RunWrite *w = run_write_new (run_id, pending);
  w->status = distillery_run_status_for_error (cause);
  w->message = g_strdup (cause->message);
  post (writer, write_status, w);
  g_propagate_error (error, cause);
  return FALSE;
}

/* A run paused in training also leaves a checkpoint at the step it
 * stopped after, so that resuming goes on from there. */
static gboolean
pause_run (RunPlan *plan, GArray **pending, KdTrainer *trainer, guchar **spare,
           const KdStepReport *report, double seconds, GError *cause, GError **error)
{
  RunWrite *w = run_write_new (plan->run_id, pending);
  w->status = DISTILLERY_RUN_PAUSED;
  w->message = g_strdup (cause->message);
  w->epoch.epoch = report->epoch;
  w->epoch.step = report->step;
  w->seconds = seconds;
  w->checkpoint = take_checkpoint (trainer, spare);
  post (plan->writer, write_pause, w);
  g_propagate_error (error, cause);
  return FALSE;
}

/* Resuming: loads the "last" checkpoint into the trainer. Returns the
 * epoch it was taken in (-1 when there is none: the run starts over) and
 * sets done_seconds to the time trained before it; -2 on error. */
static int
load_checkpoint (RunPlan *plan, KdTrainer *trainer, double *done_seconds, GError **error)
{
  g_autoptr(GError) missing = NULL;
  g_autoptr(DistilleryStoreRun) run = NULL;
  int epoch = -1;
  const char *problem;

  /* What this process last wrote must be readable first. */
  if (!distillery_writer_sync (plan->writer, 0, error)
      || (run = distillery_store_get_run (plan->store, plan->run_id, error)) == NULL)
    return -2;
  g_autoptr(GBytes) blob = distillery_store_get_checkpoint (plan->store, plan->run_id, "last", &epoch, &missing);
  if (blob == NULL)
    {
      if (!g_error_matches (missing, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&missing));
          return -2;
        }
      return -1;   /* killed before its first epoch ended: start over */
    }
  gsize size;
  const void *data = g_bytes_get_data (blob, &size);
  if ((problem = kd_trainer_checkpoint_load (trainer, data, size)) != NULL)
    {
      g_set_error (error, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_CONFIG,
                   _("Cannot resume the %s: %s."), plan->model_name, problem);
      return -2;
    }
  *done_seconds = run->seconds;
  return epoch;
}

/* Trains plan->run_id to its end, from its last checkpoint when resuming.
 * Returns when training stopped; its last writes may still be queued. */
static gboolean
execute_run (RunPlan *plan, gboolean resume, GError **error)
{
  g_autoptr(GArray) pending = g_array_new (FALSE, FALSE, sizeof (DistilleryStepRow));
  GError *local = NULL;
  double best_accuracy = -1, done_seconds = 0;
  DistilleryStepLoop loop;
  KdStepReport report;
  KdMetrics metrics;
  int stepped;

  KdTrainer *trainer = distillery_trainer_new (plan->model_name, &plan->config, plan->train,
                                               plan->teacher_answers, &local);
  if (trainer == NULL)
    return stop_run (plan->writer, plan->run_id, &pending, local, error);
  if (kd_metrics_init (&metrics, plan->test->n_classes) != 0)
    {
      kd_trainer_free (trainer);
      g_set_error (&local, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_CONFIG,
                   _("There is not enough memory to evaluate the %s."), plan->model_name);
      return stop_run (plan->writer, plan->run_id, &pending, local, error);
    }

  g_autofree guchar *spare = spare_buffer (trainer);
  RunSetup restart = { .run_id = plan->run_id, .epoch = -1 };
  if (resume && (restart.epoch = load_checkpoint (plan, trainer, &done_seconds, &local)) < -1)
    goto failed;
  if (!distillery_writer_call (plan->writer, write_restart, &restart, &local))
    goto failed;

  distillery_step_loop_init (&loop, plan->model_name, plan->observer ? plan->observer->step : NULL,
                             plan->observer ? plan->observer->user_data : NULL);
  while ((stepped = distillery_step_loop_next (&loop, trainer, &report, &local)) != 0)
    {
      DistilleryStepRow row = {
        .step = report.step, .epoch = report.epoch,
        .loss = (float) report.loss.total, .loss_kd = (float) report.loss.kd,
        .loss_ce = (float) report.loss.ce, .learning_rate = report.learning_rate,
        .wall = done_seconds + distillery_step_loop_seconds (&loop),
      };
      g_array_append_val (pending, row);

      if (stepped < 0)
        {
          /* The steps up to here happened: their rows are kept. */
          if (g_error_matches (local, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_PAUSED))
            pause_run (plan, &pending, trainer, &spare, &report, row.wall, local, error);
          else
            stop_run (plan->writer, plan->run_id, &pending, local, error);
          kd_metrics_clear (&metrics);
          kd_trainer_free (trainer);
          return FALSE;
        }

      if (report.epoch_done)
        {
          kd_metrics_clear (&metrics);
          kd_metrics_init (&metrics, plan->test->n_classes);
          kd_evaluate (kd_trainer_model (trainer), plan->test, plan->teacher_test_probs, &metrics);
          gsize matrix_size = sizeof (guint64) * plan->test->n_classes * plan->test->n_classes;
          double accuracy = kd_metrics_accuracy (&metrics);
          RunWrite *w = run_write_new (plan->run_id, &pending);
          w->epoch = (DistilleryEpochRow) {
            .epoch = report.epoch, .step = report.step, .wall = row.wall,
            .train_loss = report.loss.total,
            .val_loss = kd_metrics_loss (&metrics), .val_accuracy = accuracy,
            .val_agreement = kd_metrics_agreement (&metrics), .val_kl = kd_metrics_kl (&metrics),
            .val_ece = kd_metrics_ece (&metrics),
            .agreement_matrix = plan->teacher_test_probs ? g_bytes_new (metrics.matrix, matrix_size) : NULL,
          };
          w->seconds = row.wall;
          if (plan->observer != NULL && plan->observer->epoch != NULL)
            plan->observer->epoch (plan->model_name, &w->epoch, plan->observer->user_data);
          w->checkpoint = take_checkpoint (trainer, &spare);
          spare = spare_buffer (trainer);
          w->is_best = accuracy > best_accuracy;
          if (w->is_best)
            best_accuracy = accuracy;
          post (plan->writer, write_epoch, w);
          /* A write that failed (a full disk) stops the run at the next
           * epoch rather than training on into nothing. */
          if (!distillery_writer_check (plan->writer, plan->run_id, &local))
            goto failed;
        }
      else if (pending->len >= STEP_BATCH)
        post (plan->writer, write_steps, run_write_new (plan->run_id, &pending));
    }

  {
    double seconds = distillery_step_loop_seconds (&loop);
    KdMlp *model = kd_trainer_model (trainer);
    gsize size = kd_mlp_blob_size (model);
    guchar *blob = g_malloc (size);
    DistilleryLeftOutMetrics left_out;
    gboolean has_left_out = plan->left_out != NULL && plan->left_out->n_classes > 0;
    kd_mlp_blob_save (model, blob);
    if (has_left_out)
      distillery_left_out_evaluate (plan->left_out, model, plan->test, plan->teacher_test_probs, &left_out);
    RunWrite *w = run_write_new (plan->run_id, NULL);
    w->model = g_bytes_new_take (blob, size);
    w->message = metrics_json (plan, &metrics, has_left_out ? &left_out : NULL, done_seconds + seconds,
                               seconds > 0 ? loop.samples / seconds : 0);
    post (plan->writer, write_result, w);
    /* Whoever runs next reads this run as finished. */
    if (!distillery_writer_sync (plan->writer, plan->run_id, &local))
      goto failed;
  }
  kd_metrics_clear (&metrics);
  kd_trainer_free (trainer);
  return TRUE;

failed:
  kd_metrics_clear (&metrics);
  kd_trainer_free (trainer);
  return stop_run (plan->writer, plan->run_id, &pending, local, error);
}


static void
prepared_clear (DistilleryRunData *p)
{
  g_clear_pointer (&p->train_set, distillery_dataset_free);
  g_clear_pointer (&p->test_set, distillery_dataset_free);
  g_clear_pointer (&p->answers, g_free);
  g_clear_pointer (&p->test_probs, g_free);
  g_clear_pointer (&p->subset_features, g_free);
  g_clear_pointer (&p->subset_labels, g_free);
  g_clear_pointer (&p->settings, distillery_experiment_free);
}

static gboolean
prepare_data (DistilleryStore *store, gint64 dataset_id, DistilleryRunData *p, GError **error)
{
  if (!distillery_project_load_dataset (store, dataset_id, &p->train_set, &p->test_set, error))
    return FALSE;
  p->train = distillery_dataset_view (p->train_set);
  p->test = distillery_dataset_view (p->test_set);
  return TRUE;
}

static void
fill_shapes (KdTrainConfig *c, const KdData *train, guint64 seed)
{
  c->model.n_inputs = train->n_features;
  c->model.n_classes = train->n_classes;
  c->seed = seed;
}

DistilleryStoreRun *
_distillery_project_finished_teacher_run (DistilleryStore *store, const DistilleryStoreTeacher *t)
{
  g_autoptr(DistilleryStoreRun) run = t->run_id ? distillery_store_get_run (store, t->run_id, NULL) : NULL;
  return run != NULL && run->status == DISTILLERY_RUN_FINISHED ? g_steal_pointer (&run) : NULL;
}

typedef struct
{
  gint64 teacher_id, run_id;
} TeacherRun;

static gboolean
write_teacher_run (DistilleryStore *store, gpointer data, GError **error)
{
  TeacherRun *t = data;
  return _distillery_project_set_teacher_run (store, t->teacher_id, t->run_id, error);
}

static gboolean
run_teacher (DistilleryStore *store, DistilleryWriter *writer, const DistilleryStoreTeacher *t,
             gint64 run_id, gboolean resume, const DistilleryRunObserver *observer, GError **error)
{
  g_autoptr(DistilleryStoreRun) run = distillery_store_get_run (store, run_id, error);
  GError *local = NULL;
  DistilleryRunData p = { 0 };

  if (run == NULL)
    return FALSE;
  if (!_distillery_project_settings_from_json (t->settings, &p.settings, &local)
      || !prepare_data (store, t->dataset_id, &p, &local))
    {
      prepared_clear (&p);
      return stop_run (writer, run_id, NULL, local, error);
    }
  RunPlan plan = { store, writer, run_id, _("teacher"), p.settings->teacher, &p.train, &p.test,
                   NULL, NULL, observer };
  TeacherRun link = { t->id, run_id };
  fill_shapes (&plan.config, &p.train, run->seed);
  gboolean ok = execute_run (&plan, resume, error)
                && distillery_writer_call (writer, write_teacher_run, &link, error);
  prepared_clear (&p);
  return ok;
}

/* Teachers being trained in this process, by writer (one per file) and
 * teacher: a run that needs a teacher another run is training waits for
 * it rather than training a copy of its own, so the students of one
 * teacher learn from the same one. */
static GMutex      teachers_lock;
static GCond       teachers_trained;
static GHashTable *teachers_training;   /* of "writer:teacher id" */

/* Waits until no other run trains this teacher, then claims it; the
 * waiting still answers pause and cancel every 20 ms. */
static gboolean
claim_teacher (const char *key, const DistilleryRunObserver *observer, GError **error)
{
  g_mutex_lock (&teachers_lock);
  if (teachers_training == NULL)
    teachers_training = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  while (g_hash_table_contains (teachers_training, key))
    {
      gint64 deadline = g_get_monotonic_time () + 20 * G_TIME_SPAN_MILLISECOND;
      if (g_cond_wait_until (&teachers_trained, &teachers_lock, deadline)
          || observer == NULL || observer->step == NULL)
        continue;
      g_mutex_unlock (&teachers_lock);
      DistilleryStepAction action = observer->step (_("teacher"), NULL, 0, observer->user_data);
      if (action != DISTILLERY_STEP_CONTINUE)
        {
          gboolean pause = action == DISTILLERY_STEP_PAUSE;
          g_set_error_literal (error, DISTILLERY_TRAINING_ERROR,
                               pause ? DISTILLERY_TRAINING_ERROR_PAUSED : DISTILLERY_TRAINING_ERROR_STOPPED,
                               pause ? _("The run was paused while it waited for its teacher.")
                                     : _("The run was cancelled while it waited for its teacher."));
          return FALSE;
        }
      g_mutex_lock (&teachers_lock);
    }
  g_hash_table_add (teachers_training, g_strdup (key));
  g_mutex_unlock (&teachers_lock);
  return TRUE;
}

static void
release_teacher (const char *key)
{
  g_mutex_lock (&teachers_lock);
  g_hash_table_remove (teachers_training, key);
  g_cond_broadcast (&teachers_trained);
  g_mutex_unlock (&teachers_lock);
}

static gboolean
train_teacher_unless_trained (DistilleryStore *store, DistilleryWriter *writer, gint64 teacher_id,
                              const DistilleryRunObserver *observer, GError **error)
{
  g_autoptr(DistilleryStoreTeacher) t = distillery_store_get_teacher (store, teacher_id, error);
  g_autoptr(DistilleryExperiment) settings = NULL;

  if (t == NULL)
    return FALSE;
  /* An ensemble is ready once its members are. */
  g_autoptr(GArray) members = _distillery_project_ensemble_members (t);
  if (members != NULL)
    {
      for (guint i = 0; i < members->len; i++)
        if (g_array_index (members, gint64, i) != teacher_id
            && !distillery_project_train_teacher (store, writer, g_array_index (members, gint64, i), observer, error))
          return FALSE;
      return TRUE;
    }
  /* Only a network defined here is trained here; other kinds answer as
   * they are. */
  if (g_strcmp0 (t->kind, "mlp") != 0)
    return TRUE;
  g_autoptr(DistilleryStoreRun) done = _distillery_project_finished_teacher_run (store, t);
  if (done != NULL)
    return TRUE;
  if (!_distillery_project_settings_from_json (t->settings, &settings, error))
    return FALSE;
  gint64 run_id = new_run (writer, 0, teacher_id, settings->seed, error);
  return run_id > 0 && run_teacher (store, writer, t, run_id, FALSE, observer, error);
}

gboolean
distillery_project_train_teacher (DistilleryStore *store, DistilleryWriter *writer, gint64 teacher_id,
                                  const DistilleryRunObserver *observer, GError **error)
{
  g_autofree char *key = g_strdup_printf ("%p:%" G_GINT64_FORMAT, (void *) writer, teacher_id);

  if (!claim_teacher (key, observer, error))
    return FALSE;
  gboolean ok = train_teacher_unless_trained (store, writer, teacher_id, observer, error);
  release_teacher (key);
  return ok;
}

static gboolean
run_experiment (DistilleryStore *store, DistilleryWriter *writer, gint64 run_id, gboolean resume,
                const DistilleryRunObserver *observer, GError **error)
{
  g_autoptr(DistilleryStoreRun) run = distillery_store_get_run (store, run_id, error);
  g_autoptr(DistilleryStoreExperiment) x = NULL;
  g_autoptr(DistilleryStoreTeacher) t = NULL;
  GError *local = NULL;
  DistilleryRunData p = { 0 };
  gboolean ok = FALSE;

  if (run == NULL)
    return FALSE;
  if ((x = distillery_store_get_experiment (store, run->experiment_id, &local)) == NULL)
    return stop_run (writer, run_id, NULL, local, error);
  if (x->teacher_id != 0)
    {
      /* Training it records its run on the teacher's row. */
      if (!distillery_project_train_teacher (store, writer, x->teacher_id, observer, &local)
          || (t = distillery_store_get_teacher (store, x->teacher_id, &local)) == NULL)
        return stop_run (writer, run_id, NULL, local, error);
    }
  if (!_distillery_project_settings_from_json (x->settings, &p.settings, &local)
      || !prepare_data (store, x->dataset_id, &p, &local)
      || (t != NULL && !_distillery_project_teacher_answers (store, writer, run_id, t, &p, observer, &local))
      || !distillery_transfer_set_leave_out (&p.settings->left_out, &p.train, p.answers, &local))
    {
      prepared_clear (&p);
      return stop_run (writer, run_id, NULL, local, error);
    }

  RunPlan plan = { store, writer, run_id, t ? _("distilled student") : _("student"),
                   p.settings->student, &p.train, &p.test, p.answers, p.test_probs,
                   observer };
  fill_shapes (&plan.config, &p.train, run->seed);
  plan.queries_asked = p.queries_asked;
  plan.queries_cached = p.queries_cached;
  plan.left_out = &p.settings->left_out;
  ok = execute_run (&plan, resume, error);
  prepared_clear (&p);
  return ok;
}

gint64
distillery_project_create_run (DistilleryStore *store, DistilleryWriter *writer, gint64 experiment_id,
                               gint64 seed, GError **error)
{
  g_autoptr(DistilleryStoreExperiment) x = distillery_store_get_experiment (store, experiment_id, error);
  g_autoptr(DistilleryExperiment) settings = NULL;

  if (x == NULL || !_distillery_project_settings_from_json (x->settings, &settings, error))
    return 0;
  return new_run (writer, experiment_id, 0, seed >= 0 ? (guint64) seed : settings->seed, error);
}

gboolean
distillery_project_execute_run (DistilleryStore *store, DistilleryWriter *writer, gint64 run_id,
                                const DistilleryRunObserver *observer, GError **error)
{
  return run_experiment (store, writer, run_id, FALSE, observer, error);
}

gboolean
distillery_project_resume (DistilleryStore *store, DistilleryWriter *writer, gint64 run_id,
                           const DistilleryRunObserver *observer, GError **error)
{
  g_autoptr(DistilleryStoreRun) run = NULL;

  /* The run's row as this process last wrote it. */
  if (!distillery_writer_sync (writer, 0, error)
      || (run = distillery_store_get_run (store, run_id, error)) == NULL)
    return FALSE;
  switch (run->status)
    {
    case DISTILLERY_RUN_INTERRUPTED:
    case DISTILLERY_RUN_PAUSED:
    case DISTILLERY_RUN_FAILED:
    case DISTILLERY_RUN_CANCELLED:
    case DISTILLERY_RUN_QUEUED:
      break;
    case DISTILLERY_RUN_FINISHED:
    case DISTILLERY_RUN_RUNNING:
    default:
      g_set_error (error, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_CONFIG,
                   _("Run %" PRId64 " is %s; only a run that stopped before its end can be resumed."),
                   run_id, distillery_run_status_to_string (run->status));
      return FALSE;
    }
  if (run->experiment_id == 0)
    {
      g_autoptr(DistilleryStoreTeacher) t = distillery_store_get_teacher (store, run->teacher_id, error);
      return t != NULL && run_teacher (store, writer, t, run_id, TRUE, observer, error);
    }
  return run_experiment (store, writer, run_id, TRUE, observer, error);
}

DistilleryStore *
distillery_project_new_demo (const char *path, const DistilleryRunObserver *observer, GError **error)
{
  g_autoptr(DistilleryStore) store = distillery_store_create (path, _("Demo project"), error);
  g_autoptr(DistilleryExperiment) settings = distillery_experiment_new_demo ();
  g_autoptr(DistilleryWriter) writer = NULL;
  gint64 dataset, teacher;

  if (store == NULL
      || (dataset = distillery_project_import_demo (store, error)) <= 0
      || (teacher = distillery_project_add_teacher (store, _("Teacher 128-128"), dataset, settings, error)) <= 0
      || (writer = distillery_writer_open (path, error)) == NULL
      || !distillery_project_train_teacher (store, writer, teacher, observer, error)
      || distillery_project_add_experiment (store, _("Distilled student"), dataset, teacher, settings, error) <= 0
      || distillery_project_add_experiment (store, _("Plain student"), dataset, 0, settings, error) <= 0)
    return NULL;
  return g_steal_pointer (&store);
}
