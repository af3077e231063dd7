/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The Preferences window, bound to GSettings: a change applies at once,
 * with nothing to confirm. Its rows are the same label-and-spin-button
 * rows as the experiment form (AdwSpinRow needs libadwaita 1.4).
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "distillery-form-rows.h"
#include "distillery-preferences.h"

static GtkWidget *
spin_row (GSettings *settings, const char *key, GtkWidget *group, const char *title, const char *subtitle,
          double lower, double upper, double step, guint digits)
{
  GtkSpinButton *spin;
  GtkWidget *row = distillery_form_spin_row (title, subtitle, lower, upper, step, digits, &spin);

  g_settings_bind (settings, key, gtk_spin_button_get_adjustment (spin), "value", G_SETTINGS_BIND_DEFAULT);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  return GTK_WIDGET (spin);
}

void
distillery_preferences_present (GtkWindow *parent)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.distillery.Distillery");
  GtkWidget *window = adw_preferences_window_new ();
  GtkWidget *page = adw_preferences_page_new ();
  GtkWidget *runs = adw_preferences_group_new ();
  GtkWidget *charts = adw_preferences_group_new ();
  g_autofree char *cores = g_strdup_printf (_("OpenBLAS threads for each run; 0 shares this computer’s %u cores "
                                              "among the runs at once. Runs keep the value they started with, "
                                              "and the last digits of their numbers depend on it."),
                                            g_get_num_processors ());

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (runs), _("Runs"));
  spin_row (settings, "concurrent-runs", runs, _("Runs at once"),
            _("The others wait in the queue until one ends"), 1, 16, 1, 0);
  spin_row (settings, "blas-threads", runs, _("BLAS threads"), cores, 0, 64, 1, 0);
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (charts), _("Charts"));
  spin_row (settings, "smoothing", charts, _("Smoothing"),
            _("Weight of the moving average loss curves start with; 0 shows the raw curve"), 0, 0.99, 0.05, 2);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (runs));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (charts));
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (window), ADW_PREFERENCES_PAGE (page));
  gtk_window_set_transient_for (GTK_WINDOW (window), parent);
  gtk_window_set_modal (GTK_WINDOW (window), TRUE);
  gtk_window_present (GTK_WINDOW (window));
}
