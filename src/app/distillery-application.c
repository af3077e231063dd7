/* SPDX-License-Identifier: GPL-3.0-or-later */

/* DistilleryApplication: registers the bundled resources, installs the
 * app-wide actions and their shortcuts, opens windows and shows the About
 * dialog with its credits.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "distillery-application.h"
#include "distillery-resources.h"
#include "distillery-preferences.h"
#include "distillery-window.h"

/* AdwAboutDialog replaces AdwAboutWindow from libadwaita 1.5 on; both have
 * the same properties, so only the type and the section call differ.
 */
#if ADW_CHECK_VERSION (1, 5, 0)
# define DISTILLERY_TYPE_ABOUT ADW_TYPE_ABOUT_DIALOG
# define about_add_acknowledgement_section(about, name, people) \
  adw_about_dialog_add_acknowledgement_section (ADW_ABOUT_DIALOG (about), name, people)
#else
# define DISTILLERY_TYPE_ABOUT ADW_TYPE_ABOUT_WINDOW
# define about_add_acknowledgement_section(about, name, people) \
  adw_about_window_add_acknowledgement_section (ADW_ABOUT_WINDOW (about), name, people)
#endif

struct _DistilleryApplication
{
  AdwApplication parent_instance;
  gboolean       can_notify;   /* something on the session bus shows notifications */
};

G_DEFINE_FINAL_TYPE (DistilleryApplication, distillery_application, ADW_TYPE_APPLICATION)

static void
distillery_application_activate (GApplication *application)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (application));

  if (window == NULL)
    window = GTK_WINDOW (distillery_window_new (DISTILLERY_APPLICATION (application)));

  gtk_window_present (window);
}

/* `distillery FILE...`, the file manager and other instances: each
 * project in a window of its own, reusing the active window while it
 * shows no project. */
static void
distillery_application_open (GApplication  *application,
                             GFile        **files,
                             int            n_files,
                             const char    *hint)
{
  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (application));

  for (int i = 0; i < n_files; i++)
    {
      DistilleryWindow *window = DISTILLERY_IS_WINDOW (active) && distillery_window_get_session (DISTILLERY_WINDOW (active)) == NULL
                                   ? DISTILLERY_WINDOW (active)
                                   : distillery_window_new (DISTILLERY_APPLICATION (application));
      gtk_window_present (GTK_WINDOW (window));
      distillery_window_open (window, files[i]);
      active = NULL;
    }
}

static void
name_checked (GObject *source, GAsyncResult *result, gpointer data)
{
  DistilleryApplication *self = data;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, NULL);
  gboolean owned = FALSE;

  if (reply != NULL)
    g_variant_get (reply, "(b)", &owned);
  self->can_notify |= owned;
  g_object_unref (self);
}

/* GLib sends notifications through the desktop portal or the
 * freedesktop notification server; where neither runs (a bare session,
 * a test) it can only warn, so the window does not try. */
static void
check_notifications (DistilleryApplication *self)
{
  static const char *const services[] = { "org.freedesktop.portal.Desktop", "org.freedesktop.Notifications" };
  GDBusConnection *bus = g_application_get_dbus_connection (G_APPLICATION (self));

  for (guint i = 0; bus != NULL && i < G_N_ELEMENTS (services); i++)
    g_dbus_connection_call (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                            "NameHasOwner", g_variant_new ("(s)", services[i]), G_VARIANT_TYPE ("(b)"),
                            G_DBUS_CALL_FLAGS_NONE, -1, NULL, name_checked, g_object_ref (self));
}

gboolean
distillery_application_can_notify (DistilleryApplication *self)
{
  g_return_val_if_fail (DISTILLERY_IS_APPLICATION (self), FALSE);
  return self->can_notify;
}

static void
distillery_application_startup (GApplication *application)
{
  static const struct {
    const char *action;
    const char *accels[2];
  } shortcuts[] = {
    { "app.new-window", { "<Control><Shift>n", NULL } },
    { "app.quit", { "<Control>q", NULL } },
    { "app.preferences", { "<Control>comma", NULL } },
    { "win.new-project", { "<Control>n", NULL } },
    { "win.open-project", { "<Control>o", NULL } },
    { "win.save-as", { "<Control><Shift>s", NULL } },
    { "win.run", { "<Control>r", NULL } },
    { "win.stop", { "<Control>period", NULL } },
    { "window.close", { "<Control>w", NULL } },
  };

  G_APPLICATION_CLASS (distillery_application_parent_class)->startup (application);

  for (guint i = 0; i < G_N_ELEMENTS (shortcuts); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (application),
                                           shortcuts[i].action,
                                           shortcuts[i].accels);

  gtk_window_set_default_icon_name ("io.github.distillery.Distillery");
  check_notifications (DISTILLERY_APPLICATION (application));
}

static void
new_window_activated (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  DistilleryApplication *self = user_data;

  gtk_window_present (GTK_WINDOW (distillery_window_new (self)));
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  DistilleryApplication *self = user_data;
  const char *developers[] = { _("The Distillery developers"), NULL };
  static const char *data_sets[] = {
    "Optical Recognition of Handwritten Digits data set — E. Alpaydin and C. Kaynak, "
      "UCI Machine Learning Repository (CC BY 4.0) "
      "https://archive.ics.uci.edu/dataset/80/optical+recognition+of+handwritten+digits",
    "Fashion-MNIST — Zalando Research (MIT) https://github.com/zalandoresearch/fashion-mnist",
    NULL
  };
  static const char *libraries[] = {
    "OpenBLAS https://www.openblas.net",
    "GTK https://www.gtk.org",
    "libadwaita https://gnome.pages.gitlab.gnome.org/libadwaita/",
    "SQLite https://www.sqlite.org",
    NULL
  };
  GtkWindow *parent;
  GObject *about;

  /* The dialog belongs to a window, even when asked for from outside
   * (`gapplication action`) with none open.
   */
  g_application_activate (G_APPLICATION (self));
  parent = gtk_application_get_active_window (GTK_APPLICATION (self));

  about = g_object_new (DISTILLERY_TYPE_ABOUT,
                        "application-name", _("Distillery"),
                        "application-icon", "io.github.distillery.Distillery",
                        "version", PACKAGE_VERSION,
                        "comments", _("Distil large models into small ones and see what it buys."),
                        "developer-name", _("The Distillery developers"),
                        "developers", developers,
                        "copyright", "© 2026 The Distillery developers",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "translator-credits", _("translator-credits"),
                        NULL);
  about_add_acknowledgement_section (about, _("Data Sets"), data_sets);
  about_add_acknowledgement_section (about, _("Built With"), libraries);

#if ADW_CHECK_VERSION (1, 5, 0)
  adw_dialog_present (ADW_DIALOG (about), GTK_WIDGET (parent));
#else
  gtk_window_set_transient_for (GTK_WINDOW (about), parent);
  gtk_window_set_modal (GTK_WINDOW (about), TRUE);
  gtk_window_set_destroy_with_parent (GTK_WINDOW (about), TRUE);
  gtk_window_present (GTK_WINDOW (about));
#endif
}

/* Closing each window, rather than g_application_quit(), lets every window
 * save its state (and, once there are projects, ask about unsaved work);
 * the application ends with its last window.
 */
static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  DistilleryApplication *self = user_data;
  g_autoptr(GPtrArray) windows = g_ptr_array_new_with_free_func (g_object_unref);

  /* Closing a window takes it off the application's list, and may take
   * others with it: walk a copy that holds on to them.
   */
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    g_ptr_array_add (windows, g_object_ref (l->data));
  for (guint i = 0; i < windows->len; i++)
    gtk_window_close (g_ptr_array_index (windows, i));
}

static void
preferences_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  DistilleryApplication *self = user_data;
  GtkWindow *parent;

  g_application_activate (G_APPLICATION (self));
  parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  distillery_preferences_present (parent);
}

static const GActionEntry app_actions[] = {
  { .name = "new-window", .activate = new_window_activated },
  { .name = "preferences", .activate = preferences_activated },
  { .name = "about", .activate = about_activated },
  { .name = "quit", .activate = quit_activated },
};

static void
distillery_application_class_init (DistilleryApplicationClass *klass)
{
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  application_class->activate = distillery_application_activate;
  application_class->open = distillery_application_open;
  application_class->startup = distillery_application_startup;

  /* The resources live in a static library, which drops constructors
   * nobody refers to, so they are registered by hand.
   */
  distillery_register_resource ();
}

static void
distillery_application_init (DistilleryApplication *self)
{
  g_action_map_add_action_entries (G_ACTION_MAP (self),
                                   app_actions,
                                   G_N_ELEMENTS (app_actions),
                                   self);
}

/**
 * distillery_application_new:
 *
 * Creates the application. It opens files given on the command line and
 * finds its resources under /io/github/distillery/Distillery whatever its
 * id (development builds add `.Devel`).
 *
 * Returns: (transfer full): a new #DistilleryApplication
 */
DistilleryApplication *
distillery_application_new (void)
{
  return g_object_new (DISTILLERY_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/github/distillery/Distillery",
                       NULL);
}

/**
 * distillery_application_setup_translations:
 *
 * Sets the locale from the environment and binds Distillery's message
 * catalogues, so that the interface speaks the language LANGUAGE, LC_ALL,
 * LC_MESSAGES or LANG ask for. Call it first thing in main(), before GTK
 * starts, so that --help is translated too.
 *
 * The catalogues are looked for in LOCALEDIR, where they are installed,
 * or in DISTILLERY_LOCALEDIR when that is set: build-aux/run and the tests
 * point it at the build tree's po folder, which meson lays out as
 * LANG/LC_MESSAGES/distillery.mo.
 */
void
distillery_application_setup_translations (void)
{
  const char *localedir = g_getenv ("DISTILLERY_LOCALEDIR");

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL && *localedir != '\0' ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}
