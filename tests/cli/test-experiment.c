/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Experiments: the JSON form round-trips, wrong values are refused with a
 * message that names the setting, and the demo experiment does what the
 * README promises: both students above 90 % test accuracy within 10 s.
 */
#include "config.h"

#include <math.h>

#include "distillery-training.h"

static DistilleryExperiment *
experiment_from (const char *json, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  DistilleryExperiment *e = distillery_experiment_new_demo ();

  g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
  if (!distillery_experiment_merge_json (e, json_parser_get_root (parser), error))
    g_clear_pointer (&e, distillery_experiment_free);
  return e;
}

static void
test_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryExperiment) e = experiment_from (
    "{\"seed\": 7, \"data\": {\"source\": \"csv\", \"path\": \"x.csv\", \"label_column\": \"y\"},"
    " \"student\": {\"hidden\": [40, 20], \"activation\": \"gelu\","
    "   \"optimizer\": {\"kind\": \"adamw\", \"learning_rate\": 0.002, \"weight_decay\": 0.05},"
    "   \"schedule\": {\"kind\": \"cosine\", \"warmup_epochs\": 2},"
    "   \"distillation\": {\"temperature\": 8, \"alpha\": 0.7, \"teacher_reveals\": \"top-k\", \"top_k\": 3}}}",
    &error);
  g_assert_no_error (error);
  g_assert_cmpuint (e->seed, ==, 7);
  g_assert_cmpint (e->data.kind, ==, DISTILLERY_SOURCE_CSV);
  g_assert_cmpstr (e->data.label_column, ==, "y");
  g_assert_cmpint (e->student.model.n_hidden, ==, 2);
  g_assert_cmpint (e->student.model.hidden[1], ==, 20);
  g_assert_cmpint (e->student.model.activation, ==, KD_ACT_GELU);
  g_assert_cmpint (e->student.optimizer.kind, ==, KD_OPTIMIZER_ADAMW);
  g_assert_cmpfloat_with_epsilon (e->student.optimizer.weight_decay, 0.05, 1e-7);
  g_assert_cmpint (e->student.teacher_kind, ==, KD_TEACHER_TOPK);
  g_assert_cmpint (e->student.top_k, ==, 3);
  /* Unstated settings keep the demo's. */
  g_assert_cmpint (e->teacher.model.hidden[0], ==, 128);

  /* Written out and read back into a fresh demo experiment: the same. */
  g_autoptr(JsonNode) node = distillery_experiment_to_json (e);
  g_autofree char *text = json_to_string (node, FALSE);
  g_autoptr(DistilleryExperiment) back = experiment_from (text, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (&back->student, sizeof back->student, &e->student, sizeof e->student);
  g_assert_cmpmem (&back->teacher, sizeof back->teacher, &e->teacher, sizeof e->teacher);
  g_assert_cmpuint (back->seed, ==, e->seed);
  g_assert_cmpstr (back->data.csv_path, ==, "x.csv");
}

static void
test_refusals (void)
{
  static const struct { const char *json; const char *mentions; } cases[] = {
    { "[1]", "top level" },
    { "{\"version\": 99}", "newer Distillery" },
    { "{\"seed\": -1}", "seed" },
    { "{\"data\": {\"source\": \"tape\"}}", "data.source" },
    { "{\"teacher\": {\"hidden\": [0]}}", "teacher.hidden" },
    { "{\"teacher\": {\"hidden\": \"12\"}}", "teacher.hidden" },
    { "{\"student\": {\"epochs\": 2.5}}", "student.epochs" },
    { "{\"student\": {\"activation\": \"swish\"}}", "“relu”" },
    { "{\"student\": {\"optimizer\": {\"learning_rate\": 0}}}", "student.optimizer.learning_rate" },
    { "{\"student\": {\"distillation\": {\"alpha\": 1.5}}}", "student.distillation.alpha" },
    { "{\"student\": {\"distillation\": {\"teacher_reveals\": \"all\"}}}", "student.distillation.teacher_reveals" },
    { "{\"student\": {\"schedule\": 3}}", "student.schedule" },
    { "{\"teacher\": {\"input_jitter\": -1}}", "teacher.input_jitter" },
    { "{\"teacher\": {\"input_jitter\": 1.5}}", "teacher.input_jitter" },
    { "{\"student\": {\"max_norm\": -2}}", "student.max_norm" },
    { "{\"transfer_set\": 3}", "transfer_set" },
    { "{\"transfer_set\": {\"leave_out_classes\": 3}}", "transfer_set.leave_out_classes" },
    { "{\"transfer_set\": {\"leave_out_classes\": [1000]}}", "transfer_set.leave_out_classes" },
    { "{\"transfer_set\": {\"leave_out_classes\": [3, 3]}}", "different class numbers" },
    { "{\"evaluation\": {\"left_out_bias\": 3.5}}", "evaluation.left_out_bias" },
    { "{\"transfer_set\": {\"leave_out_classes\": [3]}, \"evaluation\": {\"left_out_bias\": \"up\"}}",
      "evaluation.left_out_bias" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(DistilleryExperiment) e = experiment_from (cases[i].json, &error);
      g_assert_null (e);
      g_assert_error (error, DISTILLERY_EXPERIMENT_ERROR, error->code);
      if (strstr (error->message, cases[i].mentions) == NULL)
        g_error ("%s: message “%s” does not mention “%s”", cases[i].json, error->message, cases[i].mentions);
    }
}

/* Jitter, max-norm and left-out classes: read, written back, and marking
 * the experiment as format 2 only when used. */
static void
test_version_2 (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryExperiment) e = experiment_from (
    "{\"version\": 2, \"teacher\": {\"input_jitter\": 2, \"max_norm\": 3.5},"
    " \"student\": {\"max_norm\": 4},"
    " \"transfer_set\": {\"leave_out_classes\": [7, 3]}, \"evaluation\": {\"left_out_bias\": 3.5}}",
    &error);
  g_assert_no_error (error);
  g_assert_cmpint (e->teacher.jitter, ==, 2);
  g_assert_cmpfloat (e->teacher.max_norm, ==, 3.5f);
  g_assert_cmpint (e->student.jitter, ==, 0);
  g_assert_cmpfloat (e->student.max_norm, ==, 4.0f);
  g_assert_cmpint (e->left_out.n_classes, ==, 2);
  g_assert_cmpint (e->left_out.classes[0], ==, 3);   /* kept in order */
  g_assert_cmpint (e->left_out.classes[1], ==, 7);
  g_assert_cmpfloat (e->left_out.bias, ==, 3.5f);

  g_autoptr(JsonNode) node = distillery_experiment_to_json (e);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (node), "version"), ==, 2);
  g_autofree char *text = json_to_string (node, FALSE);
  g_autoptr(DistilleryExperiment) back = experiment_from (text, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (&back->teacher, sizeof back->teacher, &e->teacher, sizeof e->teacher);
  g_assert_cmpmem (&back->student, sizeof back->student, &e->student, sizeof e->student);
  g_assert_cmpmem (&back->left_out, sizeof back->left_out, &e->left_out, sizeof e->left_out);

  /* Merging over it without the members keeps them; an empty list
   * clears the classes, and then a bias is refused. */
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_assert_true (json_parser_load_from_data (parser, "{\"seed\": 3}", -1, NULL));
  g_assert_true (distillery_experiment_merge_json (back, json_parser_get_root (parser), &error));
  g_assert_cmpint (back->left_out.n_classes, ==, 2);
  g_assert_true (json_parser_load_from_data (parser, "{\"transfer_set\": {\"leave_out_classes\": []}}", -1, NULL));
  g_assert_false (distillery_experiment_merge_json (back, json_parser_get_root (parser), &error));
  g_assert_nonnull (strstr (error->message, "evaluation.left_out_bias"));
  g_clear_error (&error);

  /* Without any of them: format 1, which older builds read alike. */
  g_autoptr(DistilleryExperiment) demo = distillery_experiment_new_demo ();
  g_autoptr(JsonNode) old = distillery_experiment_to_json (demo);
  JsonObject *o = json_node_get_object (old);
  g_assert_cmpint (json_object_get_int_member (o, "version"), ==, 1);
  g_assert_false (json_object_has_member (o, "transfer_set"));
  g_assert_false (json_object_has_member (json_object_get_object_member (o, "teacher"), "input_jitter"));
}

static void
test_hidden_sizes (void)
{
  KdMlpConfig model = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_true (distillery_parse_hidden ("256, 64", &model, NULL));
  g_assert_cmpint (model.n_hidden, ==, 2);
  g_assert_cmpint (model.hidden[1], ==, 64);
  g_autofree char *text = distillery_format_hidden (&model);
  g_assert_cmpstr (text, ==, "256,64");
  g_assert_true (distillery_parse_hidden ("", &model, NULL));
  g_assert_cmpint (model.n_hidden, ==, 0);
  g_assert_false (distillery_parse_hidden ("12,x", &model, &error));
  g_assert_nonnull (strstr (error->message, "12,x"));
}

static void
test_seeds (void)
{
  g_autoptr(DistilleryExperiment) e = distillery_experiment_new_demo ();
  g_autoptr(GError) error = NULL;

  g_autofree char *one = distillery_format_seeds (e);
  g_assert_cmpstr (one, ==, "1");
  g_assert_true (distillery_parse_seeds (" 3, 5 ,8", e, &error));
  g_assert_no_error (error);
  g_assert_cmpint (e->n_seeds, ==, 3);
  g_assert_cmpuint (e->seed, ==, 3);
  g_autofree char *three = distillery_format_seeds (e);
  g_assert_cmpstr (three, ==, "3, 5, 8");

  /* Through JSON and back. */
  g_autoptr(JsonNode) node = distillery_experiment_to_json (e);
  g_autoptr(DistilleryExperiment) back = distillery_experiment_new_demo ();
  g_assert_true (distillery_experiment_merge_json (back, node, &error));
  g_assert_no_error (error);
  g_assert_cmpint (back->n_seeds, ==, 3);
  g_assert_cmpuint (back->seeds[2], ==, 8);

  g_assert_false (distillery_parse_seeds ("1, two", e, &error));
  g_assert_nonnull (strstr (error->message, "1, two"));
  g_clear_error (&error);
  g_assert_false (distillery_parse_seeds ("", e, &error));
  g_assert_error (error, DISTILLERY_EXPERIMENT_ERROR, DISTILLERY_EXPERIMENT_ERROR_INVALID);
  g_assert_cmpint (e->n_seeds, ==, 3);
}

static void
test_demo_students (void)
{
  g_autoptr(DistilleryExperiment) e = distillery_experiment_new_demo ();
  g_autoptr(GError) error = NULL;
  DistilleryComparison r;
  gint64 start = g_get_monotonic_time ();

  g_assert_true (distillery_run_comparison (e, NULL, NULL, &r, &error));
  g_assert_no_error (error);
  double seconds = (g_get_monotonic_time () - start) / 1e6;
  g_test_message ("teacher %.4f, distilled %.4f (agreement %.4f), plain %.4f (agreement %.4f), %.2f s",
                  r.teacher.accuracy, r.distilled.accuracy, r.distilled.agreement,
                  r.plain.accuracy, r.plain.agreement, seconds);
  g_assert_cmpuint (r.n_train + r.n_test, ==, 1797);
  g_assert_cmpfloat (r.teacher.accuracy, >, 0.9);
  g_assert_cmpfloat (r.distilled.accuracy, >, 0.9);
  g_assert_cmpfloat (r.plain.accuracy, >, 0.9);
  g_assert_cmpfloat (r.distilled.agreement, >, 0.9);
  g_assert_true (isfinite (r.distilled.kl) && r.distilled.kl >= 0);
  /* The promise; a few tenths of a second on a laptop. */
  g_assert_cmpfloat (seconds, <, 10.0);
  distillery_comparison_clear (&r);
}

static void
test_diverging_run_fails (void)
{
  g_autoptr(DistilleryExperiment) e = distillery_experiment_new_demo ();
  g_autoptr(GError) error = NULL;
  DistilleryComparison r;

  e->teacher.optimizer.learning_rate = 1e6f;
  e->teacher.epochs = 3;
  g_assert_false (distillery_run_comparison (e, NULL, NULL, &r, &error));
  g_assert_error (error, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_DIVERGED);
  g_assert_nonnull (strstr (error->message, "lower learning rate"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/experiment/json/round-trip", test_round_trip);
  g_test_add_func ("/experiment/json/refusals", test_refusals);
  g_test_add_func ("/experiment/json/version-2", test_version_2);
  g_test_add_func ("/experiment/hidden-sizes", test_hidden_sizes);
  g_test_add_func ("/experiment/seeds", test_seeds);
  g_test_add_func ("/experiment/demo/students-above-90", test_demo_students);
  g_test_add_func ("/experiment/demo/divergence-is-an-error", test_diverging_run_fails);
  return g_test_run ();
}
