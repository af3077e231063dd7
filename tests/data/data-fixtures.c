/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Scratch files for the data tests; see data-fixtures.h.
 */
#include "data-fixtures.h"

#include <glib/gstdio.h>
#include <string.h>
#include <zlib.h>

#include "distillery-dataset.h"

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
 * the NULL-terminated strings in `fragments`. */
void
assert_error_saysv (const GError *error,
                    int           code,
                    va_list       fragments)
{
  const char *fragment;

  g_assert_error (error, DISTILLERY_DATA_ERROR, code);
  g_test_message ("%s", error->message);
  while ((fragment = va_arg (fragments, const char *)) != NULL)
    {
      if (strstr (error->message, fragment) == NULL)
        g_test_message ("“%s” is not in the message", fragment);
      g_assert_nonnull (strstr (error->message, fragment));
    }
}

void
assert_error_says (const GError *error,
                   int           code,
                   ...)
{
  va_list fragments;

  va_start (fragments, code);
  assert_error_saysv (error, code, fragments);
  va_end (fragments);
}
