/* SPDX-License-Identifier: GPL-3.0-or-later */

/* DistilleryWindow: the main window. Without a project it shows the
 * welcome page; with one, the project's data sets, teachers, experiments
 * and runs in a sidebar and the page of the one selected. One project per
 * window; every change is saved as it is made. Its size and maximised
 * state persist in GSettings.
 */

#pragma once

#include <adwaita.h>

#include "distillery-application.h"
#include "distillery-session.h"

G_BEGIN_DECLS

#define DISTILLERY_TYPE_WINDOW (distillery_window_get_type ())

G_DECLARE_FINAL_TYPE (DistilleryWindow, distillery_window, DISTILLERY, WINDOW, AdwApplicationWindow)

DistilleryWindow  *distillery_window_new          (DistilleryApplication *application);
/* Opens a project file in this window (in the background; errors show
 * in a dialog and leave the window as it was). */
void               distillery_window_open         (DistilleryWindow *window, GFile *file);
/* The open project, or NULL on the welcome page. */
DistillerySession *distillery_window_get_session  (DistilleryWindow *window);
/* Shows an experiment's page, as clicking it in the sidebar does. */
gboolean           distillery_window_select_experiment (DistilleryWindow *window, gint64 experiment_id);
/* The same for a data set, a teacher, and (id 0) the comparison. */
gboolean           distillery_window_select_dataset    (DistilleryWindow *window, gint64 dataset_id);
gboolean           distillery_window_select_teacher    (DistilleryWindow *window, gint64 teacher_id);
gboolean           distillery_window_select_compare    (DistilleryWindow *window);

G_END_DECLS
