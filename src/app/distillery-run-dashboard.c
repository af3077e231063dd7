/* SPDX-License-Identifier: GPL-3.0-or-later */

/* DistilleryRunDashboard: four chart views in a grid. Live runs append the
 * rows their job delivered since the last notification, so a redraw costs
 * what arrived, not the whole run. When the job's model changes (a run
 * that trains its teacher first), or the run ends, the charts start over
 * from the job or the file.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>

#include "distillery-chart-view.h"
#include "distillery-project.h"
#include "distillery-run-charts.h"
#include "distillery-run-dashboard.h"

enum { LOSS, ACCURACY, AGREEMENT, MATRIX, N_CHARTS };

struct _DistilleryRunDashboard
{
  GtkWidget          parent_instance;

  GtkWidget         *grid;
  GtkWidget         *views[N_CHARTS];
  GtkWidget         *placeholder;

  DistillerySession *session;
  GSettings         *settings;
  gint64             run_id;
  DistilleryJob     *job;            /* while the run trains */
  guint              steps_shown, epochs_shown;
  char             **class_names;
  double             teacher_accuracy;   /* NaN: none */
};

G_DEFINE_FINAL_TYPE (DistilleryRunDashboard, distillery_run_dashboard, GTK_TYPE_WIDGET)

static void
disconnect_job (DistilleryRunDashboard *self)
{
  if (self->job == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->job, self);
  g_clear_object (&self->job);
}

static void
new_charts (DistilleryRunDashboard *self, gboolean with_teacher)
{
  static const DistilleryChartKind kinds[N_CHARTS] = {
    DISTILLERY_CHART_LOSS, DISTILLERY_CHART_ACCURACY, DISTILLERY_CHART_AGREEMENT, DISTILLERY_CHART_MATRIX,
  };
  for (guint i = 0; i < N_CHARTS; i++)
    {
      g_autoptr(DistilleryChart) chart = distillery_run_chart_new (kinds[i], (const char *const *) self->class_names);
      if (i == ACCURACY && !isnan (self->teacher_accuracy))
        distillery_chart_add_reference_line (chart, 0, self->teacher_accuracy, _("Teacher"));
      if (i == LOSS)
        {
          /* Without a teacher the KD part is zero and the CE part is the
           * loss itself: two curves that say nothing. */
          distillery_chart_set_series_visible (chart, 1, with_teacher);
          distillery_chart_set_series_visible (chart, 2, with_teacher);
          distillery_chart_set_smoothing (chart, g_settings_get_double (self->settings, "smoothing"));
        }
      distillery_chart_view_set_chart (DISTILLERY_CHART_VIEW (self->views[i]), chart);
      gtk_widget_set_visible (gtk_widget_get_parent (self->views[i]), i < AGREEMENT || with_teacher);
    }
  self->steps_shown = self->epochs_shown = 0;
}

static DistilleryChart *
chart (DistilleryRunDashboard *self, guint i)
{
  return distillery_chart_view_get_chart (DISTILLERY_CHART_VIEW (self->views[i]));
}

static void
add_rows (DistilleryRunDashboard *self, const DistilleryStepRow *steps, guint n_steps,
          const DistilleryEpochRow *epochs, guint n_epochs, guint steps_per_epoch)
{
  distillery_run_chart_add_steps (chart (self, LOSS), steps, n_steps, steps_per_epoch);
  for (guint i = 0; i < N_CHARTS; i++)
    distillery_run_chart_add_epochs (chart (self, i), epochs, n_epochs);
}

static guint
job_steps_per_epoch (DistilleryJob *job)
{
  guint n_epochs;
  const DistilleryEpochRow *epochs = distillery_job_get_epochs (job, &n_epochs);
  return distillery_run_chart_steps_per_epoch (epochs, n_epochs);
}

static void
job_progress (DistilleryJob *job, GParamSpec *pspec, DistilleryRunDashboard *self)
{
  guint n_steps, n_epochs;
  const DistilleryStepRow *steps = distillery_job_get_steps (job, &n_steps);
  const DistilleryEpochRow *epochs = distillery_job_get_epochs (job, &n_epochs);

  /* A new model in training: its history started over. */
  if (n_steps < self->steps_shown || n_epochs < self->epochs_shown)
    new_charts (self, gtk_widget_get_visible (gtk_widget_get_parent (self->views[AGREEMENT])));
  add_rows (self, steps + self->steps_shown, n_steps - self->steps_shown,
            epochs + self->epochs_shown, n_epochs - self->epochs_shown, job_steps_per_epoch (job));
  self->steps_shown = n_steps;
  self->epochs_shown = n_epochs;
}

/* The job's history is complete when its status changes (the last rows
 * come with that change), while the writer may still be committing them
 * to the file: the charts keep what the job delivered. */
static void
job_status (DistilleryJob *job, GParamSpec *pspec, DistilleryRunDashboard *self)
{
  DistilleryRunStatus status = distillery_job_get_status (job);
  if (status == DISTILLERY_RUN_RUNNING || status == DISTILLERY_RUN_QUEUED)
    return;
  job_progress (job, NULL, self);
  disconnect_job (self);
}


/* The data set's class names and the teacher's accuracy, for the run's
 * experiment (or the teacher it trains). */
static gboolean
read_context (DistilleryRunDashboard *self, DistilleryStore *store, const DistilleryStoreRun *run)
{
  g_autoptr(DistilleryStoreExperiment) x = run->experiment_id ? distillery_store_get_experiment (store, run->experiment_id, NULL) : NULL;
  gint64 teacher_id = x ? x->teacher_id : 0;
  g_autoptr(DistilleryStoreTeacher) t = teacher_id ? distillery_store_get_teacher (store, teacher_id, NULL) : NULL;
  g_autoptr(DistilleryStoreTeacher) trained = run->teacher_id ? distillery_store_get_teacher (store, run->teacher_id, NULL) : NULL;
  gint64 dataset_id = x ? x->dataset_id : trained ? trained->dataset_id : 0;
  g_autoptr(DistilleryStoreDataset) d = dataset_id ? distillery_store_get_dataset (store, dataset_id, NULL) : NULL;

  g_clear_pointer (&self->class_names, g_strfreev);
  if (d != NULL && d->class_names != NULL)
    self->class_names = g_strdupv (d->class_names);
  self->teacher_accuracy = NAN;
  if (t != NULL && t->run_id != 0)
    {
      g_autoptr(DistilleryStoreRun) teacher_run = distillery_store_get_run (store, t->run_id, NULL);
      if (teacher_run != NULL)
        self->teacher_accuracy = distillery_project_run_metric (teacher_run->final_metrics, "accuracy");
    }
  return t != NULL;
}

void
distillery_run_dashboard_show_run (DistilleryRunDashboard *self, DistillerySession *session, gint64 run_id)
{
  g_return_if_fail (DISTILLERY_IS_RUN_DASHBOARD (self));

  disconnect_job (self);
  g_set_object (&self->session, session);
  self->run_id = run_id;
  gtk_widget_set_visible (self->placeholder, run_id == 0);
  gtk_widget_set_visible (self->grid, run_id != 0);
  if (run_id == 0 || session == NULL)
    return;

  DistilleryStore *store = distillery_session_get_store (session);
  g_autoptr(DistilleryStoreRun) run = distillery_store_get_run (store, run_id, NULL);
  if (run == NULL)
    {
      gtk_widget_set_visible (self->placeholder, TRUE);
      gtk_widget_set_visible (self->grid, FALSE);
      return;
    }
  gboolean with_teacher = read_context (self, store, run);
  new_charts (self, with_teacher);

  DistilleryJob *job = distillery_session_find_job (session, run_id);
  if (job != NULL)
    {
      self->job = g_object_ref (job);
      g_signal_connect (job, "notify::logged-steps", G_CALLBACK (job_progress), self);
      g_signal_connect (job, "notify::evaluated-epochs", G_CALLBACK (job_progress), self);
      g_signal_connect (job, "notify::status", G_CALLBACK (job_status), self);
      job_progress (job, NULL, self);
      return;
    }
  g_autoptr(GArray) steps = distillery_store_get_steps (store, run_id, NULL);
  g_autoptr(GArray) epochs = distillery_store_get_epochs (store, run_id, NULL);
  if (steps == NULL || epochs == NULL)
    return;
  add_rows (self, (DistilleryStepRow *) steps->data, steps->len, (DistilleryEpochRow *) epochs->data, epochs->len,
            distillery_run_chart_steps_per_epoch ((DistilleryEpochRow *) epochs->data, epochs->len));
}

gint64
distillery_run_dashboard_get_run (DistilleryRunDashboard *self)
{
  g_return_val_if_fail (DISTILLERY_IS_RUN_DASHBOARD (self), 0);
  return self->run_id;
}

static void
distillery_run_dashboard_dispose (GObject *object)
{
  DistilleryRunDashboard *self = DISTILLERY_RUN_DASHBOARD (object);

  disconnect_job (self);
  g_clear_object (&self->session);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->class_names, g_strfreev);
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (distillery_run_dashboard_parent_class)->dispose (object);
}

static void
distillery_run_dashboard_class_init (DistilleryRunDashboardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = distillery_run_dashboard_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "dashboard");
}

static void
distillery_run_dashboard_init (DistilleryRunDashboard *self)
{
  static const char *const names[N_CHARTS] = { N_("Loss"), N_("Accuracy"), N_("Agreement with the teacher"),
                                               N_("Agreement by class") };

  gtk_orientable_set_orientation (GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))),
                                  GTK_ORIENTATION_VERTICAL);
  self->teacher_accuracy = NAN;
  self->settings = g_settings_new ("io.github.distillery.Distillery");
  self->placeholder = gtk_label_new (_("Pick a run to see its charts."));
  gtk_widget_add_css_class (self->placeholder, "dim-label");
  gtk_widget_set_margin_top (self->placeholder, 24);
  gtk_widget_set_margin_bottom (self->placeholder, 24);
  gtk_widget_set_parent (self->placeholder, GTK_WIDGET (self));

  /* Two charts a line on a wide window, one on a narrow one. */
  self->grid = gtk_flow_box_new ();
  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (self->grid), GTK_SELECTION_NONE);
  gtk_flow_box_set_homogeneous (GTK_FLOW_BOX (self->grid), TRUE);
  gtk_flow_box_set_min_children_per_line (GTK_FLOW_BOX (self->grid), 1);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (self->grid), 2);
  gtk_flow_box_set_row_spacing (GTK_FLOW_BOX (self->grid), 12);
  gtk_flow_box_set_column_spacing (GTK_FLOW_BOX (self->grid), 12);
  for (guint i = 0; i < N_CHARTS; i++)
    {
      g_autoptr(DistilleryChart) empty = distillery_run_chart_new (i == LOSS ? DISTILLERY_CHART_LOSS
                                                                   : i == ACCURACY ? DISTILLERY_CHART_ACCURACY
                                                                   : i == AGREEMENT ? DISTILLERY_CHART_AGREEMENT
                                                                   : DISTILLERY_CHART_MATRIX, NULL);
      self->views[i] = distillery_chart_view_new (empty);
      gtk_widget_set_size_request (self->views[i], -1, 300);
      gtk_widget_set_hexpand (self->views[i], TRUE);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->views[i]), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _(names[i]), -1);
      gtk_flow_box_append (GTK_FLOW_BOX (self->grid), self->views[i]);
    }
  gtk_widget_set_visible (self->grid, FALSE);
  gtk_widget_set_parent (self->grid, GTK_WIDGET (self));
}

GtkWidget *
distillery_run_dashboard_new (void)
{
  return g_object_new (DISTILLERY_TYPE_RUN_DASHBOARD, NULL);
}
