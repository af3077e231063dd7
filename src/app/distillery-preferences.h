/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The Preferences window: how many runs train at once, the BLAS threads
 * they use, and the charts' default smoothing, all stored in GSettings
 * and taken up at once by open projects.
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void distillery_preferences_present (GtkWindow *parent);

G_END_DECLS
