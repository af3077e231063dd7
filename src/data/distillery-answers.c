/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Recorded answers; see distillery-answers.h.
 *
 * A .npy file is a magic string, a version, a header that is a Python
 * dict literal ({'descr': '<f4', 'fortran_order': False, 'shape': (N, C), })
 * padded with spaces, then the values. Only what answers can be is
 * accepted: little-endian float32 or float64, C order, two dimensions.
 */
#include "config.h"

#include <inttypes.h>

#include "distillery-answers.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "distillery-dataset-private.h"

#define SUM_TOLERANCE 1e-3

static gboolean
fail (GError **error, int code, const char *format, ...) G_GNUC_PRINTF (3, 4);

static gboolean
fail (GError **error, int code, const char *format, ...)
{
  va_list args;
  va_start (args, format);
  g_autofree char *message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, DISTILLERY_DATA_ERROR, code, message);
  return FALSE;
}

/* Every value finite, and rows of probabilities summing to 1. rows are
 * numbered from 1 for people, as `first_row` says where they start. */
static gboolean
check_values (const float *values, gsize n, guint C, gboolean probabilities, const char *name,
              const char *what, GError **error)
{
  for (gsize i = 0; i < n; i++)
    {
      double sum = 0;
      for (guint c = 0; c < C; c++)
        {
          float v = values[i * C + c];
          if (!isfinite (v))
            return fail (error, DISTILLERY_DATA_ERROR_VALUE,
                         _("%s, %s %zu: column %u is %s, not a number the teacher could have answered."),
                         name, what, i + 1, c + 1, isnan (v) ? "NaN" : _("infinite"));
          sum += v;
        }
      if (probabilities && fabs (sum - 1) > SUM_TOLERANCE)
        return fail (error, DISTILLERY_DATA_ERROR_VALUE,
                     _("%s, %s %zu: the probabilities sum to %.4g, not 1 (within 0.001). If these are logits, "
                       "import them as logits."), name, what, i + 1, sum);
    }
  return TRUE;
}

/* ---- .npy --------------------------------------------------------- */

static const char *
dict_value (const char *header, const char *key)
{
  const char *p = strstr (header, key);
  if (p == NULL)
    return NULL;
  p += strlen (key);
  while (*p == ' ' || *p == ':')
    p++;
  return p;
}

static float *
load_npy (const guchar *data, gsize length, const char *name, gsize n_samples, guint C,
          gboolean probabilities, GError **error)
{
  if (length < 10 || memcmp (data, "\x93NUMPY", 6) != 0)
    return fail (error, DISTILLERY_DATA_ERROR_FORMAT, _("%s is not a NumPy .npy file."), name), NULL;
  gsize header_length, offset;
  if (data[6] == 1)
    {
      header_length = data[8] | (gsize) data[9] << 8;
      offset = 10;
    }
  else if ((data[6] == 2 || data[6] == 3) && length >= 12)
    {
      header_length = data[8] | (gsize) data[9] << 8 | (gsize) data[10] << 16 | (gsize) data[11] << 24;
      offset = 12;
    }
  else
    return fail (error, DISTILLERY_DATA_ERROR_FORMAT, _("%s: .npy format version %d is not known."),
                 name, data[6]), NULL;
  if (offset + header_length > length)
    return fail (error, DISTILLERY_DATA_ERROR_FORMAT, _("%s: the .npy header is cut short."), name), NULL;

  g_autofree char *header = g_strndup ((const char *) data + offset, header_length);
  const char *descr = dict_value (header, "'descr'");
  const char *order = dict_value (header, "'fortran_order'");
  const char *shape = dict_value (header, "'shape'");
  gsize item;
  if (descr != NULL && (g_str_has_prefix (descr, "'<f4'") || g_str_has_prefix (descr, "'=f4'")))
    item = 4;
  else if (descr != NULL && (g_str_has_prefix (descr, "'<f8'") || g_str_has_prefix (descr, "'=f8'")))
    item = 8;
  else
    return fail (error, DISTILLERY_DATA_ERROR_FORMAT,
                 _("%s: answers must be little-endian float32 or float64 (“<f4” or “<f8”)."), name), NULL;
  if (order == NULL || !g_str_has_prefix (order, "False"))
    return fail (error, DISTILLERY_DATA_ERROR_FORMAT,
                 _("%s: the array is in Fortran order; save it in C order (numpy.ascontiguousarray)."), name), NULL;
  guint64 rows = 0, columns = 0;
  char *end;
  if (shape == NULL || *shape != '(')
    return fail (error, DISTILLERY_DATA_ERROR_FORMAT, _("%s: the .npy header has no shape."), name), NULL;
  rows = g_ascii_strtoull (shape + 1, &end, 10);
  while (*end == ' ' || *end == ',')
    end++;
  if (*end == ')' || (columns = g_ascii_strtoull (end, &end, 10)) == 0)
    return fail (error, DISTILLERY_DATA_ERROR_MISMATCH,
                 _("%s: the answers must be a table of N rows and C columns, not an array of another shape."),
                 name), NULL;
  while (*end == ' ' || *end == ',')
    end++;
  if (*end != ')')
    return fail (error, DISTILLERY_DATA_ERROR_MISMATCH,
                 _("%s: the answers must be a table of N rows and C columns, not an array of another shape."),
                 name), NULL;
  if (rows != n_samples || columns != C)
    return fail (error, DISTILLERY_DATA_ERROR_MISMATCH,
                 _("%s holds %" PRIu64 " rows of %" PRIu64 " answers; the data set needs %zu rows of %u."),
                 name, rows, columns, n_samples, C), NULL;
  offset += header_length;
  if (length - offset < rows * columns * item)
    return fail (error, DISTILLERY_DATA_ERROR_FORMAT, _("%s: the file ends before its %" PRIu64 " values."),
                 name, rows * columns), NULL;

  float *values = g_try_new (float, MAX (rows * columns, 1));
  if (values == NULL)
    return fail (error, DISTILLERY_DATA_ERROR_IO, _("There is not enough memory for the answers of %s."), name), NULL;
  for (gsize i = 0; i < rows * columns; i++)
    {
      const guchar *p = data + offset + i * item;
      if (item == 4)
        {
          guint32 bits = (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
          memcpy (&values[i], &bits, 4);
        }
      else
        {
          guint64 bits = 0;
          double v;
          for (int b = 7; b >= 0; b--)
            bits = bits << 8 | p[b];
          memcpy (&v, &bits, 8);
          values[i] = (float) v;
        }
    }
  if (!check_values (values, rows, C, probabilities, name, _("row"), error))
    {
      g_free (values);
      return NULL;
    }
  return values;
}

/* ---- CSV ---------------------------------------------------------- */

static float *
load_csv (const char *text, gsize length, const char *name, gsize n_samples, guint C,
          gboolean probabilities, const char *id_column, GError **error)
{
  g_autofree char *copy = g_strndup (text, length);
  g_auto(GStrv) lines = g_strsplit (copy, "\n", -1);
  g_autofree float *values = g_try_new (float, MAX (n_samples * C, 1));
  g_autofree gboolean *seen = g_new0 (gboolean, MAX (n_samples, 1));
  guint first = 0, line_no = 0;
  int id_index = -1;
  gsize n_rows = 0;

  if (values == NULL)
    return fail (error, DISTILLERY_DATA_ERROR_IO, _("There is not enough memory for the answers of %s."), name), NULL;

  /* A first line that is not all numbers is a header. */
  if (lines[0] != NULL)
    {
      g_auto(GStrv) cells = g_strsplit (g_strstrip (lines[0]), ",", -1);
      gboolean numbers = TRUE;
      double v;
      for (char **c = cells; *c != NULL; c++)
        numbers &= _distillery_parse_number (g_strstrip (*c), &v);
      if (!numbers)
        {
          first = 1;
          for (int i = 0; id_column != NULL && cells[i] != NULL; i++)
            if (g_strcmp0 (g_strstrip (cells[i]), id_column) == 0)
              id_index = i;
        }
    }
  if (id_column != NULL && id_index < 0)
    return fail (error, DISTILLERY_DATA_ERROR_FORMAT, _("%s has no column “%s” for the sample ids."),
                 name, id_column), NULL;

  for (guint l = first; lines[l] != NULL; l++)
    {
      char *line = g_strstrip (lines[l]);
      line_no = l + 1;
      if (*line == '\0')
        continue;
      g_auto(GStrv) cells = g_strsplit (line, ",", -1);
      guint n_cells = g_strv_length (cells);
      if (n_cells != C + (id_index >= 0))
        return fail (error, DISTILLERY_DATA_ERROR_MISMATCH,
                     _("%s, line %u: expected %u answers, one per class, found %u."),
                     name, line_no, C, n_cells - (id_index >= 0 && n_cells > 0)), NULL;
      gsize sample = n_rows;
      if (id_index >= 0)
        {
          guint64 id;
          if (!g_ascii_string_to_unsigned (g_strstrip (cells[id_index]), 10, 0, G_MAXUINT32, &id, NULL)
              || id >= n_samples)
            return fail (error, DISTILLERY_DATA_ERROR_MISMATCH,
                         _("%s, line %u: “%s” is not a sample of the data set (0 to %zu)."),
                         name, line_no, cells[id_index], n_samples - 1), NULL;
          if (seen[id])
            return fail (error, DISTILLERY_DATA_ERROR_MISMATCH,
                         _("%s, line %u: sample %" PRIu64 " is answered twice."), name, line_no, id), NULL;
          sample = id;
        }
      else if (n_rows >= n_samples)
        return fail (error, DISTILLERY_DATA_ERROR_MISMATCH,
                     _("%s, line %u: more rows of answers than the data set’s %zu samples."),
                     name, line_no, n_samples), NULL;
      for (guint i = 0, c = 0; cells[i] != NULL; i++)
        {
          double v;
          if ((int) i == id_index)
            continue;
          char *cell = g_strstrip (cells[i]);
          if (g_ascii_strcasecmp (cell, "nan") == 0)
            v = NAN;
          else if (!_distillery_parse_number (cell, &v))
            return fail (error, DISTILLERY_DATA_ERROR_VALUE, _("%s, line %u, column %u: “%s” is not a number."),
                         name, line_no, i + 1, cell), NULL;
          values[sample * C + c++] = (float) v;
        }
      seen[sample] = TRUE;
      n_rows++;
    }
  if (n_rows < n_samples)
    {
      gsize missing = 0;
      while (missing < n_samples && seen[missing])
        missing++;
      return fail (error, DISTILLERY_DATA_ERROR_MISMATCH,
                   _("%s answers %zu samples; the data set has %zu (sample %zu has no answer)."),
                   name, n_rows, n_samples, missing), NULL;
    }
  if (!check_values (values, n_samples, C, probabilities, name, id_index >= 0 ? _("sample") : _("row"), error))
    return NULL;
  return g_steal_pointer (&values);
}

float *
distillery_answers_load_bytes (GBytes *file, const char *name, gsize n_samples, guint n_classes,
                               gboolean probabilities, const char *id_column, GError **error)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_return_val_if_fail (file != NULL && name != NULL && n_classes >= 2, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!_distillery_unpack (file, name, &contents, &length, error))
    return NULL;
  g_autofree char *lower = g_ascii_strdown (name, -1);
  if (g_str_has_suffix (lower, ".npy") || g_str_has_suffix (lower, ".npy.gz"))
    {
      if (id_column != NULL)
        return fail (error, DISTILLERY_DATA_ERROR_FORMAT,
                     _("%s: a .npy file has no columns to name; its rows answer the samples in order."), name), NULL;
      return load_npy ((const guchar *) contents, length, name, n_samples, n_classes, probabilities, error);
    }
  return load_csv (contents, length, name, n_samples, n_classes, probabilities, id_column, error);
}
