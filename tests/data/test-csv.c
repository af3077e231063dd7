/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The CSV loaders: the fast number parser against g_ascii_strtod(), integer
 * and string labels, headers, quoting and gzip, and a table of the ways a
 * file can be wrong, checking that the message says where and what. Every
 * file goes through both the path loader and the bytes loader, which must
 * agree to the bit on good files and to the letter on broken ones; broken
 * files also go through gzipped, which must change nothing either.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "data-fixtures.h"
#include "distillery-dataset-private.h"

static const DistilleryCsvOptions label_last = { NULL, -1, TRUE };

/* Loads the file at `path` by path and from its bytes, asserting that both
 * give the same data set or the same error; returns what the path gave. */
static DistilleryDataset *
load_both (const char                 *path,
           const DistilleryCsvOptions *options,
           GError                    **error)
{
  g_autofree char *name = g_path_get_basename (path);
  g_autoptr(GBytes) bytes = fixture_read (path);
  g_autoptr(GError) bytes_error = NULL;
  g_autoptr(DistilleryDataset) from_bytes = NULL;
  DistilleryDataset *by_path;

  by_path = distillery_dataset_load_csv (path, options, error);
  from_bytes = distillery_dataset_load_csv_bytes (bytes, name, options, &bytes_error);

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

static DistilleryDataset *
load_text (const char                 *name,
           const char                 *text,
           const DistilleryCsvOptions *options,
           GError                    **error)
{
  g_autofree char *path = fixture_write (name, text, strlen (text));

  return load_both (path, options, error);
}

static void
check_number (const char *text)
{
  double fast, slow;
  char *end;

  slow = g_ascii_strtod (text, &end);
  g_assert_true (_distillery_parse_number (text, &fast));
  g_assert_true (*end == '\0');
  if (memcmp (&fast, &slow, sizeof fast) != 0)
    g_test_message ("“%s”: %.17g instead of %.17g", text, fast, slow);
  g_assert_true (memcmp (&fast, &slow, sizeof fast) == 0);
}

static void
test_numbers (void)
{
  const char *const numbers[] = {
    "0", "-0", "+0", "1", "-1", "16", "255", "0.1", ".5", "5.", "-.25", "3.14159",
    "1e5", "1E-5", "2.5e+3", "1e22", "1e23", "1e-22", "1e-23", "0.000001",
    "9007199254740992", "9007199254740993", "123456789012345678",
    "1234567890123456789012", "0.1234567890123456789", "4.9e-324", "1.7976931348623157e308",
    "1e400", "-1e400", "nan", "inf", "-Infinity", "0x1p4", "007", "1e0005",
  };
  const char *const not_numbers[] = { "", "-", ".", "e5", "1e", "1e+", "1.2.3", "abc", "1,5", "1 2", "--1" };

  for (guint i = 0; i < G_N_ELEMENTS (numbers); i++)
    check_number (numbers[i]);
  for (guint i = 0; i < G_N_ELEMENTS (not_numbers); i++)
    {
      double value;

      g_assert_false (_distillery_parse_number (not_numbers[i], &value));
    }

  for (guint i = 0; i < 100000; i++)
    {
      char text[64];

      g_snprintf (text, sizeof text, "%.*f", g_test_rand_int_range (0, 10),
                  g_test_rand_double_range (-1e6, 1e6));
      check_number (text);
      g_snprintf (text, sizeof text, "%.*e", g_test_rand_int_range (0, 17),
                  g_test_rand_double_range (-1e6, 1e6) * pow (10, g_test_rand_int_range (-30, 30)));
      check_number (text);
    }
}

static void
test_integer_labels (void)
{
  /* A byte order mark, quoted header names, CRLF, spaces and blank lines,
   * and classes 0 and 2 without a 1. */
  const char *text =
    "\xEF\xBB\xBF\"a\",b, label\r\n"
    "1.5, -2 ,0\r\n"
    "\r\n"
    "3,4e1,2\r\n"
    "  0,0.25,2.0\r\n"
    "\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryDataset) ds = load_text ("integers.csv", text, &label_last, &error);
  const float features[] = { 1.5f, -2.0f, 3.0f, 40.0f, 0.0f, 0.25f };

  g_assert_no_error (error);
  g_assert_cmpstr (ds->name, ==, "integers.csv");
  g_assert_cmpuint (ds->n_samples, ==, 3);
  g_assert_cmpuint (ds->n_features, ==, 2);
  g_assert_cmpuint (ds->n_classes, ==, 3);
  g_assert_cmpuint (ds->image_width, ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (features); i++)
    g_assert_cmpfloat (ds->features[i], ==, features[i]);
  g_assert_cmpint (ds->labels[0], ==, 0);
  g_assert_cmpint (ds->labels[1], ==, 2);
  g_assert_cmpint (ds->labels[2], ==, 2);
  g_assert_cmpuint (g_strv_length (ds->class_names), ==, 3);
  g_assert_cmpstr (ds->class_names[1], ==, "1");
}

static void
test_string_labels (void)
{
  /* Classes are numbered in byte order of their names, not in order of
   * appearance; quoting keeps a comma and a doubled quote in a name. */
  const char *text =
    "species,length,width\n"
    "virginica,6.3,3.3\n"
    "setosa,5.1,3.5\n"
    "\"versicolor, \"\"wild\"\"\",7.0,3.2\n"
    "setosa,4.9,3.0\n";
  const DistilleryCsvOptions options = { .label_column = "species", .has_header = TRUE };
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryDataset) ds = load_text ("iris.csv", text, &options, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (ds->n_samples, ==, 4);
  g_assert_cmpuint (ds->n_features, ==, 2);
  g_assert_cmpuint (ds->n_classes, ==, 3);
  g_assert_cmpstr (ds->class_names[0], ==, "setosa");
  g_assert_cmpstr (ds->class_names[1], ==, "versicolor, \"wild\"");
  g_assert_cmpstr (ds->class_names[2], ==, "virginica");
  g_assert_null (ds->class_names[3]);
  g_assert_cmpint (ds->labels[0], ==, 2);
  g_assert_cmpint (ds->labels[1], ==, 0);
  g_assert_cmpint (ds->labels[2], ==, 1);
  g_assert_cmpint (ds->labels[3], ==, 0);
  g_assert_cmpfloat (ds->features[4], ==, 7.0f);
  g_assert_cmpfloat (ds->features[5], ==, 3.2f);
}

static void
test_no_header (void)
{
  const char *text = "1,10,11\n0,20,21";
  const DistilleryCsvOptions options = { .label_index = 0, .has_header = FALSE };
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryDataset) ds = load_text ("no-header.csv", text, &options, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (ds->n_samples, ==, 2);
  g_assert_cmpuint (ds->n_classes, ==, 2);
  g_assert_cmpint (ds->labels[0], ==, 1);
  g_assert_cmpfloat (ds->features[0], ==, 10.0f);
  g_assert_cmpfloat (ds->features[3], ==, 21.0f);
}

static void
test_gzip (void)
{
  const char *text = "x,y\n0.5,1\n0.25,0\n";
  g_autofree char *path = fixture_write_gz ("packed.csv", text, strlen (text), 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryDataset) ds = load_both (path, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (ds->n_samples, ==, 2);
  g_assert_cmpfloat (ds->features[1], ==, 0.25f);
  g_assert_cmpint (ds->labels[0], ==, 1);
}

static gpointer
write_to_pipe (gpointer data)
{
  g_autoptr(GString) text = g_string_new ("x,label\n");
  FILE *pipe = g_fopen (data, "w");

  /* More than the first buffer a file without a size gets. */
  for (guint i = 0; i < 20000; i++)
    g_string_append_printf (text, "%u,%u\n", i, i % 2);
  fwrite (text->str, 1, text->len, pipe);
  fclose (pipe);
  return NULL;
}

static void
test_pipe (void)
{
  g_autofree char *path = fixture_write ("pipe.csv", "", 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryDataset) ds = NULL;
  GThread *writer;

  g_remove (path);
  g_assert_cmpint (mkfifo (path, 0600), ==, 0);
  writer = g_thread_new ("writer", write_to_pipe, path);
  ds = distillery_dataset_load_csv (path, NULL, &error);
  g_thread_join (writer);
  g_assert_no_error (error);
  g_assert_cmpuint (ds->n_samples, ==, 20000);
  g_assert_cmpfloat (ds->features[19999], ==, 19999.0f);
  g_assert_cmpint (ds->labels[19999], ==, 1);
}

static void
test_read_only_bytes (void)
{
  static const char text[] = "\"x\",y\n\"0.5\",1\n0.25,0\n";
  g_autoptr(GBytes) bytes = g_bytes_new_static (text, sizeof text - 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryDataset) ds = NULL;

  /* Bytes in read-only memory (as a project file may map them), without
   * a NUL after them: the loader, which splits and unquotes in place, must
   * neither write into them nor read past them. */
  ds = distillery_dataset_load_csv_bytes (bytes, "static.csv", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ds->name, ==, "static.csv");
  g_assert_cmpuint (ds->n_samples, ==, 2);
  g_assert_cmpfloat (ds->features[0], ==, 0.5f);
  g_assert_cmpint (ds->labels[1], ==, 0);
}

static void
test_directory (void)
{
  g_autofree char *folder = fixture_folder ();
  g_autoptr(GError) error = NULL;

  g_assert_null (distillery_dataset_load_csv (folder, NULL, &error));
  assert_error_says (error, DISTILLERY_DATA_ERROR_IO, folder, "is a folder, not a data file", NULL);
}

static void
test_missing (void)
{
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "distillery-no-such.csv", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_null (distillery_dataset_load_csv (path, NULL, &error));
  assert_error_says (error, DISTILLERY_DATA_ERROR_IO, path, "there is no such file", NULL);
}

/* A string literal and its length, which counts the zero bytes inside. */
#define TEXT(literal) literal, sizeof literal - 1

typedef struct
{
  const char                 *test;
  const char                 *name;
  const char                 *text;
  gsize                       length;
  const DistilleryCsvOptions *options;
  int                         code;
  const char                 *says[4]; /* what the message must hold */
} BrokenCsv;

static const DistilleryCsvOptions no_header = { NULL, -1, FALSE };
static const DistilleryCsvOptions label_class = { "class", -1, TRUE };
static const DistilleryCsvOptions label_sixth = { NULL, 5, FALSE };

static const BrokenCsv broken_files[] = {
  { "ragged-short", "short.csv", TEXT ("a,b,c\n1,2,3\n4,5\n"), &label_last, DISTILLERY_DATA_ERROR_FORMAT,
    { "line 3", "expected 3 columns, as on line 1, found 2", NULL } },
  { "ragged-long", "long.csv", TEXT ("1,2,3\n4,5,6,7\n"), &no_header, DISTILLERY_DATA_ERROR_FORMAT,
    { "line 2", "expected 3 columns", "found 4", NULL } },
  { "not-a-number", "digits.csv", TEXT ("a,b,c,d\n1,2,3,0\n\n1,2,abc,1\n"), &label_last, DISTILLERY_DATA_ERROR_VALUE,
    { "digits.csv: line 4, column 3: expected a number, found “abc”.", NULL } },
  /* A file separated by semicolons, with a header that happens to have a
   * comma: the message quotes the start of the field only. */
  { "long-field", "semicolons.csv", TEXT ("a;b,c\n1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16;17;18;19;20,1\n"),
    &label_last, DISTILLERY_DATA_ERROR_VALUE,
    { "line 2, column 1", "found “1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16;1…”", NULL } },
  { "empty-field", "hole.csv", TEXT ("a,b,c\n1,,0\n"), &label_last, DISTILLERY_DATA_ERROR_VALUE,
    { "line 2, column 2", "expected a number, found an empty field", NULL } },
  { "nan", "nan.csv", TEXT ("a,b,c\n1,nan,0\n"), &label_last, DISTILLERY_DATA_ERROR_VALUE,
    { "line 2, column 2", "expected a finite number, found “nan”", NULL } },
  { "inf", "inf.csv", TEXT ("a,b,c\n1,2,0\n-inf,2,1\n"), &label_last, DISTILLERY_DATA_ERROR_VALUE,
    { "line 3, column 1", "expected a finite number, found “-inf”", NULL } },
  { "too-large-for-float", "huge.csv", TEXT ("a,b\n1e39,0\n"), &label_last, DISTILLERY_DATA_ERROR_VALUE,
    { "line 2, column 1", "finite number", "“1e39”", NULL } },
  { "empty-file", "empty.csv", TEXT (""), &label_last, DISTILLERY_DATA_ERROR_EMPTY,
    { "file is empty", NULL } },
  { "blank-file", "blank.csv", TEXT ("\n  \r\n\n"), &label_last, DISTILLERY_DATA_ERROR_EMPTY,
    { "file is empty", NULL } },
  { "header-only", "header.csv", TEXT ("a,b,label\n"), &label_last, DISTILLERY_DATA_ERROR_EMPTY,
    { "expected rows of data after the header on line 1, found none", NULL } },
  { "no-label-column", "unlabelled.csv", TEXT ("a,b,label\n1,2,0\n"), &label_class, DISTILLERY_DATA_ERROR_LABEL,
    { "line 1", "named “class”", "none of the 3 columns", NULL } },
  { "label-index-too-large", "narrow.csv", TEXT ("1,2,0\n"), &label_sixth, DISTILLERY_DATA_ERROR_LABEL,
    { "label in column 6", "only 3 columns", NULL } },
  { "negative-label", "negative.csv", TEXT ("a,b,label\n1,2,0\n3,4,1\n5,6,-1\n"), &label_last,
    DISTILLERY_DATA_ERROR_LABEL,
    { "line 4, column 3", "expected a class number of 0 or more, found “-1”", NULL } },
  { "huge-label", "huge-label.csv", TEXT ("a,label\n1,0\n2,5000\n"), &label_last, DISTILLERY_DATA_ERROR_LABEL,
    { "line 3, column 2", "expected a class number below 1000, found “5000”", NULL } },
  { "empty-label", "no-label.csv", TEXT ("a,label\n1,0\n2,\n"), &label_last, DISTILLERY_DATA_ERROR_LABEL,
    { "line 3, column 2", "expected a label, found an empty field", NULL } },
  { "single-column", "single.csv", TEXT ("a;b;c\n1;2;3\n"), &label_last, DISTILLERY_DATA_ERROR_FORMAT,
    { "line 1", "single column", "separated by commas", NULL } },
  { "unclosed-quote", "quote.csv", TEXT ("a,b\n1,0\n\"2,1\n3,0\n"), &label_last, DISTILLERY_DATA_ERROR_FORMAT,
    { "line 3, column 1", "closing quote", NULL } },
  { "text-after-quote", "after-quote.csv", TEXT ("a,b\n\"1\"x,0\n"), &label_last, DISTILLERY_DATA_ERROR_FORMAT,
    { "line 2, column 1", "after the closing quote", NULL } },
  /* An IDX label file chosen by mistake. */
  { "binary", "labels.idx", TEXT ("\x00\x00\x08\x01\x00\x00\x00\x01\x03"), NULL, DISTILLERY_DATA_ERROR_FORMAT,
    { "labels.idx: byte 0", "not a CSV file", NULL } },
  { "zero-byte", "zero.csv", TEXT ("a,b\n1,0\n2,\0001\n"), NULL, DISTILLERY_DATA_ERROR_FORMAT,
    { "zero.csv: byte 10", "zero byte", NULL } },
  { "quoted-zero-byte", "quoted-zero.csv", TEXT ("a,b\n1,0\n\"2\0\",1\n"), NULL, DISTILLERY_DATA_ERROR_FORMAT,
    { "quoted-zero.csv: byte 10", "zero byte", NULL } },
  /* A quoted line break in the header still counts as a line. */
  { "quoted-newline-lines", "multiline.csv", TEXT ("\"a\nb\",c\n1,0\nx,1\n"), &label_last,
    DISTILLERY_DATA_ERROR_VALUE,
    { "line 4, column 1", NULL } },
};

static void
test_broken (gconstpointer data)
{
  const BrokenCsv *file = data;
  g_autofree char *prefix = g_strconcat (file->name, ": ", NULL);

  for (guint gzip = 0; gzip <= 1; gzip++)
    {
      g_autofree char *path = NULL;
      g_autoptr(GError) error = NULL;

      if (gzip)
        path = fixture_write_gz (file->name, file->text, file->length, 0);
      else
        path = fixture_write (file->name, file->text, file->length);
      g_assert_null (load_both (path, file->options, &error));
      assert_error_says_all (error, file->code, file->says);
      g_assert_true (g_str_has_prefix (error->message, prefix));
    }
}

static void
test_too_many_classes (void)
{
  g_autoptr(GString) text = g_string_new ("price,size\n");
  const DistilleryCsvOptions label_price = { "price", -1, TRUE };
  BrokenCsv file = {
    "too-many-classes", "prices.csv", NULL, 0, &label_price, DISTILLERY_DATA_ERROR_LABEL,
    { "column 1 holds 1001 different labels", "at most 1000", NULL },
  };

  /* A continuous column taken for the label. */
  for (guint i = 0; i < DISTILLERY_MAX_CLASSES + 1; i++)
    g_string_append_printf (text, "%u.5,%u\n", i, i);
  file.text = text->str;
  file.length = text->len;
  test_broken (&file);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/data/csv/numbers", test_numbers);
  g_test_add_func ("/data/csv/integer-labels", test_integer_labels);
  g_test_add_func ("/data/csv/string-labels", test_string_labels);
  g_test_add_func ("/data/csv/no-header", test_no_header);
  g_test_add_func ("/data/csv/gzip", test_gzip);
  g_test_add_func ("/data/csv/pipe", test_pipe);
  g_test_add_func ("/data/csv/read-only-bytes", test_read_only_bytes);
  g_test_add_func ("/data/csv/directory", test_directory);
  g_test_add_func ("/data/csv/missing", test_missing);
  for (guint i = 0; i < G_N_ELEMENTS (broken_files); i++)
    {
      g_autofree char *path = g_strconcat ("/data/csv/broken/", broken_files[i].test, NULL);

      g_test_add_data_func (path, &broken_files[i], test_broken);
    }
  g_test_add_func ("/data/csv/broken/too-many-classes", test_too_many_classes);
  status = g_test_run ();
  fixture_cleanup ();
  return status;
}
