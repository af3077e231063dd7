/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Experiment settings and their JSON form; see distillery-experiment.h.
 * Every member is optional when reading, so a file states only what it
 * changes; every value is checked, and an error names the member.
 */
#include "config.h"

#include "distillery-experiment.h"

#include <glib/gi18n-lib.h>
#include <string.h>
#include <math.h>

G_DEFINE_QUARK (distillery-experiment-error-quark, distillery_experiment_error)

static const char *const source_names[] = { "demo", "fashion-mnist", "idx", "csv" };
static const char *const init_names[] = { "he", "xavier" };
static const char *const reveal_names[] = {
  [KD_TEACHER_LOGITS] = "logits",
  [KD_TEACHER_PROBS] = "probabilities",
  [KD_TEACHER_TOPK] = "top-k",
  [KD_TEACHER_LABEL] = "label",
};

static void
model_defaults (KdTrainConfig *c, int hidden0, int hidden1)
{
  kd_train_config_init (c);
  c->model.n_hidden = hidden1 > 0 ? 2 : 1;
  c->model.hidden[0] = hidden0;
  c->model.hidden[1] = hidden1;
}

DistilleryExperiment *
distillery_experiment_new_demo (void)
{
  DistilleryExperiment *e = g_new0 (DistilleryExperiment, 1);

  e->data.kind = DISTILLERY_SOURCE_DEMO;
  e->data.test_fraction = 0.25;
  e->seed = 1;
  e->round_digits = -1;

  model_defaults (&e->teacher, 128, 128);
  e->teacher.epochs = 30;
  e->teacher.batch_size = 32;
  e->teacher.optimizer.learning_rate = 0.05f;
  e->teacher.model.dropout_hidden = 0.2f;
  e->teacher.schedule.kind = KD_SCHEDULE_COSINE;

  model_defaults (&e->student, 16, 0);
  e->student.epochs = 30;
  e->student.batch_size = 32;
  e->student.optimizer.learning_rate = 0.05f;
  e->student.schedule.kind = KD_SCHEDULE_COSINE;
  e->student.temperature = 4.0f;
  e->student.alpha = 0.9f;
  return e;
}

void
distillery_experiment_free (DistilleryExperiment *e)
{
  if (e == NULL)
    return;
  g_free (e->data.train_images);
  g_free (e->data.train_labels);
  g_free (e->data.test_images);
  g_free (e->data.test_labels);
  g_free (e->data.csv_path);
  g_free (e->data.label_column);
  g_free (e);
}

gboolean
distillery_parse_hidden (const char *text, KdMlpConfig *model, GError **error)
{
  g_auto(GStrv) parts = NULL;
  int n = 0, sizes[KD_MLP_MAX_HIDDEN];

  g_return_val_if_fail (text != NULL, FALSE);

  if (*text != '\0')
    {
      parts = g_strsplit (text, ",", -1);
      for (char **p = parts; *p != NULL; p++)
        {
          guint64 v;
          if (n == KD_MLP_MAX_HIDDEN)
            {
              g_set_error (error, DISTILLERY_EXPERIMENT_ERROR, DISTILLERY_EXPERIMENT_ERROR_INVALID,
                           _("“%s”: a model can have at most %d hidden layers."), text, KD_MLP_MAX_HIDDEN);
              return FALSE;
            }
          if (!g_ascii_string_to_unsigned (g_strstrip (*p), 10, 1, 1 << 16, &v, NULL))
            {
              g_set_error (error, DISTILLERY_EXPERIMENT_ERROR, DISTILLERY_EXPERIMENT_ERROR_INVALID,
                           _("“%s”: hidden layer sizes are whole numbers from 1 to 65536 separated by commas, as in “256,128”."),
                           text);
              return FALSE;
            }
          sizes[n++] = (int) v;
        }
    }
  model->n_hidden = n;
  for (int i = 0; i < n; i++)
    model->hidden[i] = sizes[i];
  return TRUE;
}

char *
distillery_format_hidden (const KdMlpConfig *model)
{
  GString *s = g_string_new (NULL);
  for (int i = 0; i < model->n_hidden; i++)
    g_string_append_printf (s, "%s%d", i ? "," : "", model->hidden[i]);
  return g_string_free (s, FALSE);
}

/* 2^53: the largest seed a JSON number carries exactly. */
#define MAX_SEED 9007199254740992.0

gboolean
distillery_parse_seeds (const char *text, DistilleryExperiment *e, GError **error)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);
  guint64 seeds[DISTILLERY_MAX_SEEDS];
  int n = 0;

  g_return_val_if_fail (text != NULL && e != NULL, FALSE);

  for (char **p = parts; *p != NULL; p++)
    {
      guint64 v;
      if (n == DISTILLERY_MAX_SEEDS)
        {
          g_set_error (error, DISTILLERY_EXPERIMENT_ERROR, DISTILLERY_EXPERIMENT_ERROR_INVALID,
                       _("“%s”: at most %d seeds."), text, DISTILLERY_MAX_SEEDS);
          return FALSE;
        }
      if (!g_ascii_string_to_unsigned (g_strstrip (*p), 10, 0, (guint64) MAX_SEED, &v, NULL))
        {
          g_set_error (error, DISTILLERY_EXPERIMENT_ERROR, DISTILLERY_EXPERIMENT_ERROR_INVALID,
                       _("“%s”: seeds are whole numbers separated by commas, as in “1, 2, 3”."), text);
          return FALSE;
        }
      seeds[n++] = v;
    }
  if (n == 0)
    {
      g_set_error (error, DISTILLERY_EXPERIMENT_ERROR, DISTILLERY_EXPERIMENT_ERROR_INVALID,
                   _("At least one seed is needed."));
      return FALSE;
    }
  e->n_seeds = n;
  memcpy (e->seeds, seeds, n * sizeof (guint64));
  e->seed = seeds[0];
  return TRUE;
}

char *
distillery_format_seeds (const DistilleryExperiment *e)
{
  GString *s = g_string_new (NULL);
  if (e->n_seeds == 0)
    g_string_append_printf (s, "%" G_GUINT64_FORMAT, e->seed);
  for (int i = 0; i < e->n_seeds; i++)
    g_string_append_printf (s, "%s%" G_GUINT64_FORMAT, i ? ", " : "", e->seeds[i]);
  return g_string_free (s, FALSE);
}

gboolean
distillery_parse_left_out (const char *text, DistilleryLeftOut *left_out, GError **error)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);
  gboolean seen[1000] = { FALSE };
  int n = 0;

  g_return_val_if_fail (text != NULL && left_out != NULL, FALSE);

  for (char **p = parts; *p != NULL; p++)
    {
      guint64 v;
      if (*g_strstrip (*p) == '\0' && parts[1] == NULL)
        break;   /* "": no class left out */
      if (!g_ascii_string_to_unsigned (*p, 10, 0, 999, &v, NULL))
        {
          g_set_error (error, DISTILLERY_EXPERIMENT_ERROR, DISTILLERY_EXPERIMENT_ERROR_INVALID,
                       _("“%s”: classes are numbers from 0 to 999 separated by commas, as in “3” or “3, 5”."),
                       text);
          return FALSE;
        }
      if (!seen[v] && ++n > DISTILLERY_MAX_LEFT_OUT)
        {
          g_set_error (error, DISTILLERY_EXPERIMENT_ERROR, DISTILLERY_EXPERIMENT_ERROR_INVALID,
                       _("“%s”: at most %d classes can be left out."), text, DISTILLERY_MAX_LEFT_OUT);
          return FALSE;
        }
      seen[v] = TRUE;
    }
  left_out->n_classes = 0;
  for (int c = 0; c < 1000; c++)
    if (seen[c])
      left_out->classes[left_out->n_classes++] = c;
  return TRUE;
}

char *
distillery_format_left_out (const DistilleryLeftOut *left_out)
{
  GString *s = g_string_new (NULL);
  for (int i = 0; i < left_out->n_classes; i++)
    g_string_append_printf (s, "%s%d", i ? ", " : "", left_out->classes[i]);
  return g_string_free (s, FALSE);
}

/* Reading helpers: each returns FALSE with an error naming `where.name`. */

static gboolean
invalid (GError **error, const char *where, const char *name, const char *expected)
{
  g_set_error (error, DISTILLERY_EXPERIMENT_ERROR, DISTILLERY_EXPERIMENT_ERROR_INVALID,
               _("Experiment setting “%s%s%s”: expected %s."),
               where, *where ? "." : "", name, expected);
  return FALSE;
}

static JsonNode *
member (JsonObject *o, const char *name)
{
  return o != NULL && json_object_has_member (o, name) ? json_object_get_member (o, name) : NULL;
}

static gboolean
read_number (JsonObject *o, const char *where, const char *name,
             double min, double max, double *out, GError **error)
{
  JsonNode *n = member (o, name);
  if (n == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (n)
      || (json_node_get_value_type (n) != G_TYPE_DOUBLE && json_node_get_value_type (n) != G_TYPE_INT64))
    return invalid (error, where, name, _("a number"));
  double v = json_node_get_double (n);
  if (!(v >= min && v <= max))
    {
      g_autofree char *range = g_strdup_printf (_("a number from %g to %g"), min, max);
      return invalid (error, where, name, range);
    }
  *out = v;
  return TRUE;
}

static gboolean
read_float (JsonObject *o, const char *where, const char *name,
            double min, double max, float *out, GError **error)
{
  double v = *out;
  if (!read_number (o, where, name, min, max, &v, error))
    return FALSE;
  *out = (float) v;
  return TRUE;
}

static gboolean
read_int (JsonObject *o, const char *where, const char *name,
          double min, double max, int *out, GError **error)
{
  double v = *out;
  if (!read_number (o, where, name, min, max, &v, error))
    return FALSE;
  if (v != floor (v))
    return invalid (error, where, name, _("a whole number"));
  *out = (int) v;
  return TRUE;
}

static gboolean
read_choice (JsonObject *o, const char *where, const char *name,
             const char *const *choices, int n_choices, int *out, GError **error)
{
  JsonNode *n = member (o, name);
  if (n == NULL)
    return TRUE;
  if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING)
    for (int i = 0; i < n_choices; i++)
      if (g_strcmp0 (json_node_get_string (n), choices[i]) == 0)
        {
          *out = i;
          return TRUE;
        }
  GString *list = g_string_new (NULL);
  for (int i = 0; i < n_choices; i++)
    g_string_append_printf (list, "%s“%s”", i ? ", " : "", choices[i]);
  g_autofree char *choice_list = g_string_free (list, FALSE);
  g_autofree char *expected = g_strdup_printf (_("one of %s"), choice_list);
  return invalid (error, where, name, expected);
}

static gboolean
read_string (JsonObject *o, const char *where, const char *name, char **out, GError **error)
{
  JsonNode *n = member (o, name);
  if (n == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return invalid (error, where, name, _("a string"));
  g_free (*out);
  *out = g_strdup (json_node_get_string (n));
  return TRUE;
}

static JsonObject *
read_object (JsonObject *o, const char *where, const char *name, GError **error)
{
  JsonNode *n = member (o, name);
  if (n == NULL || JSON_NODE_HOLDS_OBJECT (n))
    return n ? json_node_get_object (n) : NULL;
  invalid (error, where, name, _("an object"));
  return NULL;
}

#define NAMES(a) (a), (int) G_N_ELEMENTS (a)

static gboolean
merge_model (KdTrainConfig *c, JsonObject *o, const char *where, gboolean student, GError **error)
{
  GError *local = NULL;
  JsonNode *hidden = member (o, "hidden");
  JsonObject *opt, *sched, *distil;
  int act = c->model.activation, init = c->init, kind;
  const char *acts[] = { "none", "relu", "gelu", "tanh", "sigmoid" };

  if (hidden != NULL)
    {
      JsonArray *a = JSON_NODE_HOLDS_ARRAY (hidden) ? json_node_get_array (hidden) : NULL;
      guint n = a ? json_array_get_length (a) : 0;
      if (a == NULL || n > KD_MLP_MAX_HIDDEN)
        return invalid (error, where, "hidden", _("a list of at most 8 layer sizes"));
      for (guint i = 0; i < n; i++)
        {
          JsonNode *e = json_array_get_element (a, i);
          if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_INT64
              || json_node_get_int (e) < 1 || json_node_get_int (e) > 65536)
            return invalid (error, where, "hidden", _("a list of whole numbers from 1 to 65536"));
          c->model.hidden[i] = (int) json_node_get_int (e);
        }
      c->model.n_hidden = (int) n;
    }
  if (!read_choice (o, where, "activation", NAMES (acts), &act, error)
      || !read_choice (o, where, "init", NAMES (init_names), &init, error)
      || !read_float (o, where, "dropout_input", 0, 0.95, &c->model.dropout_input, error)
      || !read_float (o, where, "dropout_hidden", 0, 0.95, &c->model.dropout_hidden, error)
      || !read_float (o, where, "input_noise", 0, 100, &c->model.input_noise, error)
      || !read_int (o, where, "epochs", 1, 100000, &c->epochs, error)
      || !read_int (o, where, "batch_size", 1, 65536, &c->batch_size, error)
      || !read_float (o, where, "label_smoothing", 0, 0.99, &c->label_smoothing, error)
      || !read_int (o, where, "input_jitter", 0, 100, &c->jitter, error)
      || !read_float (o, where, "max_norm", 0, 1e6, &c->max_norm, error))
    return FALSE;
  c->model.activation = act;
  c->init = init;

  g_autofree char *opt_where = g_strconcat (where, ".optimizer", NULL);
  if ((opt = read_object (o, where, "optimizer", &local)) != NULL)
    {
      kind = c->optimizer.kind;
      const char *opts[] = { "sgd", "adam", "adamw" };
      if (!read_choice (opt, opt_where, "kind", NAMES (opts), &kind, error))
        return FALSE;
      if (kind != (int) c->optimizer.kind)
        kd_optimizer_config_init (&c->optimizer, kind);
      if (!read_float (opt, opt_where, "learning_rate", 1e-9, 100, &c->optimizer.learning_rate, error)
          || !read_float (opt, opt_where, "momentum", 0, 0.9999, &c->optimizer.momentum, error)
          || !read_float (opt, opt_where, "weight_decay", 0, 10, &c->optimizer.weight_decay, error)
          || !read_float (opt, opt_where, "beta1", 0, 0.9999, &c->optimizer.beta1, error)
          || !read_float (opt, opt_where, "beta2", 0, 0.999999, &c->optimizer.beta2, error)
          || !read_float (opt, opt_where, "eps", 1e-12, 1, &c->optimizer.eps, error))
        return FALSE;
      JsonNode *nesterov = member (opt, "nesterov");
      if (nesterov != NULL)
        {
          if (!JSON_NODE_HOLDS_VALUE (nesterov) || json_node_get_value_type (nesterov) != G_TYPE_BOOLEAN)
            return invalid (error, opt_where, "nesterov", _("true or false"));
          c->optimizer.nesterov = json_node_get_boolean (nesterov);
        }
    }
  if (local != NULL)
    return g_propagate_error (error, local), FALSE;

  g_autofree char *sched_where = g_strconcat (where, ".schedule", NULL);
  if ((sched = read_object (o, where, "schedule", &local)) != NULL)
    {
      const char *names[] = { "constant", "step", "cosine" };
      kind = c->schedule.kind;
      if (!read_choice (sched, sched_where, "kind", NAMES (names), &kind, error)
          || !read_float (sched, sched_where, "step_epochs", 0, 1e6, &c->schedule.step_epochs, error)
          || !read_float (sched, sched_where, "gamma", 0, 1, &c->schedule.gamma, error)
          || !read_float (sched, sched_where, "warmup_epochs", 0, 1e6, &c->schedule.warmup_epochs, error)
          || !read_float (sched, sched_where, "min_factor", 0, 1, &c->schedule.min_factor, error))
        return FALSE;
      c->schedule.kind = kind;
    }
  if (local != NULL)
    return g_propagate_error (error, local), FALSE;

  if (!student)
    return TRUE;

  g_autofree char *distil_where = g_strconcat (where, ".distillation", NULL);
  if ((distil = read_object (o, where, "distillation", &local)) != NULL)
    {
      kind = c->teacher_kind;
      if (!read_float (distil, distil_where, "temperature", 0.01, 1000, &c->temperature, error)
          || !read_float (distil, distil_where, "alpha", 0, 1, &c->alpha, error)
          || !read_choice (distil, distil_where, "teacher_reveals", NAMES (reveal_names), &kind, error)
          || !read_int (distil, distil_where, "top_k", 0, 1 << 16, &c->top_k, error))
        return FALSE;
      c->teacher_kind = kind;
    }
  if (local != NULL)
    return g_propagate_error (error, local), FALSE;
  return TRUE;
}

/* "transfer_set": {"leave_out_classes": [3]}, "evaluation": {"left_out_bias": 3.5} */
static gboolean
merge_left_out (DistilleryLeftOut *left_out, JsonObject *o, GError **error)
{
  GError *local = NULL;
  JsonObject *transfer = read_object (o, "", "transfer_set", &local);
  JsonObject *evaluation = local ? NULL : read_object (o, "", "evaluation", &local);
  JsonNode *classes = member (transfer, "leave_out_classes");

  if (local != NULL)
    return g_propagate_error (error, local), FALSE;
  if (classes != NULL)
    {
      g_autofree char *expected = g_strdup_printf (_("a list of at most %d different class numbers from 0 to %d"),
                                                   DISTILLERY_MAX_LEFT_OUT, 999);
      JsonArray *a = JSON_NODE_HOLDS_ARRAY (classes) ? json_node_get_array (classes) : NULL;
      guint n = a ? json_array_get_length (a) : G_MAXUINT;
      gboolean seen[1000] = { FALSE };
      if (n > DISTILLERY_MAX_LEFT_OUT)
        return invalid (error, "transfer_set", "leave_out_classes", expected);
      for (guint i = 0; i < n; i++)
        {
          JsonNode *v = json_array_get_element (a, i);
          if (!JSON_NODE_HOLDS_VALUE (v) || json_node_get_value_type (v) != G_TYPE_INT64
              || json_node_get_int (v) < 0 || json_node_get_int (v) > 999 || seen[json_node_get_int (v)])
            return invalid (error, "transfer_set", "leave_out_classes", expected);
          seen[json_node_get_int (v)] = TRUE;
        }
      left_out->n_classes = 0;
      for (int c = 0; c < 1000; c++)
        if (seen[c])
          left_out->classes[left_out->n_classes++] = c;
    }
  if (!read_float (evaluation, "evaluation", "left_out_bias", -1000, 1000, &left_out->bias, error))
    return FALSE;
  if (left_out->bias != 0 && left_out->n_classes == 0)
    return invalid (error, "evaluation", "left_out_bias",
                    _("0 unless classes are left out of the transfer set (transfer_set.leave_out_classes)"));
  return TRUE;
}

gboolean
distillery_experiment_merge_json (DistilleryExperiment *e, JsonNode *root, GError **error)
{
  JsonObject *o, *data, *model;
  GError *local = NULL;
  double seed = (double) e->seed;
  int version = DISTILLERY_EXPERIMENT_VERSION, source = e->data.kind;

  g_return_val_if_fail (e != NULL && root != NULL, FALSE);

  if (!JSON_NODE_HOLDS_OBJECT (root))
    return invalid (error, "", _("(top level)"), _("an object"));
  o = json_node_get_object (root);

  if (!read_int (o, "", "version", 1, G_MAXINT, &version, error))
    return FALSE;
  if (version > DISTILLERY_EXPERIMENT_VERSION)
    {
      g_set_error (error, DISTILLERY_EXPERIMENT_ERROR, DISTILLERY_EXPERIMENT_ERROR_VERSION,
                   _("This experiment was written by a newer Distillery (format %d; this one reads up to %d)."),
                   version, DISTILLERY_EXPERIMENT_VERSION);
      return FALSE;
    }
  if (!read_number (o, "", "seed", 0, MAX_SEED, &seed, error))
    return FALSE;
  e->seed = (guint64) seed;
  JsonNode *seeds = member (o, "seeds");
  if (seeds != NULL)
    {
      JsonArray *a = JSON_NODE_HOLDS_ARRAY (seeds) ? json_node_get_array (seeds) : NULL;
      guint n = a ? json_array_get_length (a) : 0;
      if (n < 1 || n > DISTILLERY_MAX_SEEDS)
        return invalid (error, "", "seeds", _("a list of 1 to 32 seeds"));
      for (guint i = 0; i < n; i++)
        {
          JsonNode *v = json_array_get_element (a, i);
          if (!JSON_NODE_HOLDS_VALUE (v) || json_node_get_value_type (v) != G_TYPE_INT64
              || json_node_get_int (v) < 0 || json_node_get_int (v) > (gint64) MAX_SEED)
            return invalid (error, "", "seeds", _("a list of whole numbers from 0 to 2^53"));
          e->seeds[i] = (guint64) json_node_get_int (v);
        }
      e->n_seeds = (int) n;
      e->seed = e->seeds[0];
    }

  JsonObject *disclosure = read_object (o, "", "disclosure", &local);
  if (local != NULL)
    return g_propagate_error (error, local), FALSE;
  if (disclosure != NULL)
    {
      const char *selections[] = { "random", "uncertain" };
      double budget = (double) e->budget, sweep_of = (double) e->sweep_of;
      if (!read_int (disclosure, "disclosure", "round_digits", -1, 9, &e->round_digits, error)
          || !read_number (disclosure, "disclosure", "budget", 0, 1e12, &budget, error)
          || !read_choice (disclosure, "disclosure", "selection", NAMES (selections), &e->selection, error)
          || !read_number (disclosure, "disclosure", "sweep_of", 0, MAX_SEED, &sweep_of, error))
        return FALSE;
      e->budget = (gint64) budget;
      e->sweep_of = (gint64) sweep_of;
    }

  if ((data = read_object (o, "", "data", &local)) != NULL)
    {
      if (!read_choice (data, "data", "source", NAMES (source_names), &source, error)
          || !read_string (data, "data", "train_images", &e->data.train_images, error)
          || !read_string (data, "data", "train_labels", &e->data.train_labels, error)
          || !read_string (data, "data", "test_images", &e->data.test_images, error)
          || !read_string (data, "data", "test_labels", &e->data.test_labels, error)
          || !read_string (data, "data", "path", &e->data.csv_path, error)
          || !read_string (data, "data", "label_column", &e->data.label_column, error)
          || !read_number (data, "data", "test_fraction", 0.01, 0.99, &e->data.test_fraction, error))
        return FALSE;
      e->data.kind = source;
    }
  if (local != NULL)
    return g_propagate_error (error, local), FALSE;

  if ((model = read_object (o, "", "teacher", &local)) != NULL
      && !merge_model (&e->teacher, model, "teacher", FALSE, error))
    return FALSE;
  if (local != NULL)
    return g_propagate_error (error, local), FALSE;
  if ((model = read_object (o, "", "student", &local)) != NULL
      && !merge_model (&e->student, model, "student", TRUE, error))
    return FALSE;
  if (local != NULL)
    return g_propagate_error (error, local), FALSE;

  if (!merge_left_out (&e->left_out, o, error))
    return FALSE;
  return TRUE;
}

gboolean
distillery_experiment_merge_file (DistilleryExperiment *e, const char *path, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local = NULL;
  g_autofree char *name = g_filename_display_name (path);

  if (!json_parser_load_from_file (parser, path, &local))
    {
      g_set_error (error, DISTILLERY_EXPERIMENT_ERROR, DISTILLERY_EXPERIMENT_ERROR_PARSE,
                   "%s: %s", name, local->message);
      return FALSE;
    }
  if (!distillery_experiment_merge_json (e, json_parser_get_root (parser), &local))
    {
      g_set_error (error, DISTILLERY_EXPERIMENT_ERROR, local->code, "%s: %s", name, local->message);
      return FALSE;
    }
  return TRUE;
}

static void
add_double (JsonBuilder *b, const char *name, double value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_double_value (b, value);
}

static void
add_int (JsonBuilder *b, const char *name, gint64 value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

static void
add_boolean (JsonBuilder *b, const char *name, gboolean value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_boolean_value (b, value);
}

/* Leaves out NULL strings: absent members keep their default on reading. */
static void
add_string (JsonBuilder *b, const char *name, const char *value)
{
  if (value == NULL)
    return;
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

static void
build_model (JsonBuilder *b, const KdTrainConfig *c, gboolean student)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "hidden");
  json_builder_begin_array (b);
  for (int i = 0; i < c->model.n_hidden; i++)
    json_builder_add_int_value (b, c->model.hidden[i]);
  json_builder_end_array (b);
  add_string (b, "activation", kd_activation_name (c->model.activation));
  add_string (b, "init", init_names[c->init]);
  add_double (b, "dropout_input", c->model.dropout_input);
  add_double (b, "dropout_hidden", c->model.dropout_hidden);
  add_double (b, "input_noise", c->model.input_noise);
  add_int (b, "epochs", c->epochs);
  add_int (b, "batch_size", c->batch_size);
  add_double (b, "label_smoothing", c->label_smoothing);
  /* Written only when used: a version 1 reader would ignore them. */
  if (c->jitter > 0)
    add_int (b, "input_jitter", c->jitter);
  if (c->max_norm > 0)
    add_double (b, "max_norm", c->max_norm);

  json_builder_set_member_name (b, "optimizer");
  json_builder_begin_object (b);
  add_string (b, "kind", kd_optimizer_name (c->optimizer.kind));
  add_double (b, "learning_rate", c->optimizer.learning_rate);
  add_double (b, "momentum", c->optimizer.momentum);
  add_boolean (b, "nesterov", c->optimizer.nesterov);
  add_double (b, "weight_decay", c->optimizer.weight_decay);
  add_double (b, "beta1", c->optimizer.beta1);
  add_double (b, "beta2", c->optimizer.beta2);
  add_double (b, "eps", c->optimizer.eps);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "schedule");
  json_builder_begin_object (b);
  add_string (b, "kind", kd_schedule_name (c->schedule.kind));
  add_double (b, "step_epochs", c->schedule.step_epochs);
  add_double (b, "gamma", c->schedule.gamma);
  add_double (b, "warmup_epochs", c->schedule.warmup_epochs);
  add_double (b, "min_factor", c->schedule.min_factor);
  json_builder_end_object (b);

  if (student)
    {
      json_builder_set_member_name (b, "distillation");
      json_builder_begin_object (b);
      add_double (b, "temperature", c->temperature);
      add_double (b, "alpha", c->alpha);
      add_string (b, "teacher_reveals", reveal_names[c->teacher_kind]);
      add_int (b, "top_k", c->top_k);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
}

/* Whether an older build, which would ignore these settings and so
 * train something else, must refuse the experiment. */
static gboolean
uses_version_2 (const DistilleryExperiment *e)
{
  return e->left_out.n_classes > 0
         || e->teacher.jitter > 0 || e->teacher.max_norm > 0
         || e->student.jitter > 0 || e->student.max_norm > 0;
}

JsonNode *
distillery_experiment_to_json (const DistilleryExperiment *e)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  add_int (b, "version", uses_version_2 (e) ? 2 : 1);
  add_int (b, "seed", (gint64) e->seed);
  if (e->n_seeds > 0)
    {
      json_builder_set_member_name (b, "seeds");
      json_builder_begin_array (b);
      for (int i = 0; i < e->n_seeds; i++)
        json_builder_add_int_value (b, (gint64) e->seeds[i]);
      json_builder_end_array (b);
    }

  json_builder_set_member_name (b, "disclosure");
  json_builder_begin_object (b);
  add_int (b, "round_digits", e->round_digits);
  add_int (b, "budget", e->budget);
  add_string (b, "selection", e->selection ? "uncertain" : "random");
  if (e->sweep_of > 0)
    add_int (b, "sweep_of", e->sweep_of);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "data");
  json_builder_begin_object (b);
  add_string (b, "source", source_names[e->data.kind]);
  add_string (b, "train_images", e->data.train_images);
  add_string (b, "train_labels", e->data.train_labels);
  add_string (b, "test_images", e->data.test_images);
  add_string (b, "test_labels", e->data.test_labels);
  add_string (b, "path", e->data.csv_path);
  add_string (b, "label_column", e->data.label_column);
  add_double (b, "test_fraction", e->data.test_fraction);
  json_builder_end_object (b);

  if (e->left_out.n_classes > 0)
    {
      json_builder_set_member_name (b, "transfer_set");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "leave_out_classes");
      json_builder_begin_array (b);
      for (int i = 0; i < e->left_out.n_classes; i++)
        json_builder_add_int_value (b, e->left_out.classes[i]);
      json_builder_end_array (b);
      json_builder_end_object (b);
      json_builder_set_member_name (b, "evaluation");
      json_builder_begin_object (b);
      add_double (b, "left_out_bias", e->left_out.bias);
      json_builder_end_object (b);
    }

  json_builder_set_member_name (b, "teacher");
  build_model (b, &e->teacher, FALSE);
  json_builder_set_member_name (b, "student");
  build_model (b, &e->student, TRUE);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

void
distillery_experiment_get_disclosure (const DistilleryExperiment *e, DistilleryDisclosure *policy)
{
  static const DistilleryAnswerKind reveals[] = {
    [KD_TEACHER_LOGITS] = DISTILLERY_ANSWER_LOGITS, [KD_TEACHER_PROBS] = DISTILLERY_ANSWER_PROBABILITIES,
    [KD_TEACHER_TOPK] = DISTILLERY_ANSWER_TOP_K, [KD_TEACHER_LABEL] = DISTILLERY_ANSWER_LABELS,
  };
  distillery_disclosure_init_full (policy);
  policy->reveals = reveals[e->student.teacher_kind];
  policy->top_k = e->student.top_k;
  policy->digits = policy->reveals == DISTILLERY_ANSWER_PROBABILITIES ? e->round_digits : -1;
  policy->budget = e->budget;
  policy->selection = e->selection;
}
