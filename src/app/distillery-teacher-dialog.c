/* SPDX-License-Identifier: GPL-3.0-or-later */

/* DistilleryTeacherDialog: one window class for the three kinds, each
 * building its own group of rows under the name and data set they share.
 * The form is checked on every change (check_form names the first
 * problem, marks its field and turns Add off); adding writes through the
 * project's writer, so the teacher appears in every view once committed,
 * and a program is first started in a worker thread to hear that it
 * speaks the protocol with the data set's numbers of features and
 * classes. See distillery-teacher-dialog.h.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>

#include "distillery-dialogs.h"
#include "distillery-form-rows.h"
#include "distillery-program-teacher.h"
#include "distillery-project.h"
#include "distillery-teacher-dialog.h"

struct _DistilleryTeacherDialog
{
  AdwWindow                   parent_instance;

  DistillerySession          *session;
  DistilleryTeacherDialogKind kind;

  GtkWidget *title;
  GtkWidget *add_button;
  GtkWidget *spinner;
  GtkWidget *form;            /* everything the user fills in */
  GtkWidget *problem_label;
  GtkWidget *name_row;
  GtkWidget *dataset_row;
  GArray    *dataset_ids;     /* gint64, as the combo lists them */

  /* Ensemble: a row per teacher of the data set. */
  GtkWidget *members_group;
  GPtrArray *member_rows;
  GtkWidget *no_members_label;
  GtkWidget *mode_row;
  GtkWidget *temperature_spin;

  /* Recorded answers. */
  GtkWidget *file_row;
  GFile     *file;
  GtkWidget *answer_kind_row;
  GtkWidget *id_column_row;

  /* Program. */
  GtkWidget *command_row;
  GtkWidget *timeout_spin;

  char      *problem;
  gboolean   busy;
  gboolean   name_edited;     /* the user typed a name: keep it */
  gboolean   setting_name;
};

enum
{
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

enum
{
  ADDED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (DistilleryTeacherDialog, distillery_teacher_dialog, ADW_TYPE_WINDOW)

static const char *const kind_names[] = { "ensemble", "answers", "program" };

gboolean
distillery_teacher_dialog_kind_from_string (const char *name, DistilleryTeacherDialogKind *kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (kind_names); i++)
    if (g_strcmp0 (name, kind_names[i]) == 0)
      {
        *kind = i;
        return TRUE;
      }
  return FALSE;
}

/* ---- Small helpers ------------------------------------------------ */

static gint64
selected_dataset (DistilleryTeacherDialog *self)
{
  guint i = adw_combo_row_get_selected (ADW_COMBO_ROW (self->dataset_row));
  return i < self->dataset_ids->len ? g_array_index (self->dataset_ids, gint64, i) : 0;
}

/* "Name", "Name (2)", ...: the first no teacher has. */
static char *
unique_name (DistilleryTeacherDialog *self, const char *base)
{
  g_autoptr(GPtrArray) teachers = distillery_store_list_teachers (distillery_session_get_store (self->session), NULL);
  for (guint n = 1;; n++)
    {
      g_autofree char *name = n == 1 ? g_strdup (base) : g_strdup_printf ("%s (%u)", base, n);
      gboolean taken = FALSE;
      for (guint i = 0; teachers != NULL && i < teachers->len && !taken; i++)
        taken = g_strcmp0 (((DistilleryStoreTeacher *) teachers->pdata[i])->name, name) == 0;
      if (!taken)
        return g_steal_pointer (&name);
    }
}

/* A name from what the teacher is, until the user types one. */
static void
suggest_name (DistilleryTeacherDialog *self, const char *base)
{
  if (self->name_edited || base == NULL || *base == '\0')
    return;
  g_autofree char *name = unique_name (self, base);
  self->setting_name = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), name);
  self->setting_name = FALSE;
}

/* A file's or program's name without its folder and its last ending. */
static char *
base_name (const char *path)
{
  char *base = g_path_get_basename (path);
  char *dot = strrchr (base, '.');
  if (dot != NULL && dot != base)
    *dot = '\0';
  return base;
}

static GtkWidget *
spin_row (GtkWidget *group, const char *title, const char *subtitle, double lower, double upper, double step,
          guint digits, double value)
{
  GtkSpinButton *spin;
  GtkWidget *row = distillery_form_spin_row (title, subtitle, lower, upper, step, digits, &spin);

  gtk_spin_button_set_value (spin, value);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  return GTK_WIDGET (spin);
}

static GtkWidget *
combo_row (GtkWidget *group, const char *title, const char *subtitle, const char *const *choices)
{
  GtkWidget *row = distillery_form_combo_row (title, subtitle, choices);

  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  return row;
}

static GtkWidget *
group (DistilleryTeacherDialog *self, const char *title, const char *description)
{
  GtkWidget *g = adw_preferences_group_new ();
  if (title != NULL)
    adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (g), title);
  if (description != NULL)
    adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (g), description);
  gtk_box_append (GTK_BOX (self->form), g);
  return g;
}

/* ---- Checking the form -------------------------------------------- */

static void
set_problem (DistilleryTeacherDialog *self, const char *problem, gboolean is_error)
{
  g_free (self->problem);
  self->problem = g_strdup (problem);
  gtk_label_set_text (GTK_LABEL (self->problem_label), problem ? problem : "");
  gtk_widget_set_visible (self->problem_label, problem != NULL);
  if (is_error)
    {
      gtk_widget_add_css_class (self->problem_label, "error");
      gtk_widget_remove_css_class (self->problem_label, "dim-label");
    }
  else
    {
      gtk_widget_remove_css_class (self->problem_label, "error");
      gtk_widget_add_css_class (self->problem_label, "dim-label");
    }
}

/* What an ensemble member answers with, when that is known before it
 * runs: FALSE for teachers known to answer probabilities. */
static gboolean
answers_logits (const DistilleryStoreTeacher *t)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *o;

  if (g_strcmp0 (t->kind, "answers") != 0 && g_strcmp0 (t->kind, "ensemble") != 0)
    return TRUE;
  if (!json_parser_load_from_data (parser, t->settings, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return TRUE;
  o = json_node_get_object (json_parser_get_root (parser));
  if (g_strcmp0 (t->kind, "answers") == 0)
    return g_strcmp0 (json_object_get_string_member_with_default (o, "answers", "logits"), "logits") == 0;
  return g_strcmp0 (json_object_get_string_member_with_default (o, "mode", ""), "logits") == 0;
}

static GtkWidget *
member_check (GtkWidget *row)
{
  return g_object_get_data (G_OBJECT (row), "check");
}

static GtkWidget *
member_spin (GtkWidget *row)
{
  return g_object_get_data (G_OBJECT (row), "weight");
}

static gint64
member_id (GtkWidget *row)
{
  return *(gint64 *) g_object_get_data (G_OBJECT (row), "teacher-id");
}

static char *
check_ensemble (DistilleryTeacherDialog *self)
{
  guint ticked = 0;
  double sum = 0;
  gboolean logits = adw_combo_row_get_selected (ADW_COMBO_ROW (self->mode_row)) == 1;
  char *problem = NULL;

  if (self->member_rows->len == 0)
    return g_strdup (_("This data set has no teachers yet: an ensemble averages teachers of one data set."));
  for (guint i = 0; i < self->member_rows->len; i++)
    {
      GtkWidget *row = self->member_rows->pdata[i];
      gboolean on = gtk_check_button_get_active (GTK_CHECK_BUTTON (member_check (row)));
      gboolean bad = FALSE;
      gtk_widget_set_sensitive (member_spin (row), on);
      if (on)
        {
          g_autoptr(DistilleryStoreTeacher) t = distillery_store_get_teacher (distillery_session_get_store (self->session),
                                                                              member_id (row), NULL);
          ticked++;
          sum += gtk_spin_button_get_value (GTK_SPIN_BUTTON (member_spin (row)));
          bad = logits && t != NULL && !answers_logits (t);
          if (bad && problem == NULL)
            problem = g_strdup_printf (_("“%s” answers with probabilities: averaging logits needs teachers "
                                         "that answer with logits."), t->name);
        }
      distillery_form_mark (row, bad);
    }
  gtk_widget_set_sensitive (self->temperature_spin, logits);
  if (problem != NULL)
    return problem;
  if (ticked == 0)
    return g_strdup (_("Tick the teachers the ensemble averages."));
  if (!(sum > 0))
    return g_strdup (_("At least one of the ticked teachers needs a weight above zero."));
  return NULL;
}

static gboolean
is_npy (const char *name)
{
  return g_str_has_suffix (name, ".npy") || g_str_has_suffix (name, ".npy.gz");
}

static char *
check_answers (DistilleryTeacherDialog *self)
{
  g_autofree char *name = self->file ? g_file_get_basename (self->file) : NULL;
  const char *id_column = gtk_editable_get_text (GTK_EDITABLE (self->id_column_row));
  gboolean id_bad = name != NULL && is_npy (name) && *id_column != '\0';

  distillery_form_mark (self->id_column_row, id_bad);
  if (self->file == NULL)
    return g_strdup (_("Choose the file of answers."));
  if (id_bad)
    return g_strdup (_("A .npy file has no columns: its rows are matched to the samples in order. "
                       "Leave the id column empty."));
  return NULL;
}

char **
distillery_parse_command_line (const char *text, char **problem)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = NULL;

  g_autofree char *stripped = g_strstrip (g_strdup (text));
  if (*stripped == '\0')
    {
      *problem = g_strdup (_("Type the program’s command line: the program, then its arguments."));
      return NULL;
    }
  if (!g_shell_parse_argv (stripped, NULL, &argv, &error))
    {
      *problem = g_strdup_printf (_("The command line cannot be split into words: %s"), error->message);
      return NULL;
    }
  if (strchr (argv[0], G_DIR_SEPARATOR) != NULL)
    {
      if (!g_file_test (argv[0], G_FILE_TEST_IS_EXECUTABLE) || g_file_test (argv[0], G_FILE_TEST_IS_DIR))
        {
          *problem = g_strdup_printf (_("“%s” is not a program that can be run."), argv[0]);
          return NULL;
        }
    }
  else
    {
      g_autofree char *found = g_find_program_in_path (argv[0]);
      if (found == NULL)
        {
          *problem = g_strdup_printf (_("There is no program called “%s” in the folders of PATH: give its full path."),
                                      argv[0]);
          return NULL;
        }
    }
  return g_steal_pointer (&argv);
}

static char *
check_program (DistilleryTeacherDialog *self)
{
  char *problem = NULL;
  g_auto(GStrv) argv = distillery_parse_command_line (gtk_editable_get_text (GTK_EDITABLE (self->command_row)), &problem);

  distillery_form_mark (self->command_row, argv == NULL);
  return problem;
}

/* Names the first problem of the form (marking its field) and turns Add
 * on or off. */
static void
check_form (DistilleryTeacherDialog *self)
{
  g_autofree char *problem = NULL;
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));

  if (self->busy)
    return;
  switch (self->kind)
    {
    case DISTILLERY_TEACHER_DIALOG_ENSEMBLE:
      problem = check_ensemble (self);
      break;
    case DISTILLERY_TEACHER_DIALOG_ANSWERS:
      problem = check_answers (self);
      break;
    case DISTILLERY_TEACHER_DIALOG_PROGRAM:
    default:
      problem = check_program (self);
      break;
    }
  distillery_form_mark (self->name_row, *name == '\0');
  if (problem == NULL && *name == '\0')
    problem = g_strdup (_("Give the teacher a name."));
  if (problem == NULL && selected_dataset (self) == 0)
    problem = g_strdup (_("The project has no data set yet: import one first."));
  set_problem (self, problem, TRUE);
  gtk_widget_set_sensitive (self->add_button, problem == NULL);
}

static void
field_changed (DistilleryTeacherDialog *self)
{
  check_form (self);
}

static void
name_changed (DistilleryTeacherDialog *self)
{
  if (!self->setting_name)
    self->name_edited = TRUE;
  check_form (self);
}

/* ---- The forms ---------------------------------------------------- */

static const char *
kind_label (const DistilleryStoreTeacher *t)
{
  if (g_strcmp0 (t->kind, "answers") == 0)
    return answers_logits (t) ? _("Recorded logits") : _("Recorded probabilities");
  if (g_strcmp0 (t->kind, "ensemble") == 0)
    return _("Ensemble");
  if (g_strcmp0 (t->kind, "program") == 0)
    return _("Program");
  return _("Trained here");
}

/* The teachers of the chosen data set, each a row to tick. */
static void
fill_members (DistilleryTeacherDialog *self)
{
  g_autoptr(GPtrArray) teachers = distillery_store_list_teachers (distillery_session_get_store (self->session), NULL);
  gint64 dataset = selected_dataset (self);

  for (guint i = 0; i < self->member_rows->len; i++)
    adw_preferences_group_remove (ADW_PREFERENCES_GROUP (self->members_group), self->member_rows->pdata[i]);
  g_ptr_array_set_size (self->member_rows, 0);
  for (guint i = 0; teachers != NULL && i < teachers->len; i++)
    {
      DistilleryStoreTeacher *t = teachers->pdata[i];
      if (t->dataset_id != dataset)
        continue;
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *check = gtk_check_button_new ();
      GtkWidget *spin = gtk_spin_button_new_with_range (0, 1000, 0.5);
      g_autofree char *weight_label = g_strdup_printf (_("Weight of “%s”"), t->name);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), t->name);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), kind_label (t));
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      gtk_accessible_update_relation (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_RELATION_LABELLED_BY, row, NULL, -1);
      gtk_spin_button_set_digits (GTK_SPIN_BUTTON (spin), 2);
      gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin), TRUE);
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), 1);
      gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (spin, _("Weight: its share of the mean, relative to the others"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL, weight_label, -1);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), spin);
      g_object_set_data (G_OBJECT (row), "check", check);
      g_object_set_data (G_OBJECT (row), "weight", spin);
      g_object_set_data_full (G_OBJECT (row), "teacher-id", g_memdup2 (&t->id, sizeof t->id), g_free);
      g_signal_connect_swapped (check, "toggled", G_CALLBACK (field_changed), self);
      g_signal_connect_swapped (spin, "value-changed", G_CALLBACK (field_changed), self);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->members_group), row);
      g_ptr_array_add (self->member_rows, row);
    }
  gtk_widget_set_visible (self->no_members_label, self->member_rows->len == 0);
}

static void
dataset_changed (DistilleryTeacherDialog *self)
{
  if (self->kind == DISTILLERY_TEACHER_DIALOG_ENSEMBLE)
    fill_members (self);
  check_form (self);
}

static const char *const modes[] = { N_("Mean of probabilities"), N_("Mean of logits at a temperature"), NULL };

static void
build_ensemble (DistilleryTeacherDialog *self)
{
  GtkWidget *g;

  self->members_group = group (self, _("Teachers"), _("Tick the teachers to average, each with its weight"));
  self->no_members_label = gtk_label_new (_("This data set has no teachers yet."));
  gtk_widget_add_css_class (self->no_members_label, "dim-label");
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->members_group), self->no_members_label);

  g = group (self, _("Averaging"), NULL);
  self->mode_row = combo_row (g, _("Average"), NULL, modes);
  g_signal_connect_swapped (self->mode_row, "notify::selected", G_CALLBACK (field_changed), self);
  self->temperature_spin = spin_row (g, _("Temperature"), _("Softens the logits before they are averaged"),
                                     0.1, 100, 0.5, 1, 1);
  g_signal_connect_swapped (self->temperature_spin, "value-changed", G_CALLBACK (field_changed), self);
  suggest_name (self, _("Ensemble"));
  fill_members (self);
}

static void
file_chosen (GListModel *files, gpointer data)
{
  DistilleryTeacherDialog *self = data;

  if (files != NULL)
    {
      g_autoptr(GFile) file = g_list_model_get_item (files, 0);
      distillery_teacher_dialog_set_file (self, file);
    }
  g_object_unref (self);
}

static void
choose_file_clicked (DistilleryTeacherDialog *self)
{
  GtkFileFilter *filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("Answers (CSV, NumPy)"));
  gtk_file_filter_add_pattern (filter, "*.csv");
  gtk_file_filter_add_pattern (filter, "*.csv.gz");
  gtk_file_filter_add_pattern (filter, "*.npy");
  gtk_file_filter_add_pattern (filter, "*.npy.gz");
  distillery_choose_files (GTK_WINDOW (self), "open", _("Choose the Recorded Answers"), _("_Choose"), NULL,
                           filter, file_chosen, g_object_ref (self));
}

static const char *const answer_kinds[] = { N_("Logits"), N_("Probabilities"), NULL };

static void
build_answers (DistilleryTeacherDialog *self)
{
  GtkWidget *g = group (self, _("Answers"), _("One row per sample of the data set’s file, in its order or named "
                                             "by an id column; each row the teacher’s numbers for every class"));
  GtkWidget *button = gtk_button_new_with_mnemonic (_("_Choose…"));

  self->file_row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->file_row), _("File"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->file_row), _("CSV or NumPy .npy, gzipped or not"));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (choose_file_clicked), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (self->file_row), button);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (self->file_row), button);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (g), self->file_row);

  self->answer_kind_row = combo_row (g, _("The file holds"), _("Probabilities must sum to 1 in each row"),
                                     answer_kinds);
  g_signal_connect_swapped (self->answer_kind_row, "notify::selected", G_CALLBACK (field_changed), self);

  self->id_column_row = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->id_column_row),
                                 _("Id column (CSV only; empty: rows in order)"));
  g_signal_connect_swapped (self->id_column_row, "changed", G_CALLBACK (field_changed), self);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (g), self->id_column_row);
}

static void
command_changed (DistilleryTeacherDialog *self)
{
  g_auto(GStrv) argv = NULL;

  /* Named after the program, or after the script it runs. */
  if (g_shell_parse_argv (gtk_editable_get_text (GTK_EDITABLE (self->command_row)), NULL, &argv, NULL))
    {
      g_autofree char *name = base_name (argv[1] != NULL && argv[1][0] != '-' ? argv[1] : argv[0]);
      suggest_name (self, name);
    }
  check_form (self);
}

static void
build_program (DistilleryTeacherDialog *self)
{
  GtkWidget *g = group (self, _("Program"),
                        _("Distillery starts the program itself, never through a shell: quotes and backslashes "
                          "group words as in a shell, but $VARIABLES, wildcards, pipes and redirections mean "
                          "nothing. It must speak the line protocol of docs/teacher-protocol.md. Adding it "
                          "allows this project to run it on this computer."));

  self->command_row = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->command_row), _("Command line"));
  adw_entry_row_set_activates_default (ADW_ENTRY_ROW (self->command_row), TRUE);
  g_signal_connect_swapped (self->command_row, "changed", G_CALLBACK (command_changed), self);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (g), self->command_row);
  self->timeout_spin = spin_row (g, _("Time-out"), _("Seconds the program may take to answer a batch"),
                                 0.1, 3600, 1, 1, 10);
}

/* ---- Adding ------------------------------------------------------- */

typedef struct
{
  DistilleryTeacherDialog *dialog;
  char                    *name, *path, *id_column;
  gint64                   dataset_id;
  GArray                  *members;       /* gint64 */
  GArray                  *weights;       /* double */
  gboolean                 logits;
  double                   temperature;
  DistilleryAnswerKind     answer_kind;
  char                   **argv;
  guint                    timeout_ms, n_features, n_classes;
  gint64                   teacher_id;    /* out */
} Adding;

static void
adding_free (gpointer data)
{
  Adding *a = data;
  g_clear_object (&a->dialog);
  g_free (a->name);
  g_free (a->path);
  g_free (a->id_column);
  g_clear_pointer (&a->members, g_array_unref);
  g_clear_pointer (&a->weights, g_array_unref);
  g_strfreev (a->argv);
  g_free (a);
}

static void
set_busy (DistilleryTeacherDialog *self, gboolean busy, const char *what)
{
  self->busy = busy;
  gtk_widget_set_sensitive (self->form, !busy);
  gtk_widget_set_sensitive (self->add_button, !busy);
  gtk_widget_set_visible (self->spinner, busy);
  if (busy)
    {
      gtk_spinner_start (GTK_SPINNER (self->spinner));
      set_problem (self, what, FALSE);
    }
  else
    gtk_spinner_stop (GTK_SPINNER (self->spinner));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static gboolean
write_teacher (DistilleryStore *store, gpointer data, GError **error)
{
  Adding *a = data;

  switch (a->dialog->kind)
    {
    case DISTILLERY_TEACHER_DIALOG_ENSEMBLE:
      a->teacher_id = distillery_project_add_ensemble (store, a->name, (gint64 *) a->members->data,
                                                       (double *) a->weights->data, a->members->len, a->logits,
                                                       a->temperature, error);
      break;
    case DISTILLERY_TEACHER_DIALOG_ANSWERS:
      a->teacher_id = distillery_project_import_answers (store, a->dataset_id, a->name, a->path, a->answer_kind,
                                                         a->id_column, error);
      break;
    case DISTILLERY_TEACHER_DIALOG_PROGRAM:
    default:
      a->teacher_id = distillery_project_add_program_teacher (store, a->name, a->dataset_id,
                                                              (const char *const *) a->argv, a->timeout_ms, error);
      break;
    }
  return a->teacher_id > 0;
}

/* The form is kept for another try, with the back end's message. */
static void
failed (DistilleryTeacherDialog *self, const char *message)
{
  set_busy (self, FALSE, NULL);
  check_form (self);
  if (self->kind == DISTILLERY_TEACHER_DIALOG_ANSWERS)
    distillery_form_mark (self->file_row, TRUE);
  else if (self->kind == DISTILLERY_TEACHER_DIALOG_PROGRAM)
    distillery_form_mark (self->command_row, TRUE);
  set_problem (self, message, TRUE);
}

static void
written (GObject *source, GAsyncResult *result, gpointer data)
{
  Adding *a = data;
  DistilleryTeacherDialog *self = a->dialog;
  g_autoptr(GError) error = NULL;

  gboolean ok = distillery_session_write_finish (DISTILLERY_SESSION (source), result, &error);

  /* Closed meanwhile: its widgets are gone, and a teacher added is
   * shown all the same. */
  if (self->session == NULL)
    {
      if (ok)
        g_signal_emit (self, signals[ADDED], 0, a->teacher_id);
    }
  else if (!ok)
    {
      g_autofree char *message = g_strdup_printf (_("The teacher cannot be added. %s"), error->message);
      failed (self, message);
    }
  else
    {
      set_busy (self, FALSE, NULL);
      g_signal_emit (self, signals[ADDED], 0, a->teacher_id);
      gtk_window_destroy (GTK_WINDOW (self));
    }
  /* Last: it holds the dialog. */
  adding_free (a);
}

/* Takes `a`, the write's data, which the callback reads and frees. */
static void
start_write (DistilleryTeacherDialog *self, Adding *a)
{
  distillery_session_write_async (self->session, write_teacher, a, NULL, written, a);
}

/* The program answers its handshake with the data set's numbers of
 * features and classes before it is added; it is stopped again at once. */
static void
check_in_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Adding *a = data;
  GError *error = NULL;
  g_autoptr(DistilleryTeacher) teacher = distillery_program_teacher_new ((const char *const *) a->argv, NULL,
                                                                         a->n_features, a->n_classes, 256,
                                                                         a->timeout_ms, &error);
  if (teacher == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
checked (GObject *source, GAsyncResult *result, gpointer data)
{
  DistilleryTeacherDialog *self = DISTILLERY_TEACHER_DIALOG (source);
  Adding *a = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);

  /* Closed while the program was being checked: not added. */
  if (self->session == NULL)
    {
      adding_free (a);
      return;
    }
  if (!ok)
    {
      g_autofree char *message = g_strdup_printf (_("The program does not answer as a teacher. %s"), error->message);
      failed (self, message);
      adding_free (a);
      return;
    }
  set_problem (self, _("Adding the program…"), FALSE);
  start_write (self, a);
}

gboolean
distillery_teacher_dialog_add (DistilleryTeacherDialog *self)
{
  g_return_val_if_fail (DISTILLERY_IS_TEACHER_DIALOG (self), FALSE);

  check_form (self);
  if (self->busy || self->problem != NULL)
    return FALSE;

  Adding *a = g_new0 (Adding, 1);
  a->dialog = g_object_ref (self);
  a->name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  a->dataset_id = selected_dataset (self);
  switch (self->kind)
    {
    case DISTILLERY_TEACHER_DIALOG_ENSEMBLE:
      a->members = g_array_new (FALSE, FALSE, sizeof (gint64));
      a->weights = g_array_new (FALSE, FALSE, sizeof (double));
      for (guint i = 0; i < self->member_rows->len; i++)
        {
          GtkWidget *row = self->member_rows->pdata[i];
          gint64 id = member_id (row);
          double weight = gtk_spin_button_get_value (GTK_SPIN_BUTTON (member_spin (row)));
          if (!gtk_check_button_get_active (GTK_CHECK_BUTTON (member_check (row))))
            continue;
          g_array_append_val (a->members, id);
          g_array_append_val (a->weights, weight);
        }
      a->logits = adw_combo_row_get_selected (ADW_COMBO_ROW (self->mode_row)) == 1;
      a->temperature = a->logits ? gtk_spin_button_get_value (GTK_SPIN_BUTTON (self->temperature_spin)) : 1;
      set_busy (self, TRUE, _("Adding the ensemble…"));
      start_write (self, a);
      break;
    case DISTILLERY_TEACHER_DIALOG_ANSWERS:
      {
        const char *id_column = gtk_editable_get_text (GTK_EDITABLE (self->id_column_row));
        a->path = g_file_get_path (self->file);
        a->answer_kind = adw_combo_row_get_selected (ADW_COMBO_ROW (self->answer_kind_row)) == 1
                           ? DISTILLERY_ANSWER_PROBABILITIES : DISTILLERY_ANSWER_LOGITS;
        a->id_column = *id_column != '\0' ? g_strdup (id_column) : NULL;
        set_busy (self, TRUE, _("Reading and checking the answers…"));
        start_write (self, a);
        break;
      }
    case DISTILLERY_TEACHER_DIALOG_PROGRAM:
    default:
      {
        g_autofree char *problem = NULL;
        g_autoptr(DistilleryStoreDataset) d = distillery_store_get_dataset (distillery_session_get_store (self->session),
                                                                            a->dataset_id, NULL);
        a->argv = distillery_parse_command_line (gtk_editable_get_text (GTK_EDITABLE (self->command_row)), &problem);
        a->timeout_ms = (guint) round (1000 * gtk_spin_button_get_value (GTK_SPIN_BUTTON (self->timeout_spin)));
        a->n_features = d ? d->n_features : 0;
        a->n_classes = d ? d->n_classes : 0;
        set_busy (self, TRUE, _("Starting the program to hear its handshake…"));
        /* `a` goes on to the write, or is freed when the check fails. */
        g_autoptr(GTask) task = g_task_new (self, NULL, checked, NULL);
        g_task_set_task_data (task, a, NULL);
        g_task_run_in_thread (task, check_in_thread);
        break;
      }
    }
  return TRUE;
}

void
distillery_teacher_dialog_set_file (DistilleryTeacherDialog *self, GFile *file)
{
  g_return_if_fail (DISTILLERY_IS_TEACHER_DIALOG (self));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (self->kind == DISTILLERY_TEACHER_DIALOG_ANSWERS);

  g_autofree char *path = g_file_get_path (file);
  g_autofree char *display = path ? g_filename_display_name (path) : g_file_get_uri (file);
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *base = base_name (name);

  g_set_object (&self->file, file);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->file_row), display);
  distillery_form_mark (self->file_row, FALSE);
  /* "answers.csv.gz": named "answers". */
  if (g_str_has_suffix (base, ".csv") || g_str_has_suffix (base, ".npy"))
    base[strlen (base) - 4] = '\0';
  suggest_name (self, base);
  check_form (self);
}

const char *
distillery_teacher_dialog_get_problem (DistilleryTeacherDialog *self)
{
  g_return_val_if_fail (DISTILLERY_IS_TEACHER_DIALOG (self), NULL);
  return self->problem;
}

gboolean
distillery_teacher_dialog_get_busy (DistilleryTeacherDialog *self)
{
  g_return_val_if_fail (DISTILLERY_IS_TEACHER_DIALOG (self), FALSE);
  return self->busy;
}

/* ---- The class ---------------------------------------------------- */

static void
add_clicked (DistilleryTeacherDialog *self)
{
  distillery_teacher_dialog_add (self);
}

static void
fill_datasets (DistilleryTeacherDialog *self, gint64 dataset_id)
{
  g_autoptr(GPtrArray) datasets = distillery_store_list_datasets (distillery_session_get_store (self->session), NULL);
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  guint selected = 0;

  for (guint i = 0; datasets != NULL && i < datasets->len; i++)
    {
      DistilleryStoreDataset *d = datasets->pdata[i];
      g_array_append_val (self->dataset_ids, d->id);
      gtk_string_list_append (names, d->name);
      if (d->id == dataset_id)
        selected = i;
    }
  adw_combo_row_set_model (ADW_COMBO_ROW (self->dataset_row), G_LIST_MODEL (names));
  adw_combo_row_set_selected (ADW_COMBO_ROW (self->dataset_row), selected);
}

DistilleryTeacherDialog *
distillery_teacher_dialog_new (GtkWindow *parent, DistillerySession *session, DistilleryTeacherDialogKind kind,
                               gint64 dataset_id)
{
  static const char *const titles[] = { N_("New Ensemble"), N_("Import Recorded Answers"),
                                        N_("New Program Teacher") };
  g_return_val_if_fail (DISTILLERY_IS_SESSION (session), NULL);
  g_return_val_if_fail (kind <= DISTILLERY_TEACHER_DIALOG_PROGRAM, NULL);

  DistilleryTeacherDialog *self = g_object_new (DISTILLERY_TYPE_TEACHER_DIALOG,
                                                "transient-for", parent,
                                                "modal", TRUE,
                                                "title", _(titles[kind]),
                                                NULL);
  GtkWidget *g;

  self->session = g_object_ref (session);
  self->kind = kind;

  g = group (self, NULL, NULL);
  self->name_row = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->name_row), _("Name"));
  adw_entry_row_set_activates_default (ADW_ENTRY_ROW (self->name_row), TRUE);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (g), self->name_row);
  self->dataset_row = combo_row (g, _("Data set"), _("The samples it answers about"), NULL);
  fill_datasets (self, dataset_id);

  if (kind == DISTILLERY_TEACHER_DIALOG_ENSEMBLE)
    build_ensemble (self);
  else if (kind == DISTILLERY_TEACHER_DIALOG_ANSWERS)
    build_answers (self);
  else
    build_program (self);

  g_signal_connect_swapped (self->name_row, "changed", G_CALLBACK (name_changed), self);
  g_signal_connect_swapped (self->dataset_row, "notify::selected", G_CALLBACK (dataset_changed), self);
  adw_window_title_set_title (ADW_WINDOW_TITLE (self->title), _(titles[kind]));
  check_form (self);
  return self;
}

static void
distillery_teacher_dialog_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  DistilleryTeacherDialog *self = DISTILLERY_TEACHER_DIALOG (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
distillery_teacher_dialog_dispose (GObject *object)
{
  DistilleryTeacherDialog *self = DISTILLERY_TEACHER_DIALOG (object);

  g_clear_object (&self->session);
  g_clear_object (&self->file);
  G_OBJECT_CLASS (distillery_teacher_dialog_parent_class)->dispose (object);
}

static void
distillery_teacher_dialog_finalize (GObject *object)
{
  DistilleryTeacherDialog *self = DISTILLERY_TEACHER_DIALOG (object);

  g_array_unref (self->dataset_ids);
  g_ptr_array_unref (self->member_rows);
  g_free (self->problem);
  G_OBJECT_CLASS (distillery_teacher_dialog_parent_class)->finalize (object);
}

static void
distillery_teacher_dialog_class_init (DistilleryTeacherDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = distillery_teacher_dialog_get_property;
  object_class->dispose = distillery_teacher_dialog_dispose;
  object_class->finalize = distillery_teacher_dialog_finalize;

  properties[PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                                                G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* ::added (teacher id): the teacher is in the project; the dialog closes. */
  signals[ADDED] = g_signal_new ("added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                 G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
distillery_teacher_dialog_init (DistilleryTeacherDialog *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *cancel = gtk_button_new_with_mnemonic (_("_Cancel"));
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();

  self->dataset_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->member_rows = g_ptr_array_new ();

  gtk_window_set_default_size (GTK_WINDOW (self), 600, 640);
  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  self->title = adw_window_title_new (NULL, NULL);
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), self->title);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (cancel), "window.close");
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), cancel);
  self->add_button = gtk_button_new_with_mnemonic (_("_Add"));
  gtk_widget_add_css_class (self->add_button, "suggested-action");
  g_signal_connect_swapped (self->add_button, "clicked", G_CALLBACK (add_clicked), self);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), self->add_button);
  self->spinner = gtk_spinner_new ();
  gtk_widget_set_visible (self->spinner, FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->spinner), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Working"), -1);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), self->spinner);
  gtk_window_set_default_widget (GTK_WINDOW (self), self->add_button);
  gtk_box_append (GTK_BOX (box), header);

  self->form = gtk_box_new (GTK_ORIENTATION_VERTICAL, 24);
  GtkWidget *inner = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  gtk_widget_set_margin_top (inner, 24);
  gtk_widget_set_margin_bottom (inner, 24);
  gtk_widget_set_margin_start (inner, 12);
  gtk_widget_set_margin_end (inner, 12);
  gtk_box_append (GTK_BOX (inner), self->form);
  self->problem_label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->problem_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->problem_label), 0);
  gtk_label_set_selectable (GTK_LABEL (self->problem_label), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->problem_label), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Why the teacher cannot be added yet"), -1);
  gtk_box_append (GTK_BOX (inner), self->problem_label);
  adw_clamp_set_child (ADW_CLAMP (clamp), inner);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_box_append (GTK_BOX (box), scrolled);
  adw_window_set_content (ADW_WINDOW (self), box);
}
