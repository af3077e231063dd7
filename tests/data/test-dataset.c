/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Data sets in memory: copying rows, the seeded stratified split, the
 * scaler (fitted on training data only), and the bundled demo set, which
 * parses from the bytes of the file it is found in exactly as it loads.
 */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "data-fixtures.h"
#include "distillery-dataset.h"

/* Sample i has the single feature i, so every row can be traced back; the
 * classes are unbalanced (class c has c + 1 times as many samples as 0). */
static DistilleryDataset *
numbered_dataset (guint n_samples)
{
  DistilleryDataset *ds = distillery_dataset_new (n_samples, 1, 4);

  ds->name = g_strdup ("numbered");
  for (guint i = 0; i < n_samples; i++)
    {
      ds->features[i] = (float) i;
      ds->labels[i] = (i % 10 < 1) ? 0 : (i % 10 < 3) ? 1 : (i % 10 < 6) ? 2 : 3;
    }
  return ds;
}

static void
test_new (void)
{
  g_autoptr(DistilleryDataset) ds = distillery_dataset_new (3, 2, 4);

  g_assert_cmpuint (ds->n_samples, ==, 3);
  for (guint i = 0; i < 6; i++)
    g_assert_cmpfloat (ds->features[i], ==, 0.0f);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpint (ds->labels[i], ==, 0);
  g_assert_cmpuint (g_strv_length (ds->class_names), ==, 4);
  g_assert_cmpstr (ds->class_names[3], ==, "3");
  g_assert_null (ds->name);
}

static void
test_subset (void)
{
  g_autoptr(DistilleryDataset) all = numbered_dataset (20);
  g_autoptr(DistilleryDataset) some = NULL;
  const guint32 rows[] = { 7, 3, 3 };

  all->image_width = 1;
  all->image_height = 1;
  some = distillery_dataset_subset (all, rows, G_N_ELEMENTS (rows));
  g_assert_cmpuint (some->n_samples, ==, 3);
  g_assert_cmpuint (some->n_classes, ==, 4);
  g_assert_cmpuint (some->image_width, ==, 1);
  g_assert_cmpstr (some->name, ==, "numbered");
  g_assert_cmpstrv (some->class_names, all->class_names);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_assert_cmpfloat (some->features[i], ==, (float) rows[i]);
      g_assert_cmpint (some->labels[i], ==, all->labels[rows[i]]);
    }
}

/* The rows of `part`, in order, by their feature. */
static GString *
rows_of (const DistilleryDataset *part)
{
  GString *rows = g_string_new (NULL);

  for (guint i = 0; i < part->n_samples; i++)
    g_string_append_printf (rows, "%g ", part->features[i]);
  return rows;
}

static void
test_split_deterministic (void)
{
  g_autoptr(DistilleryDataset) all = numbered_dataset (500);
  g_autoptr(DistilleryDataset) train_a = NULL, validation_a = NULL;
  g_autoptr(DistilleryDataset) train_b = NULL, validation_b = NULL;
  g_autoptr(DistilleryDataset) train_c = NULL, validation_c = NULL;
  g_autoptr(GString) rows_a = NULL, rows_b = NULL, rows_c = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (distillery_dataset_split (all, 0.2, 42, &train_a, &validation_a, &error));
  g_assert_true (distillery_dataset_split (all, 0.2, 42, &train_b, &validation_b, &error));
  g_assert_true (distillery_dataset_split (all, 0.2, 43, &train_c, &validation_c, &error));
  g_assert_no_error (error);

  rows_a = rows_of (validation_a);
  rows_b = rows_of (validation_b);
  rows_c = rows_of (validation_c);
  g_assert_cmpstr (rows_a->str, ==, rows_b->str);
  g_assert_cmpstr (rows_a->str, !=, rows_c->str);
  g_string_free (rows_a, TRUE);
  g_string_free (rows_b, TRUE);
  rows_a = rows_of (train_a);
  rows_b = rows_of (train_b);
  g_assert_cmpstr (rows_a->str, ==, rows_b->str);
}

static void
test_split_fractions (void)
{
  const double fractions[] = { 0.1, 0.2, 0.25, 0.5, 0.9 };

  for (guint f = 0; f < G_N_ELEMENTS (fractions); f++)
    {
      g_autoptr(DistilleryDataset) all = numbered_dataset (997);
      g_autoptr(DistilleryDataset) train = NULL, validation = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree gboolean *seen = g_new0 (gboolean, all->n_samples);
      guint all_per_class[4] = { 0 }, validation_per_class[4] = { 0 };
      gboolean sorted = TRUE;

      g_assert_true (distillery_dataset_split (all, fractions[f], 7, &train, &validation, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (validation->n_samples, ==, (guint) round (997 * fractions[f]));
      g_assert_cmpuint (train->n_samples + validation->n_samples, ==, 997);
      g_assert_cmpuint (train->n_classes, ==, 4);
      g_assert_cmpstr (validation->name, ==, "numbered");

      /* Every sample lands in exactly one set, with its own label. */
      for (guint i = 0; i < train->n_samples; i++)
        {
          guint row = (guint) train->features[i];

          g_assert_false (seen[row]);
          seen[row] = TRUE;
          g_assert_cmpint (train->labels[i], ==, all->labels[row]);
        }
      for (guint i = 0; i < validation->n_samples; i++)
        {
          guint row = (guint) validation->features[i];

          g_assert_false (seen[row]);
          seen[row] = TRUE;
          g_assert_cmpint (validation->labels[i], ==, all->labels[row]);
          validation_per_class[validation->labels[i]]++;
          if (i > 0 && validation->labels[i] < validation->labels[i - 1])
            sorted = FALSE;
        }

      /* Stratified: each class within one sample of its share... */
      for (guint i = 0; i < all->n_samples; i++)
        all_per_class[all->labels[i]]++;
      for (guint c = 0; c < 4; c++)
        g_assert_cmpfloat (fabs (validation_per_class[c] - all_per_class[c] * fractions[f]), <=, 1.0);
      /* ...yet not handed out sorted by class. */
      g_assert_false (sorted);
    }
}

static void
test_split_bad_input (void)
{
  g_autoptr(DistilleryDataset) all = numbered_dataset (10);
  g_autoptr(DistilleryDataset) one = numbered_dataset (1);
  DistilleryDataset *train = NULL, *validation = NULL;
  g_autoptr(GError) zero_error = NULL;
  g_autoptr(GError) whole_error = NULL;
  g_autoptr(GError) one_error = NULL;

  g_assert_false (distillery_dataset_split (all, 0.0, 1, &train, &validation, &zero_error));
  assert_error_says (zero_error, DISTILLERY_DATA_ERROR_VALUE, "between 0 and 1, not 0.", NULL);
  g_assert_false (distillery_dataset_split (all, 1.0, 1, &train, &validation, &whole_error));
  assert_error_says (whole_error, DISTILLERY_DATA_ERROR_VALUE, "not 1.", NULL);
  g_assert_false (distillery_dataset_split (one, 0.5, 1, &train, &validation, &one_error));
  assert_error_says (one_error, DISTILLERY_DATA_ERROR_EMPTY, "“numbered” has 1 sample;", NULL);
  g_assert_null (train);
  g_assert_null (validation);
}

static void
test_scaler (void)
{
  g_autoptr(DistilleryDataset) train = distillery_dataset_new (4, 3, 2);
  g_autoptr(DistilleryDataset) validation = distillery_dataset_new (2, 3, 2);
  g_autoptr(DistilleryScaler) scaler = NULL;
  /* Feature 0: mean 2.5, std sqrt(1.25); feature 1 constant 0.1, feature 2
   * mean 0, std 2. */
  const float train_features[] = { 1, 0.1f, -2, 2, 0.1f, 2, 3, 0.1f, -2, 4, 0.1f, 2 };
  const float validation_features[] = { 10, 0.1f, 0, 20, 5, 4 };

  memcpy (train->features, train_features, sizeof train_features);
  memcpy (validation->features, validation_features, sizeof validation_features);

  scaler = distillery_scaler_fit (train);
  g_assert_cmpuint (scaler->n_features, ==, 3);
  g_assert_cmpfloat_with_epsilon (scaler->mean[0], 2.5f, 1e-6);
  g_assert_cmpfloat_with_epsilon (scaler->scale[0], sqrtf (1.25f), 1e-6);
  g_assert_cmpfloat (scaler->mean[1], ==, 0.1f);
  g_assert_cmpfloat (scaler->scale[1], ==, 1.0f);
  g_assert_cmpfloat_with_epsilon (scaler->scale[2], 2.0f, 1e-6);

  distillery_scaler_apply (scaler, train);
  distillery_scaler_apply (scaler, validation);

  /* Training data ends up at mean 0 and std 1, a constant feature at 0. */
  for (guint j = 0; j < 3; j++)
    {
      double sum = 0, squares = 0;

      for (guint i = 0; i < 4; i++)
        {
          sum += train->features[i * 3 + j];
          squares += train->features[i * 3 + j] * train->features[i * 3 + j];
        }
      g_assert_cmpfloat_with_epsilon (sum / 4, 0.0, 1e-6);
      g_assert_cmpfloat_with_epsilon (squares / 4, j == 1 ? 0.0 : 1.0, 1e-5);
    }

  /* Validation data is moved by the training statistics, not its own: its
   * mean stays away from 0. */
  g_assert_cmpfloat_with_epsilon (validation->features[0], (10 - 2.5f) / sqrtf (1.25f), 1e-5);
  g_assert_cmpfloat_with_epsilon (validation->features[4], 4.9f, 1e-6);
  g_assert_cmpfloat_with_epsilon (validation->features[5], 2.0f, 1e-6);
  g_assert_cmpfloat ((validation->features[0] + validation->features[3]) / 2, >, 1.0f);
}

/* Asserts that parsing the bytes of the demo file gives what loading it
 * gives, data set or error; returns the loaded data set. */
static DistilleryDataset *
load_demo_both (GError **error)
{
  g_autoptr(GError) find_error = NULL;
  g_autoptr(GError) parse_error = NULL;
  g_autofree char *path = distillery_dataset_find_demo (&find_error);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(DistilleryDataset) parsed = NULL;
  DistilleryDataset *loaded;

  g_assert_no_error (find_error);
  bytes = fixture_read (path);
  loaded = distillery_dataset_load_demo (error);
  parsed = distillery_dataset_parse_demo (bytes, &parse_error);
  if (loaded != NULL)
    {
      g_assert_no_error (parse_error);
      assert_same_dataset (parsed, loaded);
    }
  else
    {
      g_assert_null (parsed);
      assert_same_error (parse_error, *error);
    }
  return loaded;
}

static void
test_demo (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryDataset) ds = load_demo_both (&error);
  guint per_class[10] = { 0 };
  float low = G_MAXFLOAT, high = -G_MAXFLOAT;

  g_assert_no_error (error);
  g_assert_cmpstr (ds->name, ==, "digits");
  g_assert_cmpuint (ds->n_samples, ==, 1797);
  g_assert_cmpuint (ds->n_features, ==, 64);
  g_assert_cmpuint (ds->n_classes, ==, 10);
  g_assert_cmpuint (ds->image_width, ==, 8);
  g_assert_cmpuint (ds->image_height, ==, 8);
  g_assert_cmpstr (ds->class_names[0], ==, "0");
  g_assert_cmpstr (ds->class_names[9], ==, "9");
  g_assert_null (ds->class_names[10]);

  for (gsize i = 0; i < (gsize) ds->n_samples * ds->n_features; i++)
    {
      low = MIN (low, ds->features[i]);
      high = MAX (high, ds->features[i]);
    }
  g_assert_cmpfloat (low, ==, 0.0f);
  g_assert_cmpfloat (high, ==, 1.0f);
  /* The first digit in the file is a 0 whose third pixel is 5 of 16. */
  g_assert_cmpint (ds->labels[0], ==, 0);
  g_assert_cmpfloat (ds->features[2], ==, 5 / 16.0f);
  for (guint i = 0; i < ds->n_samples; i++)
    per_class[ds->labels[i]]++;
  for (guint c = 0; c < 10; c++)
    g_assert_cmpuint (per_class[c], >=, 170);
}

/* Writes a stand-in digits.csv.gz of two images of `n_pixels` pixels each,
 * all 16, and points $DISTILLERY_DATADIR at it; returns its path. */
static char *
write_demo (guint n_pixels)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *folder = NULL;
  char *path;

  for (guint j = 0; j < n_pixels; j++)
    g_string_append_printf (text, "p%u,", j);
  g_string_append (text, "digit\n");
  for (guint i = 0; i < 2; i++)
    {
      for (guint j = 0; j < n_pixels; j++)
        g_string_append (text, "16,");
      g_string_append_printf (text, "%u\n", i);
    }
  path = fixture_write_gz ("digits.csv.gz", text->str, text->len, 0);
  folder = g_path_get_dirname (path);
  g_setenv ("DISTILLERY_DATADIR", folder, TRUE);
  return path;
}

static void
test_demo_datadir (void)
{
  g_autofree char *path = write_demo (64);
  g_autofree char *found = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryDataset) ds = NULL;

  /* $DISTILLERY_DATADIR comes first: the two-digit stand-in is found. */
  found = distillery_dataset_find_demo (&error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, path);
  ds = load_demo_both (&error);
  g_unsetenv ("DISTILLERY_DATADIR");
  g_assert_no_error (error);
  g_assert_cmpuint (ds->n_samples, ==, 2);
  g_assert_cmpfloat (ds->features[0], ==, 1.0f);
}

static void
test_demo_wrong_shape (void)
{
  g_autofree char *path = write_demo (3);
  g_autoptr(GError) error = NULL;

  g_assert_null (load_demo_both (&error));
  g_unsetenv ("DISTILLERY_DATADIR");
  assert_error_says (error, DISTILLERY_DATA_ERROR_FORMAT,
                     "digits.csv.gz: expected 64 pixel columns of 8×8 images, found 3.", NULL);
}

static void
test_demo_not_digits (void)
{
  const char text[] = "a,b\n1,0\n";
  g_autoptr(GBytes) bytes = g_bytes_new_static (text, sizeof text - 1);
  g_autoptr(GError) error = NULL;

  /* Some other file's bytes: the messages still name the demo file. */
  g_assert_null (distillery_dataset_parse_demo (bytes, &error));
  assert_error_says (error, DISTILLERY_DATA_ERROR_LABEL,
                     "digits.csv.gz: line 1: expected a label column named “digit”", NULL);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/data/dataset/new", test_new);
  g_test_add_func ("/data/dataset/subset", test_subset);
  g_test_add_func ("/data/split/deterministic", test_split_deterministic);
  g_test_add_func ("/data/split/fractions", test_split_fractions);
  g_test_add_func ("/data/split/bad-input", test_split_bad_input);
  g_test_add_func ("/data/scaler/train-only", test_scaler);
  g_test_add_func ("/data/demo/load", test_demo);
  g_test_add_func ("/data/demo/datadir", test_demo_datadir);
  g_test_add_func ("/data/demo/wrong-shape", test_demo_wrong_shape);
  g_test_add_func ("/data/demo/not-digits", test_demo_not_digits);
  status = g_test_run ();
  fixture_cleanup ();
  return status;
}
