/* SPDX-License-Identifier: GPL-3.0-or-later */

/* DistilleryWindow: the main window, built from ui/distillery-window.ui.
 * It shows the welcome page, whose buttons name win.* actions that later
 * work fills in, and keeps its size in GSettings.
 */

#include "config.h"

#include "distillery-window.h"

struct _DistilleryWindow
{
  AdwApplicationWindow parent_instance;

  GSettings *settings;
};

G_DEFINE_FINAL_TYPE (DistilleryWindow, distillery_window, ADW_TYPE_APPLICATION_WINDOW)

/* The welcome page offers these; they have no handler yet, so every window
 * starts with them disabled and their buttons insensitive.
 */
static const char * const welcome_actions[] = {
  "win.new-project",
  "win.open-project",
  "win.open-demo",
};

static gboolean
distillery_window_close_request (GtkWindow *window)
{
  DistilleryWindow *self = DISTILLERY_WINDOW (window);

  g_settings_apply (self->settings);

  return GTK_WINDOW_CLASS (distillery_window_parent_class)->close_request (window);
}

static void
distillery_window_dispose (GObject *object)
{
  DistilleryWindow *self = DISTILLERY_WINDOW (object);

  g_clear_object (&self->settings);

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

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/distillery/Distillery/ui/distillery-window.ui");

  for (guint i = 0; i < G_N_ELEMENTS (welcome_actions); i++)
    gtk_widget_class_install_action (widget_class, welcome_actions[i], NULL, NULL);
}

static void
distillery_window_init (DistilleryWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; i < G_N_ELEMENTS (welcome_actions); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), welcome_actions[i], FALSE);

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
