/* SPDX-License-Identifier: GPL-3.0-or-later */

/* DistilleryRunDashboard: the charts of one run (loss, accuracy,
 * agreement with the teacher, the per-class agreement matrix). A run in
 * training is drawn from its job's metrics as they arrive; any other from
 * the project file. Agreement and the matrix show only for runs with a
 * teacher.
 */

#pragma once

#include <gtk/gtk.h>

#include "distillery-session.h"

G_BEGIN_DECLS

#define DISTILLERY_TYPE_RUN_DASHBOARD (distillery_run_dashboard_get_type ())

G_DECLARE_FINAL_TYPE (DistilleryRunDashboard, distillery_run_dashboard, DISTILLERY, RUN_DASHBOARD, GtkWidget)

GtkWidget *distillery_run_dashboard_new      (void);
/* run_id 0 clears it. */
void       distillery_run_dashboard_show_run (DistilleryRunDashboard *dashboard, DistillerySession *session,
                                              gint64 run_id);
gint64     distillery_run_dashboard_get_run  (DistilleryRunDashboard *dashboard);

G_END_DECLS
