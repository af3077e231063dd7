/* SPDX-License-Identifier: GPL-3.0-or-later */

/* DistilleryWindow: the window and its project. The sidebar is refilled
 * from the project file whenever the session says something changed (a
 * write committed, a run started or ended), keeping the selection; the
 * rows of runs in training bind their progress bars to the jobs, so live
 * progress costs no reading. Files, recent projects and dialogs live in
 * distillery-window-files.c.
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "distillery-dialogs.h"
#include "distillery-sweep.h"
#include "distillery-teacher-dialog.h"
#include "distillery-list-rows.h"
#include "distillery-window-private.h"

G_DEFINE_FINAL_TYPE (DistilleryWindow, distillery_window, ADW_TYPE_APPLICATION_WINDOW)

/* ---- Messages ----------------------------------------------------- */

void
_distillery_window_toast (DistilleryWindow *self, const char *message)
{
  adw_toast_overlay_add_toast (self->toasts, adw_toast_new (message));
}

void
_distillery_window_show_error (DistilleryWindow *self, const char *title, const char *message)
{
#if ADW_CHECK_VERSION (1, 5, 0)
  AdwDialog *dialog = adw_alert_dialog_new (title, message);
  adw_alert_dialog_add_response (ADW_ALERT_DIALOG (dialog), "close", _("_Close"));
  adw_dialog_present (dialog, GTK_WIDGET (self));
#else
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), title, message);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
#endif
}

void
_distillery_window_show_busy (DistilleryWindow *self, const char *title)
{
  adw_status_page_set_title (self->busy_page, title);
  gtk_spinner_start (self->busy_spinner);
  gtk_stack_set_visible_child_name (self->stack, "busy");
}

/* ---- The sidebar -------------------------------------------------- */

static const char *
status_icon (DistilleryRunStatus status)
{
  switch (status)
    {
    case DISTILLERY_RUN_QUEUED: return "document-open-recent-symbolic";
    case DISTILLERY_RUN_RUNNING: return "media-playback-start-symbolic";
    case DISTILLERY_RUN_PAUSED: return "media-playback-pause-symbolic";
    case DISTILLERY_RUN_FINISHED: return "emblem-ok-symbolic";
    case DISTILLERY_RUN_FAILED: return "dialog-error-symbolic";
    case DISTILLERY_RUN_CANCELLED: return "process-stop-symbolic";
    case DISTILLERY_RUN_INTERRUPTED:
    default: return "dialog-warning-symbolic";
    }
}


/* The sidebar's row of an item, made only if it is not there as it is;
 * a run in training has a progress bar that follows its job. */
static void
item_row (DistilleryListUpdate *update, DistilleryItemKind kind, gint64 id, const char *icon, const char *title,
          const char *subtitle, int indent, DistilleryJob *job)
{
  g_autofree char *key = g_strdup_printf ("%d:%" PRId64, kind, id);
  g_autofree char *content = g_strdup_printf ("%s\n%s\n%s\n%d\n%p", icon ? icon : "", title, subtitle ? subtitle : "",
                                              indent, job);
  if (!distillery_list_update_want (update, key, content))
    return;

  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *labels = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *name = gtk_label_new (title);

  gtk_widget_set_margin_start (box, indent * 18);
  if (icon != NULL)
    gtk_box_append (GTK_BOX (box), gtk_image_new_from_icon_name (icon));
  /* Names that differ only at their end ("…, T = 20" and "…, T = 20,
   * without 3s") stay apart: two lines, then the tooltip has it whole. */
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_wrap (GTK_LABEL (name), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (name), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_lines (GTK_LABEL (name), 2);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_widget_set_tooltip_text (name, title);
  gtk_box_append (GTK_BOX (labels), name);
  if (subtitle != NULL)
    {
      GtkWidget *sub = gtk_label_new (subtitle);
      gtk_label_set_xalign (GTK_LABEL (sub), 0);
      gtk_label_set_ellipsize (GTK_LABEL (sub), PANGO_ELLIPSIZE_END);
      gtk_widget_add_css_class (sub, "caption");
      gtk_widget_add_css_class (sub, "dim-label");
      gtk_box_append (GTK_BOX (labels), sub);
    }
  gtk_widget_set_hexpand (labels, TRUE);
  gtk_widget_set_valign (labels, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (box), labels);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  g_object_set_data (G_OBJECT (row), "kind", GINT_TO_POINTER (kind));
  g_object_set_data_full (G_OBJECT (row), "id", g_memdup2 (&id, sizeof id), g_free);
  g_autofree char *label = subtitle ? g_strdup_printf ("%s, %s", title, subtitle) : g_strdup (title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  if (job != NULL)
    {
      GtkWidget *bar = gtk_progress_bar_new ();
      gtk_widget_set_valign (bar, GTK_ALIGN_CENTER);
      gtk_widget_set_size_request (bar, 48, -1);
      g_object_bind_property (job, "fraction", bar, "fraction", G_BINDING_SYNC_CREATE);
      gtk_box_append (GTK_BOX (box), bar);
    }
  distillery_list_update_add (update, row);
}

static DistilleryItemKind
row_kind (GtkListBoxRow *row)
{
  return GPOINTER_TO_INT (g_object_get_data (G_OBJECT (row), "kind"));
}

static gint64
row_id (GtkListBoxRow *row)
{
  gint64 *id = g_object_get_data (G_OBJECT (row), "id");
  return id ? *id : 0;
}

/* A section title with, for some, a button that adds to it (an action,
 * or a menu of them). */
static void
add_heading (DistilleryListUpdate *update, const char *title, const char *action, GMenuModel *menu,
             const char *tooltip)
{
  g_autofree char *key = g_strdup_printf ("heading:%s", title);
  if (!distillery_list_update_want (update, key, ""))
    return;

  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label = gtk_label_new (title);

  gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_set_focusable (row, FALSE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_add_css_class (label, "heading");
  gtk_widget_set_margin_top (box, 6);
  gtk_box_append (GTK_BOX (box), label);
  if (action != NULL)
    {
      GtkWidget *button = gtk_button_new_from_icon_name ("list-add-symbolic");
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
      gtk_widget_set_tooltip_text (button, tooltip);
      gtk_widget_add_css_class (button, "flat");
      gtk_box_append (GTK_BOX (box), button);
    }
  else if (menu != NULL)
    {
      GtkWidget *button = gtk_menu_button_new ();
      gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "list-add-symbolic");
      gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (button), menu);
      gtk_widget_set_tooltip_text (button, tooltip);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
      gtk_widget_add_css_class (button, "flat");
      gtk_box_append (GTK_BOX (box), button);
    }
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  distillery_list_update_add (update, row);
}

static void
add_run_row (DistilleryWindow *self, DistilleryListUpdate *update, const DistilleryStoreRun *run)
{
  g_autofree char *title = g_strdup_printf (_("Run %" PRId64), run->id);
  g_autofree char *subtitle = g_strdup_printf (_("Seed %" PRIu64 " · %s"), run->seed,
                                               distillery_run_status_label (run->status));

  item_row (update, DISTILLERY_ITEM_RUN, run->id, status_icon (run->status), title, subtitle, 1,
            distillery_session_find_job (self->session, run->id));
}

static void
select_item (DistilleryWindow *self, DistilleryItemKind kind, gint64 id);
static GtkListBoxRow *
find_row (DistilleryWindow *self, DistilleryItemKind kind, gint64 id);

/* Fills the sidebar from the project; with show_page, also shows the
 * page of the selection again (or of none, if its item is gone). */
static void
rebuild_sidebar (DistilleryWindow *self, gboolean show_page)
{
  DistilleryStore *store = distillery_session_get_store (self->session);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) datasets = distillery_store_list_datasets (store, &error);
  g_autoptr(GPtrArray) teachers = datasets ? distillery_store_list_teachers (store, &error) : NULL;
  g_autoptr(GPtrArray) experiments = teachers ? distillery_store_list_experiments (store, &error) : NULL;
  g_autoptr(GPtrArray) runs = experiments ? distillery_store_list_runs (store, -1, &error) : NULL;

  if (runs == NULL)
    {
      _distillery_window_show_error (self, _("The Project Cannot Be Read"), error->message);
      return;
    }

  self->rebuilding = TRUE;
  DistilleryListUpdate *rows = distillery_list_update_begin (self->sidebar);
  add_heading (rows, _("Data Sets"), "win.import-dataset", NULL, _("Import a Data Set"));
  for (guint i = 0; i < datasets->len; i++)
    {
      DistilleryStoreDataset *d = datasets->pdata[i];
      g_autofree char *subtitle = g_strdup_printf (ngettext ("%u sample, %u classes", "%u samples, %u classes",
                                                                d->n_samples),
                                                   d->n_samples, d->n_classes);
      item_row (rows, DISTILLERY_ITEM_DATASET, d->id, "view-grid-symbolic", d->name, subtitle, 0, NULL);
    }

  g_autoptr(GMenu) add_teacher = g_menu_new ();
  g_menu_append (add_teacher, _("_Ensemble of Teachers…"), "win.new-teacher::ensemble");
  g_menu_append (add_teacher, _("_Recorded Answers…"), "win.new-teacher::answers");
  g_menu_append (add_teacher, _("External _Program…"), "win.new-teacher::program");
  add_heading (rows, _("Teachers"), NULL, G_MENU_MODEL (add_teacher), _("Add a Teacher"));
  for (guint i = 0; i < teachers->len; i++)
    {
      DistilleryStoreTeacher *t = teachers->pdata[i];
      g_autoptr(DistilleryStoreRun) run = t->run_id ? distillery_store_get_run (store, t->run_id, NULL) : NULL;
      const char *state = g_strcmp0 (t->kind, "answers") == 0 ? _("Recorded answers")
                          : g_strcmp0 (t->kind, "ensemble") == 0 ? _("Ensemble")
                          : g_strcmp0 (t->kind, "program") == 0 ? _("Program")
                          : run ? distillery_run_status_label (run->status) : _("Not trained");
      item_row (rows, DISTILLERY_ITEM_TEACHER, t->id, "starred-symbolic", t->name, state, 0, NULL);
    }

  add_heading (rows, _("Experiments"), "win.new-experiment", NULL, _("New Experiment"));
  for (guint i = 0; i < experiments->len; i++)
    {
      DistilleryStoreExperiment *x = experiments->pdata[i];
      item_row (rows, DISTILLERY_ITEM_EXPERIMENT, x->id, "applications-science-symbolic", x->name, NULL, 0, NULL);
      for (guint r = 0; r < runs->len; r++)
        if (((DistilleryStoreRun *) runs->pdata[r])->experiment_id == x->id)
          add_run_row (self, rows, runs->pdata[r]);
    }

  add_heading (rows, _("Results"), NULL, NULL, NULL);
  item_row (rows, DISTILLERY_ITEM_COMPARE, 0, "view-dual-symbolic", _("Compare Runs"), NULL, 0, NULL);
  distillery_list_update_end (rows);
  self->rebuilding = FALSE;

  /* The selection survives the refill when its item does. */
  GtkListBoxRow *row = find_row (self, self->selected_kind, self->selected_id);
  self->rebuilding = TRUE;
  gtk_list_box_select_row (self->sidebar, row);
  self->rebuilding = FALSE;
  if (show_page)
    select_item (self, self->selected_kind, self->selected_id);
}

static GtkListBoxRow *
find_row (DistilleryWindow *self, DistilleryItemKind kind, gint64 id)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->sidebar));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    if (row_kind (GTK_LIST_BOX_ROW (child)) == kind && row_id (GTK_LIST_BOX_ROW (child)) == id)
      return GTK_LIST_BOX_ROW (child);
  return NULL;
}

/* The experiment a run belongs to, or 0. */
static gint64
experiment_of_run (DistilleryWindow *self, gint64 run_id)
{
  g_autoptr(DistilleryStoreRun) run = distillery_store_get_run (distillery_session_get_store (self->session),
                                                                run_id, NULL);
  return run ? run->experiment_id : 0;
}

static void
update_run_action (DistilleryWindow *self)
{
  gboolean on_experiment = gtk_stack_get_visible_child (self->pages) == GTK_WIDGET (self->experiment_page);
  const char *reason = NULL;
  gboolean can_run = on_experiment && distillery_experiment_page_can_run (self->experiment_page, &reason);

  _distillery_window_set_enabled (self, "run", can_run);
  /* Why not, where the user looks: on the button itself. */
  gtk_widget_set_tooltip_text (self->run_button, on_experiment && !can_run && reason != NULL
                                                   ? reason : _("Train the experiment, one run per seed (Ctrl+R)"));
  _distillery_window_set_enabled (self, "stop",
                                 on_experiment && distillery_experiment_page_can_stop (self->experiment_page));
  _distillery_window_set_enabled (self, "budget-sweep",
                                 on_experiment && distillery_experiment_page_can_sweep (self->experiment_page));
  _distillery_window_set_enabled (self, "duplicate-experiment", on_experiment);
  _distillery_window_set_enabled (self, "delete-experiment", on_experiment);
}

static void
select_item (DistilleryWindow *self, DistilleryItemKind kind, gint64 id)
{
  GtkListBoxRow *row = find_row (self, kind, id);

  if (row == NULL)
    {
      kind = DISTILLERY_ITEM_NONE;
      id = 0;
    }
  self->selected_kind = kind;
  self->selected_id = id;
  self->rebuilding = TRUE;
  gtk_list_box_select_row (self->sidebar, row);
  self->rebuilding = FALSE;

  switch (kind)
    {
    case DISTILLERY_ITEM_DATASET:
      distillery_dataset_page_set_dataset (self->dataset_page, self->session, id);
      gtk_stack_set_visible_child (self->pages, GTK_WIDGET (self->dataset_page));
      break;
    case DISTILLERY_ITEM_TEACHER:
      distillery_teacher_page_set_teacher (self->teacher_page, self->session, id);
      gtk_stack_set_visible_child (self->pages, GTK_WIDGET (self->teacher_page));
      break;
    case DISTILLERY_ITEM_EXPERIMENT:
      distillery_experiment_page_set_experiment (self->experiment_page, self->session, id, 0);
      gtk_stack_set_visible_child (self->pages, GTK_WIDGET (self->experiment_page));
      break;
    case DISTILLERY_ITEM_RUN:
      distillery_experiment_page_set_experiment (self->experiment_page, self->session,
                                                 experiment_of_run (self, id), id);
      gtk_stack_set_visible_child (self->pages, GTK_WIDGET (self->experiment_page));
      break;
    case DISTILLERY_ITEM_COMPARE:
      distillery_compare_page_set_session (self->compare_page, self->session);
      gtk_stack_set_visible_child (self->pages, GTK_WIDGET (self->compare_page));
      break;
    case DISTILLERY_ITEM_NONE:
    default:
      gtk_stack_set_visible_child_name (self->pages, "empty");
      break;
    }
  update_run_action (self);
}

static void
sidebar_row_selected (GtkListBox *box, GtkListBoxRow *row, DistilleryWindow *self)
{
  if (self->rebuilding || row == NULL)
    return;
  select_item (self, row_kind (row), row_id (row));
}

static gboolean
select_if_listed (DistilleryWindow *self, DistilleryItemKind kind, gint64 id)
{
  g_return_val_if_fail (DISTILLERY_IS_WINDOW (self), FALSE);
  if (self->session == NULL || find_row (self, kind, id) == NULL)
    return FALSE;
  select_item (self, kind, id);
  return TRUE;
}

gboolean
distillery_window_select_experiment (DistilleryWindow *self, gint64 experiment_id)
{
  return select_if_listed (self, DISTILLERY_ITEM_EXPERIMENT, experiment_id);
}

gboolean
distillery_window_select_dataset (DistilleryWindow *self, gint64 dataset_id)
{
  return select_if_listed (self, DISTILLERY_ITEM_DATASET, dataset_id);
}

gboolean
distillery_window_select_teacher (DistilleryWindow *self, gint64 teacher_id)
{
  return select_if_listed (self, DISTILLERY_ITEM_TEACHER, teacher_id);
}

gboolean
distillery_window_select_compare (DistilleryWindow *self)
{
  return select_if_listed (self, DISTILLERY_ITEM_COMPARE, 0);
}

/* ---- Active runs -------------------------------------------------- */

static gboolean
job_is_active (gpointer item, gpointer data)
{
  DistilleryRunStatus status = distillery_job_get_status (item);
  return status == DISTILLERY_RUN_QUEUED || status == DISTILLERY_RUN_RUNNING;
}

static gboolean
format_job_subtitle (GBinding *binding, const GValue *from, GValue *to, gpointer data)
{
  DistilleryJob *job = DISTILLERY_JOB (g_binding_dup_source (binding));
  g_autofree char *text = NULL;

  if (distillery_job_get_status (job) == DISTILLERY_RUN_QUEUED)
    text = g_strdup (_("Waiting for a free slot"));
  else
    text = g_strdup_printf (_("Epoch %d · %.0f samples/s · %.0f s left"), distillery_job_get_epoch (job),
                            distillery_job_get_samples_per_second (job), distillery_job_get_eta (job));
  g_value_take_string (to, g_steal_pointer (&text));
  g_object_unref (job);
  return TRUE;
}

static gboolean
format_job_title (GBinding *binding, const GValue *from, GValue *to, gpointer data)
{
  DistilleryJob *job = DISTILLERY_JOB (g_binding_dup_source (binding));
  const char *model = distillery_job_get_model_name (job);
  gint64 run = distillery_job_get_run_id (job);

  if (run > 0)
    g_value_take_string (to, g_strdup_printf (_("Run %" PRId64 ": %s"), run, model ? model : ""));
  else
    g_value_set_string (to, model ? model : _("Starting"));
  g_object_unref (job);
  return TRUE;
}

static GtkWidget *
create_job_row (gpointer item, gpointer data)
{
  DistilleryJob *job = item;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *bar = gtk_progress_bar_new ();
  GtkWidget *pause = gtk_button_new_from_icon_name ("media-playback-pause-symbolic");
  GtkWidget *cancel = gtk_button_new_from_icon_name ("process-stop-symbolic");

  g_object_bind_property_full (job, "step", row, "title", G_BINDING_SYNC_CREATE,
                               format_job_title, NULL, NULL, NULL);
  g_object_bind_property_full (job, "eta", row, "subtitle", G_BINDING_SYNC_CREATE,
                               format_job_subtitle, NULL, NULL, NULL);
  gtk_widget_set_valign (bar, GTK_ALIGN_CENTER);
  gtk_widget_set_size_request (bar, 64, -1);
  g_object_bind_property (job, "fraction", bar, "fraction", G_BINDING_SYNC_CREATE);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), bar);
  for (guint i = 0; i < 2; i++)
    {
      GtkWidget *button = i == 0 ? pause : cancel;
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (button, "flat");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
    }
  gtk_widget_set_tooltip_text (pause, _("Pause (resume it later from its page)"));
  gtk_widget_set_tooltip_text (cancel, _("Cancel"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (pause), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Pause"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (cancel), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Cancel"), -1);
  g_signal_connect_object (pause, "clicked", G_CALLBACK (distillery_job_pause), job, G_CONNECT_SWAPPED);
  g_signal_connect_object (cancel, "clicked", G_CALLBACK (distillery_job_cancel), job, G_CONNECT_SWAPPED);
  return row;
}

/* The popover's rows bind to every active job's progress; they exist only
 * while it is open, so closed it costs the main loop nothing. */
static void
runs_popover_shown (GtkWidget *popover, DistilleryWindow *self)
{
  if (self->session == NULL)
    return;
  g_autoptr(GtkFilterListModel) active =
    gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (distillery_session_get_queue (self->session))),
                               g_object_ref (self->active_filter));
  gtk_list_box_bind_model (self->runs_list, G_LIST_MODEL (active), create_job_row, self, NULL);
}

static void
runs_popover_hidden (GtkWidget *popover, DistilleryWindow *self)
{
  gtk_list_box_bind_model (self->runs_list, NULL, NULL, NULL, NULL);
}

static void
update_runs_button (DistilleryWindow *self)
{
  guint n = self->session ? distillery_session_get_n_active (self->session) : 0;
  g_autofree char *tooltip = g_strdup_printf (ngettext ("%u active run", "%u active runs", n), n);

  gtk_widget_set_visible (GTK_WIDGET (self->runs_button), n > 0);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->runs_button), tooltip);
}

/* ---- The session -------------------------------------------------- */

/* The sidebar and the page are read again in two idle callbacks, not in
 * the signal: a run's end brings several changes at once (its status, the
 * queue, the next run starting), and each read and rebuild is a few
 * milliseconds that the main loop takes one at a time, between frames. */
static gboolean
refresh_page (gpointer data)
{
  DistilleryWindow *self = data;

  self->refresh_page_source = 0;
  if (self->session != NULL)
    select_item (self, self->selected_kind, self->selected_id);
  return G_SOURCE_REMOVE;
}

static gboolean
refresh_sidebar (gpointer data)
{
  DistilleryWindow *self = data;

  self->refresh_sidebar_source = 0;
  if (self->session == NULL)
    return G_SOURCE_REMOVE;
  gtk_filter_changed (self->active_filter, GTK_FILTER_CHANGE_DIFFERENT);
  update_runs_button (self);
  rebuild_sidebar (self, FALSE);
  if (self->refresh_page_source == 0)
    self->refresh_page_source = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, refresh_page, self, NULL);
  return G_SOURCE_REMOVE;
}

static void
session_changed (DistillerySession *session, DistilleryWindow *self)
{
  if (self->refresh_sidebar_source == 0)
    self->refresh_sidebar_source = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, refresh_sidebar, self, NULL);
}

static void
notify_run_ended (DistilleryRunQueue *queue, DistilleryJob *job, GError *error, DistilleryWindow *self)
{
  GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  DistilleryRunStatus status = distillery_job_get_status (job);
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *title = NULL;

  if (app == NULL || gtk_window_is_active (GTK_WINDOW (self))
      || !distillery_application_can_notify (DISTILLERY_APPLICATION (app))
      || (status != DISTILLERY_RUN_FINISHED && status != DISTILLERY_RUN_FAILED))
    return;
  title = g_strdup_printf (status == DISTILLERY_RUN_FINISHED ? _("Run %" PRId64 " Finished")
                                                             : _("Run %" PRId64 " Failed"),
                           distillery_job_get_run_id (job));
  notification = g_notification_new (title);
  g_notification_set_body (notification, error ? error->message : distillery_session_get_name (self->session));
  g_application_send_notification (app, "run-ended", notification);
}

static void
apply_queue_settings (DistilleryWindow *self)
{
  DistilleryRunQueue *queue = distillery_session_get_queue (self->session);

  /* Live: the queue takes them up as soon as it may. */
  g_settings_bind (self->shared_settings, "concurrent-runs", queue, "max-active", G_SETTINGS_BIND_GET);
  g_settings_bind (self->shared_settings, "blas-threads", queue, "blas-threads", G_SETTINGS_BIND_GET);
}

static void
update_project_actions (DistilleryWindow *self)
{
  static const char *const actions[] = { "save-as", "import-dataset", "new-experiment", "new-teacher" };
  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    _distillery_window_set_enabled (self, actions[i], self->session != NULL);
}

void
_distillery_window_set_session (DistilleryWindow *self, DistillerySession *session)
{
  if (self->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->session, self);
      g_signal_handlers_disconnect_by_data (distillery_session_get_queue (self->session), self);
      g_clear_object (&self->session);
    }
  self->selected_kind = DISTILLERY_ITEM_NONE;
  self->selected_id = 0;
  gtk_spinner_stop (self->busy_spinner);
  update_project_actions (self);
  if (session == NULL)
    {
      gtk_list_box_bind_model (self->runs_list, NULL, NULL, NULL, NULL);
      gtk_window_set_title (GTK_WINDOW (self), _("Distillery"));
      _distillery_window_refresh_recent (self);
      gtk_stack_set_visible_child_name (self->stack, "welcome");
      return;
    }

  self->session = g_object_ref (session);
  update_project_actions (self);
  g_signal_connect (session, "changed", G_CALLBACK (session_changed), self);
  g_signal_connect (distillery_session_get_queue (session), "job-ended", G_CALLBACK (notify_run_ended), self);
  apply_queue_settings (self);


  g_autofree char *display = g_filename_display_name (distillery_session_get_path (session));
  adw_window_title_set_title (self->project_title, distillery_session_get_name (session));
  adw_window_title_set_subtitle (self->project_title, display);
  gtk_window_set_title (GTK_WINDOW (self), distillery_session_get_name (session));
  rebuild_sidebar (self, TRUE);
  update_runs_button (self);

  /* Something to look at: the first experiment. */
  GtkListBoxRow *first = NULL;
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->sidebar));
       child != NULL && first == NULL; child = gtk_widget_get_next_sibling (child))
    if (row_kind (GTK_LIST_BOX_ROW (child)) == DISTILLERY_ITEM_EXPERIMENT)
      first = GTK_LIST_BOX_ROW (child);
  if (first != NULL)
    select_item (self, DISTILLERY_ITEM_EXPERIMENT, row_id (first));
  gtk_stack_set_visible_child_name (self->stack, "project");
}

DistillerySession *
distillery_window_get_session (DistilleryWindow *self)
{
  g_return_val_if_fail (DISTILLERY_IS_WINDOW (self), NULL);
  return self->session;
}

void
distillery_window_open (DistilleryWindow *self, GFile *file)
{
  g_return_if_fail (DISTILLERY_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  g_autofree char *path = g_file_get_path (file);
  if (path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);
      g_autofree char *message = g_strdup_printf (_("“%s” is not a local file."), uri);
      _distillery_window_show_error (self, _("The Project Cannot Be Opened"), message);
      return;
    }
  _distillery_window_open_path (self, path);
}

/* ---- Actions ------------------------------------------------------ */

static void
run_activated (GSimpleAction *action, GVariant *parameter, gpointer data)
{
  DistilleryWindow *self = data;
  distillery_experiment_page_run (self->experiment_page);
}

static void
stop_activated (GSimpleAction *action, GVariant *parameter, gpointer data)
{
  DistilleryWindow *self = data;
  distillery_experiment_page_stop (self->experiment_page);
}

static void
new_experiment_activated (GSimpleAction *action, GVariant *parameter, gpointer data)
{
  DistilleryWindow *self = data;
  distillery_experiment_page_create (self->experiment_page, self->session, 0);
}

static void
duplicate_experiment_activated (GSimpleAction *action, GVariant *parameter, gpointer data)
{
  DistilleryWindow *self = data;
  distillery_experiment_page_create (self->experiment_page, self->session,
                                     distillery_experiment_page_get_experiment (self->experiment_page));
}

static void
delete_experiment_activated (GSimpleAction *action, GVariant *parameter, gpointer data)
{
  DistilleryWindow *self = data;
  distillery_experiment_page_delete (self->experiment_page);
}

static void
experiment_created (DistilleryExperimentPage *page, gint64 experiment_id, DistilleryWindow *self)
{
  /* Shown now, rather than at the refresh the change scheduled. */
  self->selected_kind = DISTILLERY_ITEM_EXPERIMENT;
  self->selected_id = experiment_id;
  g_clear_handle_id (&self->refresh_sidebar_source, g_source_remove);
  refresh_sidebar (self);
}

static void
sweep_message (GObject *owner, const char *message)
{
  _distillery_window_toast (DISTILLERY_WINDOW (owner), message);
}

static void
budget_sweep_activated (GSimpleAction *action, GVariant *parameter, gpointer data)
{
  DistilleryWindow *self = data;

  if (self->session != NULL && distillery_experiment_page_can_sweep (self->experiment_page))
    distillery_sweep_ask (GTK_WIDGET (self), self->session,
                          distillery_experiment_page_get_experiment (self->experiment_page), G_OBJECT (self),
                          sweep_message);
}

static void
teacher_added (DistilleryTeacherDialog *dialog, gint64 teacher_id, DistilleryWindow *self)
{
  self->selected_kind = DISTILLERY_ITEM_TEACHER;
  self->selected_id = teacher_id;
  g_clear_handle_id (&self->refresh_sidebar_source, g_source_remove);
  refresh_sidebar (self);
  _distillery_window_toast (self, _("Teacher added"));
}

/* The data set of what is selected, for a new teacher to answer about. */
static gint64
selected_dataset (DistilleryWindow *self)
{
  DistilleryStore *store = distillery_session_get_store (self->session);

  if (self->selected_kind == DISTILLERY_ITEM_DATASET)
    return self->selected_id;
  if (self->selected_kind == DISTILLERY_ITEM_TEACHER)
    {
      g_autoptr(DistilleryStoreTeacher) t = distillery_store_get_teacher (store, self->selected_id, NULL);
      return t ? t->dataset_id : 0;
    }
  gint64 experiment = self->selected_kind == DISTILLERY_ITEM_EXPERIMENT ? self->selected_id
                      : self->selected_kind == DISTILLERY_ITEM_RUN ? experiment_of_run (self, self->selected_id) : 0;
  g_autoptr(DistilleryStoreExperiment) x = experiment ? distillery_store_get_experiment (store, experiment, NULL) : NULL;
  return x ? x->dataset_id : 0;
}

static void
new_teacher_activated (GSimpleAction *action, GVariant *parameter, gpointer data)
{
  DistilleryWindow *self = data;
  DistilleryTeacherDialogKind kind;

  if (self->session == NULL || !distillery_teacher_dialog_kind_from_string (g_variant_get_string (parameter, NULL), &kind))
    return;
  DistilleryTeacherDialog *dialog = distillery_teacher_dialog_new (GTK_WINDOW (self), self->session, kind,
                                                                   selected_dataset (self));
  g_signal_connect_object (dialog, "added", G_CALLBACK (teacher_added), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
page_state_changed (GObject *page, GParamSpec *pspec, DistilleryWindow *self)
{
  update_run_action (self);
}

static void
page_message (GObject *page, const char *message, DistilleryWindow *self)
{
  _distillery_window_toast (self, message);
}

/* The window's actions are in its action map, not installed on the
 * widget class: GtkApplication exports those on D-Bus, so that scripts
 * and tests can drive a running window (org.gtk.Actions.Activate). */
static const GActionEntry window_actions[] = {
  { .name = "run", .activate = run_activated },
  { .name = "stop", .activate = stop_activated },
  { .name = "new-experiment", .activate = new_experiment_activated },
  { .name = "duplicate-experiment", .activate = duplicate_experiment_activated },
  { .name = "delete-experiment", .activate = delete_experiment_activated },
  { .name = "new-teacher", .activate = new_teacher_activated, .parameter_type = "s" },
  { .name = "budget-sweep", .activate = budget_sweep_activated },
};

void
_distillery_window_set_enabled (DistilleryWindow *self, const char *name, gboolean enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), name);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

/* ---- Closing ------------------------------------------------------ */

static void
runs_paused (GObject *source, GAsyncResult *result, gpointer data)
{
  DistilleryWindow *self = data;

  distillery_session_pause_all_finish (DISTILLERY_SESSION (source), result, NULL);
  self->close_confirmed = TRUE;
  gtk_window_close (GTK_WINDOW (self));
  g_object_unref (self);
}

static void
close_confirmed (gboolean confirmed, gpointer data)
{
  DistilleryWindow *self = data;

  if (confirmed && self->session != NULL)
    {
      _distillery_window_show_busy (self, _("Pausing the Runs…"));
      distillery_session_pause_all_async (self->session, runs_paused, g_object_ref (self));
    }
  g_object_unref (self);
}

static gboolean
distillery_window_close_request (GtkWindow *window)
{
  DistilleryWindow *self = DISTILLERY_WINDOW (window);
  guint n = self->session ? distillery_session_get_n_active (self->session) : 0;

  if (n > 0 && !self->close_confirmed)
    {
      g_autofree char *body = g_strdup_printf (g_dngettext (NULL,
        "%u run is training. It will be paused, keeping a checkpoint, and can be resumed when the project is opened again.",
        "%u runs are training. They will be paused, each keeping a checkpoint, and can be resumed when the project is opened again.",
        n), n);
      distillery_confirm (GTK_WIDGET (self), _("Pause the Runs and Close?"), body, _("_Keep Training"),
                          _("_Pause and Close"), TRUE, close_confirmed, g_object_ref (self));
      return TRUE;
    }

  g_settings_apply (self->settings);
  return GTK_WINDOW_CLASS (distillery_window_parent_class)->close_request (window);
}

/* ---- The class ---------------------------------------------------- */

static void
distillery_window_dispose (GObject *object)
{
  DistilleryWindow *self = DISTILLERY_WINDOW (object);

  if (self->opening != NULL)
    g_cancellable_cancel (self->opening);
  g_clear_object (&self->opening);
  g_clear_handle_id (&self->refresh_sidebar_source, g_source_remove);
  g_clear_handle_id (&self->refresh_page_source, g_source_remove);
  if (self->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->session, self);
      g_signal_handlers_disconnect_by_data (distillery_session_get_queue (self->session), self);
      g_clear_object (&self->session);
    }
  g_clear_object (&self->settings);
  if (self->shared_settings != NULL)
    g_signal_handlers_disconnect_by_data (self->shared_settings, self);
  g_clear_object (&self->shared_settings);
  g_clear_object (&self->active_filter);
  g_clear_pointer (&self->recipe_mnist, g_free);
  g_clear_pointer (&self->recent_rows, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), DISTILLERY_TYPE_WINDOW);

  G_OBJECT_CLASS (distillery_window_parent_class)->dispose (object);
}

static void
distillery_window_class_init (DistilleryWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = distillery_window_dispose;
  window_class->close_request = distillery_window_close_request;

  g_type_ensure (DISTILLERY_TYPE_EXPERIMENT_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/distillery/Distillery/ui/distillery-window.ui");
  gtk_widget_class_bind_template_child (widget_class, DistilleryWindow, toasts);
  gtk_widget_class_bind_template_child (widget_class, DistilleryWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, DistilleryWindow, recent_group);
  gtk_widget_class_bind_template_child (widget_class, DistilleryWindow, busy_page);
  gtk_widget_class_bind_template_child (widget_class, DistilleryWindow, busy_spinner);
  gtk_widget_class_bind_template_child (widget_class, DistilleryWindow, project_title);
  gtk_widget_class_bind_template_child (widget_class, DistilleryWindow, run_button);
  gtk_widget_class_bind_template_child (widget_class, DistilleryWindow, runs_button);
  gtk_widget_class_bind_template_child (widget_class, DistilleryWindow, runs_list);
  gtk_widget_class_bind_template_child (widget_class, DistilleryWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, DistilleryWindow, pages);


}

static void
distillery_window_init (DistilleryWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_action_map_add_action_entries (G_ACTION_MAP (self), window_actions, G_N_ELEMENTS (window_actions), self);

  self->active_filter = GTK_FILTER (gtk_custom_filter_new (job_is_active, NULL, NULL));
  self->recent_rows = g_ptr_array_new ();

  self->dataset_page = distillery_dataset_page_new ();
  self->teacher_page = distillery_teacher_page_new ();
  self->experiment_page = distillery_experiment_page_new ();
  self->compare_page = distillery_compare_page_new ();
  gtk_stack_add_named (self->pages, GTK_WIDGET (self->dataset_page), "dataset");
  gtk_stack_add_named (self->pages, GTK_WIDGET (self->teacher_page), "teacher");
  gtk_stack_add_named (self->pages, GTK_WIDGET (self->experiment_page), "experiment");
  gtk_stack_add_named (self->pages, GTK_WIDGET (self->compare_page), "compare");
  g_signal_connect (self->experiment_page, "notify::can-run", G_CALLBACK (page_state_changed), self);
  g_signal_connect (self->experiment_page, "notify::can-sweep", G_CALLBACK (page_state_changed), self);
  g_signal_connect (self->experiment_page, "created", G_CALLBACK (experiment_created), self);
  g_signal_connect (self->experiment_page, "message", G_CALLBACK (page_message), self);
  g_signal_connect (self->teacher_page, "message", G_CALLBACK (page_message), self);
  g_signal_connect (self->sidebar, "row-selected", G_CALLBACK (sidebar_row_selected), self);
  g_signal_connect (gtk_menu_button_get_popover (self->runs_button), "show", G_CALLBACK (runs_popover_shown), self);
  g_signal_connect (gtk_menu_button_get_popover (self->runs_button), "hide", G_CALLBACK (runs_popover_hidden), self);

  /* The size changes with every frame of a resize: keep it in memory and
   * write it once, when the window closes. The settings are read once, so
   * that one window's closing does not resize the others.
   */
  self->settings = g_settings_new ("io.github.distillery.Distillery");
  g_settings_delay (self->settings);
  g_settings_bind (self->settings, "window-width", self, "default-width",
                   G_SETTINGS_BIND_DEFAULT | G_SETTINGS_BIND_GET_NO_CHANGES);
  g_settings_bind (self->settings, "window-height", self, "default-height",
                   G_SETTINGS_BIND_DEFAULT | G_SETTINGS_BIND_GET_NO_CHANGES);
  g_settings_bind (self->settings, "window-maximized", self, "maximized",
                   G_SETTINGS_BIND_DEFAULT | G_SETTINGS_BIND_GET_NO_CHANGES);

  _distillery_window_files_init (self);
  update_project_actions (self);
  update_run_action (self);
  update_runs_button (self);
  _distillery_window_refresh_recent (self);
}

/**
 * distillery_window_new:
 * @application: the application the window belongs to
 *
 * Creates a main window showing the welcome page.
 *
 * Returns: (transfer none): a new #DistilleryWindow, owned by @application
 */
DistilleryWindow *
distillery_window_new (DistilleryApplication *application)
{
  g_return_val_if_fail (DISTILLERY_IS_APPLICATION (application), NULL);

  return g_object_new (DISTILLERY_TYPE_WINDOW,
                       "application", application,
                       NULL);
}
