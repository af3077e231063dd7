/* SPDX-License-Identifier: GPL-3.0-or-later */

/* DistilleryExperimentPage: the form is built from tables of fields
 * rather than a template: each numeric setting is the same row (a label
 * and a spin button, as AdwSpinRow is from libadwaita 1.4 on) made by one
 * helper, and each is read and written by one line. Text fields (hidden
 * layer sizes, seeds) are checked by the parsers the JSON and the CLI use,
 * and a field that does not parse is marked and named under the form,
 * with Run disabled.
 *
 * Saving: every change queues a write of the whole settings; a change
 * made while a write is on its way is written after it, and Run waits
 * for the last write, so a run never trains on settings older than the
 * form shows.
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>

#include "distillery-dialogs.h"
#include "distillery-experiment.h"
#include "distillery-project.h"
#include "distillery-experiment-page.h"
#include "distillery-form-rows.h"
#include "distillery-list-rows.h"
#include "distillery-run-dashboard.h"
#include "distillery-sweep.h"

struct _DistilleryExperimentPage
{
  GtkWidget             parent_instance;

  /* The form. */
  GtkWidget            *name_row;
  GtkWidget            *dataset_row;
  GtkWidget            *hidden_row;
  GtkWidget            *activation_row;
  GtkWidget            *dropout_spin;
  GtkWidget            *input_dropout_spin;
  GtkWidget            *jitter_spin;
  GtkWidget            *max_norm_spin;
  GtkWidget            *left_out_row;
  GtkWidget            *left_out_bias_spin;
  GtkWidget            *teacher_row;
  GtkWidget            *temperature_spin;
  GtkWidget            *alpha_spin;
  GtkWidget            *smoothing_spin;
  GtkWidget            *reveals_row;
  GtkWidget            *top_k_spin;
  GtkWidget            *optimizer_row;
  GtkWidget            *learning_rate_spin;
  GtkWidget            *schedule_row;
  GtkWidget            *epochs_spin;
  GtkWidget            *batch_spin;
  GtkWidget            *seeds_row;
  GtkWidget            *groups[3];
  GtkWidget            *page_box;
  GtkWidget            *settings_box;   /* the student, distillation and training groups */
  GtkWidget            *results_box;    /* Run, the charts and the runs */
  GtkWidget            *distillation_group;
  GtkWidget            *locked_box;
  GtkWidget            *reason_label;
  GtkWidget            *run_button;
  GtkWidget            *stop_button;
  GtkWidget            *sweep_button;
  GtkWidget            *sweep_view;
  GtkWidget            *dashboard;
  GtkWidget            *runs_list;
  GtkWidget            *runs_placeholder;

  DistillerySession    *session;
  gint64                experiment_id;
  gint64                selected_run;
  DistilleryExperiment *settings;       /* as the form has them */
  gint64                dataset_id, teacher_id;
  GArray               *dataset_ids, *teacher_ids;   /* gint64, as the combo rows list them */
  guint                 n_classes;
  gboolean              loading;        /* filling the form: not a change */
  gboolean              has_runs;
  gboolean              can_run, can_sweep;
  char                 *reason;
  gboolean              writing, dirty, run_after_write;
};

enum
{
  PROP_0,
  PROP_CAN_RUN,
  PROP_CAN_SWEEP,
  N_PROPS
};

enum
{
  CREATED,
  MESSAGE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (DistilleryExperimentPage, distillery_experiment_page, GTK_TYPE_WIDGET)

/* Choices, in the order of their enums. */
static const char *const activations[] = { N_("None"), N_("ReLU"), N_("GELU"), N_("tanh"), N_("Sigmoid"), NULL };
static const char *const reveals[] = { N_("Full logits"), N_("Probabilities"), N_("Top-k probabilities"),
                                       N_("Top-1 label only"), NULL };
static const char *const optimizers[] = { N_("SGD with momentum"), N_("SGD with Nesterov momentum"), N_("Adam"),
                                          N_("AdamW"), NULL };
static const char *const schedules[] = { N_("Constant"), N_("Step decay"), N_("Cosine"), NULL };

/* ---- Building the form -------------------------------------------- */

static void field_changed (DistilleryExperimentPage *self);

static GtkWidget *
group (GtkWidget *box, const char *title, const char *description)
{
  GtkWidget *g = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (g), title);
  if (description != NULL)
    adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (g), description);
  gtk_box_append (GTK_BOX (box), g);
  return g;
}

static GtkWidget *
spin_row (DistilleryExperimentPage *self, GtkWidget *g, const char *title, const char *subtitle,
          double lower, double upper, double step, guint digits)
{
  GtkSpinButton *spin;
  GtkWidget *row = distillery_form_spin_row (title, subtitle, lower, upper, step, digits, &spin);

  g_signal_connect_swapped (spin, "value-changed", G_CALLBACK (field_changed), self);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (g), row);
  return GTK_WIDGET (spin);
}

static GtkWidget *
combo_row (DistilleryExperimentPage *self, GtkWidget *g, const char *title, const char *const *choices)
{
  GtkWidget *row = distillery_form_combo_row (title, NULL, choices);

  g_signal_connect_swapped (row, "notify::selected", G_CALLBACK (field_changed), self);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (g), row);
  return row;
}

static GtkWidget *
entry_row (DistilleryExperimentPage *self, GtkWidget *g, const char *title)
{
  GtkWidget *row = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  g_signal_connect_swapped (row, "changed", G_CALLBACK (field_changed), self);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (g), row);
  return row;
}

static double
spin_value (GtkWidget *spin)
{
  return gtk_spin_button_get_value (GTK_SPIN_BUTTON (spin));
}

static void
set_spin (GtkWidget *spin, double value)
{
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), value);
}

static guint
combo_selected (GtkWidget *row)
{
  return adw_combo_row_get_selected (ADW_COMBO_ROW (row));
}

/* ---- Form and settings -------------------------------------------- */

static void
set_can_run (DistilleryExperimentPage *self, gboolean can_run, const char *reason)
{
  g_free (self->reason);
  self->reason = g_strdup (reason);
  gtk_label_set_text (GTK_LABEL (self->reason_label), reason ? reason : "");
  gtk_widget_set_visible (self->reason_label, reason != NULL);
  gtk_widget_set_sensitive (self->run_button, can_run);
  if (self->can_run != can_run)
    {
      self->can_run = can_run;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_RUN]);
    }
}

/* Reads the form into self->settings; returns FALSE with a reason when a
 * field is not valid, marking it. */
static gboolean
read_form (DistilleryExperimentPage *self, char **reason)
{
  KdTrainConfig *c = &self->settings->student;
  g_autoptr(GError) error = NULL;
  gboolean ok = TRUE;
  guint selected;

  ok = distillery_parse_hidden (gtk_editable_get_text (GTK_EDITABLE (self->hidden_row)), &c->model, &error);
  distillery_form_mark (self->hidden_row, !ok);
  if (!ok && *reason == NULL)
    *reason = g_strdup (error->message);
  g_clear_error (&error);

  gboolean seeds_ok = distillery_parse_seeds (gtk_editable_get_text (GTK_EDITABLE (self->seeds_row)),
                                              self->settings, &error);
  distillery_form_mark (self->seeds_row, !seeds_ok);
  if (!seeds_ok && *reason == NULL)
    *reason = g_strdup (error->message);
  ok = ok && seeds_ok;

  c->model.activation = combo_selected (self->activation_row);
  c->model.dropout_hidden = spin_value (self->dropout_spin);
  c->model.dropout_input = spin_value (self->input_dropout_spin);
  c->jitter = (int) spin_value (self->jitter_spin);
  c->max_norm = spin_value (self->max_norm_spin);
  c->temperature = spin_value (self->temperature_spin);
  c->alpha = spin_value (self->alpha_spin);
  c->label_smoothing = spin_value (self->smoothing_spin);
  c->teacher_kind = combo_selected (self->reveals_row);
  c->top_k = (int) spin_value (self->top_k_spin);
  selected = combo_selected (self->optimizer_row);
  kd_optimizer_config_init (&c->optimizer, selected <= 1 ? KD_OPTIMIZER_SGD
                                                       : selected == 2 ? KD_OPTIMIZER_ADAM : KD_OPTIMIZER_ADAMW);
  c->optimizer.nesterov = selected == 1;
  c->optimizer.learning_rate = spin_value (self->learning_rate_spin);
  c->schedule.kind = combo_selected (self->schedule_row);
  c->epochs = (int) spin_value (self->epochs_spin);
  c->batch_size = (int) spin_value (self->batch_spin);

  selected = combo_selected (self->dataset_row);
  self->dataset_id = selected < self->dataset_ids->len ? g_array_index (self->dataset_ids, gint64, selected) : 0;
  selected = combo_selected (self->teacher_row);
  self->teacher_id = selected > 0 && selected <= self->teacher_ids->len
                       ? g_array_index (self->teacher_ids, gint64, selected - 1) : 0;

  DistilleryLeftOut *left_out = &self->settings->left_out;
  gboolean left_out_ok = distillery_parse_left_out (gtk_editable_get_text (GTK_EDITABLE (self->left_out_row)),
                                                    left_out, &error);
  if (left_out_ok && self->n_classes > 0 && left_out->n_classes > 0
      && (guint) left_out->classes[left_out->n_classes - 1] >= self->n_classes)
    {
      g_set_error (&error, DISTILLERY_EXPERIMENT_ERROR, DISTILLERY_EXPERIMENT_ERROR_INVALID,
                   _("The data set’s classes are numbered 0 to %u."), self->n_classes - 1);
      left_out_ok = FALSE;
    }
  else if (left_out_ok && self->n_classes > 0 && (guint) left_out->n_classes >= self->n_classes)
    {
      g_set_error_literal (&error, DISTILLERY_EXPERIMENT_ERROR, DISTILLERY_EXPERIMENT_ERROR_INVALID,
                           _("Leaving every class out leaves nothing to learn from."));
      left_out_ok = FALSE;
    }
  distillery_form_mark (self->left_out_row, !left_out_ok);
  if (!left_out_ok && *reason == NULL)
    *reason = g_strdup (error->message);
  g_clear_error (&error);
  left_out->bias = left_out->n_classes > 0 ? spin_value (self->left_out_bias_spin) : 0.0f;
  ok = ok && left_out_ok;

  gboolean top_k_ok = c->teacher_kind != KD_TEACHER_TOPK || self->n_classes == 0
                      || (c->top_k >= 1 && (guint) c->top_k < self->n_classes);
  distillery_form_mark (gtk_widget_get_ancestor (self->top_k_spin, ADW_TYPE_ACTION_ROW), !top_k_ok);
  if (!top_k_ok && *reason == NULL)
    *reason = g_strdup_printf (_("Top-k needs k from 1 to %u: with all %u classes it reveals everything."),
                               self->n_classes - 1, self->n_classes);
  if (self->dataset_id == 0 && *reason == NULL)
    *reason = g_strdup (_("The project has no data set yet: import one first."));
  return ok && top_k_ok && self->dataset_id != 0;
}

static void
update_sensitivity (DistilleryExperimentPage *self)
{
  gboolean editable = !self->has_runs;
  gboolean with_teacher = combo_selected (self->teacher_row) > 0;

  for (guint i = 0; i < G_N_ELEMENTS (self->groups); i++)
    gtk_widget_set_sensitive (self->groups[i], editable);
  gtk_widget_set_sensitive (self->dataset_row, editable);
  gtk_widget_set_sensitive (self->teacher_row, editable);
  gtk_widget_set_sensitive (self->temperature_spin, editable && with_teacher);
  gtk_widget_set_sensitive (self->alpha_spin, editable && with_teacher);
  gtk_widget_set_sensitive (self->reveals_row, editable && with_teacher);
  gtk_widget_set_sensitive (self->top_k_spin, editable && with_teacher
                            && combo_selected (self->reveals_row) == KD_TEACHER_TOPK);
  gtk_widget_set_sensitive (self->left_out_bias_spin, editable && self->settings != NULL
                            && self->settings->left_out.n_classes > 0);
  gtk_widget_set_visible (self->locked_box, self->has_runs);
  /* Results first once there are any: they are what a locked page is
   * for, and what a sweep of this experiment was made for. */
  if (self->has_runs || gtk_widget_get_visible (self->sweep_view))
    gtk_box_reorder_child_after (GTK_BOX (self->page_box), self->settings_box, self->results_box);
  else
    gtk_box_reorder_child_after (GTK_BOX (self->page_box), self->results_box, self->settings_box);
}

static void
validate (DistilleryExperimentPage *self)
{
  g_autofree char *reason = NULL;
  gboolean valid = self->session != NULL && read_form (self, &reason);
  set_can_run (self, valid, reason);
  update_sensitivity (self);

  /* A sweep asks the teacher: it needs one, and settings that can run. */
  gboolean can_sweep = valid && self->teacher_id != 0;
  gtk_widget_set_tooltip_text (self->sweep_button, can_sweep ? _("Train one student per budget of questions")
                                                   : _("A budget sweep needs a teacher to ask"));
  if (self->can_sweep != can_sweep)
    {
      self->can_sweep = can_sweep;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_SWEEP]);
    }
}

static gboolean
write_settings (DistilleryStore *store, gpointer data, GError **error)
{
  return distillery_store_update_experiment (store, data, error);
}

static void
free_experiment_row (gpointer data)
{
  distillery_store_experiment_free (data);
}

static void start_runs (DistilleryExperimentPage *self);
static void save (DistilleryExperimentPage *self);

static void
saved (GObject *source, GAsyncResult *result, gpointer data)
{
  DistilleryExperimentPage *self = data;
  g_autoptr(GError) error = NULL;

  self->writing = FALSE;
  if (!distillery_session_write_finish (DISTILLERY_SESSION (source), result, &error))
    {
      self->run_after_write = FALSE;
      g_signal_emit (self, signals[MESSAGE], 0, error->message);
    }
  else if (self->dirty)
    save (self);
  else if (self->run_after_write)
    start_runs (self);
  g_object_unref (self);
}

static void
save (DistilleryExperimentPage *self)
{
  if (self->writing)
    {
      self->dirty = TRUE;
      return;
    }
  g_autoptr(JsonNode) node = distillery_experiment_to_json (self->settings);
  DistilleryStoreExperiment *e = g_new0 (DistilleryStoreExperiment, 1);
  e->id = self->experiment_id;
  e->settings = json_to_string (node, FALSE);
  e->dataset_id = self->dataset_id;
  e->teacher_id = self->teacher_id;
  self->writing = TRUE;
  self->dirty = FALSE;
  distillery_session_write_async (self->session, write_settings, e, free_experiment_row, saved, g_object_ref (self));
}

static void
field_changed (DistilleryExperimentPage *self)
{
  if (self->loading || self->session == NULL)
    return;
  validate (self);
  if (self->can_run && !self->has_runs)
    save (self);
}

static void
fill_combo (GtkWidget *row, GPtrArray *names, const char *first)
{
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);
  if (first != NULL)
    gtk_string_list_append (list, first);
  for (guint i = 0; i < names->len; i++)
    gtk_string_list_append (list, names->pdata[i]);
  adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (list));
}

/* Data sets and teachers to choose from; returns the index of the ids. */
static void
fill_choices (DistilleryExperimentPage *self, DistilleryStore *store, const DistilleryStoreExperiment *x)
{
  g_autoptr(GPtrArray) datasets = distillery_store_list_datasets (store, NULL);
  g_autoptr(GPtrArray) teachers = distillery_store_list_teachers (store, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  guint dataset_index = 0, teacher_index = 0;

  g_array_set_size (self->dataset_ids, 0);
  g_array_set_size (self->teacher_ids, 0);
  self->n_classes = 0;
  for (guint i = 0; datasets != NULL && i < datasets->len; i++)
    {
      DistilleryStoreDataset *d = datasets->pdata[i];
      g_array_append_val (self->dataset_ids, d->id);
      g_ptr_array_add (names, d->name);
      if (d->id == x->dataset_id)
        {
          dataset_index = i;
          self->n_classes = d->n_classes;
        }
    }
  fill_combo (self->dataset_row, names, NULL);
  adw_combo_row_set_selected (ADW_COMBO_ROW (self->dataset_row), dataset_index);

  g_ptr_array_set_size (names, 0);
  for (guint i = 0; teachers != NULL && i < teachers->len; i++)
    {
      DistilleryStoreTeacher *t = teachers->pdata[i];
      g_array_append_val (self->teacher_ids, t->id);
      g_ptr_array_add (names, t->name);
      if (t->id == x->teacher_id)
        teacher_index = i + 1;
    }
  fill_combo (self->teacher_row, names, _("None: train on labels only"));
  adw_combo_row_set_selected (ADW_COMBO_ROW (self->teacher_row), teacher_index);
}

static void
fill_form (DistilleryExperimentPage *self, const DistilleryStoreExperiment *x)
{
  const KdTrainConfig *c = &self->settings->student;
  g_autofree char *hidden = distillery_format_hidden (&c->model);
  g_autofree char *seeds = distillery_format_seeds (self->settings);

  self->loading = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), x->name);
  fill_choices (self, distillery_session_get_store (self->session), x);
  gtk_editable_set_text (GTK_EDITABLE (self->hidden_row), hidden);
  adw_combo_row_set_selected (ADW_COMBO_ROW (self->activation_row), c->model.activation);
  set_spin (self->dropout_spin, c->model.dropout_hidden);
  set_spin (self->input_dropout_spin, c->model.dropout_input);
  set_spin (self->jitter_spin, c->jitter);
  set_spin (self->max_norm_spin, c->max_norm);
  g_autofree char *left_out = distillery_format_left_out (&self->settings->left_out);
  gtk_editable_set_text (GTK_EDITABLE (self->left_out_row), left_out);
  set_spin (self->left_out_bias_spin, self->settings->left_out.bias);
  set_spin (self->temperature_spin, c->temperature);
  set_spin (self->alpha_spin, c->alpha);
  set_spin (self->smoothing_spin, c->label_smoothing);
  adw_combo_row_set_selected (ADW_COMBO_ROW (self->reveals_row), c->teacher_kind);
  set_spin (self->top_k_spin, c->top_k);
  adw_combo_row_set_selected (ADW_COMBO_ROW (self->optimizer_row),
                              c->optimizer.kind == KD_OPTIMIZER_SGD ? (c->optimizer.nesterov ? 1 : 0)
                              : c->optimizer.kind == KD_OPTIMIZER_ADAM ? 2 : 3);
  set_spin (self->learning_rate_spin, c->optimizer.learning_rate);
  adw_combo_row_set_selected (ADW_COMBO_ROW (self->schedule_row), c->schedule.kind);
  set_spin (self->epochs_spin, c->epochs);
  set_spin (self->batch_spin, c->batch_size);
  gtk_editable_set_text (GTK_EDITABLE (self->seeds_row), seeds);
  self->loading = FALSE;
}

/* ---- Runs --------------------------------------------------------- */



static char *
run_summary (DistilleryExperimentPage *self, const DistilleryStoreRun *run)
{
  GString *s = g_string_new (distillery_run_status_label (run->status));
  double accuracy = distillery_project_run_metric (run->final_metrics, "accuracy");
  double agreement = distillery_project_run_metric (run->final_metrics, "agreement");
  double speed = distillery_project_run_metric (run->final_metrics, "samples_per_second");
  double asked = distillery_project_run_metric (run->final_metrics, "queries_asked");
  double cached = distillery_project_run_metric (run->final_metrics, "queries_cached");

  if (!isnan (accuracy))
    g_string_append_printf (s, _(" · accuracy %.2f %%"), 100 * accuracy);
  if (!isnan (agreement))
    g_string_append_printf (s, _(" · agreement %.2f %%"), 100 * agreement);
  if (run->seconds > 0)
    g_string_append_printf (s, _(" · %.1f s"), run->seconds);
  if (!isnan (speed))
    g_string_append_printf (s, _(" · %.0f samples/s"), speed);
  /* The teacher's questions: those this run asked, those the project's
   * cache answered, and what its budget left. */
  if (isfinite (asked) && isfinite (cached))
    {
      gint64 used = (gint64) (asked + cached), budget = self->settings ? self->settings->budget : 0;
      if (budget > 0)
        g_string_append_printf (s, _(" · %" PRId64 " of %" PRId64 " questions used (%" PRId64 " asked, %" PRId64
                                     " from the cache), %" PRId64 " left"),
                                used, budget, (gint64) asked, (gint64) cached, MAX (budget - used, 0));
      else
        g_string_append_printf (s, _(" · %" PRId64 " questions (%" PRId64 " asked, %" PRId64 " from the cache)"),
                                used, (gint64) asked, (gint64) cached);
    }
  if (run->status == DISTILLERY_RUN_FAILED && run->error != NULL)
    g_string_append_printf (s, " · %s", run->error);
  return g_string_free (s, FALSE);
}

static void
resume_clicked (GtkButton *button, DistilleryExperimentPage *self)
{
  gint64 *run_id = g_object_get_data (G_OBJECT (button), "run-id");
  distillery_session_resume_run (self->session, *run_id);
}

static void
run_row_activated (GtkListBox *box, GtkListBoxRow *row, DistilleryExperimentPage *self)
{
  gint64 *run_id = g_object_get_data (G_OBJECT (row), "run-id");
  self->selected_run = *run_id;
  distillery_run_dashboard_show_run (DISTILLERY_RUN_DASHBOARD (self->dashboard), self->session, *run_id);
}

/* The row of a run in the runs table, made only if it is not there as it
 * is. */
static void
run_row (DistilleryExperimentPage *self, DistilleryListUpdate *update, const DistilleryStoreRun *run)
{
  g_autofree char *title = g_strdup_printf (_("Run %" PRId64 " · seed %" PRIu64), run->id, run->seed);
  g_autofree char *subtitle = run_summary (self, run);
  DistilleryJob *job = distillery_session_find_job (self->session, run->id);
  g_autofree char *key = g_strdup_printf ("%" PRId64, run->id);
  g_autofree char *content = g_strdup_printf ("%s\n%s\n%d\n%p", title, subtitle, run->status, job);
  if (!distillery_list_update_want (update, key, content))
    return;

  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_object_set_data_full (G_OBJECT (row), "run-id", g_memdup2 (&run->id, sizeof run->id), g_free);
  if (job != NULL)
    {
      GtkWidget *bar = gtk_progress_bar_new ();
      gtk_widget_set_valign (bar, GTK_ALIGN_CENTER);
      gtk_widget_set_size_request (bar, 96, -1);
      g_object_bind_property (job, "fraction", bar, "fraction", G_BINDING_SYNC_CREATE);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), bar);
    }
  else if (run->status != DISTILLERY_RUN_FINISHED)
    {
      GtkWidget *resume = gtk_button_new_with_mnemonic (run->status == DISTILLERY_RUN_FAILED ? _("_Retry")
                                                                                           : _("_Resume"));
      gtk_widget_set_valign (resume, GTK_ALIGN_CENTER);
      g_object_set_data_full (G_OBJECT (resume), "run-id", g_memdup2 (&run->id, sizeof run->id), g_free);
      g_signal_connect (resume, "clicked", G_CALLBACK (resume_clicked), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), resume);
    }
  distillery_list_update_add (update, row);
}

/* Refreshes the runs table and what depends on having runs; returns the
 * latest run, or 0. */
static gint64
refresh_runs (DistilleryExperimentPage *self)
{
  g_autoptr(GPtrArray) runs = distillery_store_list_runs (distillery_session_get_store (self->session),
                                                          self->experiment_id, NULL);
  gint64 latest = 0;
  gboolean active = FALSE;

  DistilleryListUpdate *rows = distillery_list_update_begin (GTK_LIST_BOX (self->runs_list));

  for (guint i = 0; runs != NULL && i < runs->len; i++)
    {
      DistilleryStoreRun *run = runs->pdata[i];
      run_row (self, rows, run);
      latest = run->id;
      active |= distillery_session_find_job (self->session, run->id) != NULL;
    }
  distillery_list_update_end (rows);
  gtk_widget_set_visible (self->runs_placeholder, latest == 0);
  self->has_runs = latest != 0;
  gtk_widget_set_sensitive (self->stop_button, active);
  return latest;
}

/* ---- Public ------------------------------------------------------- */

void
distillery_experiment_page_set_experiment (DistilleryExperimentPage *self, DistillerySession *session,
                                           gint64 experiment_id, gint64 run_id)
{
  g_return_if_fail (DISTILLERY_IS_EXPERIMENT_PAGE (self));

  gboolean same = session == self->session && experiment_id == self->experiment_id;
  g_set_object (&self->session, session);
  self->experiment_id = experiment_id;
  if (session == NULL || experiment_id == 0)
    return;

  if (!same)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(DistilleryStoreExperiment) x = distillery_store_get_experiment (distillery_session_get_store (session),
                                                                                experiment_id, &error);
      g_autoptr(JsonParser) parser = json_parser_new ();
      if (x == NULL)
        {
          g_signal_emit (self, signals[MESSAGE], 0, error->message);
          return;
        }
      g_clear_pointer (&self->settings, distillery_experiment_free);
      self->settings = distillery_experiment_new_demo ();
      if (!json_parser_load_from_data (parser, x->settings, -1, &error)
          || !distillery_experiment_merge_json (self->settings, json_parser_get_root (parser), &error))
        g_signal_emit (self, signals[MESSAGE], 0, error->message);
      self->writing = self->dirty = self->run_after_write = FALSE;
      self->selected_run = 0;
      fill_form (self, x);
    }
  gint64 latest = refresh_runs (self);
  if (run_id != 0)
    self->selected_run = run_id;
  else if (self->selected_run == 0)
    self->selected_run = latest;
  if (!same || run_id != 0 || distillery_run_dashboard_get_run (DISTILLERY_RUN_DASHBOARD (self->dashboard)) != self->selected_run)
    distillery_run_dashboard_show_run (DISTILLERY_RUN_DASHBOARD (self->dashboard), session, self->selected_run);
  distillery_sweep_view_set_experiment (DISTILLERY_SWEEP_VIEW (self->sweep_view), session, experiment_id);
  validate (self);
}

gint64
distillery_experiment_page_get_experiment (DistilleryExperimentPage *self)
{
  g_return_val_if_fail (DISTILLERY_IS_EXPERIMENT_PAGE (self), 0);
  return self->experiment_id;
}

gboolean
distillery_experiment_page_can_run (DistilleryExperimentPage *self, const char **reason)
{
  g_return_val_if_fail (DISTILLERY_IS_EXPERIMENT_PAGE (self), FALSE);
  if (reason != NULL)
    *reason = self->reason;
  return self->can_run;
}

gboolean
distillery_experiment_page_can_sweep (DistilleryExperimentPage *self)
{
  g_return_val_if_fail (DISTILLERY_IS_EXPERIMENT_PAGE (self), FALSE);
  return self->can_sweep;
}

gboolean
distillery_experiment_page_can_stop (DistilleryExperimentPage *self)
{
  g_return_val_if_fail (DISTILLERY_IS_EXPERIMENT_PAGE (self), FALSE);
  return gtk_widget_get_sensitive (self->stop_button);
}

static void
start_runs (DistilleryExperimentPage *self)
{
  DistilleryExperiment *e = self->settings;
  guint n = e->n_seeds > 0 ? (guint) e->n_seeds : 1;

  self->run_after_write = FALSE;
  for (guint i = 0; i < n; i++)
    distillery_session_start_run (self->session, self->experiment_id,
                                  (gint64) (e->n_seeds > 0 ? e->seeds[i] : e->seed));
  /* The first new run shows in the dashboard once it has an id. */
  self->selected_run = 0;
}

static void
run_now (DistilleryExperimentPage *self)
{
  if (self->writing || self->dirty)
    self->run_after_write = TRUE;
  else
    start_runs (self);
}

static void
programs_allowed (gboolean allowed, const GError *error, gpointer data)
{
  DistilleryExperimentPage *self = data;

  if (error != NULL)
    g_signal_emit (self, signals[MESSAGE], 0, error->message);
  if (allowed && self->session != NULL)
    run_now (self);
  g_object_unref (self);
}

void
distillery_experiment_page_run (DistilleryExperimentPage *self)
{
  g_return_if_fail (DISTILLERY_IS_EXPERIMENT_PAGE (self));

  if (!self->can_run)
    return;
  /* A program teacher of a project from elsewhere runs only once the
   * user agreed, for this project and this command (remembered). */
  distillery_allow_programs (GTK_WIDGET (self), self->session, self->teacher_id, programs_allowed,
                             g_object_ref (self));
}

void
distillery_experiment_page_stop (DistilleryExperimentPage *self)
{
  g_return_if_fail (DISTILLERY_IS_EXPERIMENT_PAGE (self));

  if (self->session == NULL)
    return;
  GListModel *jobs = G_LIST_MODEL (distillery_session_get_queue (self->session));
  g_autoptr(GPtrArray) runs = distillery_store_list_runs (distillery_session_get_store (self->session),
                                                          self->experiment_id, NULL);
  for (guint i = 0; i < g_list_model_get_n_items (jobs); i++)
    {
      g_autoptr(DistilleryJob) job = g_list_model_get_item (jobs, i);
      gboolean ours = distillery_job_get_experiment_id (job) == self->experiment_id;
      for (guint r = 0; !ours && runs != NULL && r < runs->len; r++)
        ours = ((DistilleryStoreRun *) runs->pdata[r])->id == distillery_job_get_run_id (job);
      if (ours)
        distillery_job_cancel (job);
    }
}

typedef struct
{
  DistilleryStoreExperiment row;
  gint64                    id;     /* out */
} NewExperiment;

static gboolean
write_new (DistilleryStore *store, gpointer data, GError **error)
{
  NewExperiment *n = data;
  n->id = distillery_store_add_experiment (store, &n->row, error);
  return n->id > 0;
}

static void
new_experiment_free (gpointer data)
{
  NewExperiment *n = data;
  g_free (n->row.name);
  g_free (n->row.settings);
  g_free (n);
}

typedef struct
{
  DistilleryExperimentPage *page;
  NewExperiment            *experiment;   /* the write's data: read after it, freed here */
} Creating;

static void
created (GObject *source, GAsyncResult *result, gpointer data)
{
  Creating *c = data;
  g_autoptr(GError) error = NULL;

  if (!distillery_session_write_finish (DISTILLERY_SESSION (source), result, &error))
    g_signal_emit (c->page, signals[MESSAGE], 0, error->message);
  else
    g_signal_emit (c->page, signals[CREATED], 0, c->experiment->id);
  new_experiment_free (c->experiment);
  g_object_unref (c->page);
  g_free (c);
}

/* "Name", "Name (2)", ...: the first not taken. */
static char *
unique_name (DistilleryStore *store, const char *base)
{
  g_autoptr(GPtrArray) experiments = distillery_store_list_experiments (store, NULL);
  for (guint n = 1;; n++)
    {
      g_autofree char *name = n == 1 ? g_strdup (base) : g_strdup_printf ("%s (%u)", base, n);
      gboolean taken = FALSE;
      for (guint i = 0; experiments != NULL && i < experiments->len && !taken; i++)
        taken = g_strcmp0 (((DistilleryStoreExperiment *) experiments->pdata[i])->name, name) == 0;
      if (!taken)
        return g_steal_pointer (&name);
    }
}

void
distillery_experiment_page_create (DistilleryExperimentPage *self, DistillerySession *session, gint64 from_id)
{
  g_return_if_fail (DISTILLERY_IS_EXPERIMENT_PAGE (self));
  g_return_if_fail (DISTILLERY_IS_SESSION (session));

  DistilleryStore *store = distillery_session_get_store (session);
  g_autoptr(DistilleryStoreExperiment) from = from_id ? distillery_store_get_experiment (store, from_id, NULL) : NULL;
  NewExperiment *n = g_new0 (NewExperiment, 1);

  if (from != NULL)
    {
      n->row.name = unique_name (store, from->name);
      n->row.settings = g_strdup (from->settings);
      n->row.dataset_id = from->dataset_id;
      n->row.teacher_id = from->teacher_id;
    }
  else
    {
      g_autoptr(GPtrArray) datasets = distillery_store_list_datasets (store, NULL);
      g_autoptr(GPtrArray) teachers = distillery_store_list_teachers (store, NULL);
      g_autoptr(DistilleryExperiment) defaults = distillery_experiment_new_demo ();
      g_autoptr(JsonNode) node = distillery_experiment_to_json (defaults);
      if (datasets == NULL || datasets->len == 0)
        {
          g_signal_emit (self, signals[MESSAGE], 0, _("Import a data set first: an experiment trains on one."));
          g_free (n);
          return;
        }
      n->row.name = unique_name (store, _("New experiment"));
      n->row.settings = json_to_string (node, FALSE);
      n->row.dataset_id = ((DistilleryStoreDataset *) datasets->pdata[0])->id;
      for (guint i = 0; teachers != NULL && i < teachers->len && n->row.teacher_id == 0; i++)
        if (((DistilleryStoreTeacher *) teachers->pdata[i])->dataset_id == n->row.dataset_id)
          n->row.teacher_id = ((DistilleryStoreTeacher *) teachers->pdata[i])->id;
    }
  Creating *c = g_new0 (Creating, 1);
  c->page = g_object_ref (self);
  c->experiment = n;
  distillery_session_write_async (session, write_new, n, NULL, created, c);
}

static gboolean
write_delete (DistilleryStore *store, gpointer data, GError **error)
{
  return distillery_store_delete_experiment (store, *(gint64 *) data, error);
}

static void
deleted (GObject *source, GAsyncResult *result, gpointer data)
{
  DistilleryExperimentPage *self = data;
  g_autoptr(GError) error = NULL;

  if (!distillery_session_write_finish (DISTILLERY_SESSION (source), result, &error))
    g_signal_emit (self, signals[MESSAGE], 0, error->message);
  g_object_unref (self);
}

static void
delete_confirmed (gboolean confirmed, gpointer data)
{
  DistilleryExperimentPage *self = data;

  if (confirmed && self->session != NULL)
    {
      distillery_experiment_page_stop (self);
      distillery_session_write_async (self->session, write_delete, g_memdup2 (&self->experiment_id, sizeof (gint64)),
                                      g_free, deleted, g_object_ref (self));
    }
  g_object_unref (self);
}

void
distillery_experiment_page_delete (DistilleryExperimentPage *self)
{
  g_return_if_fail (DISTILLERY_IS_EXPERIMENT_PAGE (self));

  if (self->session == NULL || self->experiment_id == 0)
    return;
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  g_autofree char *heading = g_strdup_printf (_("Delete “%s”?"), name);
  const char *body = _("The experiment is deleted with all its runs, their charts and their trained students. "
                       "This cannot be undone.");
  distillery_confirm (GTK_WIDGET (self), heading, body, _("_Cancel"), _("_Delete"), TRUE,
                      delete_confirmed, g_object_ref (self));
}

/* ---- Renaming ----------------------------------------------------- */

typedef struct
{
  gint64 id;
  char  *name;
} Rename;

static gboolean
write_rename (DistilleryStore *store, gpointer data, GError **error)
{
  Rename *r = data;
  return distillery_store_rename_experiment (store, r->id, r->name, error);
}

static void
rename_free (gpointer data)
{
  Rename *r = data;
  g_free (r->name);
  g_free (r);
}

static void
renamed (GObject *source, GAsyncResult *result, gpointer data)
{
  DistilleryExperimentPage *self = data;
  g_autoptr(GError) error = NULL;

  if (!distillery_session_write_finish (DISTILLERY_SESSION (source), result, &error))
    {
      distillery_form_mark (self->name_row, TRUE);
      g_signal_emit (self, signals[MESSAGE], 0, error->message);
    }
  else
    distillery_form_mark (self->name_row, FALSE);
  g_object_unref (self);
}

static void
name_applied (AdwEntryRow *row, DistilleryExperimentPage *self)
{
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));

  if (self->session == NULL || *name == '\0')
    {
      distillery_form_mark (self->name_row, TRUE);
      return;
    }
  Rename *r = g_new0 (Rename, 1);
  r->id = self->experiment_id;
  r->name = g_steal_pointer (&name);
  distillery_session_write_async (self->session, write_rename, r, rename_free, renamed, g_object_ref (self));
}

/* ---- The class ---------------------------------------------------- */

static void
distillery_experiment_page_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  DistilleryExperimentPage *self = DISTILLERY_EXPERIMENT_PAGE (object);

  switch (prop_id)
    {
    case PROP_CAN_RUN:
      g_value_set_boolean (value, self->can_run);
      break;
    case PROP_CAN_SWEEP:
      g_value_set_boolean (value, self->can_sweep);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
distillery_experiment_page_dispose (GObject *object)
{
  DistilleryExperimentPage *self = DISTILLERY_EXPERIMENT_PAGE (object);

  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (distillery_experiment_page_parent_class)->dispose (object);
}

static void
distillery_experiment_page_finalize (GObject *object)
{
  DistilleryExperimentPage *self = DISTILLERY_EXPERIMENT_PAGE (object);

  g_clear_pointer (&self->settings, distillery_experiment_free);
  g_array_unref (self->dataset_ids);
  g_array_unref (self->teacher_ids);
  g_free (self->reason);
  G_OBJECT_CLASS (distillery_experiment_page_parent_class)->finalize (object);
}

static void
distillery_experiment_page_class_init (DistilleryExperimentPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = distillery_experiment_page_get_property;
  object_class->dispose = distillery_experiment_page_dispose;
  object_class->finalize = distillery_experiment_page_finalize;

  properties[PROP_CAN_RUN] = g_param_spec_boolean ("can-run", NULL, NULL, FALSE,
                                                   G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAN_SWEEP] = g_param_spec_boolean ("can-sweep", NULL, NULL, FALSE,
                                                     G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* ::created (id): an experiment made by _create() is in the project. */
  signals[CREATED] = g_signal_new ("created", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 1, G_TYPE_INT64);
  /* ::message (text): something the user should read, as a toast. */
  signals[MESSAGE] = g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 1, G_TYPE_STRING);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
distillery_experiment_page_init (DistilleryExperimentPage *self)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *box = self->page_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 24);
  GtkWidget *g, *actions, *duplicate, *label;

  self->dataset_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->teacher_ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 1100);
  gtk_widget_set_margin_top (box, 24);
  gtk_widget_set_margin_bottom (box, 24);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);

  /* What it is and what it learns from. */
  g = group (box, _("Experiment"), NULL);
  self->name_row = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->name_row), _("Name"));
  adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (self->name_row), TRUE);
  g_signal_connect (self->name_row, "apply", G_CALLBACK (name_applied), self);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (g), self->name_row);
  self->dataset_row = combo_row (self, g, _("Data set"), NULL);
  self->teacher_row = combo_row (self, g, _("Teacher"), NULL);

  self->locked_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_add_css_class (self->locked_box, "card");
  label = gtk_label_new (_("These settings trained the runs below, so they stay as they are. "
                           "Duplicate the experiment to try other settings."));
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_top (label, 12);
  gtk_widget_set_margin_bottom (label, 12);
  duplicate = gtk_button_new_with_mnemonic (_("_Duplicate"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (duplicate), "win.duplicate-experiment");
  gtk_widget_set_valign (duplicate, GTK_ALIGN_CENTER);
  gtk_widget_set_margin_end (duplicate, 12);
  gtk_box_append (GTK_BOX (self->locked_box), label);
  gtk_box_append (GTK_BOX (self->locked_box), duplicate);
  gtk_widget_set_visible (self->locked_box, FALSE);
  gtk_box_append (GTK_BOX (box), self->locked_box);

  self->settings_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 24);
  self->results_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 24);
  gtk_box_append (GTK_BOX (box), self->settings_box);
  gtk_box_append (GTK_BOX (box), self->results_box);
  box = self->settings_box;

  g = self->groups[0] = group (box, _("Student"), _("The small network that learns"));
  self->hidden_row = entry_row (self, g, _("Hidden layer sizes, as in “128, 64”"));
  self->activation_row = combo_row (self, g, _("Activation"), activations);
  self->dropout_spin = spin_row (self, g, _("Dropout"), _("Share of hidden units dropped while training"),
                                 0, 0.95, 0.05, 2);
  self->input_dropout_spin = spin_row (self, g, _("Input dropout"), _("Share of input features dropped while training"),
                                       0, 0.95, 0.05, 2);
  self->jitter_spin = spin_row (self, g, _("Input jitter"),
                                _("Shifts each training image by up to this many whole pixels (images only)"),
                                0, 8, 1, 0);
  self->max_norm_spin = spin_row (self, g, _("Max-norm"),
                                  _("Largest length of each hidden unit’s incoming weights; 0 for no limit"),
                                  0, 1000, 0.5, 1);

  g = self->groups[1] = self->distillation_group =
    group (box, _("Distillation"), _("How the student learns from the teacher"));
  self->temperature_spin = spin_row (self, g, _("Temperature"), _("Softens both distributions; higher shows more "
                                                                 "of the teacher’s dark knowledge"),
                                     0.1, 100, 0.5, 1);
  self->alpha_spin = spin_row (self, g, _("Weight of the teacher"), _("α: the rest goes to the true labels"),
                               0, 1, 0.05, 2);
  self->smoothing_spin = spin_row (self, g, _("Label smoothing"), NULL, 0, 0.5, 0.01, 2);
  self->reveals_row = combo_row (self, g, _("What the teacher reveals"), reveals);
  self->top_k_spin = spin_row (self, g, _("k"), _("Classes the teacher reveals with top-k"), 0, 1000, 1, 0);
  self->left_out_row = entry_row (self, g, _("Classes left out of the transfer set, as in “3”"));
  self->left_out_bias_spin = spin_row (self, g, _("Bias of the left-out classes"),
                                       _("Added to their logits when testing, as Hinton et al. raised the 3s’"),
                                       -100, 100, 0.5, 1);

  g = self->groups[2] = group (box, _("Training"), NULL);
  self->optimizer_row = combo_row (self, g, _("Optimiser"), optimizers);
  self->learning_rate_spin = spin_row (self, g, _("Learning rate"), NULL, 0.00001, 10, 0.001, 5);
  self->schedule_row = combo_row (self, g, _("Schedule"), schedules);
  self->epochs_spin = spin_row (self, g, _("Epochs"), NULL, 1, 100000, 1, 0);
  self->batch_spin = spin_row (self, g, _("Batch size"), NULL, 1, 65536, 16, 0);
  self->seeds_row = entry_row (self, g, _("Seeds, one run each, as in “1, 2, 3”"));

  box = self->results_box;
  actions = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  self->reason_label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->reason_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->reason_label), 0);
  gtk_widget_set_hexpand (self->reason_label, TRUE);
  gtk_widget_add_css_class (self->reason_label, "error");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->reason_label), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Why the experiment cannot run"), -1);
  self->stop_button = gtk_button_new_with_mnemonic (_("_Stop"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->stop_button), "win.stop");
  gtk_widget_set_tooltip_text (self->stop_button, _("Cancel this experiment’s runs (Ctrl+.)"));
  self->run_button = gtk_button_new_with_mnemonic (_("_Run"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->run_button), "win.run");
  gtk_widget_add_css_class (self->run_button, "suggested-action");
  gtk_widget_set_tooltip_text (self->run_button, _("Train one run per seed (Ctrl+R)"));
  self->sweep_button = gtk_button_new_with_mnemonic (_("_Budget Sweep…"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->sweep_button), "win.budget-sweep");
  gtk_box_append (GTK_BOX (actions), self->reason_label);
  gtk_box_append (GTK_BOX (actions), self->sweep_button);
  gtk_box_append (GTK_BOX (actions), self->stop_button);
  gtk_box_append (GTK_BOX (actions), self->run_button);
  gtk_widget_set_halign (actions, GTK_ALIGN_FILL);
  gtk_box_append (GTK_BOX (box), actions);

  self->sweep_view = distillery_sweep_view_new ();
  gtk_box_append (GTK_BOX (box), self->sweep_view);

  g = group (box, _("Charts"), _("Of the selected run, live while it trains"));
  self->dashboard = distillery_run_dashboard_new ();
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (g), self->dashboard);

  g = group (box, _("Runs"), NULL);
  self->runs_list = gtk_list_box_new ();
  gtk_widget_add_css_class (self->runs_list, "boxed-list");
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (self->runs_list), GTK_SELECTION_NONE);
  g_signal_connect (self->runs_list, "row-activated", G_CALLBACK (run_row_activated), self);
  self->runs_placeholder = gtk_label_new (_("No runs yet: Run trains one per seed."));
  gtk_widget_add_css_class (self->runs_placeholder, "dim-label");
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (g), self->runs_placeholder);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (g), self->runs_list);

  adw_clamp_set_child (ADW_CLAMP (clamp), self->page_box);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  gtk_widget_set_parent (scrolled, GTK_WIDGET (self));
  set_can_run (self, FALSE, NULL);
}

DistilleryExperimentPage *
distillery_experiment_page_new (void)
{
  return g_object_new (DISTILLERY_TYPE_EXPERIMENT_PAGE, NULL);
}
