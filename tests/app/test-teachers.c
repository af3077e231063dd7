/* SPDX-License-Identifier: GPL-3.0-or-later */

/* Teachers from elsewhere in the window, driven in-process as a user
 * would, on copies of a real demo project: recorded answers imported
 * through the form (and a broken file refused with the row named), an
 * ensemble made in the form, trained from, its weights changed on its
 * page (the kept answers go), a program teacher added from a command
 * line (and refused when it does not speak the protocol), tested with
 * its stderr shown, and a budget sweep on the demo drawn as its runs
 * finish. Screenshots of each go to the build folder (screenshots/).
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "distillery-application.h"
#include "distillery-chart-view.h"
#include "distillery-consent.h"
#include "distillery-project.h"
#include "distillery-sweep.h"
#include "distillery-teacher-dialog.h"
#include "distillery-window.h"
#include "workbench-util.h"

static DistilleryApplication *app;
static const char *teacher_program;   /* the example C teacher */
static char *dir, *demo_path;
static guint copies;

static gboolean
skip_without_display (void)
{
  if (app != NULL)
    return FALSE;
  g_test_skip ("No display: the application needs one (run under xvfb-run)");
  return TRUE;
}

/* A project of the test's own: a copy of the demo. */
static char *
copy_demo (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup_printf ("project-%u.distillery", ++copies);
  char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GFile) from = g_file_new_for_path (demo_path);
  g_autoptr(GFile) to = g_file_new_for_path (path);

  g_assert_true (g_file_copy (from, to, G_FILE_COPY_NONE, NULL, NULL, NULL, &error));
  return path;
}

/* The dialog for adding a teacher, once it shows. */
static gboolean
teacher_dialog_shown (gpointer data)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) toplevel = g_list_model_get_item (toplevels, i);
      if (DISTILLERY_IS_TEACHER_DIALOG (toplevel) && gtk_widget_get_mapped (GTK_WIDGET (toplevel)))
        {
          *(DistilleryTeacherDialog **) data = DISTILLERY_TEACHER_DIALOG (toplevel);
          return TRUE;
        }
    }
  return FALSE;
}

static DistilleryTeacherDialog *
open_teacher_dialog (DistilleryWindow *window, const char *kind)
{
  DistilleryTeacherDialog *dialog = NULL;

  g_action_group_activate_action (G_ACTION_GROUP (window), "new-teacher", g_variant_new_string (kind));
  g_assert_true (workbench_iterate_until (teacher_dialog_shown, &dialog, 10));
  return dialog;
}

typedef struct
{
  DistillerySession *session;
  const char        *name;
  gint64             id;
} Wanted;

static gboolean
teacher_listed (gpointer data)
{
  Wanted *w = data;
  g_autoptr(GPtrArray) teachers = distillery_store_list_teachers (distillery_session_get_store (w->session), NULL);
  for (guint i = 0; teachers != NULL && i < teachers->len; i++)
    if (g_strcmp0 (((DistilleryStoreTeacher *) teachers->pdata[i])->name, w->name) == 0)
      {
        w->id = ((DistilleryStoreTeacher *) teachers->pdata[i])->id;
        return TRUE;
      }
  return FALSE;
}

static gboolean
dialog_idle (gpointer data)
{
  return !distillery_teacher_dialog_get_busy (data);
}

static void
teacher_added (DistilleryTeacherDialog *dialog, gint64 teacher_id, gpointer data)
{
  *(gint64 *) data = teacher_id;
}

/* Presses Add (the default: Enter presses it) and waits until the dialog is
 * idle again; returns the teacher it added (and closed), or 0. */
static gint64
press_add (DistilleryTeacherDialog *dialog)
{
  gint64 added = 0;
  gulong handler = g_signal_connect (dialog, "added", G_CALLBACK (teacher_added), &added);

  g_object_ref (dialog);
  /* A click at once: activating a button clicks it after its animation. */
  g_signal_emit_by_name (gtk_window_get_default_widget (GTK_WINDOW (dialog)), "clicked");
  g_assert_true (workbench_iterate_until (dialog_idle, dialog, 60));
  g_signal_handler_disconnect (dialog, handler);
  if (added != 0)
    g_assert_false (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  g_object_unref (dialog);
  return added;
}

/* The demo's file rows, each answered with logits that put 3 on the
 * true label and 0 elsewhere: a teacher that is always right. */
static char *
write_answers (const char *project, const char *name, int broken_line)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryStore) store = distillery_store_open (project, DISTILLERY_STORE_OPEN_READ_ONLY, &error);
  g_autoptr(GPtrArray) datasets = distillery_store_list_datasets (store, &error);
  DistilleryDataset *train = NULL, *test = NULL;

  g_assert_no_error (error);
  g_assert_true (distillery_project_load_dataset (store, ((DistilleryStoreDataset *) datasets->pdata[0])->id,
                                                 &train, &test, &error));
  g_assert_nonnull (train->origin);
  guint n = train->n_samples + test->n_samples, C = train->n_classes;
  g_autofree gint32 *labels = g_new (gint32, n);
  for (guint i = 0; i < train->n_samples; i++)
    labels[train->origin[i]] = train->labels[i];
  for (guint i = 0; i < test->n_samples; i++)
    labels[test->origin[i]] = test->labels[i];
  GString *csv = g_string_new (NULL);
  for (guint c = 0; c < C; c++)
    g_string_append_printf (csv, "%sclass%u", c ? "," : "", c);
  g_string_append_c (csv, '\n');
  for (guint r = 0; r < n; r++)
    {
      for (guint c = 0; c < C; c++)
        {
          /* Line numbers count the header as line 1. */
          if ((int) r + 2 == broken_line && c == 2)
            g_string_append (csv, ",abc");
          else
            g_string_append_printf (csv, "%s%d", c ? "," : "", (int) c == labels[r] ? 3 : 0);
        }
      g_string_append_c (csv, '\n');
    }
  char *path = g_build_filename (dir, name, NULL);
  g_assert_true (g_file_set_contents (path, csv->str, csv->len, NULL));
  g_string_free (csv, TRUE);
  distillery_dataset_free (train);
  distillery_dataset_free (test);
  return path;
}

static gint64
add_answers_teacher (DistilleryWindow *window, const char *csv, const char *name)
{
  DistillerySession *session = distillery_window_get_session (window);
  DistilleryTeacherDialog *dialog = open_teacher_dialog (window, "answers");
  g_autoptr(GFile) file = g_file_new_for_path (csv);
  Wanted wanted = { session, name, 0 };

  /* Nothing chosen yet: Add is off, and says why. */
  g_assert_nonnull (distillery_teacher_dialog_get_problem (dialog));
  distillery_teacher_dialog_set_file (dialog, file);
  g_assert_null (distillery_teacher_dialog_get_problem (dialog));
  gtk_editable_set_text (GTK_EDITABLE (workbench_find_row (GTK_WIDGET (dialog), "Name")), name);
  g_assert_cmpint (press_add (dialog), >, 0);
  g_assert_true (workbench_iterate_until (teacher_listed, &wanted, 10));
  return wanted.id;
}

/* ---- Recorded answers --------------------------------------------- */

typedef struct
{
  GtkWidget  *row;
  const char *prefix;
} Subtitle;

static gboolean
subtitle_starts (gpointer data)
{
  Subtitle *s = data;
  return g_str_has_prefix (adw_action_row_get_subtitle (ADW_ACTION_ROW (s->row)), s->prefix);
}

static GtkWidget *
find_button (GtkWidget *widget, const char *label)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0
      && gtk_widget_get_mapped (widget))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, label);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* A file with a cell that is not a number is refused, the dialog naming
 * its line and keeping the form; the right file is imported, and the
 * teacher it makes knows every test sample's label. */
static void
test_answers (void)
{
  if (skip_without_display ())
    return;

  g_autofree char *path = copy_demo ();
  g_autofree char *good = write_answers (path, "answers.csv", -1);
  g_autofree char *broken = write_answers (path, "broken.csv", 7);
  DistilleryWindow *window = workbench_open_project (app, path);
  DistillerySession *session = distillery_window_get_session (window);

  DistilleryTeacherDialog *dialog = open_teacher_dialog (window, "answers");
  g_autoptr(GFile) broken_file = g_file_new_for_path (broken);
  distillery_teacher_dialog_set_file (dialog, broken_file);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (workbench_find_row (GTK_WIDGET (dialog), "Name"))), ==,
                   "broken");
  g_assert_cmpint (press_add (dialog), ==, 0);
  const char *problem = distillery_teacher_dialog_get_problem (dialog);
  g_test_message ("refused: %s", problem);
  g_assert_nonnull (strstr (problem, "broken.csv, line 7, column 3"));
  g_assert_nonnull (strstr (problem, "“abc” is not a number"));
  workbench_screenshot (GTK_WIDGET (dialog), "answers-refused");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_autoptr(GPtrArray) teachers = distillery_store_list_teachers (distillery_session_get_store (session), NULL);
  g_assert_cmpuint (teachers->len, ==, 1);

  gint64 id = add_answers_teacher (window, good, "Recorded");
  g_autoptr(DistilleryStoreTeacher) t = distillery_store_get_teacher (distillery_session_get_store (session), id, NULL);
  g_assert_cmpstr (t->kind, ==, "answers");
  g_assert_nonnull (strstr (t->settings, "logits"));

  /* Its page: the answers kept, and Test right about every sample. */
  g_assert_true (distillery_window_select_teacher (window, id));
  GtkWidget *kept = workbench_find_row (GTK_WIDGET (window), "Kept answers");
  gint64 n = distillery_project_count_cached_answers (distillery_session_get_store (session), id, NULL);
  g_assert_cmpint (n, >, 1000);
  g_autofree char *expected = g_strdup_printf ("%" G_GINT64_FORMAT " answers", n);
  g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (ADW_ACTION_ROW (kept)), expected));
  gtk_widget_activate (find_button (GTK_WIDGET (window), "_Test"));
  Subtitle tested = { workbench_find_row (GTK_WIDGET (window), "Test"), "Accuracy 100.00 %" };
  g_assert_true (workbench_iterate_until (subtitle_starts, &tested, 30));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* ---- Ensembles ---------------------------------------------------- */

static GtkWidget *
member_row (DistilleryTeacherDialog *dialog, const char *name)
{
  GtkWidget *row = workbench_find_row (GTK_WIDGET (dialog), name);
  g_assert_nonnull (row);
  return row;
}

static GtkWidget *
row_child (GtkWidget *row, GType type)
{
  /* The row's own widgets, not those of rows inside it. */
  GtkWidget *found = workbench_find_widget (row, type);
  g_assert_nonnull (found);
  return found;
}

/* A write through the window's session, waited for. */
typedef struct
{
  gint64   teacher_id;
  gint64   experiment_id;    /* out */
  gboolean done;
} Experiment;

static gboolean
write_experiment (DistilleryStore *store, gpointer data, GError **error)
{
  Experiment *x = data;
  g_autoptr(DistilleryStoreTeacher) t = distillery_store_get_teacher (store, x->teacher_id, error);
  g_autoptr(DistilleryExperiment) settings = distillery_experiment_new_demo ();

  settings->student.epochs = 2;
  x->experiment_id = t ? distillery_project_add_experiment (store, "Ensemble student", t->dataset_id, t->id,
                                                            settings, error) : 0;
  return x->experiment_id > 0;
}

static gboolean
write_nothing (DistilleryStore *store, gpointer data, GError **error)
{
  return TRUE;
}

static gboolean
written (gpointer data)
{
  return ((Experiment *) data)->done;
}

static void
write_done (GObject *source, GAsyncResult *result, gpointer data)
{
  g_assert_true (distillery_session_write_finish (DISTILLERY_SESSION (source), result, NULL));
  ((Experiment *) data)->done = TRUE;
}

typedef struct
{
  DistilleryWindow *window;
  gint64            id;
} Selecting;

/* The sidebar lists what was written once it refreshed, at idle. */
static gboolean
experiment_selected (gpointer data)
{
  Selecting *s = data;
  return distillery_window_select_experiment (s->window, s->id);
}

static gboolean
run_enabled (gpointer data)
{
  return g_action_group_get_action_enabled (G_ACTION_GROUP (data), "run");
}

static gboolean
runs_done (gpointer data)
{
  return distillery_session_get_n_active (data) == 0;
}

static gboolean
queue_started (gpointer data)
{
  return distillery_session_get_n_active (data) > 0;
}

static gboolean
question_shown (gpointer data)
{
  return workbench_question (data) != NULL;
}

typedef struct
{
  DistillerySession *session;
  gint64             teacher_id;
} Kept;

static gboolean
nothing_kept (gpointer data)
{
  Kept *k = data;
  return distillery_project_count_cached_answers (distillery_session_get_store (k->session), k->teacher_id, NULL) == 0;
}

/* An ensemble of the demo's network and recorded answers, made in the
 * form with weights 1 and 3, averaging logits at T = 2: a student trains
 * from it and the project keeps its answers; changing a weight on its
 * page asks first, then stores the weights and forgets those answers. */
static void
test_ensemble (void)
{
  g_autoptr(GError) error = NULL;

  if (skip_without_display ())
    return;

  g_autofree char *path = copy_demo ();
  g_autofree char *csv = write_answers (path, "ensemble-answers.csv", -1);
  DistilleryWindow *window = workbench_open_project (app, path);
  DistillerySession *session = distillery_window_get_session (window);
  DistilleryStore *store = distillery_session_get_store (session);
  g_autoptr(GPtrArray) teachers = distillery_store_list_teachers (store, NULL);
  DistilleryStoreTeacher *network = teachers->pdata[0];
  gint64 recorded = add_answers_teacher (window, csv, "Recorded");

  DistilleryTeacherDialog *dialog = open_teacher_dialog (window, "ensemble");
  g_assert_cmpstr (distillery_teacher_dialog_get_problem (dialog), ==, "Tick the teachers the ensemble averages.");
  GtkWidget *first = member_row (dialog, network->name), *second = member_row (dialog, "Recorded");
  gtk_check_button_set_active (GTK_CHECK_BUTTON (row_child (first, GTK_TYPE_CHECK_BUTTON)), TRUE);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (row_child (second, GTK_TYPE_CHECK_BUTTON)), TRUE);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (row_child (second, GTK_TYPE_SPIN_BUTTON)), 3);
  /* Every weight zero is refused. */
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (row_child (first, GTK_TYPE_SPIN_BUTTON)), 0);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (row_child (second, GTK_TYPE_SPIN_BUTTON)), 0);
  g_assert_nonnull (strstr (distillery_teacher_dialog_get_problem (dialog), "weight above zero"));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (row_child (first, GTK_TYPE_SPIN_BUTTON)), 1);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (row_child (second, GTK_TYPE_SPIN_BUTTON)), 3);
  adw_combo_row_set_selected (ADW_COMBO_ROW (workbench_find_row (GTK_WIDGET (dialog), "Average")), 1);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (row_child (workbench_find_row (GTK_WIDGET (dialog), "Temperature"),
                                                         GTK_TYPE_SPIN_BUTTON)), 2);
  gtk_editable_set_text (GTK_EDITABLE (workbench_find_row (GTK_WIDGET (dialog), "Name")), "Committee");
  g_assert_null (distillery_teacher_dialog_get_problem (dialog));
  workbench_screenshot (GTK_WIDGET (dialog), "new-ensemble");
  g_assert_cmpint (press_add (dialog), >, 0);
  Wanted wanted = { session, "Committee", 0 };
  g_assert_true (workbench_iterate_until (teacher_listed, &wanted, 10));

  g_autofree gint64 *members = NULL;
  g_autofree double *weights = NULL;
  guint n = 0;
  gboolean logits = FALSE;
  double temperature = 0;
  g_assert_true (distillery_project_get_ensemble (store, wanted.id, &members, &weights, &n, &logits, &temperature,
                                                  &error));
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpint (members[0], ==, network->id);
  g_assert_cmpint (members[1], ==, recorded);
  g_assert_cmpfloat (weights[0], ==, 1);
  g_assert_cmpfloat (weights[1], ==, 3);
  g_assert_true (logits);
  g_assert_cmpfloat (temperature, ==, 2);

  /* A student of the ensemble: its answers are kept. */
  Experiment x = { wanted.id, 0, FALSE };
  distillery_session_write_async (session, write_experiment, &x, NULL, write_done, &x);
  g_assert_true (workbench_iterate_until (written, &x, 10));
  Selecting selecting = { window, x.experiment_id };
  g_assert_true (workbench_iterate_until (experiment_selected, &selecting, 10));
  g_assert_true (workbench_iterate_until (run_enabled, window, 10));
  g_action_group_activate_action (G_ACTION_GROUP (window), "run", NULL);
  g_assert_true (workbench_iterate_until (queue_started, session, 10));
  g_assert_true (workbench_iterate_until (runs_done, session, 120));
  g_autoptr(GPtrArray) runs = distillery_store_list_runs (store, x.experiment_id, NULL);
  g_assert_cmpuint (runs->len, ==, 1);
  g_assert_cmpint (((DistilleryStoreRun *) runs->pdata[0])->status, ==, DISTILLERY_RUN_FINISHED);
  gint64 kept = distillery_project_count_cached_answers (store, wanted.id, NULL);
  g_assert_cmpint (kept, >, 0);

  /* Its page: the weights, editable; Apply asks, then they change. */
  g_assert_true (distillery_window_select_teacher (window, wanted.id));
  GtkWidget *weight = workbench_find_row (GTK_WIDGET (window), "Recorded");
  g_assert_nonnull (weight);
  GtkWidget *apply = find_button (GTK_WIDGET (window), "_Apply");
  g_assert_false (gtk_widget_get_sensitive (apply));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (row_child (weight, GTK_TYPE_SPIN_BUTTON)), 0.5);
  g_assert_true (gtk_widget_get_sensitive (apply));
  workbench_wait_toasts_gone (GTK_WIDGET (window));
  workbench_screenshot (GTK_WIDGET (window), "ensemble-teacher");
  gtk_widget_activate (apply);
  g_assert_true (workbench_iterate_until (question_shown, window, 10));
  workbench_screenshot (workbench_question (GTK_WINDOW (window)), "ensemble-weights-question");
  workbench_answer (GTK_WINDOW (window), "confirm");
  Kept k = { session, wanted.id };
  g_assert_true (workbench_iterate_until (nothing_kept, &k, 10));
  g_clear_pointer (&members, g_free);
  g_clear_pointer (&weights, g_free);
  g_assert_true (distillery_project_get_ensemble (store, wanted.id, &members, &weights, &n, &logits, &temperature,
                                                  &error));
  g_assert_cmpfloat (weights[1], ==, 0.5);
  Subtitle none = { workbench_find_row (GTK_WIDGET (window), "Kept answers"), "None yet" };
  g_assert_true (workbench_iterate_until (subtitle_starts, &none, 10));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* ---- Programs ----------------------------------------------------- */

typedef struct
{
  GtkTextBuffer *buffer;
  const char    *text;
} Contains;

static gboolean
buffer_contains (gpointer data)
{
  Contains *c = data;
  GtkTextIter start, end;
  gtk_text_buffer_get_bounds (c->buffer, &start, &end);
  g_autofree char *text = gtk_text_buffer_get_text (c->buffer, &start, &end, FALSE);
  return strstr (text, c->text) != NULL;
}

/* A command line that does not split, a program that is not there and
 * one that announces the wrong number of classes are each refused with
 * their reason; the right one is added (and allowed), and after Test its
 * page shows what it wrote on stderr. */
static void
test_program (void)
{
  if (skip_without_display ())
    return;
  if (teacher_program == NULL)
    {
      g_test_skip ("The example teacher program's path is the test's argument");
      return;
    }

  g_autofree char *path = copy_demo ();
  DistilleryWindow *window = workbench_open_project (app, path);
  DistillerySession *session = distillery_window_get_session (window);
  DistilleryTeacherDialog *dialog = open_teacher_dialog (window, "program");
  GtkWidget *command = workbench_find_row (GTK_WIDGET (dialog), "Command line");

  gtk_editable_set_text (GTK_EDITABLE (command), "'unclosed --features 64");
  g_assert_nonnull (strstr (distillery_teacher_dialog_get_problem (dialog), "cannot be split"));
  g_assert_true (gtk_widget_has_css_class (command, "error"));
  gtk_editable_set_text (GTK_EDITABLE (command), "no-such-teacher-program --features 64");
  g_assert_nonnull (strstr (distillery_teacher_dialog_get_problem (dialog), "no program called “no-such-teacher-program”"));

  const char *const wrong[] = { teacher_program, "--features", "64", "--classes", "4", NULL };
  g_autofree char *wrong_command = distillery_consent_command (wrong);
  gtk_editable_set_text (GTK_EDITABLE (command), wrong_command);
  g_assert_null (distillery_teacher_dialog_get_problem (dialog));
  g_assert_cmpint (press_add (dialog), ==, 0);
  g_test_message ("refused: %s", distillery_teacher_dialog_get_problem (dialog));
  g_assert_nonnull (strstr (distillery_teacher_dialog_get_problem (dialog), "does not answer as a teacher"));
  g_assert_nonnull (strstr (distillery_teacher_dialog_get_problem (dialog), "4"));

  const char *const right[] = { teacher_program, "--features", "64", "--classes", "10", "--returns", "probabilities",
                                "--stderr-chatter", "2", NULL };
  g_autofree char *right_command = distillery_consent_command (right);
  gtk_editable_set_text (GTK_EDITABLE (command), right_command);
  gtk_editable_set_text (GTK_EDITABLE (workbench_find_row (GTK_WIDGET (dialog), "Name")), "Example program");
  workbench_screenshot (GTK_WIDGET (dialog), "new-program-teacher");
  g_assert_cmpint (press_add (dialog), >, 0);
  Wanted wanted = { session, "Example program", 0 };
  g_assert_true (workbench_iterate_until (teacher_listed, &wanted, 10));
  g_autofree char *consented = distillery_consent_command (right);
  g_assert_true (distillery_consent_is_allowed (path, consented));

  g_assert_true (distillery_window_select_teacher (window, wanted.id));
  gtk_widget_activate (find_button (GTK_WIDGET (window), "_Test"));
  Subtitle tested = { workbench_find_row (GTK_WIDGET (window), "Test"), "Accuracy" };
  g_assert_true (workbench_iterate_until (subtitle_starts, &tested, 60));
  GtkWidget *text = workbench_find_widget (GTK_WIDGET (window), GTK_TYPE_TEXT_VIEW);
  Contains chatter = { gtk_text_view_get_buffer (GTK_TEXT_VIEW (text)), "chatter line 2 of 2" };
  g_assert_true (workbench_iterate_until (buffer_contains, &chatter, 10));
  g_assert_true (gtk_widget_get_mapped (text));
  workbench_wait_toasts_gone (GTK_WIDGET (window));
  workbench_screenshot (GTK_WIDGET (window), "program-teacher-stderr");
  gtk_window_destroy (GTK_WINDOW (window));
}

/* ---- Budget sweep ------------------------------------------------- */

typedef struct
{
  DistillerySweepView *view;
  guint                points;
} Points;

static gboolean
chart_has_points (gpointer data)
{
  Points *p = data;
  DistilleryChart *chart = distillery_sweep_view_get_chart (p->view);
  return chart != NULL && distillery_chart_get_series (chart, 0)->n == p->points
         && distillery_chart_get_series (chart, 1)->n == p->points;
}

static gboolean
sweep_enabled (gpointer data)
{
  return g_action_group_get_action_enabled (G_ACTION_GROUP (data), "budget-sweep");
}

/* Budget Sweep on the demo's distilled student: the budgets asked for
 * become copies, each trained once on that many of the teacher's answers,
 * and the chart on the experiment's page gets a point per budget as the
 * runs finish. */
static void
test_sweep (void)
{
  g_autoptr(GError) error = NULL;

  if (skip_without_display ())
    return;

  g_autofree char *path = copy_demo ();
  DistilleryWindow *window = workbench_open_project (app, path);
  DistillerySession *session = distillery_window_get_session (window);
  DistilleryStore *store = distillery_session_get_store (session);
  g_autoptr(DistilleryStoreExperiment) plain = distillery_store_find_experiment (store, "Plain student", &error);
  g_autoptr(DistilleryStoreExperiment) distilled = distillery_store_find_experiment (store, "Distilled student", &error);
  g_assert_no_error (error);

  /* No teacher, no sweep. */
  g_assert_true (distillery_window_select_experiment (window, plain->id));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "budget-sweep"));

  g_assert_true (distillery_window_select_experiment (window, distilled->id));
  g_assert_true (workbench_iterate_until (sweep_enabled, window, 10));
  g_action_group_activate_action (G_ACTION_GROUP (window), "budget-sweep", NULL);
  g_assert_true (workbench_iterate_until (question_shown, window, 10));
  GtkWidget *question = workbench_question (GTK_WINDOW (window));
  GtkWidget *budgets = workbench_find_row (question, "Budgets, in questions");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (budgets)), ==, DISTILLERY_SWEEP_DEFAULT_BUDGETS);
  gtk_editable_set_text (GTK_EDITABLE (budgets), "100, 30 x");
  g_assert_true (gtk_widget_has_css_class (budgets, "error"));
  gtk_editable_set_text (GTK_EDITABLE (budgets), "400, 50 100,50");
  g_assert_false (gtk_widget_has_css_class (budgets, "error"));
  workbench_screenshot (question, "budget-sweep-dialog");
  workbench_answer (GTK_WINDOW (window), "start");

  g_assert_true (workbench_iterate_until (queue_started, session, 10));
  GtkWidget *view = workbench_find_widget (GTK_WIDGET (window), DISTILLERY_TYPE_SWEEP_VIEW);
  g_assert_nonnull (view);
  g_assert_true (workbench_iterate_until (runs_done, session, 180));
  Points points = { DISTILLERY_SWEEP_VIEW (view), 3 };
  g_assert_true (workbench_iterate_until (chart_has_points, &points, 10));

  /* Three copies, one finished run each, that used their budget. */
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) found = g_array_new (FALSE, FALSE, sizeof (gint64));
  distillery_sweep_find_copies (store, distilled->id, ids, found);
  g_assert_cmpuint (ids->len, ==, 3);
  static const gint64 expected[] = { 50, 100, 400 };
  DistilleryChartSeries *agreement = distillery_chart_get_series (distillery_sweep_view_get_chart (points.view), 0);
  for (guint i = 0; i < ids->len; i++)
    {
      g_assert_cmpint (g_array_index (found, gint64, i), ==, expected[i]);
      g_autoptr(GPtrArray) runs = distillery_store_list_runs (store, g_array_index (ids, gint64, i), NULL);
      g_assert_cmpuint (runs->len, ==, 1);
      DistilleryStoreRun *run = runs->pdata[0];
      g_assert_cmpint (run->status, ==, DISTILLERY_RUN_FINISHED);
      double asked = distillery_project_run_metric (run->final_metrics, "queries_asked");
      double cached = distillery_project_run_metric (run->final_metrics, "queries_cached");
      g_assert_cmpfloat (asked + cached, ==, (double) expected[i]);
      g_assert_cmpfloat (agreement->x[DISTILLERY_CHART_X_STEP][i], ==, (double) expected[i]);
      g_assert_cmpfloat_with_epsilon (agreement->y[i], distillery_project_run_metric (run->final_metrics, "agreement"),
                                      1e-6);
    }
  workbench_wait_toasts_gone (GTK_WIDGET (window));
  workbench_screenshot (GTK_WIDGET (window), "budget-sweep");

  /* A copy's page says what its run used of its budget. */
  g_assert_true (distillery_window_select_experiment (window, g_array_index (ids, gint64, 0)));
  g_autoptr(GPtrArray) runs = distillery_store_list_runs (store, g_array_index (ids, gint64, 0), NULL);
  g_autofree char *title = g_strdup_printf ("Run %" G_GINT64_FORMAT " · seed %" G_GUINT64_FORMAT,
                                            ((DistilleryStoreRun *) runs->pdata[0])->id,
                                            ((DistilleryStoreRun *) runs->pdata[0])->seed);
  GtkWidget *row = workbench_find_row (GTK_WIDGET (window), title);
  g_assert_nonnull (row);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "50 of 50 questions used"));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "0 left"));

  /* Again: every budget has its student, nothing more trains. */
  g_assert_true (distillery_window_select_experiment (window, distilled->id));
  g_assert_true (workbench_iterate_until (sweep_enabled, window, 10));
  g_action_group_activate_action (G_ACTION_GROUP (window), "budget-sweep", NULL);
  g_assert_true (workbench_iterate_until (question_shown, window, 10));
  gtk_editable_set_text (GTK_EDITABLE (workbench_find_row (workbench_question (GTK_WINDOW (window)),
                                                           "Budgets, in questions")), "50, 100");
  workbench_answer (GTK_WINDOW (window), "start");
  /* Writes commit in order: once this one did, the sweep's had. */
  Experiment after = { 0, 0, FALSE };
  distillery_session_write_async (session, write_nothing, &after, NULL, write_done, &after);
  g_assert_true (workbench_iterate_until (written, &after, 10));
  g_assert_cmpuint (distillery_session_get_n_active (session), ==, 0);
  distillery_sweep_find_copies (store, distilled->id, ids, found);
  g_assert_cmpuint (ids->len, ==, 3);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  /* Consents are written to a configuration folder of the test's own. */
  dir = g_dir_make_tmp ("distillery-teachers-XXXXXX", &error);
  g_assert_no_error (error);
  g_autofree char *config = g_build_filename (dir, "config", NULL);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_test_init (&argc, &argv, NULL);
  teacher_program = argc > 1 ? argv[1] : NULL;
  demo_path = g_build_filename (dir, "demo.distillery", NULL);
  if (gtk_init_check ())
    {
      g_autoptr(DistilleryStore) store = distillery_project_new_demo (demo_path, NULL, &error);
      g_assert_no_error (error);
      g_autoptr(GSettings) window_settings = g_settings_new ("io.github.distillery.Distillery");
      g_settings_set_int (window_settings, "window-width", 1200);
      g_settings_set_int (window_settings, "window-height", 780);

      app = distillery_application_new ();
      g_application_set_flags (G_APPLICATION (app),
                               g_application_get_flags (G_APPLICATION (app)) | G_APPLICATION_NON_UNIQUE);
      g_application_register (G_APPLICATION (app), NULL, &error);
      g_assert_no_error (error);
    }

  g_test_add_func ("/teachers/answers", test_answers);
  g_test_add_func ("/teachers/ensemble", test_ensemble);
  g_test_add_func ("/teachers/program", test_program);
  g_test_add_func ("/teachers/sweep", test_sweep);
  status = g_test_run ();

  g_clear_object (&app);
  workbench_remove_test_folder (dir, config);
  return status;
}
