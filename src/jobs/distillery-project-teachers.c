/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The teachers of a project: adding them (ensembles, recorded answers,
 * external programs), opening the teacher a stored row describes, and
 * what a run is shown of it: the answers under the experiment's
 * disclosure policy, taken from the project's cache where it has them,
 * for the samples a budget pays for. See distillery-project.h.
 */
#include "config.h"

#include <inttypes.h>

#include "distillery-project-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "distillery-answers.h"
#include "distillery-answers-teacher.h"
#include "distillery-consent.h"
#include "distillery-ensemble-teacher.h"
#include "distillery-mlp-teacher.h"
#include "distillery-program-teacher.h"

GArray *
distillery_project_add_budget_sweep (DistilleryStore *store, gint64 experiment_id, const gint64 *budgets,
                                     guint n_budgets, GError **error)
{
  g_autoptr(DistilleryStoreExperiment) x = distillery_store_get_experiment (store, experiment_id, error);
  g_autoptr(DistilleryExperiment) settings = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  if (x == NULL || !_distillery_project_settings_from_json (x->settings, &settings, error))
    return NULL;
  if (x->teacher_id == 0)
    {
      g_set_error (error, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_CONFIG,
                   _("The experiment “%s” has no teacher to ask questions of."), x->name);
      return NULL;
    }
  for (guint i = 0; i < n_budgets; i++)
    {
      g_autofree char *name = g_strdup_printf (_("%s, %" PRId64 " questions"), x->name, budgets[i]);
      g_autoptr(DistilleryStoreExperiment) same = distillery_store_find_experiment (store, name, NULL);
      gint64 id = same ? same->id : 0;
      if (budgets[i] <= 0)
        {
          g_set_error (error, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_CONFIG,
                       _("A budget is a number of questions above zero, not %" PRId64 "."), budgets[i]);
          return NULL;
        }
      /* A sweep run again reuses the experiments it made. */
      if (id == 0)
        {
          settings->budget = budgets[i];
          id = distillery_project_add_experiment (store, name, x->dataset_id, x->teacher_id, settings, error);
          if (id == 0)
            return NULL;
        }
      g_array_append_val (ids, id);
    }
  return g_steal_pointer (&ids);
}

gint64
distillery_project_add_ensemble (DistilleryStore *store, const char *name, const gint64 *members,
                                 const double *weights, guint n_members, gboolean logits, double temperature,
                                 GError **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  gint64 dataset_id = 0;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "members");
  json_builder_begin_array (b);
  for (guint i = 0; i < n_members; i++)
    {
      g_autoptr(DistilleryStoreTeacher) m = distillery_store_get_teacher (store, members[i], error);
      if (m == NULL)
        return 0;
      if (i > 0 && m->dataset_id != dataset_id)
        {
          g_set_error_literal (error, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_CONFIG,
                               _("The teachers of an ensemble must answer about the same data set."));
          return 0;
        }
      dataset_id = m->dataset_id;
      json_builder_add_int_value (b, members[i]);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "weights");
  json_builder_begin_array (b);
  for (guint i = 0; i < n_members; i++)
    json_builder_add_double_value (b, weights ? weights[i] : 1);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "mode");
  json_builder_add_string_value (b, logits ? "logits" : "probabilities");
  json_builder_set_member_name (b, "temperature");
  json_builder_add_double_value (b, temperature);
  json_builder_end_object (b);
  if (n_members == 0 || !(temperature > 0))
    {
      g_set_error_literal (error, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_CONFIG,
                           _("An ensemble needs at least one teacher and a temperature above zero."));
      return 0;
    }
  g_autoptr(JsonNode) root = json_builder_get_root (b);
  g_autofree char *settings = json_to_string (root, FALSE);
  DistilleryStoreTeacher row = { .name = (char *) name, .kind = (char *) "ensemble", .settings = settings,
                                 .dataset_id = dataset_id };
  return distillery_store_add_teacher (store, &row, error);
}

gint64
distillery_project_import_answers (DistilleryStore *store, gint64 dataset_id, const char *name,
                                   const char *path, DistilleryAnswerKind kind, const char *id_column,
                                   GError **error)
{
  DistilleryDataset *train = NULL, *test = NULL;
  g_autoptr(GBytes) bytes = _distillery_project_read_bytes (path, error);
  g_autofree char *file_name = g_path_get_basename (path);
  gint64 teacher = 0;

  if (bytes == NULL || !distillery_project_load_dataset (store, dataset_id, &train, &test, error))
    return 0;
  /* A data set split here covers every row of its file, training and test
   * samples alike; one imported with a test file has its training file's
   * rows only, and its test samples go without the teacher's view. */
  gboolean whole_file = train->origin != NULL;
  gsize n_rows = whole_file ? (gsize) train->n_samples + test->n_samples : train->n_samples;
  const guint C = train->n_classes;
  g_autofree float *rows = distillery_answers_load_bytes (bytes, file_name, n_rows, C,
                                                          kind == DISTILLERY_ANSWER_PROBABILITIES, id_column, error);
  if (rows != NULL)
    {
      g_autofree char *settings = g_strdup_printf ("{\"answers\":\"%s\"}", distillery_answer_kind_to_string (kind));
      DistilleryStoreTeacher row = { .name = (char *) name, .kind = (char *) "answers", .settings = settings,
                                     .dataset_id = dataset_id };
      teacher = distillery_store_add_teacher (store, &row, error);
      for (guint s = 0; teacher > 0 && s < (whole_file ? 2u : 1u); s++)
        {
          DistilleryDataset *part = s == 0 ? train : test;
          g_autofree guint32 *samples = g_new (guint32, MAX (part->n_samples, 1));
          g_autofree float *mine = g_new (float, MAX ((gsize) part->n_samples * C, 1));
          for (guint i = 0; i < part->n_samples; i++)
            {
              guint32 origin = part->origin ? part->origin[i] : i;
              samples[i] = i;
              memcpy (mine + (gsize) i * C, rows + (gsize) origin * C, C * sizeof (float));
            }
          if (!distillery_store_put_answers (store, teacher, dataset_id, s == 0 ? "train" : "test",
                                             distillery_answer_kind_to_string (kind), samples, mine,
                                             part->n_samples, C, error))
            teacher = 0;
        }
    }
  distillery_dataset_free (train);
  distillery_dataset_free (test);
  return teacher;
}

typedef struct
{
  gint64   teacher_id, dataset_id;
  char    *policy;
  guint32 *samples;
  float   *answers;
  guint    n, n_classes;
} Answers;

static gboolean
write_answers (DistilleryStore *store, gpointer data, GError **error)
{
  Answers *a = data;
  return distillery_store_put_answers (store, a->teacher_id, a->dataset_id, "train", a->policy,
                                       a->samples, a->answers, a->n, a->n_classes, error);
}

static void
answers_free (gpointer data)
{
  Answers *a = data;
  g_free (a->policy);
  g_free (a->samples);
  g_free (a->answers);
  g_free (a);
}

static DistilleryTeacher *
open_teacher (DistilleryStore *store, const DistilleryStoreTeacher *t, const KdData *data,
              const char *split, guint depth, GError **error);

/* A recorded-answers teacher holds its answers in the cache under their
 * own kind ("logits" or "probabilities"), for the training and, when the
 * file covered them, the test samples. */
static DistilleryTeacher *
open_answers_teacher (DistilleryStore *store, const DistilleryStoreTeacher *t, const KdData *data,
                      const char *split, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  DistilleryAnswerKind kind = DISTILLERY_ANSWER_LOGITS;
  const char *kind_name = NULL;

  if (json_parser_load_from_data (parser, t->settings, -1, NULL) && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    kind_name = json_object_get_string_member_with_default (json_node_get_object (json_parser_get_root (parser)),
                                                            "answers", NULL);
  if (!distillery_answer_kind_from_string (kind_name, &kind))
    {
      g_set_error (error, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_CONFIG,
                   _("The teacher “%s” does not say what its answers are."), t->name);
      return NULL;
    }
  const gsize n = data->n, C = data->n_classes;
  float *rows = _distillery_project_try_alloc (n * C, sizeof (float), _("the teacher's answers"), error);
  g_autofree gboolean *found = rows ? _distillery_project_try_alloc (n, sizeof (gboolean), _("the teacher's answers"), error) : NULL;
  if (found == NULL)
    {
      g_free (rows);
      return NULL;
    }
  memset (found, 0, n * sizeof (gboolean));
  gint64 have = distillery_store_get_answers (store, t->id, t->dataset_id, split, kind_name, rows, n, C, found, error);
  if (have < 0 || (gsize) have < n)
    {
      if (have >= 0)
        g_set_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_NOT_FOUND,
                     _("The recorded answers of “%s” do not cover the %s samples."), t->name, split);
      g_free (rows);
      return NULL;
    }
  return distillery_answers_teacher_new (rows, kind, n, (guint) C);
}

/* An ensemble: its members opened in turn (ensembles may nest, but not
 * contain themselves). */
static DistilleryTeacher *
open_ensemble_teacher (DistilleryStore *store, const DistilleryStoreTeacher *t, const KdData *data,
                       const char *split, guint depth, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) members = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GArray) weights = g_array_new (FALSE, FALSE, sizeof (double));
  JsonObject *o;

  if (depth > 8 || !json_parser_load_from_data (parser, t->settings, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))
      || !json_object_has_member (o = json_node_get_object (json_parser_get_root (parser)), "members"))
    {
      g_set_error (error, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_CONFIG,
                   _("The ensemble “%s” does not list its teachers (or contains itself)."), t->name);
      return NULL;
    }
  JsonArray *ids = json_object_get_array_member (o, "members");
  JsonArray *w = json_object_has_member (o, "weights") ? json_object_get_array_member (o, "weights") : NULL;
  for (guint i = 0; ids != NULL && i < json_array_get_length (ids); i++)
    {
      g_autoptr(DistilleryStoreTeacher) m = distillery_store_get_teacher (store, json_array_get_int_element (ids, i), error);
      DistilleryTeacher *member = m ? open_teacher (store, m, data, split, depth + 1, error) : NULL;
      if (member == NULL)
        return NULL;
      g_ptr_array_add (members, member);
      double weight = w != NULL && i < json_array_get_length (w) ? json_array_get_double_element (w, i) : 1;
      g_array_append_val (weights, weight);
    }
  const char *mode = json_object_get_string_member_with_default (o, "mode", "probabilities");
  return distillery_ensemble_teacher_new ((DistilleryTeacher **) members->pdata, (double *) weights->data,
                                          members->len, g_strcmp0 (mode, "logits") == 0
                                            ? DISTILLERY_ENSEMBLE_LOGITS : DISTILLERY_ENSEMBLE_PROBABILITIES,
                                          json_object_get_double_member_with_default (o, "temperature", 1), error);
}

DistilleryTeacher *
distillery_project_open_teacher (DistilleryStore *store, const DistilleryStoreTeacher *t, const KdData *data,
                                 const char *split, GError **error)
{
  g_return_val_if_fail (store != NULL && t != NULL, NULL);
  return open_teacher (store, t, data, split, 0, error);
}

/* A program teacher's argv and time-out, from its settings. */
static char **
program_argv (const DistilleryStoreTeacher *t, guint *timeout_ms)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, t->settings, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  JsonObject *o = json_node_get_object (json_parser_get_root (parser));
  JsonArray *a = json_object_has_member (o, "argv") ? json_object_get_array_member (o, "argv") : NULL;
  if (a == NULL || json_array_get_length (a) == 0)
    return NULL;
  char **argv = g_new0 (char *, json_array_get_length (a) + 1);
  for (guint i = 0; i < json_array_get_length (a); i++)
    argv[i] = g_strdup (json_array_get_string_element (a, i));
  if (timeout_ms != NULL)
    *timeout_ms = (guint) json_object_get_int_member_with_default (o, "timeout_ms", 10000);
  return argv;
}

/* A program teacher starts only with the user's consent for this project
 * and this command (distillery-consent.h). */
static DistilleryTeacher *
open_program_teacher (DistilleryStore *store, const DistilleryStoreTeacher *t, const KdData *data, GError **error)
{
  guint timeout_ms = 10000;
  g_auto(GStrv) argv = program_argv (t, &timeout_ms);
  if (argv == NULL)
    {
      g_set_error (error, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_CONFIG,
                   _("The teacher “%s” does not say which program to run."), t->name);
      return NULL;
    }
  g_autofree char *command = distillery_consent_command ((const char *const *) argv);
  if (!distillery_consent_is_allowed (distillery_store_get_path (store), command))
    {
      g_set_error (error, DISTILLERY_TEACHER_ERROR, DISTILLERY_TEACHER_ERROR_CONSENT,
                   _("The teacher “%s” runs the program “%s”, which you have not allowed for this project. "
                     "A project can come from anyone: allow it in the window when asked, or give "
                     "distillery-cli --allow-external."), t->name, command);
      return NULL;
    }
  return distillery_program_teacher_new ((const char *const *) argv, NULL, (guint) data->n_features,
                                         (guint) data->n_classes, 256, timeout_ms, error);
}

char **
distillery_project_programs_to_allow (DistilleryStore *store, gint64 teacher_id, GError **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GArray) pending = g_array_new (FALSE, FALSE, sizeof (gint64));

  g_array_append_val (pending, teacher_id);
  for (guint i = 0; i < pending->len && i < 64; i++)
    {
      g_autoptr(DistilleryStoreTeacher) t = distillery_store_get_teacher (store, g_array_index (pending, gint64, i), error);
      if (t == NULL)
        return NULL;
      if (g_strcmp0 (t->kind, "program") == 0)
        {
          g_auto(GStrv) argv = program_argv (t, NULL);
          g_autofree char *command = argv ? distillery_consent_command ((const char *const *) argv) : NULL;
          if (command != NULL && !distillery_consent_is_allowed (distillery_store_get_path (store), command))
            g_strv_builder_add (builder, command);
        }
      else if (g_strcmp0 (t->kind, "ensemble") == 0)
        {
          g_autoptr(JsonParser) parser = json_parser_new ();
          if (json_parser_load_from_data (parser, t->settings, -1, NULL)
              && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
            {
              JsonObject *o = json_node_get_object (json_parser_get_root (parser));
              JsonArray *ids = json_object_has_member (o, "members") ? json_object_get_array_member (o, "members") : NULL;
              for (guint m = 0; ids != NULL && m < json_array_get_length (ids); m++)
                {
                  gint64 id = json_array_get_int_element (ids, m);
                  g_array_append_val (pending, id);
                }
            }
        }
    }
  return g_strv_builder_end (builder);
}

gint64
distillery_project_add_program_teacher (DistilleryStore *store, const char *name, gint64 dataset_id,
                                        const char *const *argv, guint timeout_ms, GError **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  if (argv == NULL || argv[0] == NULL)
    {
      g_set_error_literal (error, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_CONFIG,
                           _("A program teacher needs a program to run."));
      return 0;
    }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "argv");
  json_builder_begin_array (b);
  for (guint i = 0; argv[i] != NULL; i++)
    json_builder_add_string_value (b, argv[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "timeout_ms");
  json_builder_add_int_value (b, timeout_ms);
  json_builder_end_object (b);
  g_autoptr(JsonNode) root = json_builder_get_root (b);
  g_autofree char *settings = json_to_string (root, FALSE);
  DistilleryStoreTeacher row = { .name = (char *) name, .kind = (char *) "program", .settings = settings,
                                 .dataset_id = dataset_id };
  gint64 id = distillery_store_add_teacher (store, &row, error);
  /* Whoever adds a program means it to run. */
  g_autofree char *command = distillery_consent_command (argv);
  if (id > 0 && !distillery_consent_allow (distillery_store_get_path (store), command, error))
    return 0;
  return id;
}

static DistilleryTeacher *
open_teacher (DistilleryStore *store, const DistilleryStoreTeacher *t, const KdData *data,
              const char *split, guint depth, GError **error)
{
  if (g_strcmp0 (t->kind, "program") == 0)
    return open_program_teacher (store, t, data, error);
  if (g_strcmp0 (t->kind, "answers") == 0)
    return open_answers_teacher (store, t, data, split, error);
  if (g_strcmp0 (t->kind, "ensemble") == 0)
    return open_ensemble_teacher (store, t, data, split, depth, error);
  if (g_strcmp0 (t->kind, "mlp") != 0)
    {
      g_set_error (error, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_CONFIG,
                   _("The teacher “%s” is of a kind (%s) that runs cannot ask yet."), t->name, t->kind);
      return NULL;
    }
  g_autoptr(DistilleryStoreRun) run = _distillery_project_finished_teacher_run (store, t);
  if (run == NULL)
    {
      g_set_error (error, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_CONFIG,
                   _("The teacher “%s” has not been trained."), t->name);
      return NULL;
    }
  g_autoptr(GBytes) blob = distillery_store_get_model (store, run->id, error);
  return blob ? distillery_mlp_teacher_new_from_blob (blob, error) : NULL;
}

/* Keeps the chosen training samples only: a budget paid for these. */
static gboolean
keep_samples (DistilleryRunData *p, const guint32 *chosen, gsize m, GError **error)
{
  const gsize F = p->train.n_features, C = p->train.n_classes;
  float *features = _distillery_project_try_alloc (m * F, sizeof (float), _("the questions the budget paid for"), error);
  gint32 *labels = features ? _distillery_project_try_alloc (m, sizeof (gint32), _("the questions the budget paid for"), error) : NULL;
  float *answers = labels ? _distillery_project_try_alloc (m * C, sizeof (float), _("the questions the budget paid for"), error) : NULL;

  if (answers == NULL)
    {
      g_free (features);
      g_free (labels);
      return FALSE;
    }
  for (gsize i = 0; i < m; i++)
    {
      memcpy (features + i * F, p->train.features + (gsize) chosen[i] * F, F * sizeof (float));
      labels[i] = p->train.labels[chosen[i]];
      memcpy (answers + i * C, p->answers + (gsize) chosen[i] * C, C * sizeof (float));
    }
  g_free (p->answers);
  p->answers = answers;
  p->subset_features = features;
  p->subset_labels = labels;
  p->train.features = features;
  p->train.labels = labels;
  p->train.n = m;
  return TRUE;
}

/* What the teacher reveals of the training set under the experiment's
 * policy (from the project's cache for every sample it has, asking the
 * teacher about the others), and its probabilities on the test set, which
 * measure agreement and are not part of the budget. Under a budget only
 * the samples it paid for are kept to train on. */
gboolean
_distillery_project_teacher_answers (DistilleryStore *store, DistilleryWriter *writer, gint64 run_id,
                 const DistilleryStoreTeacher *t, DistilleryRunData *p, GError **error)
{
  const gsize C = p->train.n_classes, n = p->train.n;
  DistilleryDisclosure policy;
  gsize m;

  distillery_experiment_get_disclosure (p->settings, &policy);
  if (policy.budget > 0 && policy.selection == DISTILLERY_SELECT_UNCERTAIN)
    {
      g_set_error_literal (error, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_CONFIG,
                           _("Choosing the most uncertain samples first is not available in runs yet; "
                             "choose the budget's samples at random."));
      return FALSE;
    }
  g_autoptr(DistilleryTeacher) teacher = distillery_project_open_teacher (store, t, &p->train, "train", error);
  g_autofree char *key = distillery_disclosure_to_string (&policy);
  /* The budget's samples depend on the experiment's seed, not the run's:
   * every seed of an experiment learns from the same paid-for answers. */
  g_autofree guint32 *chosen = teacher ? distillery_disclosure_choose (&policy, n, NULL, p->settings->seed, &m) : NULL;
  if (chosen == NULL)
    return FALSE;

  p->answers = _distillery_project_try_alloc (n * C, sizeof (float), _("the teacher's answers"), error);
  p->test_probs = p->answers ? _distillery_project_try_alloc (p->test.n * C, sizeof (float), _("the teacher's answers"), error) : NULL;
  g_autofree gboolean *found = p->test_probs ? _distillery_project_try_alloc (n, sizeof (gboolean), _("the teacher's answers"), error) : NULL;
  if (found == NULL)
    return FALSE;
  memset (found, 0, n * sizeof (gboolean));
  if (distillery_store_get_answers (store, t->id, t->dataset_id, "train", key, p->answers, n, C, found, error) < 0)
    return FALSE;

  Answers *a = g_new0 (Answers, 1);
  *a = (Answers) { t->id, t->dataset_id, g_strdup (key), g_new (guint32, MAX (m, 1)), NULL, 0, C };
  for (gsize i = 0; i < m; i++)
    if (!found[chosen[i]])
      a->samples[a->n++] = chosen[i];
  p->queries_asked = a->n;
  p->queries_cached = (gint64) m - a->n;
  if (a->n > 0)
    {
      a->answers = _distillery_project_try_alloc (a->n * C, sizeof (float), _("the teacher's answers"), error);
      if (a->answers == NULL
          || !distillery_teacher_answer (teacher, &p->train, a->samples, a->n, a->answers, NULL, error)
          || !distillery_disclosure_apply (&policy, distillery_teacher_get_answer_kind (teacher), 0,
                                           a->answers, a->n, (guint) C, error))
        {
          answers_free (a);
          return FALSE;
        }
      for (guint i = 0; i < a->n; i++)
        memcpy (p->answers + (gsize) a->samples[i] * C, a->answers + (gsize) i * C, C * sizeof (float));
      /* Cached for the next student; this one trains on meanwhile. */
      distillery_writer_post (writer, run_id, write_answers, a, answers_free,
                              a->n * (C * sizeof (float) + sizeof (guint32)));
    }
  else
    answers_free (a);

  /* Agreement on the test set needs the teacher's view of it; recorded
   * answers may not have one, and then agreement is not measured. */
  g_autoptr(GError) no_test = NULL;
  g_autoptr(DistilleryTeacher) tester = g_strcmp0 (t->kind, "mlp") != 0
    ? distillery_project_open_teacher (store, t, &p->test, "test", &no_test) : g_object_ref (teacher);
  g_autofree guint32 *every = g_new (guint32, MAX (p->test.n, 1));
  for (gsize i = 0; i < p->test.n; i++)
    every[i] = (guint32) i;
  if (tester == NULL && g_error_matches (no_test, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_NOT_FOUND))
    g_clear_pointer (&p->test_probs, g_free);
  else if (tester == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&no_test));
      return FALSE;
    }
  else if (!distillery_teacher_answer (tester, &p->test, every, p->test.n, p->test_probs, NULL, error))
    return FALSE;
  else if (distillery_teacher_get_answer_kind (tester) == DISTILLERY_ANSWER_LOGITS)
    kd_softmax (p->test_probs, p->test_probs, (int) p->test.n, (int) C, 1.0f);
  return m == n || keep_samples (p, chosen, m, error);
}
