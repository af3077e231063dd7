/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The IDX loaders: a small image/label pair, raw and gzipped, every way the
 * pair can be broken, and the real Fashion-MNIST test set when Debian's
 * dataset-fashion-mnist package is installed. Every pair goes through both
 * the path loader and the bytes loader, which must agree to the bit on
 * good files and to the letter on broken ones.
 */
#include <glib.h>

#include "data-fixtures.h"
#include "distillery-dataset.h"

#define FASHION_DIR "/usr/share/datasets/fashion-mnist/"

/* Three images of 2 rows × 3 columns, and their labels. */
static const guchar good_images[16 + 18] = {
  0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 3,
  0, 255, 51, 102, 153, 204,
  1, 2, 3, 4, 5, 6,
  255, 255, 255, 0, 0, 0,
};
static const guchar good_labels[8 + 3] = {
  0, 0, 8, 1, 0, 0, 0, 3,
  7, 0, 9,
};

/* Broken variants. */
static const guchar trailing_images[16 + 18 + 1] = {
  0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 3,
  0, 255, 51, 102, 153, 204,
  1, 2, 3, 4, 5, 6,
  255, 255, 255, 0, 0, 0,
  0,
};
static const guchar no_images[16] = { 0, 0, 8, 3, 0, 0, 0, 0, 0, 0, 0, 28, 0, 0, 0, 28 };
static const guchar flat_images[16] = { 0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 28 };
static const guchar two_labels[8 + 2] = { 0, 0, 8, 1, 0, 0, 0, 2, 1, 2 };
static const guchar bad_labels[8 + 3] = { 0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 10 };

/* A fixture file: the first `length` bytes of `data`, gzipped if `gzip`,
 * then less the last `cut` bytes of the gzip stream and, if `damage_at`
 * is not 0, with the byte there overwritten by 0xff. */
typedef struct
{
  const char   *name;
  const guchar *data;
  gsize         length;
  gboolean      gzip;
  gsize         cut;
  gsize         damage_at;
} IdxFile;

#define GOOD_IMAGES(name) { name, good_images, sizeof good_images, FALSE, 0, 0 }
#define GOOD_LABELS(name) { name, good_labels, sizeof good_labels, FALSE, 0, 0 }

typedef struct
{
  const char *test;
  IdxFile     images;
  IdxFile     labels;
  int         code;
  const char *says[5]; /* what the message must hold */
} BrokenPair;

static const BrokenPair broken_pairs[] = {
  /* The label file given as the image file, and the other way round. */
  { "wrong-magic",
    { "swapped", good_labels, sizeof good_labels, FALSE, 0, 0 }, GOOD_LABELS ("labels-for-broken"),
    DISTILLERY_DATA_ERROR_FORMAT,
    { "swapped: ", "byte 0", "expected the magic number 0x00000803", "found 0x00000801", NULL } },
  { "wrong-magic-gzip",
    { "swapped.gz", good_labels, sizeof good_labels, TRUE, 0, 0 }, GOOD_LABELS ("labels-for-broken"),
    DISTILLERY_DATA_ERROR_FORMAT,
    { "swapped.gz: ", "byte 0", "expected the magic number 0x00000803", "found 0x00000801", NULL } },
  { "wrong-label-magic",
    GOOD_IMAGES ("images-ok"), { "labels-are-images", good_images, sizeof good_images, FALSE, 0, 0 },
    DISTILLERY_DATA_ERROR_FORMAT,
    { "labels-are-images: ", "0x00000801", "found 0x00000803", NULL } },
  { "truncated",
    { "truncated", good_images, sizeof good_images - 5, FALSE, 0, 0 }, GOOD_LABELS ("labels-for-broken"),
    DISTILLERY_DATA_ERROR_FORMAT,
    { "truncated: ", "expected 34 bytes", "ends at byte 29", NULL } },
  { "short-header",
    { "short-header", good_images, 10, FALSE, 0, 0 }, GOOD_LABELS ("labels-for-broken"),
    DISTILLERY_DATA_ERROR_FORMAT,
    { "short-header: ", "16 bytes", "ends at byte 10", NULL } },
  { "empty-file",
    { "empty-images", good_images, 0, FALSE, 0, 0 }, GOOD_LABELS ("labels-for-broken"),
    DISTILLERY_DATA_ERROR_FORMAT,
    { "empty-images: ", "IDX header", "ends at byte 0", NULL } },
  { "trailing-data",
    { "trailing", trailing_images, sizeof trailing_images, FALSE, 0, 0 }, GOOD_LABELS ("labels-for-broken"),
    DISTILLERY_DATA_ERROR_FORMAT,
    { "trailing: ", "byte 34", "expected the end of the file", NULL } },
  { "no-images",
    { "no-images", no_images, sizeof no_images, FALSE, 0, 0 }, GOOD_LABELS ("labels-for-broken"),
    DISTILLERY_DATA_ERROR_EMPTY,
    { "no-images: ", "byte 4", NULL } },
  { "zero-size-image",
    { "flat", flat_images, sizeof flat_images, FALSE, 0, 0 }, GOOD_LABELS ("labels-for-broken"),
    DISTILLERY_DATA_ERROR_FORMAT,
    { "flat: ", "byte 8", "0×28", NULL } },
  { "truncated-gzip",
    { "half.gz", good_images, sizeof good_images, TRUE, 20, 0 }, GOOD_LABELS ("labels-for-gz"),
    DISTILLERY_DATA_ERROR_FORMAT,
    { "half.gz: ", "ends early", "cut short", NULL } },
  /* All the pixels are there, but the stream is not complete. */
  { "gzip-without-trailer",
    { "no-trailer.gz", good_images, sizeof good_images, TRUE, 3, 0 }, GOOD_LABELS ("labels-for-gz"),
    DISTILLERY_DATA_ERROR_FORMAT,
    { "no-trailer.gz: ", "ends early", NULL } },
  /* The first byte of the deflate data after the 10-byte gzip header:
   * block type 3 does not exist. */
  { "damaged-gzip",
    { "damaged.gz", good_images, sizeof good_images, TRUE, 0, 10 }, GOOD_LABELS ("labels-for-damaged"),
    DISTILLERY_DATA_ERROR_FORMAT,
    { "damaged.gz: ", "damaged near byte", NULL } },
  { "damaged-label-gzip",
    GOOD_IMAGES ("images-for-damaged"), { "damaged-labels.gz", good_labels, sizeof good_labels, TRUE, 0, 10 },
    DISTILLERY_DATA_ERROR_FORMAT,
    { "damaged-labels.gz: ", "damaged near byte", NULL } },
  { "count-mismatch",
    GOOD_IMAGES ("three-images"), { "two-labels", two_labels, sizeof two_labels, FALSE, 0, 0 },
    DISTILLERY_DATA_ERROR_MISMATCH,
    { "“three-images” holds 3 images", "“two-labels” holds 2 labels", NULL } },
  { "label-out-of-range",
    GOOD_IMAGES ("images-for-range"), { "eleven-classes", bad_labels, sizeof bad_labels, FALSE, 0, 0 },
    DISTILLERY_DATA_ERROR_LABEL,
    { "eleven-classes: ", "byte 10", "from 0 to 9", "found 10", NULL } },
};

static char *
write_file (const IdxFile *file)
{
  g_autofree char *packed_path = NULL;
  g_autofree char *packed = NULL;
  gsize length;

  if (!file->gzip)
    return fixture_write (file->name, file->data, file->length);

  packed_path = fixture_write_gz (file->name, file->data, file->length, file->cut);
  if (file->damage_at == 0)
    return g_steal_pointer (&packed_path);
  g_assert_true (g_file_get_contents (packed_path, &packed, &length, NULL));
  g_assert_cmpuint (file->damage_at, <, length);
  packed[file->damage_at] = (char) 0xff;
  return fixture_write (file->name, packed, length);
}

/* Loads a pair by path and from the files' bytes, asserting that both give
 * the same data set or the same error; returns what the path gave. */
static DistilleryDataset *
load_both (const char  *images_path,
           const char  *labels_path,
           GError     **error)
{
  g_autofree char *images_name = g_path_get_basename (images_path);
  g_autofree char *labels_name = g_path_get_basename (labels_path);
  g_autoptr(GBytes) images = fixture_read (images_path);
  g_autoptr(GBytes) labels = fixture_read (labels_path);
  g_autoptr(GError) bytes_error = NULL;
  g_autoptr(DistilleryDataset) from_bytes = NULL;
  DistilleryDataset *by_path;

  by_path = distillery_dataset_load_idx (images_path, labels_path, error);
  from_bytes = distillery_dataset_load_idx_bytes (images, images_name, labels, labels_name, &bytes_error);

  if (by_path != NULL)
    {
      g_assert_no_error (bytes_error);
      assert_same_dataset (from_bytes, by_path);
    }
  else
    {
      g_assert_null (from_bytes);
      assert_same_error (bytes_error, *error);
    }
  return by_path;
}

static void
check_good (DistilleryDataset *ds,
            const char        *name)
{
  g_assert_nonnull (ds);
  g_assert_cmpstr (ds->name, ==, name);
  g_assert_cmpuint (ds->n_samples, ==, 3);
  g_assert_cmpuint (ds->n_features, ==, 6);
  g_assert_cmpuint (ds->n_classes, ==, 10);
  g_assert_cmpuint (ds->image_height, ==, 2);
  g_assert_cmpuint (ds->image_width, ==, 3);
  for (guint i = 0; i < 18; i++)
    g_assert_cmpfloat_with_epsilon (ds->features[i], good_images[16 + i] / 255.0f, 1e-7);
  g_assert_cmpfloat (ds->features[0], ==, 0.0f);
  g_assert_cmpfloat (ds->features[1], ==, 1.0f);
  g_assert_cmpint (ds->labels[0], ==, 7);
  g_assert_cmpint (ds->labels[1], ==, 0);
  g_assert_cmpint (ds->labels[2], ==, 9);
  g_assert_cmpuint (g_strv_length (ds->class_names), ==, 10);
  g_assert_cmpstr (ds->class_names[0], ==, "0");
  g_assert_cmpstr (ds->class_names[9], ==, "9");
}

static void
test_raw (void)
{
  g_autofree char *images = fixture_write ("raw-images.gz", good_images, sizeof good_images);
  g_autofree char *labels = fixture_write ("raw-labels", good_labels, sizeof good_labels);
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryDataset) ds = NULL;

  /* A raw file named .gz is still raw: only the magic bytes count. */
  ds = load_both (images, labels, &error);
  g_assert_no_error (error);
  check_good (ds, "raw-images.gz");
}

static void
test_gzip (void)
{
  g_autofree char *images = fixture_write_gz ("gz-images", good_images, sizeof good_images, 0);
  g_autofree char *labels = fixture_write_gz ("gz-labels.gz", good_labels, sizeof good_labels, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryDataset) ds = NULL;

  ds = load_both (images, labels, &error);
  g_assert_no_error (error);
  check_good (ds, "gz-images");
}

static void
test_read_only_bytes (void)
{
  g_autoptr(GBytes) images = g_bytes_new_static (good_images, sizeof good_images);
  g_autoptr(GBytes) labels = g_bytes_new_static (good_labels, sizeof good_labels);
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryDataset) ds = NULL;

  /* Bytes in read-only memory (as a project file may map them), without
   * a NUL after them: the loader must neither write nor read past them. */
  ds = distillery_dataset_load_idx_bytes (images, "static-images", labels, "static-labels", &error);
  g_assert_no_error (error);
  check_good (ds, "static-images");
}

static void
test_broken (gconstpointer data)
{
  const BrokenPair *pair = data;
  g_autofree char *images = write_file (&pair->images);
  g_autofree char *labels = write_file (&pair->labels);
  g_autoptr(GError) error = NULL;

  g_assert_null (load_both (images, labels, &error));
  assert_error_says_all (error, pair->code, pair->says);
}

static void
test_directory (void)
{
  g_autofree char *folder = fixture_folder ();
  g_autofree char *labels = fixture_write ("labels-for-folder", good_labels, sizeof good_labels);
  g_autoptr(GError) error = NULL;

  g_assert_null (distillery_dataset_load_idx (folder, labels, &error));
  assert_error_says (error, DISTILLERY_DATA_ERROR_IO, folder, "is a folder", NULL);
}

static void
test_missing (void)
{
  g_autofree char *images = fixture_write ("images-without-labels", good_images, sizeof good_images);
  g_autofree char *labels = g_build_filename (g_get_tmp_dir (), "distillery-no-such-file", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_null (distillery_dataset_load_idx (images, labels, &error));
  assert_error_says (error, DISTILLERY_DATA_ERROR_IO, labels, "no such file", NULL);
}

static void
test_fashion_mnist (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryDataset) ds = NULL;
  guint per_class[10] = { 0 };

  if (!g_file_test (FASHION_DIR "t10k-images-idx3-ubyte.gz", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("Fashion-MNIST is not installed (Debian package dataset-fashion-mnist).");
      return;
    }

  ds = load_both (FASHION_DIR "t10k-images-idx3-ubyte.gz", FASHION_DIR "t10k-labels-idx1-ubyte.gz", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ds->n_samples, ==, 10000);
  g_assert_cmpuint (ds->n_features, ==, 784);
  g_assert_cmpuint (ds->image_width, ==, 28);
  g_assert_cmpuint (ds->image_height, ==, 28);
  for (guint i = 0; i < ds->n_samples; i++)
    per_class[ds->labels[i]]++;
  /* The test set is balanced. */
  for (guint c = 0; c < 10; c++)
    g_assert_cmpuint (per_class[c], ==, 1000);
}

/* The fastest of a few loads of the training set, by path or from bytes
 * already in memory (as a project file hands them over). */
static double
time_fashion_train (GBytes *images,
                    GBytes *labels)
{
  double best = G_MAXDOUBLE;

  for (guint run = 0; run < 3; run++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(DistilleryDataset) ds = NULL;
      g_autoptr(GTimer) timer = g_timer_new ();

      if (images == NULL)
        ds = distillery_dataset_load_idx (FASHION_DIR "train-images-idx3-ubyte.gz",
                                          FASHION_DIR "train-labels-idx1-ubyte.gz", &error);
      else
        ds = distillery_dataset_load_idx_bytes (images, "train-images-idx3-ubyte.gz",
                                                labels, "train-labels-idx1-ubyte.gz", &error);
      best = MIN (best, g_timer_elapsed (timer, NULL));
      g_assert_no_error (error);
      g_assert_cmpuint (ds->n_samples, ==, 60000);
    }
  return best;
}

/* Run with -m perf: a project opened on another machine parses its data
 * set from bytes, and must not wait longer for it than for the files. */
static void
test_fashion_mnist_speed (void)
{
  g_autoptr(GBytes) images = NULL;
  g_autoptr(GBytes) labels = NULL;
  double by_path, from_bytes;

  if (!g_file_test (FASHION_DIR "train-images-idx3-ubyte.gz", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("Fashion-MNIST is not installed (Debian package dataset-fashion-mnist).");
      return;
    }

  images = fixture_read (FASHION_DIR "train-images-idx3-ubyte.gz");
  labels = fixture_read (FASHION_DIR "train-labels-idx1-ubyte.gz");
  by_path = time_fashion_train (NULL, NULL);
  from_bytes = time_fashion_train (images, labels);
  g_test_message ("Fashion-MNIST training set: %.3f s by path, %.3f s from bytes", by_path, from_bytes);
  g_assert_cmpfloat (from_bytes, <=, by_path * 1.1);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/data/idx/raw", test_raw);
  g_test_add_func ("/data/idx/gzip", test_gzip);
  g_test_add_func ("/data/idx/read-only-bytes", test_read_only_bytes);
  for (guint i = 0; i < G_N_ELEMENTS (broken_pairs); i++)
    {
      g_autofree char *path = g_strconcat ("/data/idx/broken/", broken_pairs[i].test, NULL);

      g_test_add_data_func (path, &broken_pairs[i], test_broken);
    }
  g_test_add_func ("/data/idx/directory", test_directory);
  g_test_add_func ("/data/idx/missing", test_missing);
  g_test_add_func ("/data/idx/fashion-mnist", test_fashion_mnist);
  if (g_test_perf ())
    g_test_add_func ("/data/idx/fashion-mnist-speed", test_fashion_mnist_speed);
  status = g_test_run ();
  fixture_cleanup ();
  return status;
}
