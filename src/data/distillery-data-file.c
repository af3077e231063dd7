/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Reading a data file whole, gzipped or not, from its path or from its
 * bytes in memory (as a project file keeps them). Data sets come both ways
 * (the MNIST files are distributed gzipped, users often gunzip them), so
 * the format is told by the gzip magic bytes, never by the file name, and
 * every parser gets plain bytes followed by a NUL it may parse in place.
 */
#include "config.h"

#include <inttypes.h>

#include "distillery-dataset-private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* zlib counts in uInt, so larger files are fed in slices. Output goes in
 * smaller slices, each prefaulted just before it is written: the size in
 * the gzip trailer is not to be trusted with populating memory. */
#define INPUT_SLICE ((gsize) 1 << 30)
#define OUTPUT_SLICE ((gsize) 8 << 20)

/* deflate cannot compress better than about 1032:1, which bounds how much
 * memory the (untrusted) size in the gzip trailer may make us reserve. */
#define DEFLATE_MAX_RATIO 1032

/* Below this, page faults cost too little to be worth a system call. */
#define PREFAULT_MIN_SIZE ((gsize) 2 << 20)

/* Writing a large fresh buffer for the first time costs a page fault per
 * 4 KiB, and on virtual machines that dominates loading: Fashion-MNIST's
 * features took a second to touch, 50 ms with these hints. They ask for
 * huge pages and fault the whole buffer in with one call; where the system
 * does not know them they are ignored, and nothing but speed changes. */
void
_distillery_prefault (void  *buffer,
                      gsize  size)
{
  const gsize page = 4096;
  guintptr start = ((guintptr) buffer + page - 1) & ~(guintptr) (page - 1);
  guintptr end = ((guintptr) buffer + size) & ~(guintptr) (page - 1);

  if (buffer == NULL || size < PREFAULT_MIN_SIZE)
    return;
#ifdef MADV_HUGEPAGE
  madvise ((void *) start, end - start, MADV_HUGEPAGE);
#endif
#ifdef MADV_POPULATE_WRITE
  madvise ((void *) start, end - start, MADV_POPULATE_WRITE);
#endif
}

static gboolean
is_gzip (const guchar *data,
         gsize         length)
{
  return length >= 2 && data[0] == 0x1f && data[1] == 0x8b;
}

/* `name` is the file's path or name as messages show it. */
static void
set_out_of_memory (GError     **error,
                   const char  *name)
{
  g_set_error (error, DISTILLERY_DATA_ERROR, DISTILLERY_DATA_ERROR_IO,
               _("There is not enough memory to load “%s”."), name);
}

/* Doubles a buffer; on failure it is left as it was. */
static gboolean
grow (guchar **buffer,
      gsize   *capacity)
{
  guchar *bigger = *capacity < G_MAXSIZE / 2 ? g_try_realloc (*buffer, *capacity * 2) : NULL;

  if (bigger == NULL)
    return FALSE;
  *buffer = bigger;
  *capacity *= 2;
  return TRUE;
}

static gboolean
gunzip (const char    *name,
        const guchar  *data,
        gsize          length,
        char         **contents,
        gsize         *out_length,
        GError       **error)
{
  g_autofree guchar *out = NULL;
  z_stream zs = { 0 };
  gsize in_pos = 0;
  gsize used = 0;
  guint32 trailer_size = 0;
  gsize capacity;
  int status = Z_OK;

  /* The trailer holds the uncompressed size modulo 2^32: exact for every
   * real data set, so the common case needs a single allocation. */
  if (length >= 4)
    memcpy (&trailer_size, data + length - 4, 4);
  capacity = GUINT32_FROM_LE (trailer_size);
  capacity = CLAMP (capacity, length, length * DEFLATE_MAX_RATIO) + 1;
  out = g_try_malloc (capacity);

  if (out == NULL || inflateInit2 (&zs, 16 + MAX_WBITS) != Z_OK)
    {
      set_out_of_memory (error, name);
      return FALSE;
    }

  while (status != Z_STREAM_END)
    {
      uInt avail_in, avail_out;

      /* One byte always stays free for the terminating NUL. */
      if (used + 1 == capacity && !grow (&out, &capacity))
        {
          inflateEnd (&zs);
          set_out_of_memory (error, name);
          return FALSE;
        }

      zs.next_in = (guchar *) data + in_pos;
      zs.avail_in = avail_in = MIN (length - in_pos, INPUT_SLICE);
      zs.next_out = out + used;
      zs.avail_out = avail_out = MIN (capacity - 1 - used, OUTPUT_SLICE);
      _distillery_prefault (out + used, avail_out);
      status = inflate (&zs, Z_NO_FLUSH);
      in_pos += avail_in - zs.avail_in;
      used += avail_out - zs.avail_out;

      /* gzip files may hold several members one after the other. */
      if (status == Z_STREAM_END && is_gzip (data + in_pos, length - in_pos))
        status = inflateReset (&zs);

      if (status == Z_BUF_ERROR && in_pos == length)
        {
          inflateEnd (&zs);
          g_set_error (error, DISTILLERY_DATA_ERROR, DISTILLERY_DATA_ERROR_FORMAT,
                       _("%s: the compressed data ends early, at byte %zu; the file is probably cut short."),
                       name, length);
          return FALSE;
        }
      if (status != Z_OK && status != Z_STREAM_END && status != Z_BUF_ERROR)
        {
          g_set_error (error, DISTILLERY_DATA_ERROR, DISTILLERY_DATA_ERROR_FORMAT,
                       _("%s: the compressed data is damaged near byte %zu (%s)."),
                       name, in_pos, zs.msg != NULL ? zs.msg : zError (status));
          inflateEnd (&zs);
          return FALSE;
        }
    }
  inflateEnd (&zs);

  out[used] = '\0';
  *contents = g_realloc (g_steal_pointer (&out), used + 1);
  *out_length = used;
  return TRUE;
}

/* Reads the whole file into a buffer with room for a NUL after it. Not
 * g_file_get_contents(), so that the buffer is prefaulted before the
 * kernel copies into it: 0.05 s instead of 0.8 s for a 250 MB file. */
static gboolean
read_whole (const char  *path,
            guchar     **contents,
            gsize       *length,
            GError     **error)
{
  g_autofree char *display = g_filename_display_name (path);
  g_autofree guchar *buffer = NULL;
  gsize capacity, used = 0;
  struct stat info;
  int fd;

  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved_errno = errno;

      if (saved_errno == ENOENT)
        g_set_error (error, DISTILLERY_DATA_ERROR, DISTILLERY_DATA_ERROR_IO,
                     _("Could not open “%s”: there is no such file."), display);
      else
        g_set_error (error, DISTILLERY_DATA_ERROR, DISTILLERY_DATA_ERROR_IO,
                     _("Could not open “%s”: %s."), display, g_strerror (saved_errno));
      return FALSE;
    }
  if (fstat (fd, &info) == 0 && S_ISDIR (info.st_mode))
    {
      g_close (fd, NULL);
      g_set_error (error, DISTILLERY_DATA_ERROR, DISTILLERY_DATA_ERROR_IO,
                   _("Could not open “%s”: it is a folder, not a data file."), display);
      return FALSE;
    }

  /* Room for the NUL and for the read that finds the end, so that a file
   * of the size fstat() gave needs no growing; pipes and other special
   * files have no size, and their buffer grows as they are read. */
  capacity = S_ISREG (info.st_mode) && info.st_size > 0 ? (gsize) info.st_size + 2 : 65536;
  buffer = g_try_malloc (capacity);
  _distillery_prefault (buffer, capacity);
  for (;;)
    {
      gssize got;

      if (buffer == NULL || (used + 1 == capacity && !grow (&buffer, &capacity)))
        {
          g_close (fd, NULL);
          set_out_of_memory (error, display);
          return FALSE;
        }

      got = read (fd, buffer + used, MIN (capacity - 1 - used, G_MAXSSIZE));
      if (got == 0)
        break;
      if (got < 0 && errno == EINTR)
        continue;
      if (got < 0)
        {
          int saved_errno = errno;

          g_close (fd, NULL);
          g_set_error (error, DISTILLERY_DATA_ERROR, DISTILLERY_DATA_ERROR_IO,
                       _("Could not read “%s”: %s."), display, g_strerror (saved_errno));
          return FALSE;
        }
      used += (gsize) got;
    }
  g_close (fd, NULL);

  buffer[used] = '\0';
  *contents = g_steal_pointer (&buffer);
  *length = used;
  return TRUE;
}

/* Reads the file at `path`, inflating it if it is gzipped. `contents` is
 * NUL-terminated and may be modified. */
gboolean
_distillery_read_file (const char  *path,
                       char       **contents,
                       gsize       *length,
                       GError     **error)
{
  g_autofree guchar *raw = NULL;
  gsize raw_length;

  if (!read_whole (path, &raw, &raw_length, error))
    return FALSE;

  if (is_gzip (raw, raw_length))
    {
      g_autofree char *name = g_filename_display_basename (path);

      return gunzip (name, raw, raw_length, contents, length, error);
    }

  *contents = (char *) g_steal_pointer (&raw);
  *length = raw_length;
  return TRUE;
}

/* Reads the file at `path` as it is stored, without inflating it. */
GBytes *
_distillery_read_bytes (const char  *path,
                        GError     **error)
{
  guchar *raw;
  gsize raw_length;

  if (!read_whole (path, &raw, &raw_length, error))
    return NULL;
  return g_bytes_new_take (raw, raw_length);
}

/* What _distillery_read_file() does after reading: the bytes of a data file
 * called `name`, inflated if they are gzipped, else copied, so that
 * `contents` is NUL-terminated and may be modified all the same. The copy
 * goes to a prefaulted buffer and costs what reading the file would. */
gboolean
_distillery_unpack (GBytes      *file,
                    const char  *name,
                    char       **contents,
                    gsize       *length,
                    GError     **error)
{
  gsize file_length;
  const guchar *data = g_bytes_get_data (file, &file_length);
  char *copy;

  if (is_gzip (data, file_length))
    return gunzip (name, data, file_length, contents, length, error);

  copy = g_try_malloc (file_length + 1);
  if (copy == NULL)
    {
      set_out_of_memory (error, name);
      return FALSE;
    }
  _distillery_prefault (copy, file_length + 1);
  if (file_length > 0)
    memcpy (copy, data, file_length);
  copy[file_length] = '\0';
  *contents = copy;
  *length = file_length;
  return TRUE;
}
