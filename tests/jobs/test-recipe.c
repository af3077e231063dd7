/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The hinton-2015 recipe and the options it brought to every experiment,
 * on real project files:
 *
 * - the recipe builds its project from MNIST-shaped IDX files (here the
 *   demo's 8 x 8 digits written as IDX, in each of the names and
 *   compressions MNIST comes in): the data set, the teacher and eight
 *   experiments with the paper's settings, and every run of every seed
 *   trains to its end, the left-out student's with its extra metrics;
 * - a folder without the files, an unknown recipe and an existing file
 *   are refused, and a refusal leaves no file behind;
 * - a transfer set without some classes keeps the other samples, their
 *   labels and teacher answers in order, and refuses classes the data
 *   set lacks or leaving nothing;
 * - the bias correction is measured on a model whose answers are known;
 * - input jitter on data that are not images fails the run, saying why.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>

#include "distillery-project.h"
#include "distillery-recipes.h"
#include "distillery-transfer.h"

static char *dir;
static int n_test_threes;   /* in the test files write_digits makes */

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) d = g_dir_open (path, 0, NULL);
  const char *name;
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

/* ---- IDX fixtures from the demo digits ------------------------------ */

static GBytes *
idx_bytes (const DistilleryDataset *ds, guint first, guint n, gboolean images)
{
  GByteArray *out = g_byte_array_new ();
  guint8 header[16] = { 0, 0, 8, images ? 3 : 1 };
  guint32 dims[3] = { GUINT32_TO_BE (n), GUINT32_TO_BE (8), GUINT32_TO_BE (8) };

  g_byte_array_append (out, header, 4);
  g_byte_array_append (out, (guint8 *) dims, images ? 12 : 4);
  for (guint i = first; i < first + n; i++)
    if (images)
      for (guint f = 0; f < ds->n_features; f++)
        {
          guint8 pixel = (guint8) lround (ds->features[(gsize) i * ds->n_features + f] * 255);
          g_byte_array_append (out, &pixel, 1);
        }
    else
      {
        guint8 label = (guint8) ds->labels[i];
        g_byte_array_append (out, &label, 1);
      }
  return g_byte_array_free_to_bytes (out);
}

static void
write_file (const char *folder, const char *name, GBytes *bytes, gboolean gzipped)
{
  g_autofree char *path = g_build_filename (folder, name, NULL);
  g_autoptr(GBytes) data = NULL;

  if (gzipped)
    {
      g_autoptr(GZlibCompressor) gzip = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 1);
      g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
      g_autoptr(GOutputStream) stream = g_converter_output_stream_new (memory, G_CONVERTER (gzip));
      g_assert_true (g_output_stream_write_all (stream, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                                NULL, NULL, NULL));
      g_assert_true (g_output_stream_close (stream, NULL, NULL));
      data = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
    }
  else
    data = g_bytes_ref (bytes);
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (data, NULL), g_bytes_get_size (data), NULL));
}

enum { N_TRAIN = 1400 };

/* MNIST's four files, named as its site and as other copies name them. */
static char *
write_digits (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryDataset) digits = distillery_dataset_load_demo (&error);
  g_autofree char *folder = g_build_filename (dir, "digits-idx", NULL);
  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);

  guint n_test = digits->n_samples - N_TRAIN;
  n_test_threes = 0;
  for (guint i = N_TRAIN; i < digits->n_samples; i++)
    n_test_threes += digits->labels[i] == 3;
  g_autoptr(GBytes) train_images = idx_bytes (digits, 0, N_TRAIN, TRUE);
  g_autoptr(GBytes) train_labels = idx_bytes (digits, 0, N_TRAIN, FALSE);
  g_autoptr(GBytes) test_images = idx_bytes (digits, N_TRAIN, n_test, TRUE);
  g_autoptr(GBytes) test_labels = idx_bytes (digits, N_TRAIN, n_test, FALSE);
  write_file (folder, "train-images-idx3-ubyte", train_images, FALSE);
  write_file (folder, "train-labels.idx1-ubyte", train_labels, FALSE);
  write_file (folder, "t10k-images-idx3-ubyte.gz", test_images, TRUE);
  write_file (folder, "t10k-labels.idx1-ubyte.gz", test_labels, TRUE);
  return g_steal_pointer (&folder);
}

/* ---- Reading what a project holds ----------------------------------- */

static DistilleryExperiment *
settings_of (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  DistilleryExperiment *e = distillery_experiment_new_demo ();

  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_true (distillery_experiment_merge_json (e, json_parser_get_root (parser), &error));
  g_assert_no_error (error);
  return e;
}

static DistilleryExperiment *
experiment_settings (DistilleryStore *store, const char *name, gint64 *teacher_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryStoreExperiment) x = distillery_store_find_experiment (store, name, &error);
  g_assert_no_error (error);
  g_assert_nonnull (x);
  if (teacher_id != NULL)
    *teacher_id = x->teacher_id;
  return settings_of (x->settings);
}

/* Trains every seed of an experiment to its end on this thread, as a
 * worker would. */
static void
run_experiment (const char *path, gint64 experiment_id, int n_seeds, const guint64 *seeds)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryWriter) writer = distillery_writer_open (path, &error);
  g_autoptr(DistilleryStore) reader = distillery_store_open (path, DISTILLERY_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);

  for (int s = 0; s < n_seeds; s++)
    {
      gint64 run = distillery_project_create_run (reader, writer, experiment_id, (gint64) seeds[s], &error);
      g_assert_no_error (error);
      g_assert_true (distillery_project_execute_run (reader, writer, run, NULL, &error));
      g_assert_no_error (error);
      g_assert_true (distillery_writer_sync (writer, run, &error));
    }
}

static double
metric (const DistilleryStoreRun *run, const char *name)
{
  return distillery_project_run_metric (run->final_metrics, name);
}

/* ---- The recipe ----------------------------------------------------- */

static void
test_hinton_builds_and_runs (void)
{
  g_autofree char *digits = write_digits ();
  g_autofree char *path = g_build_filename (dir, "hinton.distillery", NULL);
  g_autoptr(GError) error = NULL;
  const guint64 seeds[] = { 4, 9 };
  DistilleryRecipeOptions options = { digits, 3, 2, seeds, G_N_ELEMENTS (seeds) };
  static const char *const distilled[] = {
    "Student 800-800, distilled at T = 1", "Student 800-800, distilled at T = 2",
    "Student 800-800, distilled at T = 4", "Student 800-800, distilled at T = 8",
    "Student 800-800, distilled at T = 20",
  };
  const char *left_out_name = "Student 800-800, distilled at T = 20, without class 3";

  g_autoptr(DistilleryStore) store = distillery_recipe_new_project ("hinton-2015", path, &options, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);

  /* The data: the IDX files as they came, read as 8 x 8 images. */
  g_autoptr(GPtrArray) datasets = distillery_store_list_datasets (store, &error);
  g_assert_cmpuint (datasets->len, ==, 1);
  DistilleryStoreDataset *d = datasets->pdata[0];
  g_assert_cmpstr (d->kind, ==, "idx");
  g_assert_cmpuint (d->n_samples, ==, 1797);
  g_assert_cmpuint (d->image_width, ==, 8);
  g_assert_cmpstr (d->class_names[3], ==, "3");

  /* The teacher: dropout, jitter, max-norm, trained with the first seed. */
  g_autoptr(GPtrArray) teachers = distillery_store_list_teachers (store, &error);
  g_assert_cmpuint (teachers->len, ==, 1);
  DistilleryStoreTeacher *t = teachers->pdata[0];
  g_autoptr(DistilleryExperiment) ts = settings_of (t->settings);
  g_assert_cmpint (ts->teacher.model.hidden[0], ==, 1200);
  g_assert_cmpint (ts->teacher.model.hidden[1], ==, 1200);
  g_assert_cmpfloat (ts->teacher.model.dropout_input, >, 0.0f);
  g_assert_cmpfloat (ts->teacher.model.dropout_hidden, >, 0.0f);
  g_assert_cmpint (ts->teacher.jitter, ==, 2);
  g_assert_cmpfloat (ts->teacher.max_norm, >, 0);
  g_assert_cmpint (ts->teacher.epochs, ==, 3);
  g_assert_cmpuint (ts->seed, ==, 4);

  /* The experiments, each with the seeds asked for. */
  g_autoptr(GPtrArray) experiments = distillery_store_list_experiments (store, &error);
  g_assert_cmpuint (experiments->len, ==, 8);
  gint64 teacher_id;
  g_autoptr(DistilleryExperiment) alone = experiment_settings (store, "Teacher 1200-1200, every seed", &teacher_id);
  g_assert_cmpmem (&alone->student.model, sizeof alone->student.model, &ts->teacher.model, sizeof ts->teacher.model);
  g_assert_cmpint (alone->student.jitter, ==, 2);
  g_assert_cmpfloat (alone->student.alpha, ==, 0.0f);
  g_assert_cmpint (teacher_id, ==, t->id);
  g_autoptr(DistilleryExperiment) plain = experiment_settings (store, "Student 800-800, plain", &teacher_id);
  g_assert_cmpint (plain->student.model.hidden[0], ==, 800);
  g_assert_cmpfloat (plain->student.model.dropout_hidden, ==, 0.0f);
  g_assert_cmpint (plain->student.jitter, ==, 0);
  g_assert_cmpfloat (plain->student.alpha, ==, 0.0f);
  g_assert_cmpint (plain->student.epochs, ==, 2);
  g_assert_cmpint (plain->n_seeds, ==, 2);
  g_assert_cmpuint (plain->seeds[1], ==, 9);
  static const float temperatures[] = { 1, 2, 4, 8, 20 };
  for (guint i = 0; i < G_N_ELEMENTS (distilled); i++)
    {
      g_autoptr(DistilleryExperiment) e = experiment_settings (store, distilled[i], &teacher_id);
      g_assert_cmpint (teacher_id, ==, t->id);
      g_assert_cmpfloat (e->student.temperature, ==, temperatures[i]);
      g_assert_cmpfloat (e->student.alpha, >, 0.5f);
      g_assert_cmpint (e->left_out.n_classes, ==, 0);
    }
  g_autoptr(DistilleryExperiment) lo = experiment_settings (store, left_out_name, &teacher_id);
  g_assert_cmpint (lo->left_out.n_classes, ==, 1);
  g_assert_cmpint (lo->left_out.classes[0], ==, 3);
  g_assert_cmpfloat (lo->left_out.bias, >, 0);
  g_assert_cmpfloat (lo->student.temperature, ==, 20);
  g_clear_pointer (&store, distillery_store_close);

  /* Every run of every seed trains to its end. */
  for (guint i = 0; i < experiments->len; i++)
    {
      DistilleryStoreExperiment *x = experiments->pdata[i];
      run_experiment (path, x->id, G_N_ELEMENTS (seeds), seeds);
    }
  store = distillery_store_open (path, DISTILLERY_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < experiments->len; i++)
    {
      DistilleryStoreExperiment *x = experiments->pdata[i];
      g_autoptr(GPtrArray) runs = distillery_store_list_runs (store, x->id, &error);
      g_assert_cmpuint (runs->len, ==, G_N_ELEMENTS (seeds));
      for (guint r = 0; r < runs->len; r++)
        {
          DistilleryStoreRun *run = runs->pdata[r];
          gboolean left_out = g_str_equal (x->name, left_out_name);
          g_assert_cmpint (run->status, ==, DISTILLERY_RUN_FINISHED);
          g_assert_cmpuint (run->seed, ==, seeds[r]);
          g_test_message ("%s, seed %" G_GUINT64_FORMAT ": accuracy %.3f, agreement %.3f",
                          x->name, run->seed, metric (run, "accuracy"), metric (run, "agreement"));
          /* A few epochs on 1400 digits: every model learned something
           * (chance is 10 %), a student on the labels plenty; a teacher
           * this heavily regularised, on images this small, less. */
          g_assert_cmpfloat (metric (run, "accuracy"), >, 0.2);
          if (g_str_equal (x->name, "Student 800-800, plain"))
            g_assert_cmpfloat (metric (run, "accuracy"), >, 0.6);
          /* The teacher measures agreement, even where it teaches nothing. */
          g_assert_true (isfinite (metric (run, "agreement")));
          g_assert_cmpint (isfinite (metric (run, "left_out_recall")), ==, left_out);
          if (!left_out)
            continue;
          g_assert_cmpfloat (metric (run, "left_out_samples"), ==, n_test_threes);
          g_assert_cmpfloat (metric (run, "left_out_recall"), >=, 0);
          /* Raising the bias of the class can only make more of its
           * samples come out as it. */
          g_assert_cmpfloat (metric (run, "corrected_left_out_recall"), >=, metric (run, "left_out_recall"));
          g_assert_true (isfinite (metric (run, "corrected_accuracy")));
          g_assert_true (isfinite (metric (run, "corrected_agreement")));
        }
    }
}

static void
test_refusals (void)
{
  g_autofree char *empty = g_build_filename (dir, "empty", NULL);
  g_autofree char *path = g_build_filename (dir, "refused.distillery", NULL);
  g_autoptr(GError) error = NULL;
  DistilleryRecipeOptions options = { .mnist_dir = empty };

  g_assert_cmpint (g_mkdir_with_parents (empty, 0700), ==, 0);
  g_assert_null (distillery_recipe_new_project ("hinton-2015", path, &options, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "train-images-idx3-ubyte"));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  g_assert_null (distillery_recipe_new_project ("hinton-2016", path, NULL, &error));
  g_assert_nonnull (strstr (error->message, "hinton-2015"));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  /* A file that is there already stays as it was. */
  g_autofree char *digits = write_digits ();
  g_assert_true (g_file_set_contents (path, "mine", -1, NULL));
  options.mnist_dir = digits;
  g_assert_null (distillery_recipe_new_project ("hinton-2015", path, &options, &error));
  g_assert_nonnull (error);
  g_autofree char *contents = NULL;
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "mine");
  g_unlink (path);
}

/* ---- Left-out classes ----------------------------------------------- */

static void
test_leave_out (void)
{
  enum { N = 12, F = 3, C = 4 };
  float features[N * F], answers[N * C];
  gint32 labels[N];
  DistilleryLeftOut left_out = { 2, { 1, 3 }, 0 };
  g_autoptr(GError) error = NULL;

  for (int i = 0; i < N; i++)
    {
      labels[i] = i % C;
      for (int f = 0; f < F; f++)
        features[i * F + f] = (float) (100 * i + f);
      for (int c = 0; c < C; c++)
        answers[i * C + c] = (float) (10 * i + c);
    }
  KdData train = { features, labels, N, F, C };
  g_assert_true (distillery_transfer_set_leave_out (&left_out, &train, answers, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (train.n, ==, 6);
  for (gsize k = 0; k < train.n; k++)
    {
      int i = (int) (k / 2) * 4 + (k % 2 ? 2 : 0);   /* samples 0, 2, 4, 6, 8, 10 */
      g_assert_cmpint (train.labels[k], ==, labels[k]);
      g_assert_cmpint (labels[k], ==, i % C);
      g_assert_cmpfloat (train.features[k * F + 2], ==, (float) (100 * i + 2));
      g_assert_cmpfloat (answers[k * C + 3], ==, (float) (10 * i + 3));
    }

  /* A class the data set does not have. */
  DistilleryLeftOut too_high = { 1, { 4 }, 0 };
  g_assert_false (distillery_transfer_set_leave_out (&too_high, &train, NULL, &error));
  g_assert_nonnull (strstr (error->message, "class 4"));
  g_clear_error (&error);

  /* Nothing left. */
  DistilleryLeftOut both = { 2, { 0, 2 }, 0 };
  g_assert_false (distillery_transfer_set_leave_out (&both, &train, NULL, &error));
  g_assert_nonnull (strstr (error->message, "no samples"));
  g_assert_cmpuint (train.n, ==, 6);
}

/* A model whose every answer is its output bias: the logits [0, 0.5, 0,
 * -1] for every sample, so it always says class 1; 1.6 more for class 3
 * makes it always say 3, 1.4 does not. */
static void
test_bias_correction (void)
{
  enum { N = 40, F = 5, C = 4 };
  KdMlpConfig config = { .n_inputs = F, .n_classes = C, .n_hidden = 0 };
  KdMlp *model = kd_mlp_new (&config, 16);
  float features[N * F] = { 0 }, teacher[N * C];
  gint32 labels[N];
  DistilleryLeftOutMetrics m;

  model->bias[0][1] = 0.5f;
  model->bias[0][3] = -1.0f;
  for (int i = 0; i < N; i++)
    {
      labels[i] = i % 5 == 0 ? 3 : i % 3;   /* 8 threes, the rest 0, 1 or 2 */
      for (int c = 0; c < C; c++)
        teacher[i * C + c] = c == 3 ? 0.7f : 0.1f;
    }
  int ones = 0;
  for (int i = 0; i < N; i++)
    ones += labels[i] == 1;
  KdData test = { features, labels, N, F, C };

  DistilleryLeftOut left_out = { 1, { 3 }, 1.6f };
  distillery_left_out_evaluate (&left_out, model, &test, teacher, &m);
  g_assert_cmpint (m.left_out_samples, ==, 8);
  g_assert_cmpfloat (m.left_out_recall, ==, 0.0);
  g_assert_cmpfloat (m.corrected_left_out_recall, ==, 1.0);
  g_assert_cmpfloat (m.corrected_accuracy, ==, 8.0 / N);
  g_assert_cmpfloat (m.corrected_agreement, ==, 1.0);

  /* Tuned on the test set: saying 1 (11 right) beats saying 3 (8 right),
   * so no bias at all. */
  g_assert_cmpfloat (m.tuned_bias, ==, 0.0);
  g_assert_cmpfloat (m.tuned_accuracy, ==, (double) ones / N);
  g_assert_cmpfloat (m.tuned_left_out_recall, ==, 0.0);

  /* Not enough to overtake class 1. */
  left_out.bias = 1.4f;
  distillery_left_out_evaluate (&left_out, model, &test, NULL, &m);
  g_assert_cmpfloat (m.corrected_left_out_recall, ==, 0.0);
  g_assert_cmpfloat (m.corrected_accuracy, ==, (double) ones / N);
  g_assert_true (isnan (m.corrected_agreement));

  /* Without a bias: only the recall. */
  left_out.bias = 0;
  distillery_left_out_evaluate (&left_out, model, &test, teacher, &m);
  g_assert_cmpfloat (m.left_out_recall, ==, 0.0);
  g_assert_true (isnan (m.corrected_accuracy) && isnan (m.corrected_left_out_recall));

  /* With more threes than anything else, the smallest bias that makes the
   * model say 3 (1.6: -1 + 1.6 beats 0.5; at 1.5 they tie and 1 wins). */
  for (int i = 0; i < N; i++)
    labels[i] = i % 5 < 3 ? 3 : i % 2;
  distillery_left_out_evaluate (&left_out, model, &test, NULL, &m);
  g_assert_cmpfloat_with_epsilon (m.tuned_bias, 1.6, 1e-6);
  g_assert_cmpfloat (m.tuned_accuracy, ==, 24.0 / N);
  g_assert_cmpfloat (m.tuned_left_out_recall, ==, 1.0);
  kd_mlp_free (model);
}

/* ---- Jitter needs images -------------------------------------------- */

static void
test_jitter_needs_images (void)
{
  g_autofree char *csv = g_build_filename (dir, "points.csv", NULL);
  g_autofree char *path = g_build_filename (dir, "points.distillery", NULL);
  g_autoptr(GString) text = g_string_new ("x,y,class\n");
  g_autoptr(GError) error = NULL;

  for (int i = 0; i < 80; i++)
    g_string_append_printf (text, "%d,%d,%s\n", i % 9, (i * 7) % 11, i % 2 ? "odd" : "even");
  g_assert_true (g_file_set_contents (csv, text->str, -1, NULL));
  g_autoptr(DistilleryStore) store = distillery_store_create (path, "points", &error);
  DistilleryImport import = { .csv_path = csv, .label_column = "class" };
  gint64 dataset = distillery_project_import (store, &import, &error);
  g_assert_no_error (error);
  g_autoptr(DistilleryExperiment) settings = distillery_experiment_new_demo ();
  settings->student.jitter = 1;
  gint64 experiment = distillery_project_add_experiment (store, "Jittered", dataset, 0, settings, &error);
  g_assert_no_error (error);
  g_clear_pointer (&store, distillery_store_close);

  g_autoptr(DistilleryWriter) writer = distillery_writer_open (path, &error);
  g_autoptr(DistilleryStore) reader = distillery_store_open (path, DISTILLERY_STORE_OPEN_READ_ONLY, &error);
  gint64 run = distillery_project_create_run (reader, writer, experiment, -1, &error);
  g_assert_no_error (error);
  g_assert_false (distillery_project_execute_run (reader, writer, run, NULL, &error));
  g_assert_error (error, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "not made of images"));
  g_clear_error (&error);
  g_assert_true (distillery_writer_sync (writer, run, &error));
  g_autoptr(DistilleryStoreRun) r = distillery_store_get_run (reader, run, &error);
  g_assert_cmpint (r->status, ==, DISTILLERY_RUN_FAILED);
  g_assert_nonnull (strstr (r->error, "input jitter"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  dir = g_dir_make_tmp ("distillery-recipe-XXXXXX", NULL);

  g_test_add_func ("/recipe/hinton-2015/builds-and-runs", test_hinton_builds_and_runs);
  g_test_add_func ("/recipe/hinton-2015/refusals", test_refusals);
  g_test_add_func ("/transfer-set/leave-out", test_leave_out);
  g_test_add_func ("/transfer-set/bias-correction", test_bias_correction);
  g_test_add_func ("/experiment/jitter-needs-images", test_jitter_needs_images);

  int status = g_test_run ();
  remove_tree (dir);
  return status;
}
