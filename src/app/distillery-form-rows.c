/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The rows of the window's forms; see distillery-form-rows.h.
 */
#include "config.h"

#include "distillery-form-rows.h"

#include <glib/gi18n.h>

GtkWidget *
distillery_form_spin_row (const char *title, const char *subtitle, double lower, double upper, double step,
                          guint digits, GtkSpinButton **spin)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button = gtk_spin_button_new_with_range (lower, upper, step);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_spin_button_set_digits (GTK_SPIN_BUTTON (button), digits);
  gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (button), TRUE);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), button);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_RELATION_LABELLED_BY, row, NULL, -1);
  *spin = GTK_SPIN_BUTTON (button);
  return row;
}

GtkWidget *
distillery_form_combo_row (const char *title, const char *subtitle, const char *const *choices)
{
  GtkWidget *row = adw_combo_row_new ();
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);

  for (guint i = 0; choices != NULL && choices[i] != NULL; i++)
    gtk_string_list_append (list, _(choices[i]));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (list));
  return row;
}

void
distillery_form_mark (GtkWidget *row, gboolean bad)
{
  if (bad)
    gtk_widget_add_css_class (row, "error");
  else
    gtk_widget_remove_css_class (row, "error");
}
