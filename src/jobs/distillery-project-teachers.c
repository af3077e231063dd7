/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The teachers of a project: adding and changing them (ensembles,
 * recorded answers, external programs), opening the teacher a stored row
 * describes, and what a run is shown of it: the answers under the
 * experiment's disclosure policy, taken from the project's cache where it
 * has them, for the samples a budget pays for. See distillery-project.h.
 *
 * The cache stays true to its teachers: a teacher that changes (new
 * weights, another program, a new training run) forgets its cached
 * answers and those of every ensemble it is part of, and answers asked
 * of a teacher that changed while they were being asked are not cached.
 */
#include "config.h"

#include <inttypes.h>

#include "distillery-project-private.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "distillery-answers.h"
#include "distillery-answers-teacher.h"
#include "distillery-consent.h"
#include "distillery-ensemble-teacher.h"
#include "distillery-mlp-teacher.h"
#include "distillery-program-teacher.h"

/* Ensembles may contain ensembles, this deep. */
#define MAX_NESTING 8

/* ---- Settings of the teacher kinds ------------------------------- */

static JsonObject *
settings_object (JsonParser *parser, const DistilleryStoreTeacher *t)
{
  if (t->settings == NULL || !json_parser_load_from_data (parser, t->settings, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  return json_node_get_object (json_parser_get_root (parser));
}

typedef struct
{
  GArray  *members;       /* gint64 teacher ids */
  GArray  *weights;       /* double, one per member */
  gboolean logits;        /* the mean of logits, not of probabilities */
  double   temperature;
} Ensemble;

static void
ensemble_clear (Ensemble *e)
{
  g_clear_pointer (&e->members, g_array_unref);
  g_clear_pointer (&e->weights, g_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Ensemble, ensemble_clear)

/* An ensemble's settings; FALSE when t is not an ensemble or does not
 * list its members. */
static gboolean
ensemble_parse (const DistilleryStoreTeacher *t, Ensemble *e)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *o = g_strcmp0 (t->kind, "ensemble") == 0 ? settings_object (parser, t) : NULL;
  JsonArray *ids = o && json_object_has_member (o, "members") ? json_object_get_array_member (o, "members") : NULL;

  if (ids == NULL)
    return FALSE;
  JsonArray *w = json_object_has_member (o, "weights") ? json_object_get_array_member (o, "weights") : NULL;
  e->members = g_array_new (FALSE, FALSE, sizeof (gint64));
  e->weights = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint i = 0; i < json_array_get_length (ids); i++)
    {
      gint64 id = json_array_get_int_element (ids, i);
      double weight = w != NULL && i < json_array_get_length (w) ? json_array_get_double_element (w, i) : 1;
      g_array_append_val (e->members, id);
      g_array_append_val (e->weights, weight);
    }
  e->logits = g_strcmp0 (json_object_get_string_member_with_default (o, "mode", "probabilities"), "logits") == 0;
  e->temperature = json_object_get_double_member_with_default (o, "temperature", 1);
  return TRUE;
}

static char *
ensemble_to_json (const gint64 *members, const double *weights, guint n, gboolean logits, double temperature)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "members");
  json_builder_begin_array (b);
  for (guint i = 0; i < n; i++)
    json_builder_add_int_value (b, members[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "weights");
  json_builder_begin_array (b);
  for (guint i = 0; i < n; i++)
    json_builder_add_double_value (b, weights ? weights[i] : 1);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "mode");
  json_builder_add_string_value (b, logits ? "logits" : "probabilities");
  json_builder_set_member_name (b, "temperature");
  json_builder_add_double_value (b, temperature);
  json_builder_end_object (b);
  g_autoptr(JsonNode) root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

/* The same rules as the ensemble teacher's, checked before they are kept. */
static gboolean
check_weights (const double *weights, guint n, GError **error)
{
  double total = 0;

  for (guint i = 0; weights != NULL && i < n; i++)
    {
      if (!(weights[i] >= 0) || isinf (weights[i]))
        {
          g_set_error_literal (error, DISTILLERY_TEACHER_ERROR, DISTILLERY_TEACHER_ERROR_CONFIG,
                               _("Ensemble weights cannot be negative."));
          return FALSE;
        }
      total += weights[i];
    }
  if (weights != NULL && !(total > 0))
    {
      g_set_error_literal (error, DISTILLERY_TEACHER_ERROR, DISTILLERY_TEACHER_ERROR_CONFIG,
                           _("At least one ensemble weight must be above zero."));
      return FALSE;
    }
  return TRUE;
}

GArray *
_distillery_project_ensemble_members (const DistilleryStoreTeacher *t)
{
  g_auto(Ensemble) e = { 0 };
  return ensemble_parse (t, &e) ? g_steal_pointer (&e.members) : NULL;
}

/* A program teacher's argv and time-out, from its settings. */
static char **
program_argv (const DistilleryStoreTeacher *t, guint *timeout_ms)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *o = settings_object (parser, t);
  JsonArray *a = o && json_object_has_member (o, "argv") ? json_object_get_array_member (o, "argv") : NULL;

  if (a == NULL || json_array_get_length (a) == 0)
    return NULL;
  char **argv = g_new0 (char *, json_array_get_length (a) + 1);
  for (guint i = 0; i < json_array_get_length (a); i++)
    argv[i] = g_strdup (json_array_get_string_element (a, i));
  if (timeout_ms != NULL)
    *timeout_ms = (guint) json_object_get_int_member_with_default (o, "timeout_ms", 10000);
  return argv;
}

static char *
program_to_json (const char *const *argv, guint timeout_ms)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

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
  return json_to_string (root, FALSE);
}

static gboolean
check_program (const char *const *argv, GError **error)
{
  if (argv != NULL && argv[0] != NULL && argv[0][0] != '\0')
    return TRUE;
  g_set_error_literal (error, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_CONFIG,
                       _("A program teacher needs a program to run."));
  return FALSE;
}

/* A teacher of the kind asked for, or NULL with an error saying what it is. */
static DistilleryStoreTeacher *
get_teacher_of_kind (DistilleryStore *store, gint64 teacher_id, const char *kind, GError **error)
{
  g_autoptr(DistilleryStoreTeacher) t = distillery_store_get_teacher (store, teacher_id, error);

  if (t == NULL)
    return NULL;
  if (g_strcmp0 (t->kind, kind) != 0)
    {
      g_set_error (error, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_CONFIG,
                   g_str_equal (kind, "ensemble") ? _("The teacher “%s” is not an ensemble.")
                                                  : _("The teacher “%s” is not a program."),
                   t->name);
      return NULL;
    }
  return g_steal_pointer (&t);
}

/* ---- Adding teachers --------------------------------------------- */

gint64
distillery_project_add_ensemble (DistilleryStore *store, const char *name, const gint64 *members,
                                 const double *weights, guint n_members, gboolean logits, double temperature,
                                 GError **error)
{
  gint64 dataset_id = 0;

  if (n_members == 0 || !(temperature > 0))
    {
      g_set_error_literal (error, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_CONFIG,
                           _("An ensemble needs at least one teacher and a temperature above zero."));
      return 0;
    }
  if (!check_weights (weights, n_members, error))
    return 0;
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
    }
  g_autofree char *settings = ensemble_to_json (members, weights, n_members, logits, temperature);
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

gint64
distillery_project_add_program_teacher (DistilleryStore *store, const char *name, gint64 dataset_id,
                                        const char *const *argv, guint timeout_ms, GError **error)
{
  if (!check_program (argv, error))
    return 0;
  g_autofree char *settings = program_to_json (argv, timeout_ms);
  DistilleryStoreTeacher row = { .name = (char *) name, .kind = (char *) "program", .settings = settings,
                                 .dataset_id = dataset_id };
  gint64 id = distillery_store_add_teacher (store, &row, error);
  /* Whoever adds a program means it to run. */
  g_autofree char *command = distillery_consent_command (argv);
  if (id > 0 && !distillery_consent_allow (distillery_store_get_path (store), command, error))
    return 0;
  return id;
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
      g_autoptr(GArray) members = _distillery_project_ensemble_members (t);
      if (members != NULL)
        g_array_append_vals (pending, members->data, members->len);
    }
  return g_strv_builder_end (builder);
}

/* ---- Changing teachers ------------------------------------------- */

/* The teacher and every ensemble whose answers come from it, directly or
 * through other ensembles: whose cached answers a change makes stale. */
static GArray *
stale_teachers (DistilleryStore *store, gint64 teacher_id, GError **error)
{
  g_autoptr(GPtrArray) teachers = distillery_store_list_teachers (store, error);
  g_autoptr(GArray) stale = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  gboolean grew = TRUE;

  if (teachers == NULL)
    return NULL;
  g_array_append_val (stale, teacher_id);
  g_hash_table_add (seen, g_memdup2 (&teacher_id, sizeof teacher_id));
  while (grew)
    {
      grew = FALSE;
      for (guint i = 0; i < teachers->len; i++)
        {
          DistilleryStoreTeacher *t = teachers->pdata[i];
          g_autoptr(GArray) members = g_hash_table_contains (seen, &t->id) ? NULL
                                                                           : _distillery_project_ensemble_members (t);
          for (guint m = 0; members != NULL && m < members->len; m++)
            if (g_hash_table_contains (seen, &g_array_index (members, gint64, m)))
              {
                g_array_append_val (stale, t->id);
                g_hash_table_add (seen, g_memdup2 (&t->id, sizeof t->id));
                grew = TRUE;
                break;
              }
        }
    }
  return g_steal_pointer (&stale);
}

/* Sets a teacher's settings (NULL: unchanged) or run (-1: unchanged) and
 * forgets what the change makes stale, in one transaction. */
static gboolean
change_teacher (DistilleryStore *store, gint64 teacher_id, const char *settings, gint64 run_id, GError **error)
{
  g_autoptr(GArray) stale = stale_teachers (store, teacher_id, error);

  return stale != NULL
         && distillery_store_change_teacher (store, teacher_id, settings, run_id, (const gint64 *) stale->data,
                                             stale->len, error);
}

/* What a teacher's answers depend on, as text: its kind, settings and
 * model (the run that trained it), and those of its members. Answers
 * asked of a teacher whose fingerprint changed meanwhile are not kept. */
static gboolean
append_fingerprint (DistilleryStore *store, gint64 teacher_id, guint depth, GString *out, GError **error)
{
  g_autoptr(DistilleryStoreTeacher) t = distillery_store_get_teacher (store, teacher_id, error);

  if (t == NULL)
    return FALSE;
  g_string_append_printf (out, "%" G_GINT64_FORMAT " %s %" G_GINT64_FORMAT " %s;", t->id, t->kind, t->run_id,
                          t->settings);
  g_autoptr(GArray) members = depth < MAX_NESTING ? _distillery_project_ensemble_members (t) : NULL;
  for (guint m = 0; members != NULL && m < members->len; m++)
    if (!append_fingerprint (store, g_array_index (members, gint64, m), depth + 1, out, error))
      return FALSE;
  return TRUE;
}

static char *
teacher_fingerprint (DistilleryStore *store, gint64 teacher_id, GError **error)
{
  g_autoptr(GString) out = g_string_new (NULL);
  return append_fingerprint (store, teacher_id, 0, out, error) ? g_string_free (g_steal_pointer (&out), FALSE)
                                                                : NULL;
}

gboolean
_distillery_project_set_teacher_run (DistilleryStore *store, gint64 teacher_id, gint64 run_id, GError **error)
{
  g_autoptr(DistilleryStoreTeacher) t = distillery_store_get_teacher (store, teacher_id, error);

  if (t == NULL)
    return FALSE;
  /* Another model answers differently: a retrained teacher's answers,
   * and its ensembles', are asked again. */
  if (t->run_id == run_id)
    return TRUE;
  return change_teacher (store, teacher_id, NULL, run_id, error);
}

gboolean
distillery_project_set_ensemble_weights (DistilleryStore *store, gint64 teacher_id, const double *weights,
                                         guint n_weights, GError **error)
{
  g_autoptr(DistilleryStoreTeacher) t = NULL;
  g_auto(Ensemble) e = { 0 };

  g_return_val_if_fail (store != NULL && (weights != NULL || n_weights == 0), FALSE);

  if ((t = get_teacher_of_kind (store, teacher_id, "ensemble", error)) == NULL)
    return FALSE;
  if (!ensemble_parse (t, &e))
    {
      g_set_error (error, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_CONFIG,
                   _("The ensemble “%s” does not list its teachers (or contains itself)."), t->name);
      return FALSE;
    }
  if (n_weights != e.members->len)
    {
      g_set_error (error, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_CONFIG,
                   g_dngettext (GETTEXT_PACKAGE, "The ensemble “%s” has %u teacher; give one weight for it, not %u.",
                                "The ensemble “%s” has %u teachers; give one weight for each, not %u.",
                                e.members->len),
                   t->name, e.members->len, n_weights);
      return FALSE;
    }
  if (!check_weights (weights, n_weights, error))
    return FALSE;
  g_autofree char *settings = ensemble_to_json ((const gint64 *) e.members->data, weights, n_weights, e.logits,
                                                e.temperature);
  if (g_strcmp0 (settings, t->settings) == 0)
    return TRUE;
  return change_teacher (store, teacher_id, settings, -1, error);
}

gboolean
distillery_project_set_program_command (DistilleryStore *store, gint64 teacher_id, const char *const *argv,
                                        guint timeout_ms, GError **error)
{
  g_autoptr(DistilleryStoreTeacher) t = NULL;
  guint old_timeout = 10000;

  g_return_val_if_fail (store != NULL, FALSE);

  if ((t = get_teacher_of_kind (store, teacher_id, "program", error)) == NULL)
    return FALSE;
  g_auto(GStrv) old_argv = program_argv (t, &old_timeout);
  if (argv == NULL)
    argv = (const char *const *) old_argv;
  if (!check_program (argv, error))
    return FALSE;
  g_autofree char *settings = program_to_json (argv, timeout_ms > 0 ? timeout_ms : old_timeout);
  /* Whoever sets a program means it to run. */
  g_autofree char *command = distillery_consent_command (argv);
  if (!distillery_consent_allow (distillery_store_get_path (store), command, error))
    return FALSE;
  if (old_argv != NULL && g_strv_equal ((const char *const *) old_argv, argv))
    /* A new time-out alone changes no answer. */
    return distillery_store_change_teacher (store, teacher_id, settings, -1, NULL, 0, error);
  return change_teacher (store, teacher_id, settings, -1, error);
}

gboolean
distillery_project_get_ensemble (DistilleryStore *store, gint64 teacher_id, gint64 **members, double **weights,
                                 guint *n_members, gboolean *logits, double *temperature, GError **error)
{
  g_autoptr(DistilleryStoreTeacher) t = NULL;
  g_auto(Ensemble) e = { 0 };

  g_return_val_if_fail (store != NULL && n_members != NULL, FALSE);

  if ((t = get_teacher_of_kind (store, teacher_id, "ensemble", error)) == NULL)
    return FALSE;
  if (!ensemble_parse (t, &e))
    {
      g_set_error (error, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_CONFIG,
                   _("The ensemble “%s” does not list its teachers (or contains itself)."), t->name);
      return FALSE;
    }
  *n_members = e.members->len;
  if (members != NULL)
    *members = (gint64 *) g_array_free (g_steal_pointer (&e.members), FALSE);
  if (weights != NULL)
    *weights = (double *) g_array_free (g_steal_pointer (&e.weights), FALSE);
  if (logits != NULL)
    *logits = e.logits;
  if (temperature != NULL)
    *temperature = e.temperature;
  return TRUE;
}

gint64
distillery_project_count_cached_answers (DistilleryStore *store, gint64 teacher_id, GError **error)
{
  g_return_val_if_fail (store != NULL, -1);
  return distillery_store_count_answers (store, teacher_id, error);
}

/* ---- Opening teachers -------------------------------------------- */

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
  JsonObject *o = settings_object (parser, t);
  const char *kind_name = o ? json_object_get_string_member_with_default (o, "answers", NULL) : NULL;
  DistilleryAnswerKind kind = DISTILLERY_ANSWER_LOGITS;

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
  g_autoptr(GPtrArray) members = g_ptr_array_new_with_free_func (g_object_unref);
  g_auto(Ensemble) e = { 0 };

  if (depth > MAX_NESTING || !ensemble_parse (t, &e))
    {
      g_set_error (error, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_CONFIG,
                   _("The ensemble “%s” does not list its teachers (or contains itself)."), t->name);
      return NULL;
    }
  for (guint i = 0; i < e.members->len; i++)
    {
      g_autoptr(DistilleryStoreTeacher) m = distillery_store_get_teacher (store, g_array_index (e.members, gint64, i), error);
      DistilleryTeacher *member = m ? open_teacher (store, m, data, split, depth + 1, error) : NULL;
      if (member == NULL)
        return NULL;
      g_ptr_array_add (members, member);
    }
  return distillery_ensemble_teacher_new ((DistilleryTeacher **) members->pdata, (double *) e.weights->data,
                                          members->len, e.logits ? DISTILLERY_ENSEMBLE_LOGITS
                                                                 : DISTILLERY_ENSEMBLE_PROBABILITIES,
                                          e.temperature, error);
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

DistilleryTeacher *
distillery_project_open_teacher (DistilleryStore *store, const DistilleryStoreTeacher *t, const KdData *data,
                                 const char *split, GError **error)
{
  g_return_val_if_fail (store != NULL && t != NULL, NULL);
  return open_teacher (store, t, data, split, 0, error);
}

/* ---- What a run is shown ------------------------------------------ */

/* Answers on their way to the cache, written by the project's writer. */
typedef struct
{
  gint64   teacher_id, dataset_id;
  char    *policy;
  char    *fingerprint;   /* of the teacher that gave them */
  guint32 *samples;
  float   *answers;
  guint    n, n_classes;
} CachedAnswers;

static gboolean
write_answers (DistilleryStore *store, gpointer data, GError **error)
{
  CachedAnswers *a = data;
  g_autoptr(GError) gone = NULL;
  g_autofree char *now = teacher_fingerprint (store, a->teacher_id, &gone);

  /* A teacher that changed (or went) since it was asked: what it said is
   * not what it says now. */
  if (g_strcmp0 (now, a->fingerprint) != 0)
    return TRUE;
  return distillery_store_put_answers (store, a->teacher_id, a->dataset_id, "train", a->policy,
                                       a->samples, a->answers, a->n, a->n_classes, error);
}

static void
cached_answers_free (gpointer data)
{
  CachedAnswers *a = data;
  g_free (a->policy);
  g_free (a->fingerprint);
  g_free (a->samples);
  g_free (a->answers);
  g_free (a);
}

/* The questions a run puts to its teacher about the training set, as it
 * puts them: answers[] fills in as samples are asked about. */
typedef struct
{
  DistilleryWriter             *writer;
  gint64                        run_id;
  const DistilleryStoreTeacher *t;
  DistilleryTeacher            *teacher;
  DistilleryDisclosure          policy;
  char                         *key;           /* the policy's text: the cache's key */
  char                         *fingerprint;   /* of the teacher when it was opened */
  const KdData                 *train;
  float                        *answers;       /* [n, C], rows of the samples asked about */
  gboolean                     *cached;        /* [n]: its answer is at hand, cached or asked */
  gint64                        asked, from_cache;
} Questions;

/* Fills the answers of these samples: from the cache, or from the
 * teacher, whose answers are then cached for the next student. */
static gboolean
ask (Questions *q, const guint32 *samples, gsize m, GError **error)
{
  const gsize C = q->train->n_classes;
  CachedAnswers *a = g_new0 (CachedAnswers, 1);

  *a = (CachedAnswers) { q->t->id, q->t->dataset_id, g_strdup (q->key), g_strdup (q->fingerprint),
                         g_new (guint32, MAX (m, 1)), NULL, 0, (guint) C };
  for (gsize i = 0; i < m; i++)
    if (!q->cached[samples[i]])
      a->samples[a->n++] = samples[i];
  q->asked += a->n;
  q->from_cache += (gint64) m - a->n;
  if (a->n == 0)
    {
      cached_answers_free (a);
      return TRUE;
    }
  a->answers = _distillery_project_try_alloc (a->n * C, sizeof (float), _("the teacher's answers"), error);
  if (a->answers == NULL
      || !distillery_teacher_answer (q->teacher, q->train, a->samples, a->n, a->answers, NULL, error)
      || !distillery_disclosure_apply (&q->policy, distillery_teacher_get_answer_kind (q->teacher), 0,
                                       a->answers, a->n, (guint) C, error))
    {
      cached_answers_free (a);
      return FALSE;
    }
  for (guint i = 0; i < a->n; i++)
    {
      memcpy (q->answers + (gsize) a->samples[i] * C, a->answers + (gsize) i * C, C * sizeof (float));
      q->cached[a->samples[i]] = TRUE;
    }
  /* This student trains on meanwhile. */
  distillery_writer_post (q->writer, q->run_id, write_answers, a, cached_answers_free,
                          a->n * (C * sizeof (float) + sizeof (guint32)));
  return TRUE;
}

/* Most uncertain first, without a question beyond the budget: a first
 * share of the budget is spent at random, then in rounds a proxy student
 * (the experiment's student, trained briefly on the answers so far) picks
 * the samples it is least sure of, by the margin between its two likeliest
 * classes. The random share and the proxy's training draw from the
 * experiment's seed, not the run's, and answers come back the same from
 * the cache, so every seed of an experiment learns from the same samples.
 * docs/teachers.md, "The budget", says why and what it buys. */

/* The random share: a fifth of the budget, but at least two questions per
 * class when the budget allows half of it for them. */
#define SEED_SHARE 5
#define SEED_PER_CLASS 2
/* The rest is spent in this many rounds, each with a proxy trained anew
 * on every answer so far: one round would spend it all on what a proxy
 * of the random share alone is unsure of, often a single confused pair
 * of classes. */
#define ROUNDS 8
/* Each proxy trains for this many steps, or one epoch when that is more:
 * few epochs, so that choosing costs a bounded share of the student's
 * own training. */
#define PROXY_STEPS 300

static gsize
random_share (gsize budget, gsize n_classes)
{
  return CLAMP (MAX (budget / SEED_SHARE, MIN (SEED_PER_CLASS * n_classes, budget / 2)), 1, budget);
}

/* Trains the proxy on the samples asked so far; its logits on every
 * training sample go to logits [n, C]. */
static gboolean
proxy_logits (Questions *q, const DistilleryRunData *p, const guint32 *asked, gsize m,
              const DistilleryRunObserver *observer, float *logits, GError **error)
{
  const gsize F = p->train.n_features, C = p->train.n_classes;
  g_autofree float *features = _distillery_project_try_alloc (m * F, sizeof (float), _("the questions the budget paid for"), error);
  g_autofree gint32 *labels = features ? _distillery_project_try_alloc (m, sizeof (gint32), _("the questions the budget paid for"), error) : NULL;
  g_autofree float *answers = labels ? _distillery_project_try_alloc (m * C, sizeof (float), _("the questions the budget paid for"), error) : NULL;

  if (answers == NULL)
    return FALSE;
  for (gsize i = 0; i < m; i++)
    {
      memcpy (features + i * F, p->train.features + (gsize) asked[i] * F, F * sizeof (float));
      labels[i] = p->train.labels[asked[i]];
      memcpy (answers + i * C, q->answers + (gsize) asked[i] * C, C * sizeof (float));
    }
  KdData data = p->train;
  data.features = features;
  data.labels = labels;
  data.n = m;
  KdTrainConfig config = p->settings->student;
  config.model.n_inputs = (int) F;
  config.model.n_classes = (int) C;
  config.seed = p->settings->seed;
  gsize batch = MAX (config.batch_size, 1);
  gsize steps_per_epoch = (m + batch - 1) / batch;
  config.epochs = (int) ((PROXY_STEPS + steps_per_epoch - 1) / steps_per_epoch);

  KdTrainer *trainer = distillery_train (_("proxy student"), &config, &data, answers,
                                         observer ? observer->step : NULL, observer ? observer->user_data : NULL,
                                         NULL, error);
  if (trainer == NULL)
    return FALSE;
  kd_mlp_predict (kd_trainer_model (trainer), logits, p->train.features, p->train.n);
  kd_trainer_free (trainer);
  return TRUE;
}

static int
by_index (gconstpointer a, gconstpointer b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;
  return x < y ? -1 : x > y;
}

static guint32 *
choose_uncertain (Questions *q, const DistilleryRunData *p, const DistilleryRunObserver *observer,
                  gsize *n_chosen, GError **error)
{
  const gsize n = p->train.n, C = p->train.n_classes;
  const gsize budget = MIN ((gsize) q->policy.budget, n);
  DistilleryDisclosure share = q->policy;
  gsize m;

  share.selection = DISTILLERY_SELECT_RANDOM;
  share.budget = (gint64) random_share (budget, C);
  g_autofree guint32 *first = distillery_disclosure_choose (&share, n, NULL, p->settings->seed, &m);
  g_autoptr(GArray) chosen = g_array_sized_new (FALSE, FALSE, sizeof (guint32), budget);
  g_array_append_vals (chosen, first, m);
  if (!ask (q, first, m, error))
    return NULL;

  g_autofree float *logits = _distillery_project_try_alloc (n * C, sizeof (float), _("the questions the budget paid for"), error);
  g_autofree float *uncertainty = logits ? _distillery_project_try_alloc (n, sizeof (float), _("the questions the budget paid for"), error) : NULL;
  g_autofree gboolean *taken = uncertainty ? _distillery_project_try_alloc (n, sizeof (gboolean), _("the questions the budget paid for"), error) : NULL;
  if (taken == NULL)
    return NULL;
  memset (taken, 0, n * sizeof (gboolean));
  for (gsize i = 0; i < m; i++)
    taken[first[i]] = TRUE;

  for (guint round = 0; round < ROUNDS && chosen->len < budget; round++)
    {
      gsize left = budget - chosen->len;
      share.selection = DISTILLERY_SELECT_UNCERTAIN;
      share.budget = (gint64) ((left + (ROUNDS - round) - 1) / (ROUNDS - round));
      if (!proxy_logits (q, p, (const guint32 *) chosen->data, chosen->len, observer, logits, error))
        return NULL;
      kd_softmax (logits, logits, (int) n, (int) C, 1.0f);
      for (gsize i = 0; i < n; i++)
        {
          const float *row = logits + i * C;
          float best = -1, second = -1;
          for (gsize c = 0; c < C; c++)
            if (row[c] > best)
              {
                second = best;
                best = row[c];
              }
            else if (row[c] > second)
              second = row[c];
          /* Samples asked about already rank below every other. */
          uncertainty[i] = taken[i] ? -INFINITY : 1 - (best - second);
        }
      g_autofree guint32 *next = distillery_disclosure_choose (&share, n, uncertainty, 0, &m);
      if (!ask (q, next, m, error))
        return NULL;
      for (gsize i = 0; i < m; i++)
        taken[next[i]] = TRUE;
      g_array_append_vals (chosen, next, m);
    }
  g_array_sort (chosen, by_index);
  *n_chosen = chosen->len;
  return (guint32 *) g_array_free (g_steal_pointer (&chosen), FALSE);
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

/* The teacher's probabilities on the test set, which measure agreement
 * and are not part of the budget. Recorded answers may not cover the
 * test samples, and then agreement is not measured (test_probs NULL). */
static gboolean
test_answers (DistilleryStore *store, const DistilleryStoreTeacher *t, DistilleryTeacher *teacher,
              DistilleryRunData *p, GError **error)
{
  const gsize C = p->test.n_classes;
  g_autoptr(GError) no_test = NULL;
  g_autoptr(DistilleryTeacher) tester = g_strcmp0 (t->kind, "mlp") != 0
    ? distillery_project_open_teacher (store, t, &p->test, "test", &no_test) : g_object_ref (teacher);
  g_autofree guint32 *every = g_new (guint32, MAX (p->test.n, 1));

  if (tester == NULL && g_error_matches (no_test, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_NOT_FOUND))
    {
      g_clear_pointer (&p->test_probs, g_free);
      return TRUE;
    }
  if (tester == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&no_test));
      return FALSE;
    }
  for (gsize i = 0; i < p->test.n; i++)
    every[i] = (guint32) i;
  if (!distillery_teacher_answer (tester, &p->test, every, p->test.n, p->test_probs, NULL, error))
    return FALSE;
  if (distillery_teacher_get_answer_kind (tester) == DISTILLERY_ANSWER_LOGITS)
    kd_softmax (p->test_probs, p->test_probs, (int) p->test.n, (int) C, 1.0f);
  return TRUE;
}

static void
questions_clear (Questions *q)
{
  g_clear_pointer (&q->key, g_free);
  g_clear_pointer (&q->fingerprint, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Questions, questions_clear)

/* What the teacher reveals of the training set under the experiment's
 * policy (from the project's cache for every sample it has, asking the
 * teacher about the others), and its view of the test set. Under a
 * budget only the samples it paid for are kept to train on. */
gboolean
_distillery_project_teacher_answers (DistilleryStore *store, DistilleryWriter *writer, gint64 run_id,
                                     const DistilleryStoreTeacher *row, DistilleryRunData *p,
                                     const DistilleryRunObserver *observer, GError **error)
{
  const gsize C = p->train.n_classes, n = p->train.n;
  g_auto(Questions) q = { writer, run_id };
  g_autofree guint32 *chosen = NULL;
  g_autofree gboolean *cached = NULL;
  gsize m;

  /* The fingerprint first: a teacher that changes after it was taken is
   * opened as it is now, and its answers are not cached. */
  if ((q.fingerprint = teacher_fingerprint (store, row->id, error)) == NULL)
    return FALSE;
  g_autoptr(DistilleryStoreTeacher) t = distillery_store_get_teacher (store, row->id, error);
  g_autoptr(DistilleryTeacher) teacher = t ? distillery_project_open_teacher (store, t, &p->train, "train", error) : NULL;
  if (teacher == NULL)
    return FALSE;
  distillery_experiment_get_disclosure (p->settings, &q.policy);
  q.t = t;
  q.teacher = teacher;
  q.key = distillery_disclosure_to_string (&q.policy);
  q.train = &p->train;

  p->answers = _distillery_project_try_alloc (n * C, sizeof (float), _("the teacher's answers"), error);
  p->test_probs = p->answers ? _distillery_project_try_alloc (p->test.n * C, sizeof (float), _("the teacher's answers"), error) : NULL;
  cached = p->test_probs ? _distillery_project_try_alloc (n, sizeof (gboolean), _("the teacher's answers"), error) : NULL;
  if (cached == NULL)
    return FALSE;
  memset (cached, 0, n * sizeof (gboolean));
  if (distillery_store_get_answers (store, t->id, t->dataset_id, "train", q.key, p->answers, n, C, cached, error) < 0)
    return FALSE;
  q.answers = p->answers;
  q.cached = cached;

  if (q.policy.budget > 0 && (gsize) q.policy.budget < n && q.policy.selection == DISTILLERY_SELECT_UNCERTAIN)
    chosen = choose_uncertain (&q, p, observer, &m, error);
  else
    {
      /* The budget's samples depend on the experiment's seed, not the
       * run's: every seed of an experiment learns from the same answers. */
      chosen = distillery_disclosure_choose (&q.policy, n, NULL, p->settings->seed, &m);
      if (!ask (&q, chosen, m, error))
        g_clear_pointer (&chosen, g_free);
    }
  if (chosen == NULL)
    return FALSE;
  p->queries_asked = q.asked;
  p->queries_cached = q.from_cache;
  return test_answers (store, t, teacher, p, error) && (m == n || keep_samples (p, chosen, m, error));
}

/* ---- Budget sweeps ------------------------------------------------ */

static int
compare_budgets (gconstpointer a, gconstpointer b)
{
  const gint64 *x = a, *y = b;
  if (x[0] != y[0])
    return x[0] < y[0] ? -1 : 1;
  return x[1] < y[1] ? -1 : x[1] > y[1];
}

static gint64
budget_of_copy (const char *settings, gint64 *sweep_of)
{
  g_autoptr(DistilleryExperiment) e = NULL;
  if (!_distillery_project_settings_from_json (settings, &e, NULL))
    return 0;
  *sweep_of = e->sweep_of;
  return e->budget;
}

GArray *
distillery_project_list_budget_sweep (DistilleryStore *store, gint64 experiment_id, GArray *budgets,
                                      GError **error)
{
  g_autoptr(DistilleryStoreExperiment) x = distillery_store_get_experiment (store, experiment_id, error);
  g_autoptr(GPtrArray) experiments = x ? distillery_store_list_experiments (store, error) : NULL;
  g_autoptr(GArray) pairs = g_array_new (FALSE, FALSE, 2 * sizeof (gint64));
  GArray *ids;

  if (experiments == NULL)
    return NULL;
  for (guint i = 0; i < experiments->len; i++)
    {
      DistilleryStoreExperiment *y = experiments->pdata[i];
      gint64 sweep_of = 0, budget;
      if (y->id == x->id || y->teacher_id != x->teacher_id || y->dataset_id != x->dataset_id
          || (budget = budget_of_copy (y->settings, &sweep_of)) <= 0)
        continue;
      /* Copies made before they recorded their origin are known by the
       * name they were given, in this language or in English. */
      g_autofree char *name = g_strdup_printf (_("%s, %" PRId64 " questions"), x->name, budget);
      g_autofree char *english = g_strdup_printf ("%s, %" PRId64 " questions", x->name, budget);
      if (sweep_of != experiment_id
          && (sweep_of != 0 || (g_strcmp0 (name, y->name) != 0 && g_strcmp0 (english, y->name) != 0)))
        continue;
      gint64 pair[2] = { budget, y->id };
      g_array_append_val (pairs, pair);
    }
  g_array_sort (pairs, compare_budgets);
  ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  if (budgets != NULL)
    g_array_set_size (budgets, 0);
  for (guint i = 0; i < pairs->len; i++)
    {
      gint64 *pair = &g_array_index (pairs, gint64, 2 * i);
      /* One copy per budget: the first made. */
      if (i > 0 && pair[0] == (pair - 2)[0])
        continue;
      if (budgets != NULL)
        g_array_append_val (budgets, pair[0]);
      g_array_append_val (ids, pair[1]);
    }
  return ids;
}

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
  g_autoptr(GArray) made_budgets = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) made = distillery_project_list_budget_sweep (store, experiment_id, made_budgets, error);
  if (made == NULL)
    return NULL;
  settings->sweep_of = experiment_id;
  for (guint i = 0; i < n_budgets; i++)
    {
      g_autofree char *name = g_strdup_printf (_("%s, %" PRId64 " questions"), x->name, budgets[i]);
      gint64 id = 0;
      for (guint j = 0; j < made->len && id == 0; j++)
        if (g_array_index (made_budgets, gint64, j) == budgets[i])
          id = g_array_index (made, gint64, j);
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
