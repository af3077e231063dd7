/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Data sets in memory: creating and freeing them, copying rows, the seeded
 * training/validation split, standardisation, and the bundled demo set,
 * which is found, read and parsed in separate steps so that a project file
 * can keep its bytes and parse them again. The loaders for files live in
 * distillery-idx.c and distillery-csv.c.
 */
#include "config.h"

#include "distillery-dataset-private.h"

#include <float.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "kd-rng.h"

#define DEMO_FILE "digits.csv.gz"
#define DEMO_SIDE 8
/* The demo pixels count inked pixels in a 4×4 block of the original scan. */
#define DEMO_MAX_PIXEL 16.0f

G_DEFINE_QUARK (distillery-data-error-quark, distillery_data_error)

/* Wraps filled buffers, which it takes over, in a data set whose classes
 * are named "0", "1", … */
DistilleryDataset *
_distillery_dataset_take (guint   n_samples,
                          guint   n_features,
                          guint   n_classes,
                          float  *features,
                          gint32 *labels)
{
  DistilleryDataset *ds = g_new0 (DistilleryDataset, 1);

  ds->n_samples = n_samples;
  ds->n_features = n_features;
  ds->n_classes = n_classes;
  ds->features = features;
  ds->labels = labels;
  ds->class_names = g_new0 (char *, n_classes + 1);
  for (guint c = 0; c < n_classes; c++)
    ds->class_names[c] = g_strdup_printf ("%u", c);
  return ds;
}

/**
 * distillery_dataset_new:
 *
 * Returns: (transfer full): a data set of zero features and labels, no
 *   name, and classes named "0" to "@n_classes - 1"
 */
DistilleryDataset *
distillery_dataset_new (guint n_samples,
                        guint n_features,
                        guint n_classes)
{
  gsize n_values = (gsize) n_samples * n_features;
  float *features = g_new0 (float, n_values);

  _distillery_prefault (features, n_values * sizeof (float));
  return _distillery_dataset_take (n_samples, n_features, n_classes,
                                   features, g_new0 (gint32, n_samples));
}

void
distillery_dataset_free (DistilleryDataset *ds)
{
  if (ds == NULL)
    return;
  g_free (ds->name);
  g_free (ds->features);
  g_free (ds->labels);
  g_free (ds->origin);
  g_strfreev (ds->class_names);
  g_free (ds);
}

/**
 * distillery_dataset_subset:
 * @indices: (array length=n_indices): rows of @dataset, in the order wanted
 *
 * Returns: (transfer full): a copy of the given rows, with the name,
 *   classes and image size of @dataset
 */
DistilleryDataset *
distillery_dataset_subset (const DistilleryDataset *dataset,
                           const guint32           *indices,
                           guint                    n_indices)
{
  DistilleryDataset *subset;
  gsize row_size;

  g_return_val_if_fail (dataset != NULL, NULL);
  g_return_val_if_fail (indices != NULL || n_indices == 0, NULL);
  for (guint i = 0; i < n_indices; i++)
    g_return_val_if_fail (indices[i] < dataset->n_samples, NULL);

  subset = distillery_dataset_new (n_indices, dataset->n_features, 0);
  g_strfreev (subset->class_names);
  subset->class_names = g_strdupv (dataset->class_names);
  subset->n_classes = dataset->n_classes;
  subset->name = g_strdup (dataset->name);
  subset->image_width = dataset->image_width;
  subset->image_height = dataset->image_height;

  row_size = dataset->n_features * sizeof (float);
  /* Where each sample came from, through any number of subsets: recorded
   * answers name samples by their row in the file. */
  subset->origin = g_new (guint32, MAX (n_indices, 1));
  for (guint i = 0; i < n_indices; i++)
    {
      memcpy (subset->features + (gsize) i * dataset->n_features,
              dataset->features + (gsize) indices[i] * dataset->n_features, row_size);
      subset->labels[i] = dataset->labels[indices[i]];
      subset->origin[i] = dataset->origin ? dataset->origin[indices[i]] : indices[i];
    }
  return subset;
}

/**
 * distillery_dataset_split:
 * @validation_fraction: the share of samples for validation, in (0, 1)
 * @seed: the same seed gives the same split on every machine
 *
 * Splits @all at random, stratified: each class goes to validation in the
 * same proportion as far as whole samples allow, so a rare class cannot
 * end up all on one side. Both sets keep a random order.
 *
 * Returns: %FALSE, with @error set, when the fraction is out of range or
 *   @all has fewer than two samples
 */
gboolean
distillery_dataset_split (const DistilleryDataset  *all,
                          double                    validation_fraction,
                          guint64                   seed,
                          DistilleryDataset       **train,
                          DistilleryDataset       **validation,
                          GError                  **error)
{
  g_autofree guint32 *shuffled = NULL;
  g_autofree guint32 *by_class = NULL;
  g_autofree guint *class_start = NULL;
  g_autofree guint32 *train_rows = NULL;
  g_autofree guint32 *validation_rows = NULL;
  g_autofree gboolean *in_validation = NULL;
  guint n, n_validation, n_train = 0;
  KdRng rng;

  g_return_val_if_fail (all != NULL, FALSE);
  g_return_val_if_fail (train != NULL && validation != NULL, FALSE);

  n = all->n_samples;

  if (!(validation_fraction > 0.0 && validation_fraction < 1.0))
    {
      g_set_error (error, DISTILLERY_DATA_ERROR, DISTILLERY_DATA_ERROR_VALUE,
                   _("The share of samples set aside for validation must lie between 0 and 1, not %g."),
                   validation_fraction);
      return FALSE;
    }
  if (n < 2)
    {
      g_set_error (error, DISTILLERY_DATA_ERROR, DISTILLERY_DATA_ERROR_EMPTY,
                   g_dngettext (GETTEXT_PACKAGE, "The data set “%s” has %u sample; splitting it into training and validation sets needs at least 2.",
                                "The data set “%s” has %u samples; splitting it into training and validation sets needs at least 2.", n),
                   all->name != NULL ? all->name : "", n);
      return FALSE;
    }
  n_validation = CLAMP ((guint) round (n * validation_fraction), 1, n - 1);

  shuffled = g_new (guint32, n);
  for (guint i = 0; i < n; i++)
    shuffled[i] = i;
  kd_rng_seed (&rng, seed);
  kd_rng_shuffle (&rng, shuffled, n);

  /* Group the shuffled rows by class (a stable counting sort), then deal
   * every (n / n_validation)-th row of that sequence to validation: each
   * class gets its share to within one sample, and the total is exact. */
  class_start = g_new0 (guint, all->n_classes + 1);
  for (guint i = 0; i < n; i++)
    {
      g_return_val_if_fail (all->labels[i] >= 0 && (guint) all->labels[i] < all->n_classes, FALSE);
      class_start[all->labels[i] + 1]++;
    }
  for (guint c = 0; c < all->n_classes; c++)
    class_start[c + 1] += class_start[c];
  by_class = g_new (guint32, n);
  for (guint i = 0; i < n; i++)
    by_class[class_start[all->labels[shuffled[i]]]++] = shuffled[i];

  in_validation = g_new0 (gboolean, n);
  for (guint i = 0; i < n; i++)
    in_validation[by_class[i]] = ((guint64) (i + 1) * n_validation) / n > ((guint64) i * n_validation) / n;

  /* The shuffled order, not the grouped one, so no set is sorted by class. */
  train_rows = g_new (guint32, n - n_validation);
  validation_rows = g_new (guint32, n_validation);
  for (guint i = 0, v = 0; i < n; i++)
    if (in_validation[shuffled[i]])
      validation_rows[v++] = shuffled[i];
    else
      train_rows[n_train++] = shuffled[i];

  *train = distillery_dataset_subset (all, train_rows, n_train);
  *validation = distillery_dataset_subset (all, validation_rows, n_validation);
  return TRUE;
}

/**
 * distillery_scaler_fit:
 * @train: the training set; validation and test data must not take part,
 *   or their statistics would leak into training
 *
 * Returns: (transfer full): each feature's mean and standard deviation
 */
DistilleryScaler *
distillery_scaler_fit (const DistilleryDataset *train)
{
  g_autofree double *sum = NULL;
  g_autofree double *squares = NULL;
  DistilleryScaler *scaler;
  guint d;

  g_return_val_if_fail (train != NULL, NULL);
  g_return_val_if_fail (train->n_samples > 0, NULL);

  d = train->n_features;
  /* Two passes, row by row to follow the memory layout: the mean first,
   * then squared deviations from it, which avoids the cancellation of
   * E[x²] - E[x]². */
  sum = g_new0 (double, d);
  squares = g_new0 (double, d);
  for (guint i = 0; i < train->n_samples; i++)
    for (guint j = 0; j < d; j++)
      sum[j] += train->features[(gsize) i * d + j];
  for (guint j = 0; j < d; j++)
    sum[j] /= train->n_samples;
  for (guint i = 0; i < train->n_samples; i++)
    for (guint j = 0; j < d; j++)
      {
        double deviation = train->features[(gsize) i * d + j] - sum[j];
        squares[j] += deviation * deviation;
      }

  scaler = g_new0 (DistilleryScaler, 1);
  scaler->n_features = d;
  scaler->mean = g_new (float, d);
  scaler->scale = g_new (float, d);
  for (guint j = 0; j < d; j++)
    {
      double std = sqrt (squares[j] / train->n_samples);

      scaler->mean[j] = (float) sum[j];
      /* A constant feature carries no information; leave it at 0 rather
       * than blow rounding noise up to unit size. */
      scaler->scale[j] = std > FLT_EPSILON * fabs (sum[j]) && std > 0.0 ? (float) std : 1.0f;
    }
  return scaler;
}

/* Standardises @dataset in place: (x - mean) / scale, feature by feature. */
void
distillery_scaler_apply (const DistilleryScaler *scaler,
                         DistilleryDataset      *dataset)
{
  g_autofree float *inverse = NULL;
  guint d;

  g_return_if_fail (scaler != NULL);
  g_return_if_fail (dataset != NULL);
  g_return_if_fail (dataset->n_features == scaler->n_features);

  d = scaler->n_features;
  inverse = g_new (float, d);
  for (guint j = 0; j < d; j++)
    inverse[j] = 1.0f / scaler->scale[j];
  for (guint i = 0; i < dataset->n_samples; i++)
    {
      float *row = dataset->features + (gsize) i * d;

      for (guint j = 0; j < d; j++)
        row[j] = (row[j] - scaler->mean[j]) * inverse[j];
    }
}

void
distillery_scaler_free (DistilleryScaler *scaler)
{
  if (scaler == NULL)
    return;
  g_free (scaler->mean);
  g_free (scaler->scale);
  g_free (scaler);
}

/**
 * distillery_dataset_find_demo:
 * @error: return location for a #DISTILLERY_DATA_ERROR
 *
 * Finds the bundled handwritten digits, digits.csv.gz, in the folder named
 * by $DISTILLERY_DATADIR, else in the source tree's data/demo, else in the
 * installed data/demo.
 *
 * Returns: (transfer full) (type filename) (nullable): the file's path, or
 *   %NULL when it is in none of these folders
 */
char *
distillery_dataset_find_demo (GError **error)
{
  const char *folders[] = { g_getenv ("DISTILLERY_DATADIR"), SOURCE_DATADIR "/demo", PKGDATADIR "/demo" };
  g_autoptr(GString) looked_in = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (folders); i++)
    {
      g_autofree char *path = NULL;

      if (folders[i] == NULL)
        continue;
      path = g_build_filename (folders[i], DEMO_FILE, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        return g_steal_pointer (&path);
      g_string_append_printf (looked_in, "%s%s", looked_in->len > 0 ? ", " : "", folders[i]);
    }

  g_set_error (error, DISTILLERY_DATA_ERROR, DISTILLERY_DATA_ERROR_IO,
               _("The demo data set “%s” is missing; it was looked for in %s."),
               DEMO_FILE, looked_in->str);
  return NULL;
}

/**
 * distillery_dataset_parse_demo:
 * @csv: the bytes of the file distillery_dataset_find_demo() finds
 * @error: return location for a #DISTILLERY_DATA_ERROR
 *
 * Parses the demo digits (1797 images of 8×8 pixels, ten classes, the
 * class in the column "digit") into the data set named "digits". Pixels,
 * 0 to 16 in the file, are divided by 16 to lie in [0, 1]. Messages call
 * the file digits.csv.gz.
 *
 * Returns: (transfer full) (nullable): the data set, or %NULL on error
 */
DistilleryDataset *
distillery_dataset_parse_demo (GBytes  *csv,
                               GError **error)
{
  const DistilleryCsvOptions options = { .label_column = "digit", .has_header = TRUE };
  g_autoptr(DistilleryDataset) ds = NULL;
  gsize n_values;

  g_return_val_if_fail (csv != NULL, NULL);

  ds = distillery_dataset_load_csv_bytes (csv, DEMO_FILE, &options, error);
  if (ds == NULL)
    return NULL;
  if (ds->n_features != DEMO_SIDE * DEMO_SIDE)
    {
      g_set_error (error, DISTILLERY_DATA_ERROR, DISTILLERY_DATA_ERROR_FORMAT,
                   _("%s: expected %u pixel columns of %u×%u images, found %u."),
                   DEMO_FILE, DEMO_SIDE * DEMO_SIDE, DEMO_SIDE, DEMO_SIDE, ds->n_features);
      return NULL;
    }

  n_values = (gsize) ds->n_samples * ds->n_features;
  for (gsize i = 0; i < n_values; i++)
    ds->features[i] /= DEMO_MAX_PIXEL;
  g_free (ds->name);
  ds->name = g_strdup ("digits");
  ds->image_width = ds->image_height = DEMO_SIDE;
  return g_steal_pointer (&ds);
}

/**
 * distillery_dataset_load_demo:
 * @error: return location for a #DISTILLERY_DATA_ERROR
 *
 * Finds, reads and parses the bundled handwritten digits; see
 * distillery_dataset_find_demo() and distillery_dataset_parse_demo().
 *
 * Returns: (transfer full) (nullable): the data set, or %NULL on error
 */
DistilleryDataset *
distillery_dataset_load_demo (GError **error)
{
  g_autofree char *path = distillery_dataset_find_demo (error);
  g_autoptr(GBytes) csv = NULL;

  if (path == NULL || (csv = _distillery_read_bytes (path, error)) == NULL)
    return NULL;
  return distillery_dataset_parse_demo (csv, error);
}
