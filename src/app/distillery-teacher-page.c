/* SPDX-License-Identifier: GPL-3.0-or-later */

/* DistilleryTeacherPage: testing loads the teacher's model and the data
 * set in a worker thread on its own connection and times its answers to
 * the whole test set, in batches as the answer cache asks them; a
 * program's stderr is read back from it at the end, answered or not.
 * What can be changed of an ensemble or a program is the editor's
 * (distillery-teacher-editor.c).
 */

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>

#include <inttypes.h>

#include "distillery-program-teacher.h"
#include "distillery-project.h"
#include "distillery-run-dashboard.h"
#include "distillery-teacher-editor.h"
#include "distillery-teacher-page.h"

struct _DistilleryTeacherPage
{
  GtkWidget          parent_instance;

  GtkWidget         *facts;
  GtkWidget         *architecture_row, *status_row, *test_row, *kept_row;
  GtkWidget         *train_button, *test_button;
  GtkWidget         *editor;
  GtkWidget         *stderr_group;  /* a program's stderr, after Test */
  GtkTextBuffer     *stderr_text;
  GtkWidget         *dashboard;
  GtkWidget         *charts;     /* the training's, for networks trained here */

  DistillerySession *session;
  gint64             teacher_id;
  GCancellable      *testing;
};

enum
{
  MESSAGE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (DistilleryTeacherPage, distillery_teacher_page, GTK_TYPE_WIDGET)

static void
refresh (DistilleryTeacherPage *self)
{
  DistilleryStore *store = distillery_session_get_store (self->session);
  g_autoptr(DistilleryStoreTeacher) t = distillery_store_get_teacher (store, self->teacher_id, NULL);
  g_autoptr(DistilleryStoreRun) run = t && t->run_id ? distillery_store_get_run (store, t->run_id, NULL) : NULL;
  g_autoptr(DistilleryExperiment) settings = distillery_experiment_new_demo ();
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (t == NULL)
    return;
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self->facts), t->name);
  gboolean trained_here = g_strcmp0 (t->kind, "mlp") == 0;
  g_autofree char *description = NULL;
  if (trained_here)
    {
      if (json_parser_load_from_data (parser, t->settings, -1, NULL))
        distillery_experiment_merge_json (settings, json_parser_get_root (parser), NULL);
      g_autofree char *hidden = distillery_format_hidden (&settings->teacher.model);
      description = g_strdup_printf (_("A network trained here: hidden layers %s · %d epochs · dropout %.2f"),
                                     hidden, settings->teacher.epochs, settings->teacher.model.dropout_hidden);
    }
  else if (g_strcmp0 (t->kind, "answers") == 0)
    description = g_strdup (_("Answers recorded elsewhere, one row per sample, kept in the project"));
  else if (g_strcmp0 (t->kind, "ensemble") == 0 && json_parser_load_from_data (parser, t->settings, -1, NULL)
           && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      JsonObject *o = json_node_get_object (json_parser_get_root (parser));
      JsonArray *members = json_object_get_array_member (o, "members");
      JsonArray *weights = json_object_get_array_member (o, "weights");
      GString *list = g_string_new (NULL);
      for (guint i = 0; members != NULL && i < json_array_get_length (members); i++)
        {
          g_autoptr(DistilleryStoreTeacher) m = distillery_store_get_teacher (store, json_array_get_int_element (members, i), NULL);
          g_string_append_printf (list, "%s%s × %g", i ? ", " : "", m ? m->name : "?",
                                  weights && i < json_array_get_length (weights) ? json_array_get_double_element (weights, i) : 1.0);
        }
      g_autofree char *members_text = g_string_free (list, FALSE);
      description = g_strdup_printf (g_strcmp0 (json_object_get_string_member_with_default (o, "mode", ""), "logits") == 0
                                       ? _("An ensemble averaging logits at T = %g: %s")
                                       : _("An ensemble averaging probabilities at T = %g: %s"),
                                     json_object_get_double_member_with_default (o, "temperature", 1), members_text);
    }
  else if (g_strcmp0 (t->kind, "program") == 0)
    {
      g_auto(GStrv) to_allow = distillery_project_programs_to_allow (store, t->id, NULL);
      description = to_allow && to_allow[0]
        ? g_strdup_printf (_("A program, not yet allowed to run for this project: %s"), to_allow[0])
        : g_strdup (_("A program, allowed to run for this project (docs/teacher-protocol.md)"));
    }
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->architecture_row), description ? description : t->kind);
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->facts),
                                         trained_here ? _("A network trained here on the data set’s labels")
                                         : g_strcmp0 (t->kind, "answers") == 0 ? _("Answers recorded elsewhere")
                                         : g_strcmp0 (t->kind, "ensemble") == 0 ? _("Several teachers answering as one")
                                         : _("An external program that answers questions"));
  gtk_widget_set_visible (self->charts, trained_here);
  gtk_widget_set_visible (self->stderr_group, g_strcmp0 (t->kind, "program") == 0
                                              && gtk_text_buffer_get_char_count (self->stderr_text) > 0);

  g_autoptr(GError) count_error = NULL;
  gint64 kept = distillery_project_count_cached_answers (store, t->id, &count_error);
  g_autofree char *kept_text = NULL;
  if (kept < 0)
    kept_text = g_strdup (count_error->message);
  else if (kept == 0)
    kept_text = g_strdup (g_strcmp0 (t->kind, "answers") == 0 ? _("None") : _("None yet: runs keep every answer they get"));
  else
    {
      g_autofree char *n = g_strdup_printf ("%" PRId64, kept);
      kept_text = g_strdup_printf (g_dngettext (NULL, "%s answer, never asked again", "%s answers, never asked again",
                                                (gulong) kept), n);
    }
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->kept_row), kept_text);
  distillery_teacher_editor_set_teacher (DISTILLERY_TEACHER_EDITOR (self->editor), self->session, self->teacher_id);

  gboolean training = FALSE;
  GListModel *jobs = G_LIST_MODEL (distillery_session_get_queue (self->session));
  for (guint i = 0; i < g_list_model_get_n_items (jobs); i++)
    {
      g_autoptr(DistilleryJob) job = g_list_model_get_item (jobs, i);
      DistilleryRunStatus status = distillery_job_get_status (job);
      training |= (status == DISTILLERY_RUN_RUNNING || status == DISTILLERY_RUN_QUEUED)
                  && g_strcmp0 (distillery_job_get_model_name (job), _("teacher")) == 0;
    }
  const char *state = !trained_here ? _("Answers as it is; nothing to train")
                    : run == NULL ? _("Not trained yet: Train trains it, and so does running a student of it")
                    : run->status == DISTILLERY_RUN_FINISHED ? _("Trained")
                    : _("Its training stopped before the end");
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->status_row), training ? _("Training…") : state);
  gtk_widget_set_visible (self->train_button, trained_here);
  gtk_widget_set_sensitive (self->train_button, !training && (run == NULL || run->status != DISTILLERY_RUN_FINISHED));
  gtk_widget_set_sensitive (self->test_button, !trained_here || (run != NULL && run->status == DISTILLERY_RUN_FINISHED));
  if (distillery_run_dashboard_get_run (DISTILLERY_RUN_DASHBOARD (self->dashboard)) != (run ? run->id : 0))
    distillery_run_dashboard_show_run (DISTILLERY_RUN_DASHBOARD (self->dashboard), self->session, run ? run->id : 0);
}

static void
session_changed (DistillerySession *session, DistilleryTeacherPage *self)
{
  refresh (self);
}

void
distillery_teacher_page_set_teacher (DistilleryTeacherPage *self, DistillerySession *session, gint64 teacher_id)
{
  g_return_if_fail (DISTILLERY_IS_TEACHER_PAGE (self));

  if (self->session != session)
    {
      if (self->session != NULL)
        g_signal_handlers_disconnect_by_data (self->session, self);
      g_set_object (&self->session, session);
      if (session != NULL)
        g_signal_connect (session, "changed", G_CALLBACK (session_changed), self);
    }
  if (teacher_id != self->teacher_id)
    {
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->test_row), _("Not tested yet"));
      gtk_text_buffer_set_text (self->stderr_text, "", -1);
    }
  self->teacher_id = teacher_id;
  if (session != NULL)
    refresh (self);
}

static void
train_clicked (DistilleryTeacherPage *self)
{
  distillery_session_train_teacher (self->session, self->teacher_id);
}

typedef struct
{
  char   *path;
  gint64  teacher_id;
  double  accuracy, ms_per_1000;
  char   *stderr_text;    /* a program's, or NULL */
} Testing;

static void
testing_free (Testing *t)
{
  g_free (t->path);
  g_free (t->stderr_text);
  g_free (t);
}

/* Any kind of teacher, asked about the whole test set as a run asks it:
 * through the teacher interface, timed. */
static void
test_in_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Testing *t = data;
  GError *error = NULL;
  g_autoptr(DistilleryStore) store = distillery_store_open (t->path, DISTILLERY_STORE_OPEN_READ_ONLY, &error);
  g_autoptr(DistilleryStoreTeacher) teacher = store ? distillery_store_get_teacher (store, t->teacher_id, &error) : NULL;
  DistilleryDataset *train = NULL, *test = NULL;

  if (teacher == NULL || !distillery_project_load_dataset (store, teacher->dataset_id, &train, &test, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  KdData view = distillery_dataset_view (test);
  g_autoptr(DistilleryTeacher) asked = distillery_project_open_teacher (store, teacher, &view, "test", &error);
  g_autofree float *answers = g_new (float, MAX ((gsize) view.n * view.n_classes, 1));
  g_autofree guint32 *samples = g_new (guint32, MAX (view.n, 1));
  for (gsize i = 0; i < view.n; i++)
    samples[i] = (guint32) i;
  gint64 start = g_get_monotonic_time ();
  gboolean answered = asked != NULL && distillery_teacher_answer (asked, &view, samples, view.n, answers,
                                                                  cancellable, &error);
  /* Read before the task returns: the page reads it then. */
  if (asked != NULL && DISTILLERY_IS_PROGRAM_TEACHER (asked))
    t->stderr_text = distillery_program_teacher_get_stderr (DISTILLERY_PROGRAM_TEACHER (asked));
  if (!answered)
    g_task_return_error (task, error);
  else
    {
      double seconds = (g_get_monotonic_time () - start) / 1e6;
      guint correct = 0;
      /* The arg-max means the same for every kind of answer. */
      for (gsize i = 0; i < view.n; i++)
        {
          int best = 0;
          for (int c = 1; c < view.n_classes; c++)
            if (answers[i * view.n_classes + c] > answers[i * view.n_classes + best])
              best = c;
          correct += best == view.labels[i];
        }
      t->accuracy = view.n ? (double) correct / view.n : NAN;
      t->ms_per_1000 = view.n ? 1000.0 * seconds * 1000.0 / view.n : NAN;
      g_task_return_boolean (task, TRUE);
    }
  distillery_dataset_free (train);
  distillery_dataset_free (test);
}

static void
tested (GObject *source, GAsyncResult *result, gpointer data)
{
  DistilleryTeacherPage *self = DISTILLERY_TEACHER_PAGE (source);
  Testing *t = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  gtk_widget_set_sensitive (self->test_button, TRUE);
  if (t->teacher_id == self->teacher_id)
    {
      gtk_text_buffer_set_text (self->stderr_text, t->stderr_text ? t->stderr_text : "", -1);
      gtk_widget_set_visible (self->stderr_group, t->stderr_text != NULL && *t->stderr_text != '\0');
    }
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Where the result would be; a program's message may be long. */
      if (t->teacher_id == self->teacher_id)
        adw_action_row_set_subtitle (ADW_ACTION_ROW (self->test_row), error->message);
      g_signal_emit (self, signals[MESSAGE], 0, _("The teacher failed its test"));
      return;
    }
  g_autofree char *text = g_strdup_printf (_("Accuracy %.2f %% on the test set · %.2f ms per 1000 questions"),
                                           100 * t->accuracy, t->ms_per_1000);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->test_row), text);
}

static void
test_clicked (DistilleryTeacherPage *self)
{
  Testing *t = g_new0 (Testing, 1);
  t->path = g_strdup (distillery_session_get_path (self->session));
  t->teacher_id = self->teacher_id;
  if (self->testing != NULL)
    g_cancellable_cancel (self->testing);
  g_clear_object (&self->testing);
  self->testing = g_cancellable_new ();
  gtk_widget_set_sensitive (self->test_button, FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->test_row), _("Testing…"));
  g_autoptr(GTask) task = g_task_new (self, self->testing, tested, NULL);
  g_task_set_task_data (task, t, (GDestroyNotify) testing_free);
  g_task_run_in_thread (task, test_in_thread);
}

static void
distillery_teacher_page_dispose (GObject *object)
{
  DistilleryTeacherPage *self = DISTILLERY_TEACHER_PAGE (object);

  if (self->testing != NULL)
    g_cancellable_cancel (self->testing);
  g_clear_object (&self->testing);
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_clear_object (&self->session);
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (distillery_teacher_page_parent_class)->dispose (object);
}

static void
distillery_teacher_page_class_init (DistilleryTeacherPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = distillery_teacher_page_dispose;
  /* ::message (text): something the user should read, as a toast. */
  signals[MESSAGE] = g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 1, G_TYPE_STRING);
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
}

static void
editor_message (DistilleryTeacherPage *self, const char *message)
{
  g_signal_emit (self, signals[MESSAGE], 0, message);
}

static GtkWidget *
fact_row (GtkWidget *group, const char *title)
{
  GtkWidget *row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_widget_add_css_class (row, "property");
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  return row;
}

static void
distillery_teacher_page_init (DistilleryTeacherPage *self)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 24);
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *charts = self->charts = adw_preferences_group_new ();

  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 1100);
  gtk_widget_set_margin_top (box, 24);
  gtk_widget_set_margin_bottom (box, 24);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);

  self->facts = adw_preferences_group_new ();
  self->architecture_row = fact_row (self->facts, _("Settings"));
  self->status_row = fact_row (self->facts, _("State"));
  self->test_row = fact_row (self->facts, _("Test"));
  self->kept_row = fact_row (self->facts, _("Kept answers"));
  gtk_box_append (GTK_BOX (box), self->facts);

  self->train_button = gtk_button_new_with_mnemonic (_("_Train"));
  gtk_widget_add_css_class (self->train_button, "suggested-action");
  g_signal_connect_swapped (self->train_button, "clicked", G_CALLBACK (train_clicked), self);
  self->test_button = gtk_button_new_with_mnemonic (_("_Test"));
  gtk_widget_set_tooltip_text (self->test_button, _("Accuracy on the test set, and the time it takes to answer"));
  g_signal_connect_swapped (self->test_button, "clicked", G_CALLBACK (test_clicked), self);
  gtk_widget_set_halign (buttons, GTK_ALIGN_END);
  gtk_box_append (GTK_BOX (buttons), self->test_button);
  gtk_box_append (GTK_BOX (buttons), self->train_button);
  gtk_box_append (GTK_BOX (box), buttons);

  /* A program's stderr as it wrote it: monospace, selectable, scrolled. */
  self->stderr_group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self->stderr_group), _("Program’s Messages"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->stderr_group),
                                         _("What the program wrote on stderr during the last test (the last 64 KiB)"));
  GtkWidget *text_view = gtk_text_view_new ();
  GtkWidget *text_scroll = gtk_scrolled_window_new ();
  self->stderr_text = gtk_text_view_get_buffer (GTK_TEXT_VIEW (text_view));
  gtk_text_view_set_editable (GTK_TEXT_VIEW (text_view), FALSE);
  gtk_text_view_set_monospace (GTK_TEXT_VIEW (text_view), TRUE);
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (text_view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (text_view), 8);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (text_view), 8);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (text_view), 8);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (text_view), 8);
  gtk_accessible_update_property (GTK_ACCESSIBLE (text_view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("The program’s messages"), -1);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (text_scroll), text_view);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (text_scroll), 160);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (text_scroll), 320);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (text_scroll), TRUE);
  gtk_widget_add_css_class (text_scroll, "card");
  gtk_widget_set_overflow (text_scroll, GTK_OVERFLOW_HIDDEN);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->stderr_group), text_scroll);
  gtk_widget_set_visible (self->stderr_group, FALSE);
  gtk_box_append (GTK_BOX (box), self->stderr_group);

  self->editor = distillery_teacher_editor_new ();
  g_signal_connect_swapped (self->editor, "message", G_CALLBACK (editor_message), self);
  gtk_box_append (GTK_BOX (box), self->editor);

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (charts), _("Training"));
  self->dashboard = distillery_run_dashboard_new ();
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (charts), self->dashboard);
  gtk_box_append (GTK_BOX (box), charts);

  adw_clamp_set_child (ADW_CLAMP (clamp), box);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  gtk_widget_set_parent (scrolled, GTK_WIDGET (self));
}

DistilleryTeacherPage *
distillery_teacher_page_new (void)
{
  return g_object_new (DISTILLERY_TYPE_TEACHER_PAGE, NULL);
}
