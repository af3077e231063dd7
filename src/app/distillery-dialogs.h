/* SPDX-License-Identifier: GPL-3.0-or-later */

/* Questions the window asks before it does something that cannot be
 * undone or that the user should agree to: AdwAlertDialog on
 * libadwaita 1.5 and later, AdwMessageDialog before.
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Called with TRUE when the user chose to go ahead. */
typedef void (*DistilleryConfirmed) (gboolean confirmed, gpointer data);

/* Asks; `destructive` colours the confirming button as a warning. The
 * callback is called once, in any case; cancel is the default. */
void distillery_confirm (GtkWidget *parent, const char *heading, const char *body,
                         const char *cancel_label, const char *confirm_label, gboolean destructive,
                         DistilleryConfirmed callback, gpointer data);

G_END_DECLS
