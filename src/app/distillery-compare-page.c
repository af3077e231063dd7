/* SPDX-License-Identifier: GPL-3.0-or-later */

/* DistilleryComparePage: reads each picked experiment's finished runs
 * (their epoch rows and final metrics) from the project file when the
 * picks, the metric or the project change.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>

#include "distillery-chart-view.h"
#include "distillery-compare-page.h"
#include "distillery-project.h"
#include "distillery-run-charts.h"

struct _DistilleryComparePage
{
  GtkWidget          parent_instance;

  GtkWidget         *picks;          /* AdwPreferencesGroup of check rows */
  GPtrArray         *pick_rows;
  GtkWidget         *metric_row;
  GtkWidget         *chart_view;
  GtkWidget         *table;          /* GtkGrid */

  DistillerySession *session;
  GHashTable        *unpicked;       /* experiment ids the user unticked */
};

G_DEFINE_FINAL_TYPE (DistilleryComparePage, distillery_compare_page, GTK_TYPE_WIDGET)

static const DistilleryRunMetric metrics[] = {
  DISTILLERY_RUN_METRIC_VAL_ACCURACY, DISTILLERY_RUN_METRIC_VAL_AGREEMENT, DISTILLERY_RUN_METRIC_VAL_KL,
  DISTILLERY_RUN_METRIC_VAL_LOSS, DISTILLERY_RUN_METRIC_TRAIN_LOSS,
};
static const char *const metric_names[] = { N_("Test accuracy"), N_("Agreement with the teacher"),
                                            N_("KL(teacher ‖ student)"), N_("Test loss"), N_("Training loss"), NULL };


/* Mean and sample standard deviation of the finite values. */
static char *
mean_sd (const double *v, guint n, double scale, const char *unit)
{
  double sum = 0, sq = 0;
  guint k = 0;
  for (guint i = 0; i < n; i++)
    if (isfinite (v[i]))
      {
        sum += v[i];
        k++;
      }
  if (k == 0)
    return g_strdup ("—");
  double mean = sum / k;
  for (guint i = 0; i < n; i++)
    if (isfinite (v[i]))
      sq += (v[i] - mean) * (v[i] - mean);
  if (k == 1)
    return g_strdup_printf ("%.2f%s", scale * mean, unit);
  return g_strdup_printf ("%.2f ± %.2f%s", scale * mean, scale * sqrt (sq / (k - 1)), unit);
}

static void
table_cell (GtkWidget *table, int column, int row, const char *text, gboolean heading)
{
  GtkWidget *label = gtk_label_new (text);
  gtk_label_set_xalign (GTK_LABEL (label), column == 0 ? 0 : 1);
  gtk_label_set_ellipsize (GTK_LABEL (label), column == 0 ? PANGO_ELLIPSIZE_END : PANGO_ELLIPSIZE_NONE);
  gtk_widget_set_hexpand (label, column == 0);
  if (heading)
    gtk_widget_add_css_class (label, "heading");
  else
    gtk_widget_add_css_class (label, "numeric");
  gtk_grid_attach (GTK_GRID (table), label, column, row, 1, 1);
}

static void
rebuild (DistilleryComparePage *self)
{
  if (self->session == NULL)
    return;
  DistilleryStore *store = distillery_session_get_store (self->session);
  g_autoptr(GPtrArray) experiments = distillery_store_list_experiments (store, NULL);
  guint metric_index = adw_combo_row_get_selected (ADW_COMBO_ROW (self->metric_row));
  DistilleryRunMetric metric = metrics[MIN (metric_index, G_N_ELEMENTS (metrics) - 1)];
  g_autoptr(DistilleryChart) chart = distillery_run_chart_new_comparison (metric);
  static const char *const headings[] = { N_("Experiment"), N_("Runs"), N_("Accuracy"), N_("Agreement"), N_("Time") };
  int row = 1;

  for (GtkWidget *child; (child = gtk_widget_get_first_child (self->table)) != NULL;)
    gtk_grid_remove (GTK_GRID (self->table), child);
  for (guint c = 0; c < G_N_ELEMENTS (headings); c++)
    table_cell (self->table, c, 0, _(headings[c]), TRUE);

  for (guint i = 0; experiments != NULL && i < experiments->len; i++)
    {
      DistilleryStoreExperiment *x = experiments->pdata[i];
      if (g_hash_table_contains (self->unpicked, &x->id))
        continue;
      g_autoptr(GPtrArray) runs = distillery_store_list_runs (store, x->id, NULL);
      g_autoptr(GPtrArray) curves = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
      g_autoptr(GArray) accuracy = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) agreement = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) seconds = g_array_new (FALSE, FALSE, sizeof (double));
      for (guint r = 0; runs != NULL && r < runs->len; r++)
        {
          DistilleryStoreRun *run = runs->pdata[r];
          if (run->status != DISTILLERY_RUN_FINISHED)
            continue;
          GArray *epochs = distillery_store_get_epochs (store, run->id, NULL);
          if (epochs != NULL)
            g_ptr_array_add (curves, epochs);
          double a = distillery_project_run_metric (run->final_metrics, "accuracy");
          double g = distillery_project_run_metric (run->final_metrics, "agreement");
          g_array_append_val (accuracy, a);
          g_array_append_val (agreement, g);
          g_array_append_val (seconds, run->seconds);
        }
      if (curves->len == 0)
        continue;
      distillery_run_chart_add_group (chart, metric, x->name, curves);
      g_autofree char *n = g_strdup_printf ("%u", curves->len);
      g_autofree char *acc = mean_sd ((double *) accuracy->data, accuracy->len, 100, " %");
      g_autofree char *agr = mean_sd ((double *) agreement->data, agreement->len, 100, " %");
      g_autofree char *sec = mean_sd ((double *) seconds->data, seconds->len, 1, " s");
      table_cell (self->table, 0, row, x->name, FALSE);
      table_cell (self->table, 1, row, n, FALSE);
      table_cell (self->table, 2, row, acc, FALSE);
      table_cell (self->table, 3, row, agr, FALSE);
      table_cell (self->table, 4, row, sec, FALSE);
      row++;
    }
  distillery_chart_view_set_chart (DISTILLERY_CHART_VIEW (self->chart_view), chart);
}

static void
pick_toggled (GtkCheckButton *check, GParamSpec *pspec, DistilleryComparePage *self)
{
  gint64 *id = g_object_get_data (G_OBJECT (check), "experiment-id");
  if (gtk_check_button_get_active (check))
    g_hash_table_remove (self->unpicked, id);
  else
    g_hash_table_add (self->unpicked, g_memdup2 (id, sizeof *id));
  rebuild (self);
}

static void
fill_picks (DistilleryComparePage *self)
{
  g_autoptr(GPtrArray) experiments = distillery_store_list_experiments (distillery_session_get_store (self->session), NULL);

  for (guint i = 0; i < self->pick_rows->len; i++)
    adw_preferences_group_remove (ADW_PREFERENCES_GROUP (self->picks), self->pick_rows->pdata[i]);
  g_ptr_array_set_size (self->pick_rows, 0);
  for (guint i = 0; experiments != NULL && i < experiments->len; i++)
    {
      DistilleryStoreExperiment *x = experiments->pdata[i];
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *check = gtk_check_button_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), x->name);
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check), !g_hash_table_contains (self->unpicked, &x->id));
      g_object_set_data_full (G_OBJECT (check), "experiment-id", g_memdup2 (&x->id, sizeof x->id), g_free);
      g_signal_connect (check, "notify::active", G_CALLBACK (pick_toggled), self);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->picks), row);
      g_ptr_array_add (self->pick_rows, row);
    }
}

static void
session_changed (DistillerySession *session, DistilleryComparePage *self)
{
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;
  fill_picks (self);
  rebuild (self);
}

void
distillery_compare_page_set_session (DistilleryComparePage *self, DistillerySession *session)
{
  g_return_if_fail (DISTILLERY_IS_COMPARE_PAGE (self));

  if (self->session != session)
    {
      if (self->session != NULL)
        g_signal_handlers_disconnect_by_data (self->session, self);
      g_set_object (&self->session, session);
      g_hash_table_remove_all (self->unpicked);
      if (session != NULL)
        g_signal_connect (session, "changed", G_CALLBACK (session_changed), self);
    }
  if (session != NULL)
    {
      fill_picks (self);
      rebuild (self);
    }
}

static void
metric_changed (DistilleryComparePage *self)
{
  rebuild (self);
}

static void
distillery_compare_page_dispose (GObject *object)
{
  DistilleryComparePage *self = DISTILLERY_COMPARE_PAGE (object);

  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_clear_object (&self->session);
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  g_clear_pointer (&self->pick_rows, g_ptr_array_unref);
  g_clear_pointer (&self->unpicked, g_hash_table_unref);
  G_OBJECT_CLASS (distillery_compare_page_parent_class)->dispose (object);
}

static void
distillery_compare_page_class_init (DistilleryComparePageClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = distillery_compare_page_dispose;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
}

static void
distillery_compare_page_init (DistilleryComparePage *self)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 24);
  GtkWidget *g;
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);

  self->pick_rows = g_ptr_array_new ();
  self->unpicked = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 1100);
  gtk_widget_set_margin_top (box, 24);
  gtk_widget_set_margin_bottom (box, 24);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);

  self->picks = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self->picks), _("Compare"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->picks),
                                         _("Each experiment is the mean of its finished runs, with a band from the "
                                           "lowest to the highest"));
  self->metric_row = adw_combo_row_new ();
  for (guint i = 0; metric_names[i] != NULL; i++)
    gtk_string_list_append (names, _(metric_names[i]));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->metric_row), _("Metric"));
  adw_combo_row_set_model (ADW_COMBO_ROW (self->metric_row), G_LIST_MODEL (names));
  g_signal_connect_swapped (self->metric_row, "notify::selected", G_CALLBACK (metric_changed), self);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->picks), self->metric_row);
  gtk_box_append (GTK_BOX (box), self->picks);

  g_autoptr(DistilleryChart) empty = distillery_run_chart_new_comparison (metrics[0]);
  self->chart_view = distillery_chart_view_new (empty);
  gtk_widget_set_size_request (self->chart_view, -1, 360);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->chart_view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Comparison of the picked experiments"), -1);
  gtk_box_append (GTK_BOX (box), self->chart_view);

  g = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (g), _("Final Metrics"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (g), _("Mean ± standard deviation over seeds"));
  self->table = gtk_grid_new ();
  gtk_grid_set_row_spacing (GTK_GRID (self->table), 6);
  gtk_grid_set_column_spacing (GTK_GRID (self->table), 24);
  gtk_widget_add_css_class (self->table, "card");
  gtk_widget_set_margin_top (self->table, 6);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (g), self->table);
  gtk_box_append (GTK_BOX (box), g);

  adw_clamp_set_child (ADW_CLAMP (clamp), box);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  gtk_widget_set_parent (scrolled, GTK_WIDGET (self));
}

DistilleryComparePage *
distillery_compare_page_new (void)
{
  return g_object_new (DISTILLERY_TYPE_COMPARE_PAGE, NULL);
}
