/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The budget sweep: its dialog, how it starts, and its view. The dialog
 * is the confirmation dialog's kind (AdwAlertDialog from libadwaita 1.5,
 * AdwMessageDialog before) with the budgets as its one field. The view
 * finds a sweep's copies by the names the back end gives them and reads
 * their finished runs' final metrics; it rebuilds its chart only when
 * those changed, so that a redraw between runs keeps the reader's zoom.
 * See distillery-sweep.h.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdlib.h>

#include "distillery-chart-view.h"
#include "distillery-dialogs.h"
#include "distillery-form-rows.h"
#include "distillery-project.h"
#include "distillery-sweep.h"

#define MAX_BUDGETS 32

/* ---- Budgets ------------------------------------------------------ */

static int
compare_budgets (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

GArray *
distillery_sweep_parse_budgets (const char *text, char **problem)
{
  g_auto(GStrv) words = g_strsplit_set (text, ", \t", -1);
  g_autoptr(GArray) budgets = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (char **w = words; *w != NULL; w++)
    {
      guint64 v;
      if (**w == '\0')
        continue;
      if (!g_ascii_string_to_unsigned (*w, 10, 1, G_MAXINT64, &v, NULL))
        {
          *problem = g_strdup_printf (_("“%s” is not a number of questions: give whole numbers above zero, "
                                        "as in “50, 100, 200”."), *w);
          return NULL;
        }
      gint64 budget = (gint64) v;
      g_array_append_val (budgets, budget);
    }
  g_array_sort (budgets, compare_budgets);
  for (guint i = 1; i < budgets->len;)
    if (g_array_index (budgets, gint64, i) == g_array_index (budgets, gint64, i - 1))
      g_array_remove_index (budgets, i);
    else
      i++;
  if (budgets->len == 0)
    {
      *problem = g_strdup (_("Give at least one budget, a number of questions."));
      return NULL;
    }
  if (budgets->len > MAX_BUDGETS)
    {
      *problem = g_strdup_printf (_("A sweep takes at most %d budgets."), MAX_BUDGETS);
      return NULL;
    }
  return g_steal_pointer (&budgets);
}

/* ---- Starting ----------------------------------------------------- */

typedef struct
{
  GtkWidget              *parent;
  DistillerySession      *session;
  GObject                *owner;
  DistillerySweepMessage  message;
  gint64                  experiment_id, teacher_id;
  GArray                 *budgets;      /* gint64 */
  GArray                 *copies;       /* gint64, out of the write */
  GtkWidget              *entry, *problem_label;
} Sweep;

static void
sweep_free (Sweep *s)
{
  g_object_unref (s->parent);
  g_object_unref (s->session);
  g_object_unref (s->owner);
  g_clear_pointer (&s->budgets, g_array_unref);
  g_clear_pointer (&s->copies, g_array_unref);
  g_free (s);
}

static gboolean
write_sweep (DistilleryStore *store, gpointer data, GError **error)
{
  Sweep *s = data;
  s->copies = distillery_project_add_budget_sweep (store, s->experiment_id, (gint64 *) s->budgets->data,
                                                   s->budgets->len, error);
  return s->copies != NULL;
}

/* A copy that has a finished run, or one queued or training, is left be. */
static gboolean
needs_run (DistillerySession *session, gint64 experiment_id)
{
  g_autoptr(GPtrArray) runs = distillery_store_list_runs (distillery_session_get_store (session), experiment_id, NULL);
  GListModel *jobs = G_LIST_MODEL (distillery_session_get_queue (session));

  for (guint i = 0; runs != NULL && i < runs->len; i++)
    {
      DistilleryStoreRun *run = runs->pdata[i];
      if (run->status == DISTILLERY_RUN_FINISHED || distillery_session_find_job (session, run->id) != NULL)
        return FALSE;
    }
  for (guint i = 0; i < g_list_model_get_n_items (jobs); i++)
    {
      g_autoptr(DistilleryJob) job = g_list_model_get_item (jobs, i);
      DistilleryRunStatus status = distillery_job_get_status (job);
      if (distillery_job_get_experiment_id (job) == experiment_id
          && (status == DISTILLERY_RUN_QUEUED || status == DISTILLERY_RUN_RUNNING))
        return FALSE;
    }
  return TRUE;
}

static void
programs_allowed (gboolean allowed, const GError *error, gpointer data)
{
  Sweep *s = data;
  guint queued = 0;

  if (error != NULL)
    s->message (s->owner, error->message);
  for (guint i = 0; allowed && i < s->copies->len; i++)
    {
      gint64 copy = g_array_index (s->copies, gint64, i);
      if (!needs_run (s->session, copy))
        continue;
      /* One run each, with the experiment's own seed, as the CLI's sweep. */
      distillery_session_start_run (s->session, copy, -1);
      queued++;
    }
  if (allowed)
    {
      g_autofree char *text = queued > 0
        ? g_strdup_printf (g_dngettext (NULL, "Training %u student, one per budget", "Training %u students, one per budget",
                                        queued), queued)
        : g_strdup (_("Every budget has its student already"));
      s->message (s->owner, text);
    }
  sweep_free (s);
}

static void
sweep_written (GObject *source, GAsyncResult *result, gpointer data)
{
  Sweep *s = data;
  g_autoptr(GError) error = NULL;

  if (!distillery_session_write_finish (DISTILLERY_SESSION (source), result, &error))
    {
      s->message (s->owner, error->message);
      sweep_free (s);
      return;
    }
  /* As Run: a teacher's programs from elsewhere run only once allowed. */
  distillery_allow_programs (s->parent, s->session, s->teacher_id, programs_allowed, s);
}

static void
budgets_changed (Sweep *s)
{
  g_autofree char *problem = NULL;
  g_autoptr(GArray) budgets = distillery_sweep_parse_budgets (gtk_editable_get_text (GTK_EDITABLE (s->entry)),
                                                              &problem);
  gtk_label_set_text (GTK_LABEL (s->problem_label), problem ? problem : "");
  gtk_widget_set_visible (s->problem_label, problem != NULL);
  distillery_form_mark (s->entry, problem != NULL);
#if ADW_CHECK_VERSION (1, 5, 0)
  GtkWidget *dialog = gtk_widget_get_ancestor (s->entry, ADW_TYPE_ALERT_DIALOG);
  adw_alert_dialog_set_response_enabled (ADW_ALERT_DIALOG (dialog), "start", budgets != NULL);
#else
  GtkWidget *dialog = gtk_widget_get_ancestor (s->entry, ADW_TYPE_MESSAGE_DIALOG);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "start", budgets != NULL);
#endif
}

static void
responded (GObject *dialog, const char *response, gpointer data)
{
  Sweep *s = data;
  g_autofree char *problem = NULL;

  if (g_strcmp0 (response, "start") == 0)
    s->budgets = distillery_sweep_parse_budgets (gtk_editable_get_text (GTK_EDITABLE (s->entry)), &problem);
  if (s->budgets == NULL)
    {
      sweep_free (s);
      return;
    }
  distillery_session_write_async (s->session, write_sweep, s, NULL, sweep_written, s);
}

void
distillery_sweep_ask (GtkWidget *parent, DistillerySession *session, gint64 experiment_id, GObject *owner,
                      DistillerySweepMessage message)
{
  g_return_if_fail (GTK_IS_WIDGET (parent));
  g_return_if_fail (DISTILLERY_IS_SESSION (session));

  g_autoptr(DistilleryStoreExperiment) x = distillery_store_get_experiment (distillery_session_get_store (session),
                                                                            experiment_id, NULL);
  if (x == NULL || x->teacher_id == 0)
    {
      message (owner, _("A budget sweep needs an experiment with a teacher to ask."));
      return;
    }
  Sweep *s = g_new0 (Sweep, 1);
  s->parent = g_object_ref (parent);
  s->session = g_object_ref (session);
  s->owner = g_object_ref (owner);
  s->message = message;
  s->experiment_id = experiment_id;
  s->teacher_id = x->teacher_id;

  g_autofree char *body = g_strdup_printf (_("One copy of “%s” per budget, each trained once on only the answers "
                                             "its budget pays for, to show how much each question buys. Copies "
                                             "made before are reused; those with a finished run are not trained "
                                             "again."), x->name);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *list = gtk_list_box_new ();
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  s->entry = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (s->entry), _("Budgets, in questions"));
  gtk_editable_set_text (GTK_EDITABLE (s->entry), DISTILLERY_SWEEP_DEFAULT_BUDGETS);
  adw_entry_row_set_activates_default (ADW_ENTRY_ROW (s->entry), TRUE);
  gtk_list_box_append (GTK_LIST_BOX (list), s->entry);
  s->problem_label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (s->problem_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (s->problem_label), 0);
  gtk_widget_add_css_class (s->problem_label, "error");
  gtk_widget_set_visible (s->problem_label, FALSE);
  gtk_box_append (GTK_BOX (box), list);
  gtk_box_append (GTK_BOX (box), s->problem_label);

#if ADW_CHECK_VERSION (1, 5, 0)
  AdwDialog *dialog = adw_alert_dialog_new (_("Budget Sweep"), body);
  AdwAlertDialog *alert = ADW_ALERT_DIALOG (dialog);
  adw_alert_dialog_add_responses (alert, "cancel", _("_Cancel"), "start", _("_Start Sweep"), NULL);
  adw_alert_dialog_set_response_appearance (alert, "start", ADW_RESPONSE_SUGGESTED);
  adw_alert_dialog_set_default_response (alert, "start");
  adw_alert_dialog_set_close_response (alert, "cancel");
  adw_alert_dialog_set_extra_child (alert, box);
  g_signal_connect (dialog, "response", G_CALLBACK (responded), s);
  adw_dialog_present (dialog, parent);
#else
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (parent)), _("Budget Sweep"), body);
  AdwMessageDialog *question = ADW_MESSAGE_DIALOG (dialog);
  adw_message_dialog_add_responses (question, "cancel", _("_Cancel"), "start", _("_Start Sweep"), NULL);
  adw_message_dialog_set_response_appearance (question, "start", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (question, "start");
  adw_message_dialog_set_close_response (question, "cancel");
  adw_message_dialog_set_extra_child (question, box);
  g_signal_connect (dialog, "response", G_CALLBACK (responded), s);
  gtk_window_present (GTK_WINDOW (dialog));
#endif
  g_signal_connect_swapped (s->entry, "changed", G_CALLBACK (budgets_changed), s);
  gtk_widget_grab_focus (s->entry);
}

/* ---- Finding a sweep ---------------------------------------------- */

void
distillery_sweep_find_copies (DistilleryStore *store, gint64 experiment_id, GArray *ids, GArray *budgets)
{
  g_autoptr(GArray) found = distillery_project_list_budget_sweep (store, experiment_id, budgets, NULL);

  g_array_set_size (ids, 0);
  if (found != NULL)
    g_array_append_vals (ids, found->data, found->len);
  else
    g_array_set_size (budgets, 0);
}

/* ---- The view ----------------------------------------------------- */

struct _DistillerySweepView
{
  GtkWidget        parent_instance;

  GtkWidget       *group;
  GtkWidget       *chart_view;
  GtkWidget       *list;
  DistilleryChart *chart;
  char            *shown;      /* what the chart and list were built from */
};

G_DEFINE_FINAL_TYPE (DistillerySweepView, distillery_sweep_view, GTK_TYPE_WIDGET)

/* The finished runs' mean, minimum and maximum of a final metric. */
static gboolean
run_stats (GPtrArray *runs, const char *metric, double *mean, double *low, double *high)
{
  double sum = 0;
  guint n = 0;

  *low = INFINITY;
  *high = -INFINITY;
  for (guint i = 0; runs != NULL && i < runs->len; i++)
    {
      DistilleryStoreRun *run = runs->pdata[i];
      double v = run->status == DISTILLERY_RUN_FINISHED ? distillery_project_run_metric (run->final_metrics, metric)
                                                        : NAN;
      if (!isfinite (v))
        continue;
      sum += v;
      *low = MIN (*low, v);
      *high = MAX (*high, v);
      n++;
    }
  *mean = n ? sum / n : NAN;
  return n > 0;
}

static DistilleryChart *
new_chart (void)
{
  DistilleryChart *chart = distillery_chart_new (DISTILLERY_CHART_COMPARISON, _("Learning Against Questions"));

  distillery_chart_add_series (chart, _("Agreement with the teacher"), 0, TRUE);
  distillery_chart_add_series (chart, _("Test accuracy"), 0, TRUE);
  distillery_chart_set_axis (chart, 0, NULL, DISTILLERY_CHART_UNIT_PERCENT);
  distillery_chart_set_x_label (chart, _("Questions the student could ask"));
  distillery_chart_set_log_x (chart, TRUE);
  distillery_chart_set_show_points (chart, TRUE);
  return chart;
}

/* What a copy's runs used of its budget, for its row. */
static char *
copy_summary (GPtrArray *runs, gint64 budget, DistillerySession *session)
{
  GString *s = g_string_new (NULL);
  DistilleryStoreRun *last = runs != NULL && runs->len > 0 ? runs->pdata[runs->len - 1] : NULL;
  double agreement, accuracy, low, high;

  if (last == NULL)
    g_string_append (s, _("Not trained yet"));
  else
    g_string_append (s, distillery_session_find_job (session, last->id) != NULL
                          ? distillery_run_status_label (DISTILLERY_RUN_RUNNING)
                          : distillery_run_status_label (last->status));
  if (run_stats (runs, "agreement", &agreement, &low, &high))
    g_string_append_printf (s, _(" · agreement %.2f %%"), 100 * agreement);
  if (run_stats (runs, "accuracy", &accuracy, &low, &high))
    g_string_append_printf (s, _(" · accuracy %.2f %%"), 100 * accuracy);
  if (last != NULL && last->status == DISTILLERY_RUN_FINISHED)
    {
      double asked = distillery_project_run_metric (last->final_metrics, "queries_asked");
      double cached = distillery_project_run_metric (last->final_metrics, "queries_cached");
      if (isfinite (asked) && isfinite (cached))
        {
          gint64 used = (gint64) (asked + cached);
          g_string_append_printf (s, _(" · %" PRId64 " questions used (%" PRId64 " asked, %" PRId64
                                       " from the cache), %" PRId64 " left"),
                                  used, (gint64) asked, (gint64) cached, MAX (budget - used, 0));
        }
    }
  return g_string_free (s, FALSE);
}

void
distillery_sweep_view_set_experiment (DistillerySweepView *self, DistillerySession *session, gint64 experiment_id)
{
  g_return_if_fail (DISTILLERY_IS_SWEEP_VIEW (self));

  DistilleryStore *store = session ? distillery_session_get_store (session) : NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) budgets = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) all_runs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GPtrArray) subtitles = g_ptr_array_new_with_free_func (g_free);
  GString *shown = g_string_new (NULL);

  if (store != NULL && experiment_id != 0)
    distillery_sweep_find_copies (store, experiment_id, ids, budgets);
  gtk_widget_set_visible (GTK_WIDGET (self), ids->len > 0);

  /* What would be shown, to compare with what is. */
  for (guint i = 0; i < ids->len; i++)
    {
      GPtrArray *runs = distillery_store_list_runs (store, g_array_index (ids, gint64, i), NULL);
      char *subtitle = copy_summary (runs, g_array_index (budgets, gint64, i), session);
      g_ptr_array_add (all_runs, runs ? runs : g_ptr_array_new ());
      g_ptr_array_add (subtitles, subtitle);
      g_string_append_printf (shown, "%" PRId64 ":%" PRId64 ":%s\n", g_array_index (ids, gint64, i),
                              g_array_index (budgets, gint64, i), subtitle);
    }
  if (g_strcmp0 (shown->str, self->shown) == 0)
    {
      g_string_free (shown, TRUE);
      return;
    }
  g_free (self->shown);
  self->shown = g_string_free (shown, FALSE);

  g_autoptr(DistilleryChart) chart = new_chart ();
  for (GtkWidget *child; (child = gtk_widget_get_first_child (self->list)) != NULL;)
    gtk_list_box_remove (GTK_LIST_BOX (self->list), child);
  for (guint i = 0; i < ids->len; i++)
    {
      GPtrArray *runs = all_runs->pdata[i];
      double budget = (double) g_array_index (budgets, gint64, i), mean, low, high;
      g_autofree char *title = g_strdup_printf (g_dngettext (NULL, "%" PRId64 " question", "%" PRId64 " questions",
                                                             (gulong) budget),
                                                g_array_index (budgets, gint64, i));
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitles->pdata[i]);
      gtk_list_box_append (GTK_LIST_BOX (self->list), row);
      if (run_stats (runs, "agreement", &mean, &low, &high))
        distillery_chart_append_band (chart, 0, budget, budget, budget, mean, low, high);
      if (run_stats (runs, "accuracy", &mean, &low, &high))
        distillery_chart_append_band (chart, 1, budget, budget, budget, mean, low, high);
    }
  /* The reader's choices carry over to the new points. */
  if (self->chart != NULL)
    for (guint i = 0; i < distillery_chart_get_n_series (chart); i++)
      distillery_chart_set_series_visible (chart, i, distillery_chart_get_series_visible (self->chart, i));
  g_set_object (&self->chart, chart);
  distillery_chart_view_set_chart (DISTILLERY_CHART_VIEW (self->chart_view), chart);
}

DistilleryChart *
distillery_sweep_view_get_chart (DistillerySweepView *self)
{
  g_return_val_if_fail (DISTILLERY_IS_SWEEP_VIEW (self), NULL);
  return self->chart;
}

static void
distillery_sweep_view_dispose (GObject *object)
{
  DistillerySweepView *self = DISTILLERY_SWEEP_VIEW (object);

  g_clear_pointer (&self->group, gtk_widget_unparent);
  g_clear_object (&self->chart);
  G_OBJECT_CLASS (distillery_sweep_view_parent_class)->dispose (object);
}

static void
distillery_sweep_view_finalize (GObject *object)
{
  DistillerySweepView *self = DISTILLERY_SWEEP_VIEW (object);

  g_free (self->shown);
  G_OBJECT_CLASS (distillery_sweep_view_parent_class)->finalize (object);
}

static void
distillery_sweep_view_class_init (DistillerySweepViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = distillery_sweep_view_dispose;
  object_class->finalize = distillery_sweep_view_finalize;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
}

static void
distillery_sweep_view_init (DistillerySweepView *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);

  self->group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self->group), _("Budget Sweep"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->group),
    _("A student per budget of questions: how closely each agrees with the teacher, and how accurate it is, "
      "as their runs finish (the mean of their finished runs, with their range)"));
  self->chart = new_chart ();
  self->chart_view = distillery_chart_view_new (self->chart);
  gtk_widget_set_size_request (self->chart_view, -1, 320);
  self->list = gtk_list_box_new ();
  gtk_widget_add_css_class (self->list, "boxed-list");
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (self->list), GTK_SELECTION_NONE);
  gtk_box_append (GTK_BOX (box), self->chart_view);
  gtk_box_append (GTK_BOX (box), self->list);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->group), box);
  gtk_widget_set_parent (self->group, GTK_WIDGET (self));
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

GtkWidget *
distillery_sweep_view_new (void)
{
  return g_object_new (DISTILLERY_TYPE_SWEEP_VIEW, NULL);
}
