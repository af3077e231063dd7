/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The rows the forms of the window are made of (the experiment page, the
 * teacher dialogs and editor, Preferences), made one way everywhere. */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* An action row with a numeric spin button as its suffix, labelling it
 * for assistive technologies; `subtitle` may be NULL. Returns the row and
 * the spin button in *spin. */
GtkWidget *distillery_form_spin_row  (const char *title, const char *subtitle, double lower, double upper,
                                      double step, guint digits, GtkSpinButton **spin);
/* A combo row choosing among `choices` (untranslated; each is translated);
 * `subtitle` may be NULL. */
GtkWidget *distillery_form_combo_row (const char *title, const char *subtitle, const char *const *choices);
/* Shows a row as holding something not valid (libadwaita's "error" style),
 * or not. */
void       distillery_form_mark      (GtkWidget *row, gboolean bad);

G_END_DECLS
