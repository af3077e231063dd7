/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The application speaks German when LANGUAGE says so: the catalogue
 * compiled in the build tree (po/de/LC_MESSAGES/distillery.mo) is bound
 * the way the `distillery` binary binds its installed one, and the
 * welcome page's title and buttons come out in German. Without a display
 * the window cases are skipped.
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "distillery-application.h"
#include "distillery-window.h"

static DistilleryApplication *app;

static void
timed_out_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
}

static GtkWindow *
show_window (void)
{
  gboolean timed_out = FALSE;
  guint timeout_id = g_timeout_add_once (5000, timed_out_cb, &timed_out);
  GtkWindow *window = NULL;

  g_application_activate (G_APPLICATION (app));
  while (!timed_out)
    {
      window = gtk_application_get_active_window (GTK_APPLICATION (app));
      if (window != NULL && gtk_widget_get_mapped (GTK_WIDGET (window)))
        break;
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_false (timed_out);
  g_source_remove (timeout_id);

  return window;
}

/* The first widget under @widget of @type for which @match holds. */
static GtkWidget *
find_widget (GtkWidget  *widget,
             GType       type,
             gboolean  (*match) (GtkWidget *widget, gconstpointer data),
             gconstpointer data)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type) && match (widget, data))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type, match, data);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static gboolean
any_widget (GtkWidget     *widget,
            gconstpointer  data)
{
  return TRUE;
}

static gboolean
has_action (GtkWidget     *widget,
            gconstpointer  action_name)
{
  return g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action_name) == 0;
}

/* Strings from the catalogue itself, plural forms included. */
static void
test_catalogue (void)
{
  g_assert_cmpstr (_("Welcome to Distillery"), ==, "Willkommen bei Distillery");
  g_assert_cmpstr (g_dngettext (GETTEXT_PACKAGE, "%u active run", "%u active runs", 1), ==, "%u aktiver Lauf");
  g_assert_cmpstr (g_dngettext (GETTEXT_PACKAGE, "%u active run", "%u active runs", 3), ==, "%u aktive Läufe");
  g_assert_cmpstr (C_("shortcut window", "Quit"), ==, "Beenden");
}

/* The welcome page as the user sees it: templates and C code alike. */
static void
test_welcome_page (void)
{
  GtkWidget *window, *status_page, *button;

  if (app == NULL)
    {
      g_test_skip ("No display: the application needs one (run under xvfb-run)");
      return;
    }

  window = GTK_WIDGET (show_window ());
  status_page = find_widget (window, ADW_TYPE_STATUS_PAGE, any_widget, NULL);
  g_assert_nonnull (status_page);
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (status_page)), ==, "Willkommen bei Distillery");

  button = find_widget (window, GTK_TYPE_BUTTON, has_action, "win.new-project");
  g_assert_nonnull (button);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, "_Neues Projekt …");
  button = find_widget (window, GTK_TYPE_BUTTON, has_action, "win.open-demo");
  g_assert_nonnull (button);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, "_Demoprojekt öffnen");

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *localedir = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  /* As a user would start it: LANGUAGE picks German. LANGUAGE counts only
   * when the locale is not plain "C", so LC_ALL names C.UTF-8, which glibc
   * has built in; no German locale needs to be generated.
   */
  localedir = g_test_build_filename (G_TEST_BUILT, "..", "po", NULL);
  g_setenv ("DISTILLERY_LOCALEDIR", localedir, TRUE);
  g_setenv ("LANGUAGE", "de", TRUE);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  distillery_application_setup_translations ();

  if (gtk_init_check ())
    {
      app = distillery_application_new ();
      g_application_set_flags (G_APPLICATION (app),
                               g_application_get_flags (G_APPLICATION (app)) | G_APPLICATION_NON_UNIQUE);
      g_application_register (G_APPLICATION (app), NULL, &error);
      g_assert_no_error (error);
    }

  g_test_add_func ("/translation/catalogue", test_catalogue);
  g_test_add_func ("/translation/welcome-page", test_welcome_page);

  status = g_test_run ();
  g_clear_object (&app);

  return status;
}
