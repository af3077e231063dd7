/* SPDX-License-Identifier: GPL-3.0-or-later */

/* DistilleryWindow's files: new, open (dialog, recent list, drag and
 * drop), the demo project, Save As and importing data sets. A window holds
 * one project: opening another from a window that has one opens it in a
 * new window. The file dialogs are distillery_choose_files().
 */

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "distillery-dialogs.h"
#include "distillery-project.h"
#include "distillery-recipes.h"
#include "distillery-window-private.h"

#define MAX_RECENT 10

/* ---- Recent projects ---------------------------------------------- */

static void
remember (DistilleryWindow *self, const char *path)
{
  g_auto(GStrv) old = g_settings_get_strv (self->shared_settings, "recent-projects");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  guint n = 1;

  g_strv_builder_add (builder, path);
  for (char **p = old; *p != NULL && n < MAX_RECENT; p++)
    if (g_strcmp0 (*p, path) != 0)
      {
        g_strv_builder_add (builder, *p);
        n++;
      }
  g_auto(GStrv) recent = g_strv_builder_end (builder);
  g_settings_set_strv (self->shared_settings, "recent-projects", (const char * const *) recent);
}

static void
forget (DistilleryWindow *self, const char *path)
{
  g_auto(GStrv) old = g_settings_get_strv (self->shared_settings, "recent-projects");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (char **p = old; *p != NULL; p++)
    if (g_strcmp0 (*p, path) != 0)
      g_strv_builder_add (builder, *p);
  g_auto(GStrv) recent = g_strv_builder_end (builder);
  g_settings_set_strv (self->shared_settings, "recent-projects", (const char * const *) recent);
}

static void
recent_activated (AdwActionRow *row, DistilleryWindow *self)
{
  _distillery_window_open_path (self, g_object_get_data (G_OBJECT (row), "path"));
}

static void
recent_forget (GtkButton *button, DistilleryWindow *self)
{
  forget (self, g_object_get_data (G_OBJECT (button), "path"));
}

void
_distillery_window_refresh_recent (DistilleryWindow *self)
{
  g_auto(GStrv) recent = g_settings_get_strv (self->shared_settings, "recent-projects");

  for (guint i = 0; i < self->recent_rows->len; i++)
    adw_preferences_group_remove (self->recent_group, self->recent_rows->pdata[i]);
  g_ptr_array_set_size (self->recent_rows, 0);

  for (char **p = recent; *p != NULL; p++)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *remove = gtk_button_new_from_icon_name ("edit-clear-symbolic");
      g_autofree char *base = g_path_get_basename (*p);
      g_autofree char *dir = g_path_get_dirname (*p);
      g_autofree char *display = g_filename_display_name (dir);
      gboolean missing = !g_file_test (*p, G_FILE_TEST_EXISTS);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), base);
      if (missing)
        {
          g_autofree char *subtitle = g_strdup_printf (_("Missing: %s"), display);
          adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
          gtk_widget_add_css_class (row, "dim-label");
        }
      else
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), display);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), !missing);
      g_object_set_data_full (G_OBJECT (row), "path", g_strdup (*p), g_free);
      g_signal_connect (row, "activated", G_CALLBACK (recent_activated), self);

      gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (remove, "flat");
      gtk_widget_set_tooltip_text (remove, _("Remove From the List"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Remove From the List"), -1);
      g_object_set_data_full (G_OBJECT (remove), "path", g_strdup (*p), g_free);
      g_signal_connect (remove, "clicked", G_CALLBACK (recent_forget), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);

      adw_preferences_group_add (self->recent_group, row);
      g_ptr_array_add (self->recent_rows, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->recent_group), recent[0] != NULL);
}

static void
recent_changed (GSettings *settings, const char *key, DistilleryWindow *self)
{
  _distillery_window_refresh_recent (self);
}

/* ---- Opening ------------------------------------------------------ */

typedef struct
{
  DistilleryWindow *window;
  char             *path;
  GtkWidget        *was_showing;
} Opening;

static void
opening_free (Opening *o)
{
  g_object_unref (o->window);
  g_free (o->path);
  g_free (o);
}

static void
session_opened (GObject *source, GAsyncResult *result, gpointer data)
{
  Opening *o = data;
  DistilleryWindow *self = o->window;
  g_autoptr(GError) error = NULL;
  g_autoptr(DistillerySession) session = distillery_session_open_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      opening_free (o);
      return;
    }
  g_clear_object (&self->opening);
  if (session == NULL)
    {
      gtk_spinner_stop (self->busy_spinner);
      gtk_stack_set_visible_child (self->stack, o->was_showing);
      _distillery_window_show_error (self, _("The Project Cannot Be Opened"), error->message);
    }
  else
    {
      remember (self, o->path);
      _distillery_window_set_session (self, session);
    }
  opening_free (o);
}

/* A window that shows this project already, or NULL. */
static DistilleryWindow *
window_showing (GtkApplication *app, const char *path)
{
  g_autoptr(GFile) wanted = g_file_new_for_path (path);

  for (GList *l = gtk_application_get_windows (app); l != NULL; l = l->next)
    if (DISTILLERY_IS_WINDOW (l->data))
      {
        DistillerySession *session = distillery_window_get_session (l->data);
        g_autoptr(GFile) shown = session ? g_file_new_for_path (distillery_session_get_path (session)) : NULL;
        if (shown != NULL && g_file_equal (shown, wanted))
          return l->data;
      }
  return NULL;
}

void
_distillery_window_open_path (DistilleryWindow *self, const char *path)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  DistilleryWindow *showing = app ? window_showing (app, path) : NULL;

  if (showing != NULL)
    {
      gtk_window_present (GTK_WINDOW (showing));
      return;
    }
  /* One project per window. */
  if (self->session != NULL || self->opening != NULL)
    {
      DistilleryWindow *other = distillery_window_new (DISTILLERY_APPLICATION (app));
      gtk_window_present (GTK_WINDOW (other));
      _distillery_window_open_path (other, path);
      return;
    }

  Opening *o = g_new0 (Opening, 1);
  o->window = g_object_ref (self);
  o->path = g_strdup (path);
  o->was_showing = gtk_stack_get_visible_child (self->stack);
  self->opening = g_cancellable_new ();
  _distillery_window_show_busy (self, _("Opening the Project…"));
  distillery_session_open_async (path, self->opening, session_opened, o);
}

/* ---- File dialogs ------------------------------------------------- */

typedef void (*FilesChosen) (DistilleryWindow *self, GListModel *files);

typedef struct
{
  DistilleryWindow *window;
  FilesChosen       done;
} Choosing;

static GtkFileFilter *
project_filter (void)
{
  GtkFileFilter *filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("Distillery Projects"));
  gtk_file_filter_add_pattern (filter, "*.distillery");
  gtk_file_filter_add_mime_type (filter, "application/x-distillery-project");
  return filter;
}

static void
chosen (GListModel *files, gpointer data)
{
  Choosing *c = data;

  if (files != NULL)
    c->done (c->window, files);
  g_object_unref (c->window);
  g_free (c);
}

/* kind: "open", "open-multiple" or "save"; filter may be NULL. */
static void
choose_files (DistilleryWindow *self, const char *kind, const char *title, const char *accept,
              const char *suggested_name, GtkFileFilter *filter, FilesChosen done)
{
  Choosing *c = g_new0 (Choosing, 1);
  c->window = g_object_ref (self);
  c->done = done;
  distillery_choose_files (GTK_WINDOW (self), kind, title, accept, suggested_name, filter, chosen, c);
}

static char *
first_path (GListModel *files)
{
  g_autoptr(GFile) file = g_list_model_get_item (files, 0);
  return g_file_get_path (file);
}

/* ---- New, open, the demo ------------------------------------------ */

static void
open_chosen (DistilleryWindow *self, GListModel *files)
{
  for (guint i = 0; i < g_list_model_get_n_items (files); i++)
    {
      g_autoptr(GFile) file = g_list_model_get_item (files, i);
      distillery_window_open (self, file);
    }
}

static void
open_project_activated (GSimpleAction *action, GVariant *parameter, gpointer data)
{
  DistilleryWindow *self = data;
  choose_files (self, "open", _("Open a Project"), _("_Open"), NULL,
                project_filter (), open_chosen);
}

/* Creating and training runs in a worker thread: the demo's teacher
 * trains for a few seconds. */
typedef struct
{
  char    *path;
  gboolean demo;
  char    *recipe;       /* or a recipe's project, */
  char    *mnist;        /* on MNIST's files in this folder (NULL: Fashion-MNIST) */
} Creating;

static void
creating_free (Creating *c)
{
  g_free (c->path);
  g_free (c->recipe);
  g_free (c->mnist);
  g_free (c);
}

static void
create_in_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Creating *c = data;
  GError *error = NULL;
  g_autoptr(DistilleryStore) store = NULL;

  if (c->demo)
    store = distillery_project_new_demo (c->path, NULL, &error);
  else if (c->recipe != NULL)
    {
      DistilleryRecipeOptions options = { .mnist_dir = c->mnist };
      store = distillery_recipe_new_project (c->recipe, c->path, &options, &error);
    }
  else
    {
      g_autofree char *base = g_path_get_basename (c->path);
      char *dot = strrchr (base, '.');
      if (dot != NULL && dot != base)
        *dot = '\0';
      store = distillery_store_create (c->path, base, &error);
    }
  if (store == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
created (GObject *source, GAsyncResult *result, gpointer data)
{
  DistilleryWindow *self = DISTILLERY_WINDOW (source);
  Creating *c = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      gtk_spinner_stop (self->busy_spinner);
      gtk_stack_set_visible_child_name (self->stack, self->session ? "project" : "welcome");
      _distillery_window_show_error (self, _("The Project Cannot Be Created"), error->message);
      return;
    }
  gtk_stack_set_visible_child_name (self->stack, "welcome");
  _distillery_window_open_path (self, c->path);
}

static void
create_project_from (DistilleryWindow *self, Creating *c, const char *busy)
{
  /* From a window that has a project, the new one gets a window of its own. */
  if (self->session != NULL)
    {
      GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
      self = distillery_window_new (DISTILLERY_APPLICATION (app));
      gtk_window_present (GTK_WINDOW (self));
    }
  g_autoptr(GTask) task = g_task_new (self, NULL, created, NULL);
  g_task_set_task_data (task, c, (GDestroyNotify) creating_free);
  _distillery_window_show_busy (self, busy);
  g_task_run_in_thread (task, create_in_thread);
}

static void
create_project (DistilleryWindow *self, const char *path, gboolean demo)
{
  Creating *c = g_new0 (Creating, 1);
  c->path = g_strdup (path);
  c->demo = demo;
  create_project_from (self, c, demo ? _("Preparing the Demo Project…") : _("Creating the Project…"));
}

/* The path chosen for a new project, cleared for it; NULL (having said
 * why) when it cannot be. The file dialog asked before replacing a file;
 * a project open elsewhere in this process is not replaced. */
static char *
path_for_new_project (DistilleryWindow *self, GListModel *files)
{
  g_autofree char *path = first_path (files);

  if (path == NULL)
    return NULL;
  if (window_showing (gtk_window_get_application (GTK_WINDOW (self)), path) != NULL)
    {
      _distillery_window_show_error (self, _("The Project Cannot Be Created"),
                                     _("That project is open in another window."));
      return NULL;
    }
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_autofree char *wal = g_strconcat (path, "-wal", NULL);
      g_autofree char *shm = g_strconcat (path, "-shm", NULL);
      g_unlink (wal);
      g_unlink (shm);
      g_unlink (path);
    }
  return g_steal_pointer (&path);
}

static void
new_chosen (DistilleryWindow *self, GListModel *files)
{
  g_autofree char *path = path_for_new_project (self, files);

  if (path != NULL)
    create_project (self, path, FALSE);
}

/* ---- Recipes: projects that reproduce a paper ---------------------- */

static void
recipe_path_chosen (DistilleryWindow *self, GListModel *files)
{
  g_autofree char *path = path_for_new_project (self, files);
  Creating *c;

  if (path == NULL)
    return;
  c = g_new0 (Creating, 1);
  c->path = g_steal_pointer (&path);
  c->recipe = g_strdup ("hinton-2015");
  c->mnist = g_steal_pointer (&self->recipe_mnist);
  create_project_from (self, c, _("Preparing the Recipe’s Project…"));
}

static void
choose_recipe_path (DistilleryWindow *self)
{
  choose_files (self, "save", _("New Project from a Recipe"), _("_Create"),
                /* Translators: a file name */
                _("Hinton 2015.distillery"), project_filter (), recipe_path_chosen);
}

/* Hinton, Vinyals and Dean (2015) on Fashion-MNIST, from Debian's
 * dataset-fashion-mnist (in the Flatpak, from the same files). */
static void
new_recipe_activated (GSimpleAction *action, GVariant *parameter, gpointer data)
{
  DistilleryWindow *self = data;

  g_clear_pointer (&self->recipe_mnist, g_free);
  choose_recipe_path (self);
}

static void
mnist_chosen (DistilleryWindow *self, GListModel *files)
{
  g_autofree char *first = first_path (files);

  if (first == NULL)
    return;
  /* The recipe finds the four files in their folder by name, and says
   * which one is missing. */
  g_free (self->recipe_mnist);
  self->recipe_mnist = g_path_get_dirname (first);
  choose_recipe_path (self);
}

/* The same on MNIST itself, from IDX files the user has. */
static void
new_recipe_mnist_activated (GSimpleAction *action, GVariant *parameter, gpointer data)
{
  DistilleryWindow *self = data;
  choose_files (self, "open-multiple", _("MNIST’s Four IDX Files"), _("_Choose"), NULL, NULL, mnist_chosen);
}

static void
new_project_activated (GSimpleAction *action, GVariant *parameter, gpointer data)
{
  DistilleryWindow *self = data;
  choose_files (self, "save", _("New Project"), _("_Create"),
                _("Untitled.distillery"), project_filter (), new_chosen);
}

static void
open_demo_activated (GSimpleAction *action, GVariant *parameter, gpointer data)
{
  DistilleryWindow *self = data;
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "distillery", NULL);
  g_autofree char *path = g_build_filename (dir, "Demo.distillery", NULL);

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      _distillery_window_open_path (self, path);
      return;
    }
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_autofree char *message = g_strdup_printf (_("Cannot create the folder %s: %s."), dir, g_strerror (saved));
      _distillery_window_show_error (self, _("The Demo Project Cannot Be Created"), message);
      return;
    }
  create_project (self, path, TRUE);
}

/* ---- Save As ------------------------------------------------------ */

typedef struct
{
  char *from, *to;
} Copying;

static void
copying_free (Copying *c)
{
  g_free (c->from);
  g_free (c->to);
  g_free (c);
}

static void
copy_in_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Copying *c = data;
  GError *error = NULL;
  g_autoptr(DistilleryStore) store = distillery_store_open (c->from, DISTILLERY_STORE_OPEN_READ_ONLY, &error);

  if (store == NULL || !distillery_store_save_as (store, c->to, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
copied (GObject *source, GAsyncResult *result, gpointer data)
{
  DistilleryWindow *self = DISTILLERY_WINDOW (source);
  Copying *c = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      _distillery_window_show_error (self, _("The Project Cannot Be Saved"), error->message);
      return;
    }
  g_autofree char *base = g_path_get_basename (c->to);
  /* Runs in training go on writing to the original; otherwise the window
   * goes on with the copy, as Save As does elsewhere. */
  if (self->session != NULL && distillery_session_get_n_active (self->session) > 0)
    {
      g_autofree char *message = g_strdup_printf (_("Saved a copy as “%s”"), base);
      _distillery_window_toast (self, message);
      return;
    }
  _distillery_window_set_session (self, NULL);
  _distillery_window_open_path (self, c->to);
}

static void
save_as_chosen (DistilleryWindow *self, GListModel *files)
{
  g_autofree char *path = first_path (files);

  if (path == NULL || self->session == NULL)
    return;
  Copying *c = g_new0 (Copying, 1);
  c->from = g_strdup (distillery_session_get_path (self->session));
  c->to = g_steal_pointer (&path);
  g_autoptr(GTask) task = g_task_new (self, NULL, copied, NULL);
  g_task_set_task_data (task, c, (GDestroyNotify) copying_free);
  g_task_run_in_thread (task, copy_in_thread);
}

static void
save_as_activated (GSimpleAction *action, GVariant *parameter, gpointer data)
{
  DistilleryWindow *self = data;
  g_autofree char *name = NULL;

  if (self->session == NULL)
    return;
  name = g_strdup_printf (_("%s (copy).distillery"), distillery_session_get_name (self->session));
  choose_files (self, "save", _("Save the Project As"), _("_Save"), name, project_filter (), save_as_chosen);
}

/* ---- Importing data sets ------------------------------------------ */

typedef struct
{
  DistilleryImport import;
  char            *paths[4];
  char            *csv;
  gint64           dataset_id;
} Importing;

static void
importing_free (gpointer data)
{
  Importing *im = data;
  for (guint i = 0; i < 4; i++)
    g_free (im->paths[i]);
  g_free (im->csv);
  g_free (im);
}

static gboolean
write_import (DistilleryStore *store, gpointer data, GError **error)
{
  Importing *im = data;
  g_autoptr(DistilleryExperiment) settings = distillery_experiment_new_demo ();

  im->dataset_id = distillery_project_import (store, &im->import, error);
  return im->dataset_id > 0
         && distillery_project_add_starter_experiments (store, im->dataset_id, settings, NULL, NULL, error) > 0;
}

static void
imported (GObject *source, GAsyncResult *result, gpointer data)
{
  DistilleryWindow *self = data;
  g_autoptr(GError) error = NULL;

  if (!distillery_session_write_finish (DISTILLERY_SESSION (source), result, &error))
    _distillery_window_show_error (self, _("The Data Set Cannot Be Imported"), error->message);
  else
    _distillery_window_toast (self, _("Imported, with a teacher and two experiments"));
  g_object_unref (self);
}

/* IDX files say what they hold in their names, as MNIST's do:
 * train-images, train-labels, t10k-images (or test-), t10k-labels. */
static int
idx_role (const char *path)
{
  g_autofree char *base = g_ascii_strdown (path, -1);
  gboolean test = strstr (base, "t10k") != NULL || strstr (base, "test") != NULL;
  gboolean labels = strstr (base, "label") != NULL;
  return (test ? 2 : 0) + (labels ? 1 : 0);
}

static void
import_chosen (DistilleryWindow *self, GListModel *files)
{
  guint n = g_list_model_get_n_items (files);
  Importing *im = g_new0 (Importing, 1);

  if (self->session == NULL)
    {
      importing_free (im);
      return;
    }
  if (n == 1)
    {
      im->csv = first_path (files);
      im->import.csv_path = im->csv;
    }
  else if (n == 2 || n == 4)
    {
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(GFile) file = g_list_model_get_item (files, i);
          char *path = g_file_get_path (file);
          int role = path ? idx_role (path) : -1;
          if (role < 0 || role >= (int) n || im->paths[role] != NULL)
            {
              g_free (path);
              importing_free (im);
              _distillery_window_show_error (self, _("The Data Set Cannot Be Imported"),
                _("Pick one CSV file, or the IDX files of a data set: training images and labels, and "
                  "optionally test images and labels, named as MNIST’s are (train-images, train-labels, "
                  "t10k-images, t10k-labels)."));
              return;
            }
          im->paths[role] = path;
        }
      im->import.train_images = im->paths[0];
      im->import.train_labels = im->paths[1];
      im->import.test_images = im->paths[2];
      im->import.test_labels = im->paths[3];
    }
  else
    {
      importing_free (im);
      _distillery_window_show_error (self, _("The Data Set Cannot Be Imported"),
                                     _("Pick one CSV file, or two or four IDX files."));
      return;
    }
  _distillery_window_toast (self, _("Importing the data set…"));
  distillery_session_write_async (self->session, write_import, im, importing_free, imported, g_object_ref (self));
}

static void
import_dataset_activated (GSimpleAction *action, GVariant *parameter, gpointer data)
{
  DistilleryWindow *self = data;
  GtkFileFilter *filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("Data Sets (CSV, IDX)"));
  gtk_file_filter_add_pattern (filter, "*.csv");
  gtk_file_filter_add_pattern (filter, "*.csv.gz");
  gtk_file_filter_add_pattern (filter, "*-ubyte");
  gtk_file_filter_add_pattern (filter, "*-ubyte.gz");
  gtk_file_filter_add_pattern (filter, "*.idx*");
  choose_files (self, "open-multiple", _("Import a Data Set"), _("_Import"), NULL,
                filter, import_chosen);
}

/* ---- Drag and drop ------------------------------------------------ */

static gboolean
file_dropped (GtkDropTarget *target, const GValue *value, double x, double y, DistilleryWindow *self)
{
  if (!G_VALUE_HOLDS (value, G_TYPE_FILE))
    return FALSE;
  distillery_window_open (self, g_value_get_object (value));
  return TRUE;
}

static const GActionEntry file_actions[] = {
  { .name = "new-project", .activate = new_project_activated },
  { .name = "open-project", .activate = open_project_activated },
  { .name = "open-demo", .activate = open_demo_activated },
  { .name = "new-recipe", .activate = new_recipe_activated },
  { .name = "new-recipe-mnist", .activate = new_recipe_mnist_activated },
  { .name = "save-as", .activate = save_as_activated },
  { .name = "import-dataset", .activate = import_dataset_activated },
};

void
_distillery_window_files_init (DistilleryWindow *self)
{
  g_action_map_add_action_entries (G_ACTION_MAP (self), file_actions, G_N_ELEMENTS (file_actions), self);
  GtkDropTarget *drop = gtk_drop_target_new (G_TYPE_FILE, GDK_ACTION_COPY);

  g_signal_connect (drop, "drop", G_CALLBACK (file_dropped), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
  /* Recent projects are shared by every window at once, unlike the size. */
  self->shared_settings = g_settings_new ("io.github.distillery.Distillery");
  g_signal_connect (self->shared_settings, "changed::recent-projects", G_CALLBACK (recent_changed), self);
}
