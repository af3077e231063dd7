/* SPDX-License-Identifier: GPL-3.0-or-later */

/* Drives the real application: it opens its window with the welcome page,
 * keeps the window's size, shows the About dialog and quits; its icons load
 * from its resources. The cases share one application and
 * each brings up the window it needs; without a display they are skipped.
 */

#include "config.h"

#include <adwaita.h>

#include "distillery-application.h"
#include "distillery-list-rows.h"
#include "distillery-window.h"

static DistilleryApplication *app;

typedef gboolean (*Condition) (gpointer data);

static void
timed_out_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
}

/* Runs the main context until @condition holds, for five seconds at most. */
static gboolean
iterate_until (Condition condition,
               gpointer  data)
{
  gboolean timed_out = FALSE;
  guint timeout_id = g_timeout_add_once (5000, timed_out_cb, &timed_out);

  while (!condition (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (!timed_out)
    g_source_remove (timeout_id);

  return !timed_out;
}

static gboolean
window_is_mapped (gpointer data)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  return window != NULL && gtk_widget_get_mapped (GTK_WIDGET (window));
}

/* Activates the application, as starting it does, and returns its window
 * once it is on screen.
 */
static GtkWindow *
show_window (void)
{
  g_application_activate (G_APPLICATION (app));
  g_assert_true (iterate_until (window_is_mapped, NULL));

  return gtk_application_get_active_window (GTK_APPLICATION (app));
}

static gboolean
skip_without_display (void)
{
  if (app != NULL)
    return FALSE;

  g_test_skip ("No display: the application needs one (run under xvfb-run)");
  return TRUE;
}

static void
test_window_opens (void)
{
  GtkWindow *window;

  if (skip_without_display ())
    return;

  window = show_window ();
  g_assert_true (DISTILLERY_IS_WINDOW (window));
  g_assert_cmpstr (gtk_window_get_title (window), ==, "Distillery");
}

/* Finds the widget under @widget whose action is @action_name. */
static GtkWidget *
find_actionable (GtkWidget  *widget,
                 const char *action_name)
{
  if (GTK_IS_ACTIONABLE (widget) &&
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action_name) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_actionable (child, action_name);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* The welcome page's buttons are there, and work. */
static void
test_window_welcome (void)
{
  static const char * const actions[] = { "win.new-project", "win.open-project", "win.open-demo" };
  GtkWidget *window;

  if (skip_without_display ())
    return;

  window = GTK_WIDGET (show_window ());
  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    {
      GtkWidget *button = find_actionable (window, actions[i]);

      g_assert_nonnull (button);
      g_assert_true (gtk_widget_get_mapped (button));
      g_assert_true (gtk_widget_is_sensitive (button));
    }
}

/* A new window takes its size from the settings and writes it back when
 * it closes.
 */
static void
test_window_size (void)
{
  g_autoptr(GSettings) settings = NULL;
  GtkWindow *window;
  int width, height;

  if (skip_without_display ())
    return;

  settings = g_settings_new ("io.github.distillery.Distillery");
  g_settings_set_int (settings, "window-width", 640);
  g_settings_set_int (settings, "window-height", 480);

  g_action_group_activate_action (G_ACTION_GROUP (app), "new-window", NULL);
  g_assert_true (iterate_until (window_is_mapped, NULL));
  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  gtk_window_get_default_size (window, &width, &height);
  g_assert_cmpint (width, ==, 640);
  g_assert_cmpint (height, ==, 480);

  gtk_window_set_default_size (window, 800, 600);
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 640);
  gtk_window_close (window);
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 800);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 600);
}

static gboolean
about_is_shown (gpointer data)
{
  GtkWindow *window = data;

#if ADW_CHECK_VERSION (1, 5, 0)
  AdwDialog *dialog = adw_application_window_get_visible_dialog (ADW_APPLICATION_WINDOW (window));

  return ADW_IS_ABOUT_DIALOG (dialog) && gtk_widget_get_mapped (GTK_WIDGET (dialog));
#else
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) toplevel = g_list_model_get_item (toplevels, i);

      if (ADW_IS_ABOUT_WINDOW (toplevel) &&
          gtk_window_get_transient_for (toplevel) == window &&
          gtk_widget_get_mapped (GTK_WIDGET (toplevel)))
        return TRUE;
    }

  return FALSE;
#endif
}

static void
test_about (void)
{
  GtkWindow *window;

  if (skip_without_display ())
    return;

  window = show_window ();
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "about"));
  g_assert_false (about_is_shown (window));

  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  g_assert_true (iterate_until (about_is_shown, window));
}

/* Both icons load from the resources as GTK loads them there: from a
 * stream without a file name, so gdk-pixbuf knows an SVG only by the
 * content type GIO guesses. shared-mime-info looks for `<svg` in the first
 * 256 bytes only; a long comment before it made the file "application/xml"
 * and GTK 4.8 refused it as an "Unrecognized image file format".
 */
static void
test_icons (void)
{
  static const char * const names[] = {
    "io.github.distillery.Distillery",
    "io.github.distillery.Distillery-symbolic",
  };
  GtkIconTheme *theme;

  if (skip_without_display ())
    return;

  theme = gtk_icon_theme_get_for_display (gdk_display_get_default ());
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_strdup_printf ("/io/github/distillery/Distillery/icons/scalable/apps/%s.svg", names[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = g_resources_lookup_data (path, G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
      g_autofree char *type = NULL;
      g_autoptr(GdkTexture) texture = NULL;
      g_autoptr(GtkIconPaintable) icon = NULL;
      g_autoptr(GFile) file = NULL;
      g_autofree char *uri = NULL;
      g_autoptr(GskRenderNode) node = NULL;
      GtkSnapshot *snapshot;

      g_assert_no_error (error);
      type = g_content_type_guess (NULL, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL);
      g_assert_true (g_content_type_is_mime_type (type, "image/svg+xml"));

      texture = gdk_texture_new_from_bytes (bytes, &error);
      g_assert_no_error (error);
      g_assert_cmpint (gdk_texture_get_width (texture), >, 0);

      /* The theme finds the icon in the resources, not the missing-image one. */
      g_assert_true (gtk_icon_theme_has_icon (theme, names[i]));
      icon = gtk_icon_theme_lookup_icon (theme, names[i], NULL, 32, 1, GTK_TEXT_DIR_NONE, 0);
      file = gtk_icon_paintable_get_file (icon);
      uri = g_file_get_uri (file);
      g_assert_true (g_str_has_suffix (uri, path));
      snapshot = gtk_snapshot_new ();
      gdk_paintable_snapshot (GDK_PAINTABLE (icon), snapshot, 32, 32);
      node = gtk_snapshot_free_to_node (snapshot);
      g_assert_nonnull (node);
    }
}

static gboolean
no_window_left (gpointer data)
{
  return g_list_model_get_n_items (gtk_window_get_toplevels ()) == 0;
}

/* Ctrl+Q closes every window, dialogs with them. */
static void
test_quit (void)
{
  g_auto(GStrv) accels = NULL;

  if (skip_without_display ())
    return;

  accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "app.quit");
  g_assert_true (g_strv_contains ((const char * const *) accels, "<Control>q"));

  show_window ();
  g_action_group_activate_action (G_ACTION_GROUP (app), "new-window", NULL);
  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  g_assert_cmpuint (g_list_length (gtk_application_get_windows (GTK_APPLICATION (app))), ==, 2);

  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  g_assert_true (iterate_until (no_window_left, NULL));
  g_assert_null (gtk_application_get_windows (GTK_APPLICATION (app)));
}

/* Puts the items "key=content" of SPEC (space-separated) into BOX, making
 * rows only where asked; returns how many were made. */
static guint
update_list (GtkListBox *box, const char *spec)
{
  g_auto(GStrv) items = g_strsplit (spec, " ", -1);
  DistilleryListUpdate *update = distillery_list_update_begin (box);
  guint made = 0;

  for (guint i = 0; items[i] != NULL; i++)
    {
      g_auto(GStrv) kv = g_strsplit (items[i], "=", 2);
      if (distillery_list_update_want (update, kv[0], kv[1]))
        {
          GtkWidget *row = gtk_list_box_row_new ();
          gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), gtk_label_new (items[i]));
          distillery_list_update_add (update, row);
          made++;
        }
    }
  distillery_list_update_end (update);
  return made;
}

/* What BOX shows, as "key=content ...", from the rows' labels. */
static char *
list_text (GtkListBox *box)
{
  GString *s = g_string_new (NULL);
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (box)); row != NULL; row = gtk_widget_get_next_sibling (row))
    g_string_append_printf (s, "%s%s", s->len ? " " : "",
                            gtk_label_get_text (GTK_LABEL (gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (row)))));
  return g_string_free (s, FALSE);
}

/* The sidebar's and the runs table's updates in place: unchanged rows are
 * the same widgets, changed ones new, gone ones gone, moved ones moved. */
static void
test_list_update (void)
{
  if (skip_without_display ())
    return;

  GtkListBox *box = GTK_LIST_BOX (g_object_ref_sink (gtk_list_box_new ()));
  g_assert_cmpuint (update_list (box, "a=1 b=1 c=1"), ==, 3);
  GtkListBoxRow *a = gtk_list_box_get_row_at_index (box, 0), *c = gtk_list_box_get_row_at_index (box, 2);

  /* Nothing changed: nothing made. */
  g_assert_cmpuint (update_list (box, "a=1 b=1 c=1"), ==, 0);
  g_assert_true (gtk_list_box_get_row_at_index (box, 0) == a);

  /* b changes, d is new between, c stays. */
  g_assert_cmpuint (update_list (box, "a=1 b=2 d=1 c=1"), ==, 2);
  g_autofree char *t1 = list_text (box);
  g_assert_cmpstr (t1, ==, "a=1 b=2 d=1 c=1");
  g_assert_true (gtk_list_box_get_row_at_index (box, 0) == a);
  g_assert_true (gtk_list_box_get_row_at_index (box, 3) == c);

  /* a goes, c moves to the front, kept as it is. */
  g_assert_cmpuint (update_list (box, "c=1 b=2 d=1"), ==, 0);
  g_autofree char *t2 = list_text (box);
  g_assert_cmpstr (t2, ==, "c=1 b=2 d=1");
  g_assert_true (gtk_list_box_get_row_at_index (box, 0) == c);

  g_assert_cmpuint (update_list (box, ""), ==, 0);
  g_assert_null (gtk_widget_get_first_child (GTK_WIDGET (box)));
  g_object_unref (box);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  if (gtk_init_check ())
    {
      app = distillery_application_new ();
      /* Not unique, so that a Distillery already running on the session
       * bus does not take the test's requests.
       */
      g_application_set_flags (G_APPLICATION (app),
                               g_application_get_flags (G_APPLICATION (app)) | G_APPLICATION_NON_UNIQUE);
      g_application_register (G_APPLICATION (app), NULL, &error);
      g_assert_no_error (error);
    }

  g_test_add_func ("/app/window/opens", test_window_opens);
  g_test_add_func ("/app/window/welcome", test_window_welcome);
  g_test_add_func ("/app/window/size", test_window_size);
  g_test_add_func ("/app/about", test_about);
  g_test_add_func ("/app/icons", test_icons);
  g_test_add_func ("/app/list-update", test_list_update);
  g_test_add_func ("/app/quit", test_quit);

  status = g_test_run ();
  g_clear_object (&app);

  return status;
}
