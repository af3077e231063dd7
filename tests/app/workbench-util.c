/* SPDX-License-Identifier: GPL-3.0-or-later */

/* See workbench-util.h. */

#include "config.h"

#include <glib/gstdio.h>

#include "workbench-util.h"

static void
timed_out (gpointer data)
{
  *(gboolean *) data = TRUE;
}

gboolean
workbench_iterate_until (gboolean (*condition) (gpointer), gpointer data, guint seconds)
{
  gboolean out = FALSE;
  guint id = g_timeout_add_once (seconds * 1000, timed_out, &out);

  while (!condition (data) && !out)
    g_main_context_iteration (NULL, TRUE);
  if (!out)
    g_source_remove (id);
  return !out;
}

static gboolean
frames_done (gpointer data)
{
  return *(int *) data <= 0;
}

static gboolean
count_frame (GtkWidget *widget, GdkFrameClock *clock, gpointer data)
{
  (*(int *) data)--;
  return G_SOURCE_CONTINUE;
}

void
workbench_wait_frames (GtkWidget *widget, int n)
{
  int left = n;
  guint id = gtk_widget_add_tick_callback (widget, count_frame, &left, NULL);
  g_assert_true (workbench_iterate_until (frames_done, &left, 10));
  gtk_widget_remove_tick_callback (widget, id);
}

static gboolean
drawn (gpointer data)
{
  return gtk_widget_get_mapped (data) && gtk_widget_get_width (data) > 0;
}

void
workbench_screenshot (GtkWidget *widget, const char *name)
{
  g_autofree char *folder = g_build_filename (g_getenv ("G_TEST_BUILDDIR") ? g_getenv ("G_TEST_BUILDDIR") : ".",
                                              "screenshots", NULL);
  g_autofree char *path = g_strdup_printf ("%s/%s.png", folder, name);
  g_assert_true (workbench_iterate_until (drawn, widget, 10));
  /* Past any page transition (a crossfade of 200 ms). */
  workbench_wait_frames (widget, 24);
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  g_autoptr(GskRenderNode) node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  g_autoptr(GdkTexture) texture = gsk_renderer_render_texture (renderer, node,
                                                               &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_mkdir_with_parents (folder, 0755);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

GtkWidget *
workbench_find_row (GtkWidget *widget, const char *title)
{
  if (ADW_IS_PREFERENCES_ROW (widget)
      && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0
      && gtk_widget_get_mapped (widget))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = workbench_find_row (child, title);
      if (found != NULL)
        return found;
    }
  return NULL;
}

GtkWidget *
workbench_find_widget (GtkWidget *widget, GType type)
{
  if (g_type_is_a (G_OBJECT_TYPE (widget), type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = workbench_find_widget (child, type);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
has_session (gpointer data)
{
  return distillery_window_get_session (data) != NULL;
}

DistilleryWindow *
workbench_open_project (DistilleryApplication *app, const char *path)
{
  DistilleryWindow *window = distillery_window_new (app);
  g_autoptr(GFile) file = g_file_new_for_path (path);

  gtk_window_present (GTK_WINDOW (window));
  distillery_window_open (window, file);
  g_assert_true (workbench_iterate_until (has_session, window, 30));
  return window;
}

static gboolean
no_toast (gpointer data)
{
  GType toast = g_type_from_name ("AdwToastWidget");
  return toast == 0 || workbench_find_widget (data, toast) == NULL;
}

void
workbench_wait_toasts_gone (GtkWidget *window)
{
  g_assert_true (workbench_iterate_until (no_toast, window, 30));
}

GtkWidget *
workbench_question (GtkWindow *window)
{
#if ADW_CHECK_VERSION (1, 5, 0)
  return GTK_WIDGET (adw_application_window_get_visible_dialog (ADW_APPLICATION_WINDOW (window)));
#else
  GListModel *toplevels = gtk_window_get_toplevels ();
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) toplevel = g_list_model_get_item (toplevels, i);
      if (ADW_IS_MESSAGE_DIALOG (toplevel) && gtk_window_get_transient_for (toplevel) == window
          && gtk_widget_get_visible (GTK_WIDGET (toplevel)))
        return GTK_WIDGET (toplevel);
    }
  return NULL;
#endif
}

void
workbench_answer (GtkWindow *window, const char *response)
{
  GtkWidget *question = workbench_question (window);

  g_assert_nonnull (question);
  g_signal_emit_by_name (question, "response", response);
#if !ADW_CHECK_VERSION (1, 5, 0)
  gtk_window_destroy (GTK_WINDOW (question));
#endif
}

void
workbench_remove_test_folder (const char *dir, const char *config)
{
  g_autofree char *consents = g_build_filename (config, "distillery", "allowed-programs", NULL);
  g_autofree char *consent_dir = g_path_get_dirname (consents);
  g_unlink (consents);
  g_rmdir (consent_dir);
  g_rmdir (config);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  for (const char *name; d != NULL && (name = g_dir_read_name (d)) != NULL;)
    {
      g_autofree char *file = g_build_filename (dir, name, NULL);
      g_unlink (file);
    }
  g_rmdir (dir);
}
