/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Projects on the store and the engine; see distillery-project.h.
 */
#include "config.h"

#include "distillery-project.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "kd-mlp.h"

/* Step rows are written in batches this large between epoch commits. */
#define STEP_BATCH 8192

/* ---- Data sets ---------------------------------------------------- */

static GBytes *
read_bytes (const char *path, GError **error)
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
      g_autoptr(GBytes) bytes = read_bytes (import->csv_path, error);
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
      if ((bytes[i] = read_bytes (paths[i], error)) == NULL)
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
  g_autoptr(GBytes) bytes = read_bytes (path, error);
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

static gboolean
settings_from_json (const char *json, DistilleryExperiment **out, GError **error)
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

/* ---- Runs --------------------------------------------------------- */

/* Large buffers of a run: running out of memory fails the run, not the
 * application. */
static gpointer
try_alloc (gsize n, gsize size, const char *what, GError **error)
{
  gpointer p = g_try_malloc_n (MAX (n, 1), size);
  if (p == NULL)
    g_set_error (error, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_CONFIG,
                 _("There is not enough memory for %s (%.0f MB)."), what, (double) n * size / 1e6);
  return p;
}

typedef struct
{
  DistilleryStore *store;
  gint64           run_id;
  const char      *model_name;
  KdTrainConfig    config;
  const KdData    *train, *test;
  const float     *teacher_answers;     /* [n_train, C] or NULL */
  const float     *teacher_test_probs;  /* [n_test, C] at T = 1, or NULL */
  DistilleryStepFunc step_func;
  gpointer         user_data;
} RunPlan;

static char *
metrics_json (const KdMetrics *m, double seconds, double samples_per_second)
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

static gboolean
fail_run (DistilleryStore *store, gint64 run_id, DistilleryRunStatus status, GError *cause, GError **error)
{
  distillery_store_set_run_status (store, run_id, status, cause->message, NULL);
  g_propagate_error (error, cause);
  return FALSE;
}

/* Trains plan->run_id to its end, from its last checkpoint when resuming. */
static gboolean
execute_run (RunPlan *plan, gboolean resume, GError **error)
{
  DistilleryStore *store = plan->store;
  const char *problem = NULL;
  g_autoptr(DistilleryStoreRun) run = distillery_store_get_run (store, plan->run_id, error);
  g_autoptr(GArray) pending = g_array_new (FALSE, FALSE, sizeof (DistilleryStepRow));
  GError *local = NULL;
  double best_accuracy = -1, done_seconds = 0;
  DistilleryStepLoop loop;
  KdStepReport report;
  KdMetrics metrics;
  gboolean ok = FALSE;
  int stepped;

  if (run == NULL)
    return FALSE;
  KdTrainer *trainer = distillery_trainer_new (plan->model_name, &plan->config, plan->train,
                                               plan->teacher_answers, &local);
  if (trainer == NULL)
    return fail_run (store, plan->run_id, DISTILLERY_RUN_FAILED, local, error);
  if (kd_metrics_init (&metrics, plan->test->n_classes) != 0)
    {
      kd_trainer_free (trainer);
      g_set_error (&local, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_CONFIG,
                   _("There is not enough memory to evaluate the %s."), plan->model_name);
      return fail_run (store, plan->run_id, DISTILLERY_RUN_FAILED, local, error);
    }

  int resume_epoch = -1;
  if (resume)
    {
      g_autoptr(GError) missing = NULL;
      g_autoptr(GBytes) blob = distillery_store_get_checkpoint (store, plan->run_id, "last", &resume_epoch, &missing);
      if (blob != NULL)
        {
          gsize size;
          const void *data = g_bytes_get_data (blob, &size);
          if ((problem = kd_trainer_checkpoint_load (trainer, data, size)) != NULL)
            {
              g_set_error (&local, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_CONFIG,
                           _("Cannot resume the %s: %s."), plan->model_name, problem);
              goto out;
            }
          done_seconds = run->seconds;
        }
      else if (!g_error_matches (missing, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_NOT_FOUND))
        {
          g_propagate_error (&local, g_steal_pointer (&missing));
          goto out;
        }
      else
        resume_epoch = -1;   /* killed before its first epoch ended: start over */
    }
  /* Rows logged after the checkpoint belong to steps about to be redone. */
  if (!distillery_store_truncate_run (store, plan->run_id, resume_epoch, &local)
      || !distillery_store_set_run_status (store, plan->run_id, DISTILLERY_RUN_RUNNING, NULL, &local))
    goto out;

  distillery_step_loop_init (&loop, plan->model_name, plan->step_func, plan->user_data);
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
          /* The steps up to here happened: keep their rows. A paused run
           * resumes from its last epoch's checkpoint, whose truncation
           * drops these rows again before the steps are redone. */
          DistilleryRunStatus status = DISTILLERY_RUN_FAILED;
          if (g_error_matches (local, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_STOPPED))
            status = DISTILLERY_RUN_CANCELLED;
          else if (g_error_matches (local, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_PAUSED))
            status = DISTILLERY_RUN_PAUSED;
          distillery_store_append_steps (store, plan->run_id, (DistilleryStepRow *) pending->data, pending->len, NULL);
          kd_metrics_clear (&metrics);
          kd_trainer_free (trainer);
          return fail_run (store, plan->run_id, status, local, error);
        }

      if (report.epoch_done)
        {
          kd_metrics_clear (&metrics);
          kd_metrics_init (&metrics, plan->test->n_classes);
          kd_evaluate (kd_trainer_model (trainer), plan->test, plan->teacher_test_probs, &metrics);
          gsize size = kd_trainer_checkpoint_size (trainer);
          g_autofree guchar *blob = g_malloc (size);
          kd_trainer_checkpoint_save (trainer, blob);
          g_autoptr(GBytes) checkpoint = g_bytes_new_take (g_steal_pointer (&blob), size);
          gsize matrix_size = sizeof (guint64) * plan->test->n_classes * plan->test->n_classes;
          g_autoptr(GBytes) matrix = plan->teacher_test_probs
                                       ? g_bytes_new (metrics.matrix, matrix_size) : NULL;
          double accuracy = kd_metrics_accuracy (&metrics);
          DistilleryEpochRow epoch = {
            .epoch = report.epoch, .step = report.step, .wall = row.wall,
            .train_loss = report.loss.total,
            .val_loss = kd_metrics_loss (&metrics), .val_accuracy = accuracy,
            .val_agreement = kd_metrics_agreement (&metrics), .val_kl = kd_metrics_kl (&metrics),
            .val_ece = kd_metrics_ece (&metrics), .agreement_matrix = matrix,
          };
          gboolean is_best = accuracy > best_accuracy;
          if (is_best)
            best_accuracy = accuracy;
          if (!distillery_store_commit_epoch (store, plan->run_id, (DistilleryStepRow *) pending->data,
                                              pending->len, &epoch, row.wall, checkpoint, is_best, &local))
            goto out;
          g_array_set_size (pending, 0);
        }
      else if (pending->len >= STEP_BATCH)
        {
          if (!distillery_store_append_steps (store, plan->run_id, (DistilleryStepRow *) pending->data,
                                              pending->len, &local))
            goto out;
          g_array_set_size (pending, 0);
        }
    }

  {
    double seconds = distillery_step_loop_seconds (&loop);
    KdMlp *model = kd_trainer_model (trainer);
    gsize size = kd_mlp_blob_size (model);
    g_autofree guchar *blob = g_malloc (size);
    kd_mlp_blob_save (model, blob);
    g_autoptr(GBytes) model_bytes = g_bytes_new_take (g_steal_pointer (&blob), size);
    g_autofree char *json = metrics_json (&metrics, done_seconds + seconds,
                                          seconds > 0 ? loop.samples / seconds : 0);
    if (!distillery_store_set_run_result (store, plan->run_id, json, model_bytes, &local)
        || !distillery_store_set_run_status (store, plan->run_id, DISTILLERY_RUN_FINISHED, NULL, &local))
      goto out;
  }
  ok = TRUE;

out:
  kd_metrics_clear (&metrics);
  kd_trainer_free (trainer);
  if (!ok)
    return fail_run (store, plan->run_id, DISTILLERY_RUN_FAILED, local, error);
  return TRUE;
}

typedef struct
{
  DistilleryDataset *train_set, *test_set;
  KdData             train, test;
  float             *answers, *test_probs;
  DistilleryExperiment *settings;
} Prepared;

static void
prepared_clear (Prepared *p)
{
  g_clear_pointer (&p->train_set, distillery_dataset_free);
  g_clear_pointer (&p->test_set, distillery_dataset_free);
  g_clear_pointer (&p->answers, g_free);
  g_clear_pointer (&p->test_probs, g_free);
  g_clear_pointer (&p->settings, distillery_experiment_free);
}

static gboolean
prepare_data (DistilleryStore *store, gint64 dataset_id, Prepared *p, GError **error)
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

static DistilleryStoreRun *
finished_teacher_run (DistilleryStore *store, const DistilleryStoreTeacher *t)
{
  g_autoptr(DistilleryStoreRun) run = t->run_id ? distillery_store_get_run (store, t->run_id, NULL) : NULL;
  return run != NULL && run->status == DISTILLERY_RUN_FINISHED ? g_steal_pointer (&run) : NULL;
}

static gboolean
run_teacher (DistilleryStore *store, const DistilleryStoreTeacher *t, gint64 run_id, gboolean resume,
             DistilleryStepFunc step_func, gpointer user_data, GError **error)
{
  Prepared p = { 0 };
  g_autoptr(DistilleryStoreRun) run = distillery_store_get_run (store, run_id, error);
  gboolean ok = run != NULL
                && settings_from_json (t->settings, &p.settings, error)
                && prepare_data (store, t->dataset_id, &p, error);
  if (ok)
    {
      RunPlan plan = { store, run_id, _("teacher"), p.settings->teacher, &p.train, &p.test,
                       NULL, NULL, step_func, user_data };
      fill_shapes (&plan.config, &p.train, run->seed);
      ok = execute_run (&plan, resume, error)
           && distillery_store_set_teacher_run (store, t->id, run_id, error);
    }
  prepared_clear (&p);
  return ok;
}

gboolean
distillery_project_train_teacher (DistilleryStore *store, gint64 teacher_id,
                                  DistilleryStepFunc step_func, gpointer user_data, GError **error)
{
  g_autoptr(DistilleryStoreTeacher) t = distillery_store_get_teacher (store, teacher_id, error);
  g_autoptr(DistilleryExperiment) settings = NULL;

  if (t == NULL)
    return FALSE;
  g_autoptr(DistilleryStoreRun) done = finished_teacher_run (store, t);
  if (done != NULL)
    return TRUE;
  if (!settings_from_json (t->settings, &settings, error))
    return FALSE;
  gint64 run_id = distillery_store_add_run (store, 0, teacher_id, settings->seed, error);
  return run_id > 0
         && distillery_store_set_run_status (store, run_id, DISTILLERY_RUN_RUNNING, NULL, error)
         && run_teacher (store, t, run_id, FALSE, step_func, user_data, error);
}

/* The teacher's answers on the training set (from the project's cache when
 * it has them all) and its probabilities on the test set. */
static gboolean
teacher_answers (DistilleryStore *store, const DistilleryStoreTeacher *t, Prepared *p, GError **error)
{
  g_autoptr(DistilleryStoreRun) run = finished_teacher_run (store, t);
  const int C = p->train.n_classes;
  const char *problem = NULL;

  if (run == NULL)
    {
      g_set_error (error, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_CONFIG,
                   _("The teacher “%s” has not been trained."), t->name);
      return FALSE;
    }
  g_autoptr(GBytes) blob = distillery_store_get_model (store, run->id, error);
  if (blob == NULL)
    return FALSE;
  gsize size;
  const void *data = g_bytes_get_data (blob, &size);
  KdMlp *model = kd_mlp_blob_load (data, size, 1024, &problem);
  if (model == NULL || model->config.n_inputs != p->train.n_features || model->config.n_classes != C)
    {
      g_set_error (error, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_CONFIG,
                   _("The teacher “%s” cannot be used: %s."), t->name,
                   problem ? problem : _("it was trained on other data"));
      kd_mlp_free (model);
      return FALSE;
    }

  p->answers = try_alloc (p->train.n * C, sizeof (float), _("the teacher's answers"), error);
  p->test_probs = p->answers ? try_alloc (p->test.n * C, sizeof (float), _("the teacher's answers"), error) : NULL;
  g_autofree gboolean *found = p->test_probs ? try_alloc (p->train.n, sizeof (gboolean),
                                                          _("the teacher's answers"), error) : NULL;
  if (found == NULL)
    {
      kd_mlp_free (model);
      return FALSE;
    }
  memset (found, 0, p->train.n * sizeof (gboolean));
  gint64 cached = distillery_store_get_answers (store, t->id, t->dataset_id, "train", "logits",
                                                p->answers, p->train.n, C, found, error);
  if (cached < 0)
    {
      kd_mlp_free (model);
      return FALSE;
    }
  if ((gsize) cached < p->train.n)
    {
      g_autofree guint32 *samples = try_alloc (p->train.n, sizeof (guint32), _("the teacher's answers"), error);
      if (samples == NULL)
        {
          kd_mlp_free (model);
          return FALSE;
        }
      for (guint i = 0; i < p->train.n; i++)
        samples[i] = i;
      kd_mlp_predict (model, p->answers, p->train.features, p->train.n);
      if (!distillery_store_put_answers (store, t->id, t->dataset_id, "train", "logits",
                                         samples, p->answers, p->train.n, C, error))
        {
          kd_mlp_free (model);
          return FALSE;
        }
    }
  kd_mlp_predict (model, p->test_probs, p->test.features, p->test.n);
  kd_softmax (p->test_probs, p->test_probs, (int) p->test.n, C, 1.0f);
  kd_mlp_free (model);
  return TRUE;
}

static gboolean
run_experiment (DistilleryStore *store, gint64 run_id, gboolean resume,
                DistilleryStepFunc step_func, gpointer user_data, GError **error)
{
  g_autoptr(DistilleryStoreRun) run = distillery_store_get_run (store, run_id, error);
  g_autoptr(DistilleryStoreExperiment) x = NULL;
  g_autoptr(DistilleryStoreTeacher) t = NULL;
  Prepared p = { 0 };
  gboolean ok = FALSE;

  if (run == NULL || (x = distillery_store_get_experiment (store, run->experiment_id, error)) == NULL)
    return FALSE;
  if (x->teacher_id != 0)
    {
      if ((t = distillery_store_get_teacher (store, x->teacher_id, error)) == NULL
          || !distillery_project_train_teacher (store, t->id, step_func, user_data, error))
        return FALSE;
      /* Training it recorded its run on the teacher's row. */
      g_clear_pointer (&t, distillery_store_teacher_free);
      if ((t = distillery_store_get_teacher (store, x->teacher_id, error)) == NULL)
        return FALSE;
    }
  if (settings_from_json (x->settings, &p.settings, error)
      && prepare_data (store, x->dataset_id, &p, error)
      && (t == NULL || teacher_answers (store, t, &p, error)))
    {
      RunPlan plan = { store, run_id, t ? _("distilled student") : _("student"),
                       p.settings->student, &p.train, &p.test, p.answers, p.test_probs,
                       step_func, user_data };
      fill_shapes (&plan.config, &p.train, run->seed);
      if (t != NULL && plan.config.teacher_kind != KD_TEACHER_LOGITS)
        kd_softmax (p.answers, p.answers, (int) p.train.n, p.train.n_classes, 1.0f);
      ok = execute_run (&plan, resume, error);
    }
  prepared_clear (&p);
  return ok;
}

gint64
distillery_project_create_run (DistilleryStore *store, gint64 experiment_id, gint64 seed, GError **error)
{
  g_autoptr(DistilleryStoreExperiment) x = distillery_store_get_experiment (store, experiment_id, error);
  g_autoptr(DistilleryExperiment) settings = NULL;

  if (x == NULL || !settings_from_json (x->settings, &settings, error))
    return 0;
  gint64 run_id = distillery_store_add_run (store, experiment_id, 0,
                                            seed >= 0 ? (guint64) seed : settings->seed, error);
  /* Running from the moment it exists: a process that dies while still
   * loading data leaves a run that reads as interrupted, not as queued. */
  if (run_id <= 0 || !distillery_store_set_run_status (store, run_id, DISTILLERY_RUN_RUNNING, NULL, error))
    return 0;
  return run_id;
}

gboolean
distillery_project_execute_run (DistilleryStore *store, gint64 run_id,
                                DistilleryStepFunc step_func, gpointer user_data, GError **error)
{
  return run_experiment (store, run_id, FALSE, step_func, user_data, error);
}

gint64
distillery_project_run (DistilleryStore *store, gint64 experiment_id, gint64 seed,
                        DistilleryStepFunc step_func, gpointer user_data, GError **error)
{
  gint64 run_id = distillery_project_create_run (store, experiment_id, seed, error);
  if (run_id <= 0 || !run_experiment (store, run_id, FALSE, step_func, user_data, error))
    return 0;
  return run_id;
}

gboolean
distillery_project_resume (DistilleryStore *store, gint64 run_id,
                           DistilleryStepFunc step_func, gpointer user_data, GError **error)
{
  g_autoptr(DistilleryStoreRun) run = distillery_store_get_run (store, run_id, error);

  if (run == NULL)
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
                   _("Run %" G_GINT64_FORMAT " is %s; only a run that stopped before its end can be resumed."),
                   run_id, distillery_run_status_to_string (run->status));
      return FALSE;
    }
  if (run->experiment_id == 0)
    {
      g_autoptr(DistilleryStoreTeacher) t = distillery_store_get_teacher (store, run->teacher_id, error);
      return t != NULL && run_teacher (store, t, run_id, TRUE, step_func, user_data, error);
    }
  return run_experiment (store, run_id, TRUE, step_func, user_data, error);
}

DistilleryStore *
distillery_project_new_demo (const char *path, DistilleryStepFunc step_func,
                             gpointer user_data, GError **error)
{
  g_autoptr(DistilleryStore) store = distillery_store_create (path, _("Demo project"), error);
  g_autoptr(DistilleryExperiment) settings = distillery_experiment_new_demo ();
  gint64 dataset, teacher;

  if (store == NULL
      || (dataset = distillery_project_import_demo (store, error)) <= 0
      || (teacher = distillery_project_add_teacher (store, _("Teacher 128-128"), dataset, settings, error)) <= 0
      || !distillery_project_train_teacher (store, teacher, step_func, user_data, error)
      || distillery_project_add_experiment (store, _("Distilled student"), dataset, teacher, settings, error) <= 0
      || distillery_project_add_experiment (store, _("Plain student"), dataset, 0, settings, error) <= 0)
    return NULL;
  return g_steal_pointer (&store);
}
