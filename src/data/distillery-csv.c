/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The CSV loader: comma-separated numeric features and one label column,
 * with or without a header, gzipped or not. Fields follow RFC 4180 (double
 * quotes, "" inside quotes); spaces around fields, CRLF line ends, a UTF-8
 * byte order mark and blank lines are tolerated. The file is read whole,
 * from its path or from its bytes, and split in place, and numbers go
 * through a fast path that is exact for the short decimals data sets are
 * made of, so that large files load at the speed of the disk rather than
 * of the allocator.
 */
#include "config.h"

#include <inttypes.h>

#include "distillery-dataset-private.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

/* Messages quote a wrong field only this far, so a line of binary or a
 * file with another separator does not flood the screen. */
#define SHOWN_CHARS 40

typedef struct
{
  const char *name; /* the file's basename, for messages */
  const char *text; /* the whole file */
  const char *end;  /* its terminating NUL */
  char       *p;    /* the next byte to read */
  guint       line; /* the line p is on, from 1 */
} CsvReader;

static const double powers_of_ten[] = {
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* Parses a whole field as a decimal number, as g_ascii_strtod() would.
 * Most fields have at most 15 significant digits and a small exponent;
 * then the digits, as an integer, and the power of ten are both exact
 * doubles, and one multiplication or division rounds correctly (Clinger,
 * "How to read floating point numbers accurately", 1990). Everything else
 * (long mantissas, large exponents, "nan", "inf", hex) takes the slow
 * path. Returns FALSE when the field is not a number. */
gboolean
_distillery_parse_number (const char *text,
                          double     *value)
{
  const char *p = text;
  gboolean negative = FALSE;
  gboolean any_digit = FALSE;
  guint64 mantissa = 0;
  int n_digits = 0;
  int exponent = 0;
  char *end;

  if (*p == '-' || *p == '+')
    negative = *p++ == '-';
  for (; g_ascii_isdigit (*p); p++, any_digit = TRUE)
    {
      mantissa = mantissa * 10 + (guint) (*p - '0');
      if (mantissa != 0 && ++n_digits > 19)
        goto slow;
    }
  if (*p == '.')
    for (p++; g_ascii_isdigit (*p); p++, any_digit = TRUE)
      {
        mantissa = mantissa * 10 + (guint) (*p - '0');
        exponent--;
        if (mantissa != 0 && ++n_digits > 19)
          goto slow;
      }
  if (any_digit && (*p == 'e' || *p == 'E'))
    {
      gboolean negative_exponent = FALSE;
      int written = 0;

      p++;
      if (*p == '-' || *p == '+')
        negative_exponent = *p++ == '-';
      if (!g_ascii_isdigit (*p))
        goto slow;
      for (; g_ascii_isdigit (*p) && written < 1000; p++)
        written = written * 10 + (*p - '0');
      exponent += negative_exponent ? -written : written;
    }
  if (!any_digit || *p != '\0' || mantissa > (G_GUINT64_CONSTANT (1) << 53) ||
      exponent < -22 || exponent > 22)
    goto slow;

  *value = exponent < 0 ? (double) mantissa / powers_of_ten[-exponent]
                        : (double) mantissa * powers_of_ten[exponent];
  if (negative)
    *value = -*value;
  return TRUE;

slow:
  *value = g_ascii_strtod (text, &end);
  return end != text && *end == '\0';
}

static char *
show_field (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);

  if (g_utf8_strlen (valid, -1) <= SHOWN_CHARS)
    return g_steal_pointer (&valid);
  return g_strdup_printf ("%.*s…", (int) (g_utf8_offset_to_pointer (valid, SHOWN_CHARS) - valid), valid);
}

/* The reader stops at a NUL; only the one at the very end is allowed, as a
 * zero byte means a binary file (say, an IDX file chosen by mistake). */
static gboolean
check_end (const CsvReader  *r,
           const char       *p,
           GError          **error)
{
  if (p == r->end)
    return TRUE;
  g_set_error (error, DISTILLERY_DATA_ERROR, DISTILLERY_DATA_ERROR_FORMAT,
               _("%s: byte %zu: expected text, found a zero byte; this is not a CSV file."),
               r->name, (gsize) (p - r->text));
  return FALSE;
}

/* Reads the next row into `fields`, NUL-terminating each field in place;
 * leaves `fields` empty at the end of the file. */
static gboolean
read_row (CsvReader  *r,
          GPtrArray  *fields,
          guint      *row_line,
          GError    **error)
{
  char *p = r->p;
  char terminator;

  g_ptr_array_set_size (fields, 0);

  for (;; p++, r->line++)
    {
      while (*p == ' ' || *p == '\t' || *p == '\r')
        p++;
      if (*p != '\n')
        break;
    }
  *row_line = r->line;
  if (*p == '\0')
    {
      r->p = p;
      return check_end (r, p, error);
    }

  do
    {
      char *field, *end;

      while (*p == ' ' || *p == '\t')
        p++;
      field = end = p;
      if (*p == '"')
        {
          guint quote_line = r->line;

          /* Unquoting moves the text left, over the opening quote. */
          for (p++;; p++)
            {
              if (*p == '\0')
                {
                  if (!check_end (r, p, error))
                    return FALSE;
                  g_set_error (error, DISTILLERY_DATA_ERROR, DISTILLERY_DATA_ERROR_FORMAT,
                               _("%s: line %u, column %u: expected a closing quote for the field that starts here, but the file ends first."),
                               r->name, quote_line, fields->len + 1);
                  return FALSE;
                }
              if (*p == '"' && p[1] != '"')
                break;
              if (*p == '"')
                p++;
              else if (*p == '\n')
                r->line++;
              *end++ = *p;
            }
          for (p++; *p == ' ' || *p == '\t' || *p == '\r'; p++)
            ;
          if (*p != ',' && *p != '\n' && *p != '\0')
            {
              g_set_error (error, DISTILLERY_DATA_ERROR, DISTILLERY_DATA_ERROR_FORMAT,
                           _("%s: line %u, column %u: expected a comma or the end of the line after the closing quote."),
                           r->name, r->line, fields->len + 1);
              return FALSE;
            }
        }
      else
        {
          while (*p != ',' && *p != '\n' && *p != '\0')
            p++;
          for (end = p; end > field && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'); end--)
            ;
        }
      /* `end` may be the terminator itself. */
      terminator = *p;
      *end = '\0';
      g_ptr_array_add (fields, field);
      if (terminator != '\0')
        p++;
    }
  while (terminator == ',');

  if (terminator == '\0' && !check_end (r, p, error))
    return FALSE;
  if (terminator == '\n')
    r->line++;
  r->p = p;
  return TRUE;
}

static gboolean
parse_feature (const char  *name,
               guint        line,
               guint        column,
               const char  *text,
               float       *feature,
               GError     **error)
{
  double value;

  if (G_UNLIKELY (!_distillery_parse_number (text, &value)))
    {
      g_autofree char *shown = show_field (text);

      if (*text == '\0')
        g_set_error (error, DISTILLERY_DATA_ERROR, DISTILLERY_DATA_ERROR_VALUE,
                     _("%s: line %u, column %u: expected a number, found an empty field."),
                     name, line, column);
      else
        g_set_error (error, DISTILLERY_DATA_ERROR, DISTILLERY_DATA_ERROR_VALUE,
                     _("%s: line %u, column %u: expected a number, found “%s”."),
                     name, line, column, shown);
      return FALSE;
    }

  *feature = (float) value;
  if (G_UNLIKELY (!isfinite (*feature)))
    {
      g_autofree char *shown = show_field (text);

      g_set_error (error, DISTILLERY_DATA_ERROR, DISTILLERY_DATA_ERROR_VALUE,
                   _("%s: line %u, column %u: expected a finite number, found “%s”."),
                   name, line, column, shown);
      return FALSE;
    }
  return TRUE;
}

static int
compare_texts (gconstpointer a,
               gconstpointer b,
               gpointer      texts)
{
  return strcmp (g_ptr_array_index ((GPtrArray *) texts, *(const guint *) a),
                 g_ptr_array_index ((GPtrArray *) texts, *(const guint *) b));
}

/* Numbers the classes of the distinct label texts, given in order of first
 * appearance. When every label is a whole number, that number is the class
 * (so "3" is class 3 even if no "2" occurs) and the classes are named "0"
 * to the largest; otherwise the classes are the texts in byte order, which
 * numbers them the same way in every locale. */
static gboolean
number_classes (const char   *name,
                guint         column,
                GPtrArray    *texts,
                GArray       *first_lines,
                gint32       *class_of,
                guint        *n_classes,
                char       ***class_names,
                GError      **error)
{
  g_autofree gint64 *numbers = g_new (gint64, texts->len);
  g_autofree guint *order = NULL;
  guint i;

  for (i = 0; i < texts->len; i++)
    {
      double value;

      if (!_distillery_parse_number (g_ptr_array_index (texts, i), &value) ||
          value != floor (value) || fabs (value) > G_MAXINT32)
        break;
      numbers[i] = (gint64) value;
    }

  if (i == texts->len)
    {
      *n_classes = 0;
      for (i = 0; i < texts->len; i++)
        {
          g_autofree char *shown = NULL;

          if (numbers[i] >= 0 && numbers[i] < DISTILLERY_MAX_CLASSES)
            {
              class_of[i] = (gint32) numbers[i];
              *n_classes = MAX (*n_classes, (guint) numbers[i] + 1);
              continue;
            }
          shown = show_field (g_ptr_array_index (texts, i));
          if (numbers[i] < 0)
            g_set_error (error, DISTILLERY_DATA_ERROR, DISTILLERY_DATA_ERROR_LABEL,
                         _("%s: line %u, column %u: expected a class number of 0 or more, found “%s”."),
                         name, g_array_index (first_lines, guint, i), column, shown);
          else
            g_set_error (error, DISTILLERY_DATA_ERROR, DISTILLERY_DATA_ERROR_LABEL,
                         _("%s: line %u, column %u: expected a class number below %u, found “%s”."),
                         name, g_array_index (first_lines, guint, i), column,
                         DISTILLERY_MAX_CLASSES, shown);
          return FALSE;
        }
      *class_names = NULL;
      return TRUE;
    }

  if (texts->len > DISTILLERY_MAX_CLASSES)
    {
      g_set_error (error, DISTILLERY_DATA_ERROR, DISTILLERY_DATA_ERROR_LABEL,
                   _("%s: column %u holds %u different labels, but at most %u classes are supported. Is it the label column?"),
                   name, column, texts->len, DISTILLERY_MAX_CLASSES);
      return FALSE;
    }

  order = g_new (guint, texts->len);
  for (i = 0; i < texts->len; i++)
    order[i] = i;
  g_qsort_with_data (order, (int) texts->len, sizeof (guint), compare_texts, texts);

  *n_classes = texts->len;
  *class_names = g_new0 (char *, texts->len + 1);
  for (i = 0; i < texts->len; i++)
    {
      class_of[order[i]] = (gint32) i;
      (*class_names)[i] = g_strdup (g_ptr_array_index (texts, order[i]));
    }
  return TRUE;
}

static gsize
count_lines (const char *p)
{
  gsize n = 0;

  while ((p = strchr (p, '\n')) != NULL)
    n++, p++;
  return n;
}

/* The one CSV parser, behind both loaders: `text` is the plain (no longer
 * gzipped) file, `length` bytes followed by a NUL, split in place. */
static DistilleryDataset *
parse_csv (const char                  *name,
           char                        *text,
           gsize                        length,
           const DistilleryCsvOptions  *options,
           GError                     **error)
{
  static const DistilleryCsvOptions defaults = { NULL, -1, TRUE };
  g_autofree float *features = NULL;
  g_autofree gint32 *labels = NULL;
  g_autofree gint32 *class_of = NULL;
  g_auto(GStrv) class_names = NULL;
  g_autoptr(GPtrArray) fields = g_ptr_array_new ();
  g_autoptr(GPtrArray) label_texts = g_ptr_array_new ();
  g_autoptr(GArray) label_lines = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GHashTable) label_ids = g_hash_table_new (g_str_hash, g_str_equal);
  DistilleryDataset *ds;
  CsvReader r;
  gsize remaining, max_rows, n_rows = 0;
  guint first_line, line, n_columns, label_column, n_features, n_classes;

  if (options == NULL)
    options = &defaults;
  g_return_val_if_fail (options->label_column == NULL || options->has_header, NULL);
  g_return_val_if_fail (options->label_index >= -1, NULL);

  r.name = name;
  r.text = text;
  r.end = text + length;
  r.p = text + (g_str_has_prefix (text, "\xEF\xBB\xBF") ? 3 : 0);
  r.line = 1;
  if (!read_row (&r, fields, &first_line, error))
    return NULL;
  if (fields->len == 0)
    {
      g_set_error (error, DISTILLERY_DATA_ERROR, DISTILLERY_DATA_ERROR_EMPTY,
                   _("%s: expected rows of comma-separated values, but the file is empty."),
                   name);
      return NULL;
    }
  n_columns = fields->len;

  if (options->label_column != NULL)
    {
      for (label_column = 0; label_column < n_columns; label_column++)
        if (strcmp (g_ptr_array_index (fields, label_column), options->label_column) == 0)
          break;
      if (label_column == n_columns)
        {
          g_set_error (error, DISTILLERY_DATA_ERROR, DISTILLERY_DATA_ERROR_LABEL,
                       _("%s: line %u: expected a label column named “%s”, but none of the %u columns in the header has that name."),
                       name, first_line, options->label_column, n_columns);
          return NULL;
        }
    }
  else if (options->label_index == -1)
    label_column = n_columns - 1;
  else if ((guint) options->label_index < n_columns)
    label_column = (guint) options->label_index;
  else
    {
      g_set_error (error, DISTILLERY_DATA_ERROR, DISTILLERY_DATA_ERROR_LABEL,
                   _("%s: line %u: expected the label in column %d, but there are only %u columns."),
                   name, first_line, options->label_index + 1, n_columns);
      return NULL;
    }

  if (n_columns < 2)
    {
      g_set_error (error, DISTILLERY_DATA_ERROR, DISTILLERY_DATA_ERROR_FORMAT,
                   _("%s: line %u: expected feature columns beside the label, found a single column. Are the values separated by commas?"),
                   name, first_line);
      return NULL;
    }
  n_features = n_columns - 1;

  /* Every row but the last ends a line, and holds n_columns - 1 commas;
   * the second bound keeps blank lines from reserving memory. The row
   * already read may be data. */
  remaining = (gsize) (r.end - r.p);
  max_rows = MIN (count_lines (r.p) + 1, (remaining + 1) / n_columns) + 1;
  features = g_try_new (float, max_rows * n_features);
  labels = g_try_new (gint32, max_rows);
  _distillery_prefault (features, max_rows * n_features * sizeof (float));
  if (features == NULL || labels == NULL)
    {
      g_set_error (error, DISTILLERY_DATA_ERROR, DISTILLERY_DATA_ERROR_IO,
                   _("%s: there is not enough memory to load the file."), name);
      return NULL;
    }

  line = first_line;
  if (options->has_header && !read_row (&r, fields, &line, error))
    return NULL;
  while (fields->len > 0)
    {
      float *row = features + n_rows * n_features;
      const char *label = g_ptr_array_index (fields, label_column);
      gpointer id;

      if (fields->len != n_columns)
        {
          g_set_error (error, DISTILLERY_DATA_ERROR, DISTILLERY_DATA_ERROR_FORMAT,
                       _("%s: line %u: expected %u columns, as on line %u, found %u."),
                       name, line, n_columns, first_line, fields->len);
          return NULL;
        }
      for (guint c = 0; c < n_columns; c++)
        if (c != label_column &&
            !parse_feature (name, line, c + 1, g_ptr_array_index (fields, c), row++, error))
          return NULL;

      if (*label == '\0')
        {
          g_set_error (error, DISTILLERY_DATA_ERROR, DISTILLERY_DATA_ERROR_LABEL,
                       _("%s: line %u, column %u: expected a label, found an empty field."),
                       name, line, label_column + 1);
          return NULL;
        }
      if (!g_hash_table_lookup_extended (label_ids, label, NULL, &id))
        {
          id = GUINT_TO_POINTER (label_texts->len);
          g_hash_table_insert (label_ids, (char *) label, id);
          g_ptr_array_add (label_texts, (char *) label);
          g_array_append_val (label_lines, line);
        }
      labels[n_rows++] = (gint32) GPOINTER_TO_UINT (id);

      if (!read_row (&r, fields, &line, error))
        return NULL;
    }

  if (n_rows == 0)
    {
      g_set_error (error, DISTILLERY_DATA_ERROR, DISTILLERY_DATA_ERROR_EMPTY,
                   _("%s: expected rows of data after the header on line %u, found none."),
                   name, first_line);
      return NULL;
    }

  class_of = g_new (gint32, label_texts->len);
  if (!number_classes (name, label_column + 1, label_texts, label_lines,
                       class_of, &n_classes, &class_names, error))
    return NULL;
  for (gsize i = 0; i < n_rows; i++)
    labels[i] = class_of[labels[i]];

  ds = _distillery_dataset_take ((guint) n_rows, n_features, n_classes,
                                 g_realloc (g_steal_pointer (&features), n_rows * n_features * sizeof (float)),
                                 g_realloc (g_steal_pointer (&labels), n_rows * sizeof (gint32)));
  ds->name = g_strdup (name);
  if (class_names != NULL)
    {
      g_strfreev (ds->class_names);
      ds->class_names = g_steal_pointer (&class_names);
    }
  return ds;
}

/**
 * distillery_dataset_load_csv:
 * @path: a CSV file, gzipped or not
 * @options: (nullable): where the label is and whether there is a header;
 *   %NULL means a header and the label in the last column
 * @error: return location for a #DISTILLERY_DATA_ERROR
 *
 * Loads a CSV file of numeric features and one label column. Labels that
 * are all whole numbers (as "3" or "3.0") are taken as class numbers, must
 * be 0 or more, and give max + 1 classes named "0", "1", …; any other
 * labels are class names, numbered in byte order of the names. Features
 * must be finite numbers; nothing is missing. Messages about the contents
 * name the file by its basename, as the data set is named.
 *
 * Returns: (transfer full) (nullable): the data set, or %NULL on error
 */
DistilleryDataset *
distillery_dataset_load_csv (const char                  *path,
                             const DistilleryCsvOptions  *options,
                             GError                     **error)
{
  g_autofree char *name = NULL;
  g_autofree char *text = NULL;
  gsize length;

  g_return_val_if_fail (path != NULL, NULL);

  if (!_distillery_read_file (path, &text, &length, error))
    return NULL;
  name = g_filename_display_basename (path);
  return parse_csv (name, text, length, options, error);
}

/**
 * distillery_dataset_load_csv_bytes:
 * @csv: the bytes of a CSV file, gzipped or not
 * @name: what messages call the file, as "iris.csv"; also the data set's
 *   name
 * @options: (nullable): as for distillery_dataset_load_csv()
 * @error: return location for a #DISTILLERY_DATA_ERROR
 *
 * Loads the same data set as distillery_dataset_load_csv() would from a
 * file holding these bytes and named so, with the same errors.
 *
 * Returns: (transfer full) (nullable): the data set, or %NULL on error
 */
DistilleryDataset *
distillery_dataset_load_csv_bytes (GBytes                      *csv,
                                   const char                  *name,
                                   const DistilleryCsvOptions  *options,
                                   GError                     **error)
{
  g_autofree char *text = NULL;
  gsize length;

  g_return_val_if_fail (csv != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (!_distillery_unpack (csv, name, &text, &length, error))
    return NULL;
  return parse_csv (name, text, length, options, error);
}
