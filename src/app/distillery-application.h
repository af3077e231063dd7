/* SPDX-License-Identifier: GPL-3.0-or-later */

/* DistilleryApplication: the GTK application object. It owns the
 * app-wide actions (about, new window, quit) and opens windows.
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define DISTILLERY_TYPE_APPLICATION (distillery_application_get_type ())

G_DECLARE_FINAL_TYPE (DistilleryApplication, distillery_application, DISTILLERY, APPLICATION, AdwApplication)

DistilleryApplication *distillery_application_new (void);
/* Whether the session can show notifications (checked at start-up). */
gboolean               distillery_application_can_notify (DistilleryApplication *application);

void distillery_application_setup_translations (void);

G_END_DECLS
