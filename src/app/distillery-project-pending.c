/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * TEMPORARY stand-ins for four functions another branch is adding to
 * src/jobs/distillery-project.c (see distillery-project-pending.h), so
 * that the window and its tests work before both branches are merged.
 * src/app/meson.build builds this file only while
 * src/jobs/distillery-project.h lacks them; delete it with its header
 * once the real ones are in. It reaches into the store's private header
 * for the two statements the store has no function for: that is why it
 * must not stay.
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <math.h>

#include "distillery-consent.h"
#include "distillery-project-pending.h"
#include "distillery-store-private.h"

static DistilleryStoreTeacher *
teacher_of_kind (DistilleryStore *store, gint64 teacher_id, const char *kind, JsonObject **settings,
                 JsonParser *parser, GError **error)
{
  g_autoptr(DistilleryStoreTeacher) t = distillery_store_get_teacher (store, teacher_id, error);

  if (t == NULL)
    return NULL;
  if (g_strcmp0 (t->kind, kind) != 0 || !json_parser_load_from_data (parser, t->settings, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_CONFIG,
                   "The teacher “%s” is not of kind %s.", t->name, kind);
      return NULL;
    }
  *settings = json_node_get_object (json_parser_get_root (parser));
  return g_steal_pointer (&t);
}

static gboolean
set_settings (DistilleryStore *store, gint64 teacher_id, JsonNode *settings, GError **error)
{
  g_autofree char *text = json_to_string (settings, FALSE);
  g_autoptr(sqlite3_stmt) stmt = _distillery_store_statement (store, "UPDATE teachers SET settings = ?1 WHERE id = ?2",
                                                              error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, text, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, teacher_id);
  int rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    return _distillery_store_fail (store, rc, error);
  /* Answers given with the old settings are not the teacher's any more. */
  return distillery_store_clear_answers (store, teacher_id, error);
}

gboolean
distillery_project_get_ensemble (DistilleryStore *store, gint64 teacher_id, gint64 **members, double **weights,
                                 guint *n_members, gboolean *logits, double *temperature, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *o = NULL;
  g_autoptr(DistilleryStoreTeacher) t = teacher_of_kind (store, teacher_id, "ensemble", &o, parser, error);

  if (t == NULL)
    return FALSE;
  JsonArray *ids = json_object_has_member (o, "members") ? json_object_get_array_member (o, "members") : NULL;
  JsonArray *w = json_object_has_member (o, "weights") ? json_object_get_array_member (o, "weights") : NULL;
  guint n = ids ? json_array_get_length (ids) : 0;
  *members = g_new (gint64, MAX (n, 1));
  *weights = g_new (double, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      (*members)[i] = json_array_get_int_element (ids, i);
      (*weights)[i] = w != NULL && i < json_array_get_length (w) ? json_array_get_double_element (w, i) : 1;
    }
  *n_members = n;
  *logits = g_strcmp0 (json_object_get_string_member_with_default (o, "mode", ""), "logits") == 0;
  *temperature = json_object_get_double_member_with_default (o, "temperature", 1);
  return TRUE;
}

gboolean
distillery_project_set_ensemble_weights (DistilleryStore *store, gint64 teacher_id, const double *weights,
                                         guint n_weights, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *o = NULL;
  g_autoptr(DistilleryStoreTeacher) t = teacher_of_kind (store, teacher_id, "ensemble", &o, parser, error);
  double sum = 0;

  if (t == NULL)
    return FALSE;
  JsonArray *ids = json_object_has_member (o, "members") ? json_object_get_array_member (o, "members") : NULL;
  for (guint i = 0; i < n_weights; i++)
    sum += isfinite (weights[i]) && weights[i] >= 0 ? weights[i] : NAN;
  if (ids == NULL || json_array_get_length (ids) != n_weights || !(sum > 0))
    {
      g_set_error (error, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_CONFIG,
                   "The ensemble “%s” needs one weight per teacher, none below zero and not all zero.", t->name);
      return FALSE;
    }
  JsonArray *w = json_array_sized_new (n_weights);
  for (guint i = 0; i < n_weights; i++)
    json_array_add_double_element (w, weights[i]);
  json_object_set_array_member (o, "weights", w);
  return set_settings (store, teacher_id, json_parser_get_root (parser), error);
}

gboolean
distillery_project_set_program_command (DistilleryStore *store, gint64 teacher_id, const char *const *argv,
                                        guint timeout_ms, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *o = NULL;
  g_autoptr(DistilleryStoreTeacher) t = teacher_of_kind (store, teacher_id, "program", &o, parser, error);

  if (t == NULL)
    return FALSE;
  if (argv == NULL || argv[0] == NULL || timeout_ms == 0)
    {
      g_set_error (error, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_CONFIG,
                   "A program teacher needs a program to run and a time-out.");
      return FALSE;
    }
  JsonArray *a = json_array_new ();
  for (guint i = 0; argv[i] != NULL; i++)
    json_array_add_string_element (a, argv[i]);
  json_object_set_array_member (o, "argv", a);
  json_object_set_int_member (o, "timeout_ms", timeout_ms);
  g_autofree char *command = distillery_consent_command (argv);
  /* Whoever sets a command means it to run, as when adding one. */
  return set_settings (store, teacher_id, json_parser_get_root (parser), error)
         && distillery_consent_allow (distillery_store_get_path (store), command, error);
}

gint64
distillery_project_count_cached_answers (DistilleryStore *store, gint64 teacher_id, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = _distillery_store_statement (store, "SELECT count(*) FROM teacher_answers "
                                                                     "WHERE teacher_id = ?1", error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_int64 (stmt, 1, teacher_id);
  int rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      _distillery_store_fail (store, rc, error);
      return -1;
    }
  return sqlite3_column_int64 (stmt, 0);
}
