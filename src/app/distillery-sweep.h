/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The budget sweep in the window: how much a student learns from a
 * teacher that answers only so many questions. Starting one asks for the
 * budgets, makes one copy of the experiment per budget (the back end's
 * distillery_project_add_budget_sweep, which reuses copies made before)
 * and queues a run of each copy that has none finished or under way, as
 * Run does, asking first when the teacher runs programs that came with
 * the project. DistillerySweepView then draws agreement with the teacher
 * and accuracy against the number of questions, a point per budget, as
 * the copies' runs finish, and lists the copies with the questions each
 * used and had left.
 */

#pragma once

#include <adwaita.h>

#include "distillery-chart.h"
#include "distillery-session.h"

G_BEGIN_DECLS

/* The budgets the dialog offers first. */
#define DISTILLERY_SWEEP_DEFAULT_BUDGETS "50, 100, 200, 400, 800"

/* "50, 100 200": whole numbers above zero, separated by commas or
 * spaces, into ascending distinct budgets; NULL with the reason. */
GArray    *distillery_sweep_parse_budgets (const char *text, char **problem);

/* Something to tell the user (the sweep started, or why not). */
typedef void (*DistillerySweepMessage) (GObject *owner, const char *message);

/* Asks for the budgets of a sweep of experiment_id (which must have a
 * teacher) in a dialog over parent, then starts it. owner is kept alive
 * until then and handed to `message`. */
void       distillery_sweep_ask           (GtkWidget *parent, DistillerySession *session, gint64 experiment_id,
                                           GObject *owner, DistillerySweepMessage message);

/* The copies of a sweep (experiments named as the back end names them,
 * with the same data set and teacher): their ids and budgets, in
 * ascending budgets. */
void       distillery_sweep_find_copies   (DistilleryStore *store, gint64 experiment_id, GArray *ids,
                                           GArray *budgets);

#define DISTILLERY_TYPE_SWEEP_VIEW (distillery_sweep_view_get_type ())

G_DECLARE_FINAL_TYPE (DistillerySweepView, distillery_sweep_view, DISTILLERY, SWEEP_VIEW, GtkWidget)

GtkWidget       *distillery_sweep_view_new            (void);
/* Shows the sweep of this experiment, and nothing when it has none;
 * called again when the project changed, it redraws only what did. */
void             distillery_sweep_view_set_experiment (DistillerySweepView *view, DistillerySession *session,
                                                       gint64 experiment_id);
/* The chart: agreement (series 0) and accuracy (series 1), x the budget. */
DistilleryChart *distillery_sweep_view_get_chart      (DistillerySweepView *view);

G_END_DECLS
