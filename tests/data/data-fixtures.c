/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Scratch files for the data tests; see data-fixtures.h.
 */
#include "data-fixtures.h"

#include <glib/gstdio.h>
#include <stdarg.h>
#include <string.h>
#include <zlib.h>

static char *folder;
static GPtrArray *written;

static const char *
scratch (void)
{
  if (folder == NULL)
    {
      g_autoptr(GError) error = NULL;

      folder = g_dir_make_tmp ("distillery-data-XXXXXX", &error);
      g_assert_no_error (error);
      written = g_ptr_array_new_with_free_func (g_free);
    }
  return folder;
}

/* Returns the path of a new file `name` in the scratch folder. */
char *
fixture_write (const char *name,
               const void *data,
               gsize       length)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (scratch (), name, NULL);

  g_file_set_contents (path, data, (gssize) length, &error);
  g_assert_no_error (error);
  g_ptr_array_add (written, g_strdup (path));
  return path;
}

/* Like fixture_write(), gzipped, less the last `cut` bytes. */
char *
fixture_write_gz (const char *name,
                  const void *data,
                  gsize       length,
                  gsize       cut)
{
  g_autofree guchar *packed = NULL;
  z_stream zs = { 0 };
  gsize packed_length;

  g_assert_cmpint (deflateInit2 (&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), ==, Z_OK);
  packed_length = deflateBound (&zs, length);
  packed = g_malloc (packed_length);
  zs.next_in = (guchar *) data;
  zs.avail_in = length;
  zs.next_out = packed;
  zs.avail_out = packed_length;
  g_assert_cmpint (deflate (&zs, Z_FINISH), ==, Z_STREAM_END);
  packed_length = zs.total_out;
  deflateEnd (&zs);

  g_assert_cmpuint (cut, <, packed_length);
  return fixture_write (name, packed, packed_length - cut);
}

/* The bytes of the file at `path`, in a buffer of exactly their size, so
 * that valgrind catches a loader reading past them. */
GBytes *
fixture_read (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (g_memdup2 (contents, length), length);
}

/* Returns a new, empty folder inside the scratch folder. */
char *
fixture_folder (void)
{
  char *path = g_build_filename (scratch (), "folder", NULL);

  g_assert_cmpint (g_mkdir (path, 0700), ==, 0);
  return path;
}

void
fixture_cleanup (void)
{
  g_autofree char *inner = NULL;

  if (folder == NULL)
    return;
  for (guint i = 0; i < written->len; i++)
    g_remove (g_ptr_array_index (written, i));
  inner = g_build_filename (folder, "folder", NULL);
  g_rmdir (inner);
  g_rmdir (folder);
  g_clear_pointer (&written, g_ptr_array_unref);
  g_clear_pointer (&folder, g_free);
}

/* Asserts a DISTILLERY_DATA_ERROR of `code` whose message contains each of
 * the strings in the NULL-terminated `fragments`. */
void
assert_error_says_all (const GError      *error,
                       int                code,
                       const char *const *fragments)
{
  g_assert_error (error, DISTILLERY_DATA_ERROR, code);
  g_test_message ("%s", error->message);
  for (; *fragments != NULL; fragments++)
    {
      if (strstr (error->message, *fragments) == NULL)
        g_test_message ("“%s” is not in the message", *fragments);
      g_assert_nonnull (strstr (error->message, *fragments));
    }
}

/* Like assert_error_says_all(), the fragments given as NULL-terminated
 * arguments. */
void
assert_error_says (const GError *error,
                   int           code,
                   ...)
{
  g_autoptr(GPtrArray) fragments = g_ptr_array_new ();
  const char *fragment;
  va_list args;

  va_start (args, code);
  while ((fragment = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (fragments, (char *) fragment);
  va_end (args);
  g_ptr_array_add (fragments, NULL);
  assert_error_says_all (error, code, (const char *const *) fragments->pdata);
}

/* Asserts that `error` is `expected` to the letter: domain, code, message. */
void
assert_same_error (const GError *error,
                   const GError *expected)
{
  g_assert_nonnull (expected);
  g_assert_error (error, expected->domain, expected->code);
  g_assert_cmpstr (error->message, ==, expected->message);
}

/* Asserts that two data sets are the same to the bit. */
void
assert_same_dataset (const DistilleryDataset *dataset,
                     const DistilleryDataset *expected)
{
  g_assert_nonnull (dataset);
  g_assert_nonnull (expected);
  g_assert_cmpstr (dataset->name, ==, expected->name);
  g_assert_cmpuint (dataset->n_samples, ==, expected->n_samples);
  g_assert_cmpuint (dataset->n_features, ==, expected->n_features);
  g_assert_cmpuint (dataset->n_classes, ==, expected->n_classes);
  g_assert_cmpuint (dataset->image_width, ==, expected->image_width);
  g_assert_cmpuint (dataset->image_height, ==, expected->image_height);
  g_assert_cmpstrv (dataset->class_names, expected->class_names);
  g_assert_cmpmem (dataset->features, (gsize) dataset->n_samples * dataset->n_features * sizeof (float),
                   expected->features, (gsize) expected->n_samples * expected->n_features * sizeof (float));
  g_assert_cmpmem (dataset->labels, dataset->n_samples * sizeof (gint32),
                   expected->labels, expected->n_samples * sizeof (gint32));
}
