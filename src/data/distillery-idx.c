/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The IDX format of MNIST and Fashion-MNIST: an image file (magic
 * 0x00000803: count, rows, columns, then one unsigned byte per pixel) and a
 * label file (magic 0x00000801: count, then one byte per label), all
 * integers big-endian. See http://yann.lecun.com/exdb/mnist/.
 */
#include "config.h"

#include <inttypes.h>

#include "distillery-dataset-private.h"

#include <glib/gi18n-lib.h>

/* Both MNIST and Fashion-MNIST have ten classes. Holding IDX labels to that
 * catches swapped or damaged label files, and keeps a training file and a
 * test file at the same class count even when one lacks a class. */
#define IDX_CLASSES 10

static guint32
read_be32 (const guchar *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

/* Checks the header of an IDX file of unsigned bytes with `n_dims`
 * dimensions (3 for images, 1 for labels) and that exactly the bytes it
 * announces follow it; returns the dimensions. */
static gboolean
check_idx (const char    *name,
           const guchar  *data,
           gsize          length,
           guint          n_dims,
           guint32       *dims,
           GError       **error)
{
  const gsize header = 4 + 4 * n_dims;
  guint64 expected = 1;
  guint32 magic;

  /* The magic number first: it tells a swapped or foreign file apart
   * better than its length does. */
  magic = length >= 4 ? read_be32 (data) : 0;
  if (length >= 4 && magic != (0x0800u | n_dims))
    {
      if (n_dims == 3)
        g_set_error (error, DISTILLERY_DATA_ERROR, DISTILLERY_DATA_ERROR_FORMAT,
                     _("%s: byte 0: expected the magic number 0x00000803 of an IDX image file, found 0x%08X."),
                     name, magic);
      else
        g_set_error (error, DISTILLERY_DATA_ERROR, DISTILLERY_DATA_ERROR_FORMAT,
                     _("%s: byte 0: expected the magic number 0x00000801 of an IDX label file, found 0x%08X."),
                     name, magic);
      return FALSE;
    }
  if (length < header)
    {
      g_set_error (error, DISTILLERY_DATA_ERROR, DISTILLERY_DATA_ERROR_FORMAT,
                   _("%s: expected an IDX header of %zu bytes, but the file ends at byte %zu."),
                   name, header, length);
      return FALSE;
    }

  for (guint d = 0; d < n_dims; d++)
    {
      dims[d] = read_be32 (data + 4 + 4 * d);
      expected *= dims[d];
    }
  expected += header;

  if (dims[0] == 0)
    {
      g_set_error (error, DISTILLERY_DATA_ERROR, DISTILLERY_DATA_ERROR_EMPTY,
                   _("%s: byte 4: expected at least one sample, but the header announces none."),
                   name);
      return FALSE;
    }
  /* The engine indexes features with an int. */
  if (n_dims == 3 && (dims[1] == 0 || dims[2] == 0 || (guint64) dims[1] * dims[2] > G_MAXINT))
    {
      g_set_error (error, DISTILLERY_DATA_ERROR, DISTILLERY_DATA_ERROR_FORMAT,
                   _("%s: byte 8: expected the size of an image, found %u×%u pixels."),
                   name, dims[1], dims[2]);
      return FALSE;
    }
  if (length < expected)
    {
      g_set_error (error, DISTILLERY_DATA_ERROR, DISTILLERY_DATA_ERROR_FORMAT,
                   _("%s: expected %" PRIu64 " bytes, as the header announces, but the file ends at byte %zu."),
                   name, expected, length);
      return FALSE;
    }
  if (length > expected)
    {
      g_set_error (error, DISTILLERY_DATA_ERROR, DISTILLERY_DATA_ERROR_FORMAT,
                   _("%s: byte %" PRIu64 ": expected the end of the file, as the header announces, but more data follows."),
                   name, expected);
      return FALSE;
    }
  return TRUE;
}

/* The one IDX parser, behind both loaders: checks a pair of plain (no
 * longer gzipped) files and builds the data set from them. */
static DistilleryDataset *
parse_idx (const char    *images_name,
           const guchar  *images,
           gsize          images_length,
           const char    *labels_name,
           const guchar  *labels,
           gsize          labels_length,
           GError       **error)
{
  guint32 image_dims[3], label_dims[1];
  const guchar *pixels, *classes;
  DistilleryDataset *ds;
  gsize n_values;
  float scale[256];

  if (!check_idx (images_name, images, images_length, 3, image_dims, error) ||
      !check_idx (labels_name, labels, labels_length, 1, label_dims, error))
    return NULL;

  if (image_dims[0] != label_dims[0])
    {
      g_set_error (error, DISTILLERY_DATA_ERROR, DISTILLERY_DATA_ERROR_MISMATCH,
                   _("“%s” holds %u images but “%s” holds %u labels; expected one label for each image."),
                   images_name, image_dims[0], labels_name, label_dims[0]);
      return NULL;
    }

  classes = labels + 8;
  for (guint i = 0; i < label_dims[0]; i++)
    if (classes[i] >= IDX_CLASSES)
      {
        g_set_error (error, DISTILLERY_DATA_ERROR, DISTILLERY_DATA_ERROR_LABEL,
                     _("%s: byte %zu: expected a class from 0 to %u, found %u."),
                     labels_name, (gsize) 8 + i, IDX_CLASSES - 1, classes[i]);
        return NULL;
      }

  ds = distillery_dataset_new (image_dims[0], image_dims[1] * image_dims[2], IDX_CLASSES);
  ds->name = g_strdup (images_name);
  ds->image_height = image_dims[1];
  ds->image_width = image_dims[2];

  for (guint v = 0; v < 256; v++)
    scale[v] = v / 255.0f;
  pixels = images + 16;
  n_values = (gsize) ds->n_samples * ds->n_features;
  for (gsize i = 0; i < n_values; i++)
    ds->features[i] = scale[pixels[i]];
  for (guint i = 0; i < ds->n_samples; i++)
    ds->labels[i] = classes[i];

  return ds;
}

/**
 * distillery_dataset_load_idx:
 * @images_path: an IDX image file (magic 0x00000803), gzipped or not
 * @labels_path: the matching IDX label file (magic 0x00000801)
 * @error: return location for a #DISTILLERY_DATA_ERROR
 *
 * Loads an MNIST-style pair of files. Pixels are scaled from 0..255 to
 * [0, 1]; there are always ten classes, named "0" to "9" (callers that
 * know better names, as for Fashion-MNIST, replace them). Messages about
 * the contents name each file by its basename, as the data set is named.
 *
 * Returns: (transfer full) (nullable): the data set, or %NULL on error
 */
DistilleryDataset *
distillery_dataset_load_idx (const char  *images_path,
                             const char  *labels_path,
                             GError     **error)
{
  g_autofree char *images_name = NULL;
  g_autofree char *labels_name = NULL;
  g_autofree char *images = NULL;
  g_autofree char *labels = NULL;
  gsize images_length, labels_length;

  g_return_val_if_fail (images_path != NULL, NULL);
  g_return_val_if_fail (labels_path != NULL, NULL);

  if (!_distillery_read_file (images_path, &images, &images_length, error) ||
      !_distillery_read_file (labels_path, &labels, &labels_length, error))
    return NULL;

  images_name = g_filename_display_basename (images_path);
  labels_name = g_filename_display_basename (labels_path);
  return parse_idx (images_name, (const guchar *) images, images_length,
                    labels_name, (const guchar *) labels, labels_length, error);
}

/**
 * distillery_dataset_load_idx_bytes:
 * @images: the bytes of an IDX image file, gzipped or not
 * @images_name: what messages call the image file, as
 *   "train-images-idx3-ubyte.gz"; also the data set's name
 * @labels: the bytes of the matching IDX label file
 * @labels_name: what messages call the label file
 * @error: return location for a #DISTILLERY_DATA_ERROR
 *
 * Loads the same data set as distillery_dataset_load_idx() would from
 * files holding these bytes and named so, with the same errors.
 *
 * Returns: (transfer full) (nullable): the data set, or %NULL on error
 */
DistilleryDataset *
distillery_dataset_load_idx_bytes (GBytes      *images,
                                   const char  *images_name,
                                   GBytes      *labels,
                                   const char  *labels_name,
                                   GError     **error)
{
  g_autofree char *images_plain = NULL;
  g_autofree char *labels_plain = NULL;
  gsize images_length, labels_length;

  g_return_val_if_fail (images != NULL, NULL);
  g_return_val_if_fail (images_name != NULL, NULL);
  g_return_val_if_fail (labels != NULL, NULL);
  g_return_val_if_fail (labels_name != NULL, NULL);

  if (!_distillery_unpack (images, images_name, &images_plain, &images_length, error) ||
      !_distillery_unpack (labels, labels_name, &labels_plain, &labels_length, error))
    return NULL;

  return parse_idx (images_name, (const guchar *) images_plain, images_length,
                    labels_name, (const guchar *) labels_plain, labels_length, error);
}
