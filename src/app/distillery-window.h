/* SPDX-License-Identifier: GPL-3.0-or-later */

/* DistilleryWindow: the main window. For now it shows the welcome page;
 * its size and maximised state persist in GSettings.
 */

#pragma once

#include <adwaita.h>

#include "distillery-application.h"

G_BEGIN_DECLS

#define DISTILLERY_TYPE_WINDOW (distillery_window_get_type ())

G_DECLARE_FINAL_TYPE (DistilleryWindow, distillery_window, DISTILLERY, WINDOW, AdwApplicationWindow)

DistilleryWindow *distillery_window_new (DistilleryApplication *application);

G_END_DECLS
