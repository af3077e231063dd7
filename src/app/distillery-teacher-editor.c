/* SPDX-License-Identifier: GPL-3.0-or-later */

/* DistilleryTeacherEditor: the form is read from the project when the
 * teacher changes, or when nothing in it waits to be applied (so a run
 * ending elsewhere does not undo what the user typed). Applying writes
 * through the project's writer; the page it is on shows the new settings
 * and the kept answers gone once that committed. See
 * distillery-teacher-editor.h.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <json-glib/json-glib.h>
#include <math.h>

#include "distillery-consent.h"
#include "distillery-dialogs.h"
#include "distillery-form-rows.h"
#include "distillery-project.h"
#include "distillery-teacher-dialog.h"
#include "distillery-teacher-editor.h"

struct _DistilleryTeacherEditor
{
  GtkWidget          parent_instance;

  GtkWidget         *group;
  GtkWidget         *apply_button;
  GtkWidget         *problem_label;
  GPtrArray         *rows;          /* the group's rows, removed on rebuild */
  GPtrArray         *weight_spins;  /* an ensemble's, in the order of its members */
  GtkWidget         *command_row;
  GtkWidget         *timeout_spin;

  DistillerySession *session;
  gint64             teacher_id;
  gboolean           is_ensemble, is_program;
  gboolean           dirty, loading;
  char              *problem;
};

enum
{
  MESSAGE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (DistilleryTeacherEditor, distillery_teacher_editor, GTK_TYPE_WIDGET)

/* ---- Checking ----------------------------------------------------- */

static void
check (DistilleryTeacherEditor *self)
{
  g_autofree char *problem = NULL;

  if (self->is_ensemble)
    {
      double sum = 0;
      for (guint i = 0; i < self->weight_spins->len; i++)
        sum += gtk_spin_button_get_value (GTK_SPIN_BUTTON (self->weight_spins->pdata[i]));
      if (!(sum > 0))
        problem = g_strdup (_("At least one teacher needs a weight above zero."));
    }
  else if (self->is_program)
    {
      g_auto(GStrv) argv = distillery_parse_command_line (gtk_editable_get_text (GTK_EDITABLE (self->command_row)),
                                                          &problem);
      distillery_form_mark (self->command_row, argv == NULL);
    }
  g_free (self->problem);
  self->problem = g_steal_pointer (&problem);
  gtk_label_set_text (GTK_LABEL (self->problem_label), self->problem ? self->problem : "");
  gtk_widget_set_visible (self->problem_label, self->problem != NULL);
  gtk_widget_set_sensitive (self->apply_button, self->dirty && self->problem == NULL);
}

static void
field_changed (DistilleryTeacherEditor *self)
{
  if (self->loading)
    return;
  self->dirty = TRUE;
  check (self);
}

/* ---- Reading the teacher ------------------------------------------ */

static void
clear_rows (DistilleryTeacherEditor *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    adw_preferences_group_remove (ADW_PREFERENCES_GROUP (self->group), self->rows->pdata[i]);
  g_ptr_array_set_size (self->rows, 0);
  g_ptr_array_set_size (self->weight_spins, 0);
  self->command_row = self->timeout_spin = NULL;
}

static void
add_row (DistilleryTeacherEditor *self, GtkWidget *row)
{
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->group), row);
  g_ptr_array_add (self->rows, row);
}

static GtkWidget *
spin_row (DistilleryTeacherEditor *self, const char *title, const char *subtitle, double lower, double upper,
          double step, guint digits, double value)
{
  GtkSpinButton *spin;
  GtkWidget *row = distillery_form_spin_row (title, subtitle, lower, upper, step, digits, &spin);

  gtk_spin_button_set_value (spin, value);
  g_signal_connect_swapped (spin, "value-changed", G_CALLBACK (field_changed), self);
  add_row (self, row);
  return GTK_WIDGET (spin);
}

static void
read_ensemble (DistilleryTeacherEditor *self, DistilleryStore *store)
{
  g_autofree gint64 *members = NULL;
  g_autofree double *weights = NULL;
  guint n = 0;
  gboolean logits = FALSE;
  double temperature = 1;
  g_autoptr(GError) error = NULL;

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self->group), _("Weights"));
  if (!distillery_project_get_ensemble (store, self->teacher_id, &members, &weights, &n, &logits, &temperature,
                                        &error))
    {
      adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->group), error->message);
      return;
    }
  g_autofree char *description = logits
    ? g_strdup_printf (_("Each teacher’s share of the mean of their logits at T = %g. Applying forgets the "
                         "answers the project kept of the ensemble."), temperature)
    : g_strdup (_("Each teacher’s share of the mean of their probabilities. Applying forgets the answers the "
                  "project kept of the ensemble."));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->group), description);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(DistilleryStoreTeacher) m = distillery_store_get_teacher (store, members[i], NULL);
      g_autofree char *fallback = g_strdup_printf (_("Teacher %" PRId64), members[i]);
      GtkWidget *spin = spin_row (self, m ? m->name : fallback, NULL, 0, 1000, 0.5, 2, weights[i]);
      g_ptr_array_add (self->weight_spins, spin);
    }
}

static void
read_program (DistilleryTeacherEditor *self, const DistilleryStoreTeacher *t)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GStrvBuilder) words = g_strv_builder_new ();
  double timeout_ms = 10000;

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self->group), _("Program"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->group),
    _("Started directly, never through a shell. Applying forgets the answers the project kept of it, "
      "and allows the new command to run for this project."));
  if (json_parser_load_from_data (parser, t->settings, -1, NULL) && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      JsonObject *o = json_node_get_object (json_parser_get_root (parser));
      JsonArray *a = json_object_has_member (o, "argv") ? json_object_get_array_member (o, "argv") : NULL;
      for (guint i = 0; a != NULL && i < json_array_get_length (a); i++)
        g_strv_builder_add (words, json_array_get_string_element (a, i));
      timeout_ms = json_object_get_int_member_with_default (o, "timeout_ms", 10000);
    }
  g_auto(GStrv) argv = g_strv_builder_end (words);
  g_autofree char *command = distillery_consent_command ((const char *const *) argv);

  self->command_row = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->command_row), _("Command line"));
  gtk_editable_set_text (GTK_EDITABLE (self->command_row), command);
  g_signal_connect_swapped (self->command_row, "changed", G_CALLBACK (field_changed), self);
  add_row (self, self->command_row);
  self->timeout_spin = spin_row (self, _("Time-out"), _("Seconds the program may take to answer a batch"),
                                 0.1, 3600, 1, 1, timeout_ms / 1000.0);
}

static void
rebuild (DistilleryTeacherEditor *self)
{
  DistilleryStore *store = distillery_session_get_store (self->session);
  g_autoptr(DistilleryStoreTeacher) t = distillery_store_get_teacher (store, self->teacher_id, NULL);

  self->loading = TRUE;
  clear_rows (self);
  self->is_ensemble = t != NULL && g_strcmp0 (t->kind, "ensemble") == 0;
  self->is_program = t != NULL && g_strcmp0 (t->kind, "program") == 0;
  if (self->is_ensemble)
    read_ensemble (self, store);
  else if (self->is_program)
    read_program (self, t);
  self->dirty = FALSE;
  self->loading = FALSE;
  gtk_widget_set_visible (GTK_WIDGET (self), self->is_ensemble || self->is_program);
  check (self);
}

void
distillery_teacher_editor_set_teacher (DistilleryTeacherEditor *self, DistillerySession *session, gint64 teacher_id)
{
  g_return_if_fail (DISTILLERY_IS_TEACHER_EDITOR (self));

  gboolean same = session == self->session && teacher_id == self->teacher_id;
  g_set_object (&self->session, session);
  self->teacher_id = teacher_id;
  if (session != NULL && (!same || !self->dirty))
    rebuild (self);
}

/* ---- Applying ----------------------------------------------------- */

typedef struct
{
  DistilleryTeacherEditor *editor;
  gint64                   teacher_id;
  GArray                  *weights;     /* double; an ensemble's */
  char                   **argv;        /* a program's */
  guint                    timeout_ms;
} Change;

static void
change_free (gpointer data)
{
  Change *c = data;
  g_clear_object (&c->editor);
  g_clear_pointer (&c->weights, g_array_unref);
  g_strfreev (c->argv);
  g_free (c);
}

static gboolean
write_change (DistilleryStore *store, gpointer data, GError **error)
{
  Change *c = data;
  if (c->weights != NULL)
    return distillery_project_set_ensemble_weights (store, c->teacher_id, (double *) c->weights->data,
                                                    c->weights->len, error);
  return distillery_project_set_program_command (store, c->teacher_id, (const char *const *) c->argv,
                                                 c->timeout_ms, error);
}

static void
changed (GObject *source, GAsyncResult *result, gpointer data)
{
  Change *c = data;
  DistilleryTeacherEditor *self = c->editor;
  g_autoptr(GError) error = NULL;

  if (self->group == NULL)
    {
      /* The page went meanwhile. */
      distillery_session_write_finish (DISTILLERY_SESSION (source), result, NULL);
      change_free (c);
      return;
    }
  gtk_widget_set_sensitive (self->group, TRUE);
  if (!distillery_session_write_finish (DISTILLERY_SESSION (source), result, &error))
    g_signal_emit (self, signals[MESSAGE], 0, error->message);
  else
    {
      g_signal_emit (self, signals[MESSAGE], 0, c->weights ? _("Weights changed; the kept answers are forgotten")
                                                           : _("Program changed; the kept answers are forgotten"));
      if (self->teacher_id == c->teacher_id)
        rebuild (self);
    }
  change_free (c);
}

static void
apply_confirmed (gboolean confirmed, gpointer data)
{
  Change *c = data;
  DistilleryTeacherEditor *self = c->editor;

  if (!confirmed || self->session == NULL || self->teacher_id != c->teacher_id)
    {
      change_free (c);
      return;
    }
  gtk_widget_set_sensitive (self->group, FALSE);
  distillery_session_write_async (self->session, write_change, c, NULL, changed, c);
}

gboolean
distillery_teacher_editor_apply (DistilleryTeacherEditor *self)
{
  g_autofree char *problem = NULL;
  g_autofree char *body = NULL;

  g_return_val_if_fail (DISTILLERY_IS_TEACHER_EDITOR (self), FALSE);

  check (self);
  if (self->session == NULL || !self->dirty || self->problem != NULL)
    return FALSE;
  Change *c = g_new0 (Change, 1);
  c->editor = g_object_ref (self);
  c->teacher_id = self->teacher_id;
  gint64 kept = distillery_project_count_cached_answers (distillery_session_get_store (self->session),
                                                         self->teacher_id, NULL);
  g_autofree char *count = g_strdup_printf ("%" PRId64, MAX (kept, 0));
  if (self->is_ensemble)
    {
      c->weights = g_array_new (FALSE, FALSE, sizeof (double));
      for (guint i = 0; i < self->weight_spins->len; i++)
        {
          double w = gtk_spin_button_get_value (GTK_SPIN_BUTTON (self->weight_spins->pdata[i]));
          g_array_append_val (c->weights, w);
        }
      body = g_strdup_printf (g_dngettext (NULL, "The ensemble answers differently with other weights, so the "
                                                 "%s answer the project kept of it is forgotten: the next runs "
                                                 "ask its teachers again. Runs trained already keep their results.",
                                           "The ensemble answers differently with other weights, so the "
                                           "%s answers the project kept of it are forgotten: the next runs "
                                           "ask its teachers again. Runs trained already keep their results.",
                                           (gulong) MAX (kept, 0)), count);
      distillery_confirm (GTK_WIDGET (self), _("Change the Weights?"), body, _("_Cancel"), _("C_hange Weights"),
                          TRUE, apply_confirmed, c);
    }
  else
    {
      c->argv = distillery_parse_command_line (gtk_editable_get_text (GTK_EDITABLE (self->command_row)), &problem);
      c->timeout_ms = (guint) round (1000 * gtk_spin_button_get_value (GTK_SPIN_BUTTON (self->timeout_spin)));
      body = g_strdup_printf (g_dngettext (NULL, "Another program, or another time-out, may answer differently, "
                                                 "so the %s answer the project kept of it is forgotten. The new "
                                                 "command is allowed to run for this project.",
                                           "Another program, or another time-out, may answer differently, "
                                           "so the %s answers the project kept of it are forgotten. The new "
                                           "command is allowed to run for this project.",
                                           (gulong) MAX (kept, 0)), count);
      distillery_confirm (GTK_WIDGET (self), _("Change the Program?"), body, _("_Cancel"), _("C_hange Program"),
                          TRUE, apply_confirmed, c);
    }
  return TRUE;
}

static void
apply_clicked (DistilleryTeacherEditor *self)
{
  distillery_teacher_editor_apply (self);
}

/* ---- The class ---------------------------------------------------- */

static void
distillery_teacher_editor_dispose (GObject *object)
{
  DistilleryTeacherEditor *self = DISTILLERY_TEACHER_EDITOR (object);

  g_clear_pointer (&self->group, gtk_widget_unparent);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (distillery_teacher_editor_parent_class)->dispose (object);
}

static void
distillery_teacher_editor_finalize (GObject *object)
{
  DistilleryTeacherEditor *self = DISTILLERY_TEACHER_EDITOR (object);

  g_ptr_array_unref (self->rows);
  g_ptr_array_unref (self->weight_spins);
  g_free (self->problem);
  G_OBJECT_CLASS (distillery_teacher_editor_parent_class)->finalize (object);
}

static void
distillery_teacher_editor_class_init (DistilleryTeacherEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = distillery_teacher_editor_dispose;
  object_class->finalize = distillery_teacher_editor_finalize;
  /* ::message (text): something the user should read, as a toast. */
  signals[MESSAGE] = g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 1, G_TYPE_STRING);
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
}

static void
distillery_teacher_editor_init (DistilleryTeacherEditor *self)
{
  self->rows = g_ptr_array_new ();
  self->weight_spins = g_ptr_array_new ();
  self->group = adw_preferences_group_new ();
  self->apply_button = gtk_button_new_with_mnemonic (_("_Apply"));
  gtk_widget_set_valign (self->apply_button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (self->apply_button, "suggested-action");
  gtk_widget_set_tooltip_text (self->apply_button, _("Use these settings from now on"));
  g_signal_connect_swapped (self->apply_button, "clicked", G_CALLBACK (apply_clicked), self);
  adw_preferences_group_set_header_suffix (ADW_PREFERENCES_GROUP (self->group), self->apply_button);
  self->problem_label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->problem_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->problem_label), 0);
  gtk_widget_add_css_class (self->problem_label, "error");
  gtk_widget_set_margin_top (self->problem_label, 6);
  gtk_widget_set_visible (self->problem_label, FALSE);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->group), self->problem_label);
  gtk_widget_set_parent (self->group, GTK_WIDGET (self));
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

GtkWidget *
distillery_teacher_editor_new (void)
{
  return g_object_new (DISTILLERY_TYPE_TEACHER_EDITOR, NULL);
}
