/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Data sets as the rest of Distillery sees them: a float matrix of samples
 * with one class label each, loaded from MNIST-style IDX files or CSV
 * (gzipped or not) by path or from the files' bytes (which a project file
 * keeps), split into training and validation sets with a seed, and
 * standardised with statistics taken from the training set alone.
 * Loaders either return a complete data set or NULL and a GError in
 * DISTILLERY_DATA_ERROR whose message names the file and the place; given
 * the same bytes, the same file name and the same options, loading by path
 * and from bytes give the same data set or the same error.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define DISTILLERY_DATA_ERROR (distillery_data_error_quark ())

typedef enum
{
  DISTILLERY_DATA_ERROR_IO,       /* the file cannot be read */
  DISTILLERY_DATA_ERROR_FORMAT,   /* the file's structure is wrong */
  DISTILLERY_DATA_ERROR_EMPTY,    /* there are no samples, or too few */
  DISTILLERY_DATA_ERROR_MISMATCH, /* two files do not describe the same samples */
  DISTILLERY_DATA_ERROR_VALUE,    /* a feature is not a finite number */
  DISTILLERY_DATA_ERROR_LABEL,    /* a label, or the label column, is wrong */
} DistilleryDataError;

/* The largest number of classes a data set may have; more distinct labels
 * almost always means the wrong column was chosen as the label. */
#define DISTILLERY_MAX_CLASSES 1000

typedef struct
{
  char    *name;          /* "digits", or the file's basename */
  guint    n_samples;
  guint    n_features;
  guint    n_classes;
  float   *features;      /* n_samples × n_features, row-major, one allocation */
  gint32  *labels;        /* n_samples, each in [0, n_classes) */
  char   **class_names;   /* n_classes strings, NULL-terminated */
  guint    image_width;   /* 0 unless the samples are images */
  guint    image_height;
  guint32 *origin;        /* each sample's row in the file it was read from;
                           * NULL: its own index (nothing was split off) */
} DistilleryDataset;

typedef struct
{
  const char *label_column; /* header name of the label column, or NULL */
  int         label_index;  /* used when label_column is NULL; -1 is the last column */
  gboolean    has_header;
} DistilleryCsvOptions;

typedef struct
{
  guint  n_features;
  float *mean;
  float *scale;           /* the standard deviation, or 1 for a constant feature */
} DistilleryScaler;

GQuark             distillery_data_error_quark       (void);

DistilleryDataset *distillery_dataset_new            (guint                       n_samples,
                                                      guint                       n_features,
                                                      guint                       n_classes);
void               distillery_dataset_free           (DistilleryDataset          *dataset);

DistilleryDataset *distillery_dataset_load_idx       (const char                 *images_path,
                                                      const char                 *labels_path,
                                                      GError                    **error);
DistilleryDataset *distillery_dataset_load_idx_bytes (GBytes                     *images,
                                                      const char                 *images_name,
                                                      GBytes                     *labels,
                                                      const char                 *labels_name,
                                                      GError                    **error);
DistilleryDataset *distillery_dataset_load_csv       (const char                 *path,
                                                      const DistilleryCsvOptions *options,
                                                      GError                    **error);
DistilleryDataset *distillery_dataset_load_csv_bytes (GBytes                     *csv,
                                                      const char                 *name,
                                                      const DistilleryCsvOptions *options,
                                                      GError                    **error);

char              *distillery_dataset_find_demo      (GError                    **error);
DistilleryDataset *distillery_dataset_parse_demo     (GBytes                     *csv,
                                                      GError                    **error);
DistilleryDataset *distillery_dataset_load_demo      (GError                    **error);

DistilleryDataset *distillery_dataset_subset         (const DistilleryDataset    *dataset,
                                                      const guint32              *indices,
                                                      guint                       n_indices);
gboolean           distillery_dataset_split          (const DistilleryDataset    *all,
                                                      double                      validation_fraction,
                                                      guint64                     seed,
                                                      DistilleryDataset         **train,
                                                      DistilleryDataset         **validation,
                                                      GError                    **error);

DistilleryScaler  *distillery_scaler_fit             (const DistilleryDataset    *train);
void               distillery_scaler_apply           (const DistilleryScaler     *scaler,
                                                      DistilleryDataset          *dataset);
void               distillery_scaler_free            (DistilleryScaler           *scaler);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DistilleryDataset, distillery_dataset_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DistilleryScaler, distillery_scaler_free)

G_END_DECLS
