/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The CSV loader: the fast number parser against g_ascii_strtod(), integer
 * and string labels, headers, quoting and gzip, and one test for each way
 * a file can be wrong, checking that the message says where and what.
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

static DistilleryDataset *
load_text (const char                 *name,
           const char                 *text,
           const DistilleryCsvOptions *options,
           GError                    **error)
{
  g_autofree char *path = fixture_write (name, text, strlen (text));

  return distillery_dataset_load_csv (path, options, error);
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
  g_autoptr(DistilleryDataset) ds = distillery_dataset_load_csv (path, NULL, &error);

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

/* Loads `text`, expecting an error whose message holds the fragments. */
static void
expect_error (const char                 *name,
              const char                 *text,
              const DistilleryCsvOptions *options,
              int                         code,
              ...)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryDataset) ds = load_text (name, text, options, &error);
  g_autofree char *prefix = g_strconcat (name, ": ", NULL);
  va_list fragments;

  g_assert_null (ds);
  g_assert_true (g_str_has_prefix (error->message, prefix));
  va_start (fragments, code);
  assert_error_saysv (error, code, fragments);
  va_end (fragments);
}

static void
test_ragged_short (void)
{
  expect_error ("short.csv", "a,b,c\n1,2,3\n4,5\n", &label_last, DISTILLERY_DATA_ERROR_FORMAT,
                "line 3", "expected 3 columns, as on line 1, found 2", NULL);
}

static void
test_ragged_long (void)
{
  expect_error ("long.csv", "1,2,3\n4,5,6,7\n", &(DistilleryCsvOptions) { NULL, -1, FALSE },
                DISTILLERY_DATA_ERROR_FORMAT, "line 2", "expected 3 columns", "found 4", NULL);
}

static void
test_not_a_number (void)
{
  expect_error ("digits.csv", "a,b,c,d\n1,2,3,0\n\n1,2,abc,1\n", &label_last, DISTILLERY_DATA_ERROR_VALUE,
                "digits.csv: line 4, column 3: expected a number, found “abc”.", NULL);
}

static void
test_long_field (void)
{
  /* A file separated by semicolons, with a header that happens to have a
   * comma: the message quotes the start of the field only. */
  expect_error ("semicolons.csv", "a;b,c\n1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16;17;18;19;20,1\n",
                &label_last, DISTILLERY_DATA_ERROR_VALUE,
                "line 2, column 1", "found “1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16;1…”", NULL);
}

static void
test_empty_field (void)
{
  expect_error ("hole.csv", "a,b,c\n1,,0\n", &label_last, DISTILLERY_DATA_ERROR_VALUE,
                "line 2, column 2", "expected a number, found an empty field", NULL);
}

static void
test_nan (void)
{
  expect_error ("nan.csv", "a,b,c\n1,nan,0\n", &label_last, DISTILLERY_DATA_ERROR_VALUE,
                "line 2, column 2", "expected a finite number, found “nan”", NULL);
}

static void
test_inf (void)
{
  expect_error ("inf.csv", "a,b,c\n1,2,0\n-inf,2,1\n", &label_last, DISTILLERY_DATA_ERROR_VALUE,
                "line 3, column 1", "expected a finite number, found “-inf”", NULL);
}

static void
test_too_large_for_float (void)
{
  expect_error ("huge.csv", "a,b\n1e39,0\n", &label_last, DISTILLERY_DATA_ERROR_VALUE,
                "line 2, column 1", "finite number", "“1e39”", NULL);
}

static void
test_empty_file (void)
{
  expect_error ("empty.csv", "", &label_last, DISTILLERY_DATA_ERROR_EMPTY, "file is empty", NULL);
}

static void
test_blank_file (void)
{
  expect_error ("blank.csv", "\n  \r\n\n", &label_last, DISTILLERY_DATA_ERROR_EMPTY, "file is empty", NULL);
}

static void
test_header_only (void)
{
  expect_error ("header.csv", "a,b,label\n", &label_last, DISTILLERY_DATA_ERROR_EMPTY,
                "expected rows of data after the header on line 1, found none", NULL);
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

static void
test_no_label_column (void)
{
  const DistilleryCsvOptions options = { .label_column = "class", .has_header = TRUE };

  expect_error ("unlabelled.csv", "a,b,label\n1,2,0\n", &options, DISTILLERY_DATA_ERROR_LABEL,
                "line 1", "named “class”", "none of the 3 columns", NULL);
}

static void
test_label_index_too_large (void)
{
  const DistilleryCsvOptions options = { .label_index = 5, .has_header = FALSE };

  expect_error ("narrow.csv", "1,2,0\n", &options, DISTILLERY_DATA_ERROR_LABEL,
                "label in column 6", "only 3 columns", NULL);
}

static void
test_negative_label (void)
{
  expect_error ("negative.csv", "a,b,label\n1,2,0\n3,4,1\n5,6,-1\n", &label_last, DISTILLERY_DATA_ERROR_LABEL,
                "line 4, column 3", "expected a class number of 0 or more, found “-1”", NULL);
}

static void
test_huge_label (void)
{
  expect_error ("huge-label.csv", "a,label\n1,0\n2,5000\n", &label_last, DISTILLERY_DATA_ERROR_LABEL,
                "line 3, column 2", "expected a class number below 1000, found “5000”", NULL);
}

static void
test_empty_label (void)
{
  expect_error ("no-label.csv", "a,label\n1,0\n2,\n", &label_last, DISTILLERY_DATA_ERROR_LABEL,
                "line 3, column 2", "expected a label, found an empty field", NULL);
}

static void
test_too_many_classes (void)
{
  g_autoptr(GString) text = g_string_new ("price,size\n");

  /* A continuous column taken for the label. */
  for (guint i = 0; i < DISTILLERY_MAX_CLASSES + 1; i++)
    g_string_append_printf (text, "%u.5,%u\n", i, i);
  expect_error ("prices.csv", text->str, &(DistilleryCsvOptions) { "price", -1, TRUE },
                DISTILLERY_DATA_ERROR_LABEL, "column 1 holds 1001 different labels", "at most 1000", NULL);
}

static void
test_single_column (void)
{
  expect_error ("single.csv", "a;b;c\n1;2;3\n", &label_last, DISTILLERY_DATA_ERROR_FORMAT,
                "line 1", "single column", "separated by commas", NULL);
}

static void
test_unclosed_quote (void)
{
  expect_error ("quote.csv", "a,b\n1,0\n\"2,1\n3,0\n", &label_last, DISTILLERY_DATA_ERROR_FORMAT,
                "line 3, column 1", "closing quote", NULL);
}

static void
test_text_after_quote (void)
{
  expect_error ("after-quote.csv", "a,b\n\"1\"x,0\n", &label_last, DISTILLERY_DATA_ERROR_FORMAT,
                "line 2, column 1", "after the closing quote", NULL);
}

static void
test_binary (void)
{
  const guchar idx[] = { 0, 0, 8, 1, 0, 0, 0, 1, 3 };
  g_autofree char *path = fixture_write ("labels.idx", idx, sizeof idx);
  g_autoptr(GError) error = NULL;

  g_assert_null (distillery_dataset_load_csv (path, NULL, &error));
  assert_error_says (error, DISTILLERY_DATA_ERROR_FORMAT, "labels.idx: byte 0", "not a CSV file", NULL);
}

static void
test_zero_byte (void)
{
  const char text[] = "a,b\n1,0\n2,\0001\n";
  const char quoted[] = "a,b\n1,0\n\"2\0\",1\n";
  g_autofree char *path = fixture_write ("zero.csv", text, sizeof text - 1);
  g_autofree char *quoted_path = fixture_write ("quoted-zero.csv", quoted, sizeof quoted - 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) quoted_error = NULL;

  g_assert_null (distillery_dataset_load_csv (path, NULL, &error));
  assert_error_says (error, DISTILLERY_DATA_ERROR_FORMAT, "zero.csv: byte 10", "zero byte", NULL);
  g_assert_null (distillery_dataset_load_csv (quoted_path, NULL, &quoted_error));
  assert_error_says (quoted_error, DISTILLERY_DATA_ERROR_FORMAT, "quoted-zero.csv: byte 10", "zero byte", NULL);
}

static void
test_quoted_newline_lines (void)
{
  /* A quoted line break in the header still counts as a line. */
  expect_error ("multiline.csv", "\"a\nb\",c\n1,0\nx,1\n", &label_last, DISTILLERY_DATA_ERROR_VALUE,
                "line 4, column 1", NULL);
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
  g_test_add_func ("/data/csv/ragged-short", test_ragged_short);
  g_test_add_func ("/data/csv/ragged-long", test_ragged_long);
  g_test_add_func ("/data/csv/not-a-number", test_not_a_number);
  g_test_add_func ("/data/csv/long-field", test_long_field);
  g_test_add_func ("/data/csv/empty-field", test_empty_field);
  g_test_add_func ("/data/csv/nan", test_nan);
  g_test_add_func ("/data/csv/inf", test_inf);
  g_test_add_func ("/data/csv/too-large-for-float", test_too_large_for_float);
  g_test_add_func ("/data/csv/empty-file", test_empty_file);
  g_test_add_func ("/data/csv/blank-file", test_blank_file);
  g_test_add_func ("/data/csv/header-only", test_header_only);
  g_test_add_func ("/data/csv/directory", test_directory);
  g_test_add_func ("/data/csv/missing", test_missing);
  g_test_add_func ("/data/csv/no-label-column", test_no_label_column);
  g_test_add_func ("/data/csv/label-index-too-large", test_label_index_too_large);
  g_test_add_func ("/data/csv/negative-label", test_negative_label);
  g_test_add_func ("/data/csv/huge-label", test_huge_label);
  g_test_add_func ("/data/csv/empty-label", test_empty_label);
  g_test_add_func ("/data/csv/too-many-classes", test_too_many_classes);
  g_test_add_func ("/data/csv/single-column", test_single_column);
  g_test_add_func ("/data/csv/unclosed-quote", test_unclosed_quote);
  g_test_add_func ("/data/csv/text-after-quote", test_text_after_quote);
  g_test_add_func ("/data/csv/binary", test_binary);
  g_test_add_func ("/data/csv/zero-byte", test_zero_byte);
  g_test_add_func ("/data/csv/quoted-newline-lines", test_quoted_newline_lines);
  status = g_test_run ();
  fixture_cleanup ();
  return status;
}
