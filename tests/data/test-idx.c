/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The IDX loader: a small image/label pair, raw and gzipped, every way the
 * pair can be broken, and the real Fashion-MNIST test set when Debian's
 * dataset-fashion-mnist package is installed.
 */
#include <glib.h>
#include <string.h>

#include "data-fixtures.h"
#include "distillery-dataset.h"

#define FASHION_IMAGES "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"
#define FASHION_LABELS "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz"

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
  ds = distillery_dataset_load_idx (images, labels, &error);
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

  ds = distillery_dataset_load_idx (images, labels, &error);
  g_assert_no_error (error);
  check_good (ds, "gz-images");
}

/* Loads a good label file with `images`, expecting an error. */
static GError *
load_broken_images (const char *name,
                    const void *images,
                    gsize       length)
{
  g_autofree char *images_path = fixture_write (name, images, length);
  g_autofree char *labels_path = fixture_write ("labels-for-broken", good_labels, sizeof good_labels);
  GError *error = NULL;

  g_assert_null (distillery_dataset_load_idx (images_path, labels_path, &error));
  return error;
}

static void
test_wrong_magic (void)
{
  g_autoptr(GError) error = NULL;

  /* The label file given as the image file. */
  error = load_broken_images ("swapped", good_labels, sizeof good_labels);
  assert_error_says (error, DISTILLERY_DATA_ERROR_FORMAT,
                     "swapped: ", "byte 0", "expected the magic number 0x00000803", "found 0x00000801", NULL);
}

static void
test_wrong_label_magic (void)
{
  g_autofree char *images = fixture_write ("images-ok", good_images, sizeof good_images);
  g_autofree char *labels = fixture_write ("labels-are-images", good_images, sizeof good_images);
  g_autoptr(GError) error = NULL;

  g_assert_null (distillery_dataset_load_idx (images, labels, &error));
  assert_error_says (error, DISTILLERY_DATA_ERROR_FORMAT,
                     "labels-are-images: ", "0x00000801", "found 0x00000803", NULL);
}

static void
test_truncated (void)
{
  g_autoptr(GError) error = NULL;

  error = load_broken_images ("truncated", good_images, sizeof good_images - 5);
  assert_error_says (error, DISTILLERY_DATA_ERROR_FORMAT,
                     "truncated: ", "expected 34 bytes", "ends at byte 29", NULL);
}

static void
test_short_header (void)
{
  g_autoptr(GError) error = NULL;

  error = load_broken_images ("short-header", good_images, 10);
  assert_error_says (error, DISTILLERY_DATA_ERROR_FORMAT,
                     "short-header: ", "16 bytes", "ends at byte 10", NULL);
}

static void
test_empty_file (void)
{
  g_autoptr(GError) error = NULL;

  error = load_broken_images ("empty-images", "", 0);
  assert_error_says (error, DISTILLERY_DATA_ERROR_FORMAT,
                     "empty-images: ", "IDX header", "ends at byte 0", NULL);
}

static void
test_trailing_data (void)
{
  guchar longer[sizeof good_images + 1] = { 0 };
  g_autoptr(GError) error = NULL;

  memcpy (longer, good_images, sizeof good_images);
  error = load_broken_images ("trailing", longer, sizeof longer);
  assert_error_says (error, DISTILLERY_DATA_ERROR_FORMAT,
                     "trailing: ", "byte 34", "expected the end of the file", NULL);
}

static void
test_no_images (void)
{
  const guchar none[16] = { 0, 0, 8, 3, 0, 0, 0, 0, 0, 0, 0, 28, 0, 0, 0, 28 };
  g_autoptr(GError) error = NULL;

  error = load_broken_images ("no-images", none, sizeof none);
  assert_error_says (error, DISTILLERY_DATA_ERROR_EMPTY, "no-images: ", "byte 4", NULL);
}

static void
test_zero_size_image (void)
{
  const guchar flat[16] = { 0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 28 };
  g_autoptr(GError) error = NULL;

  error = load_broken_images ("flat", flat, sizeof flat);
  assert_error_says (error, DISTILLERY_DATA_ERROR_FORMAT, "flat: ", "byte 8", "0×28", NULL);
}

static void
test_truncated_gzip (void)
{
  g_autofree char *labels = fixture_write ("labels-for-gz", good_labels, sizeof good_labels);
  g_autofree char *half = NULL;
  g_autofree char *trailer = NULL;
  g_autoptr(GError) half_error = NULL;
  g_autoptr(GError) trailer_error = NULL;

  half = fixture_write_gz ("half.gz", good_images, sizeof good_images, 20);
  g_assert_null (distillery_dataset_load_idx (half, labels, &half_error));
  assert_error_says (half_error, DISTILLERY_DATA_ERROR_FORMAT, "half.gz: ", "ends early", "cut short", NULL);

  /* All the pixels are there, but the stream is not complete. */
  trailer = fixture_write_gz ("no-trailer.gz", good_images, sizeof good_images, 3);
  g_assert_null (distillery_dataset_load_idx (trailer, labels, &trailer_error));
  assert_error_says (trailer_error, DISTILLERY_DATA_ERROR_FORMAT, "no-trailer.gz: ", "ends early", NULL);
}

static void
test_damaged_gzip (void)
{
  g_autofree char *packed_path = fixture_write_gz ("to-damage.gz", good_images, sizeof good_images, 0);
  g_autofree char *packed = NULL;
  g_autofree char *images = NULL;
  g_autofree char *labels = fixture_write ("labels-for-damaged", good_labels, sizeof good_labels);
  g_autoptr(GError) error = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (packed_path, &packed, &length, NULL));
  /* The first byte of the deflate data after the 10-byte gzip header:
   * block type 3 does not exist. */
  packed[10] = (char) 0xff;
  images = fixture_write ("damaged.gz", packed, length);
  g_assert_null (distillery_dataset_load_idx (images, labels, &error));
  assert_error_says (error, DISTILLERY_DATA_ERROR_FORMAT, "damaged.gz: ", "damaged near byte", NULL);
}

static void
test_count_mismatch (void)
{
  const guchar two_labels[8 + 2] = { 0, 0, 8, 1, 0, 0, 0, 2, 1, 2 };
  g_autofree char *images = fixture_write ("three-images", good_images, sizeof good_images);
  g_autofree char *labels = fixture_write ("two-labels", two_labels, sizeof two_labels);
  g_autoptr(GError) error = NULL;

  g_assert_null (distillery_dataset_load_idx (images, labels, &error));
  assert_error_says (error, DISTILLERY_DATA_ERROR_MISMATCH,
                     "“three-images” holds 3 images", "“two-labels” holds 2 labels", NULL);
}

static void
test_label_out_of_range (void)
{
  const guchar bad_labels[8 + 3] = { 0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 10 };
  g_autofree char *images = fixture_write ("images-for-range", good_images, sizeof good_images);
  g_autofree char *labels = fixture_write ("eleven-classes", bad_labels, sizeof bad_labels);
  g_autoptr(GError) error = NULL;

  g_assert_null (distillery_dataset_load_idx (images, labels, &error));
  assert_error_says (error, DISTILLERY_DATA_ERROR_LABEL,
                     "eleven-classes: ", "byte 10", "from 0 to 9", "found 10", NULL);
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
  g_autoptr(GTimer) timer = NULL;
  guint per_class[10] = { 0 };

  if (!g_file_test (FASHION_IMAGES, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("Fashion-MNIST is not installed (Debian package dataset-fashion-mnist).");
      return;
    }

  timer = g_timer_new ();
  ds = distillery_dataset_load_idx (FASHION_IMAGES, FASHION_LABELS, &error);
  g_test_message ("Fashion-MNIST test set loaded in %.3f s", g_timer_elapsed (timer, NULL));
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

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/data/idx/raw", test_raw);
  g_test_add_func ("/data/idx/gzip", test_gzip);
  g_test_add_func ("/data/idx/wrong-magic", test_wrong_magic);
  g_test_add_func ("/data/idx/wrong-label-magic", test_wrong_label_magic);
  g_test_add_func ("/data/idx/truncated", test_truncated);
  g_test_add_func ("/data/idx/short-header", test_short_header);
  g_test_add_func ("/data/idx/empty-file", test_empty_file);
  g_test_add_func ("/data/idx/trailing-data", test_trailing_data);
  g_test_add_func ("/data/idx/no-images", test_no_images);
  g_test_add_func ("/data/idx/zero-size-image", test_zero_size_image);
  g_test_add_func ("/data/idx/truncated-gzip", test_truncated_gzip);
  g_test_add_func ("/data/idx/damaged-gzip", test_damaged_gzip);
  g_test_add_func ("/data/idx/count-mismatch", test_count_mismatch);
  g_test_add_func ("/data/idx/label-out-of-range", test_label_out_of_range);
  g_test_add_func ("/data/idx/directory", test_directory);
  g_test_add_func ("/data/idx/missing", test_missing);
  g_test_add_func ("/data/idx/fashion-mnist", test_fashion_mnist);
  status = g_test_run ();
  fixture_cleanup ();
  return status;
}
