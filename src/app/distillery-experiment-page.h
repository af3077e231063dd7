/* SPDX-License-Identifier: GPL-3.0-or-later */

/* DistilleryExperimentPage: one experiment. A form for its student, the
 * teacher it learns from and how, and its training; Run and Stop; the
 * charts of the selected run, live while it trains; and the table of its
 * runs. Every change is saved as it is made. Once an experiment has runs
 * its settings are locked (runs keep no copy of them): Duplicate makes a
 * new experiment to change them in.
 */

#pragma once

#include <adwaita.h>

#include "distillery-session.h"

G_BEGIN_DECLS

#define DISTILLERY_TYPE_EXPERIMENT_PAGE (distillery_experiment_page_get_type ())

G_DECLARE_FINAL_TYPE (DistilleryExperimentPage, distillery_experiment_page, DISTILLERY, EXPERIMENT_PAGE, GtkWidget)

DistilleryExperimentPage *distillery_experiment_page_new (void);
/* Shows an experiment; the same one again only refreshes its runs, and
 * selects run_id (0: keep the selection, or the latest run). */
void      distillery_experiment_page_set_experiment (DistilleryExperimentPage *page, DistillerySession *session,
                                                     gint64 experiment_id, gint64 run_id);
gint64    distillery_experiment_page_get_experiment (DistilleryExperimentPage *page);
/* Whether Run can start; if not, why (a sentence for the user). */
gboolean  distillery_experiment_page_can_run  (DistilleryExperimentPage *page, const char **reason);
gboolean  distillery_experiment_page_can_stop (DistilleryExperimentPage *page);
/* A budget sweep needs a teacher and settings that can run ("can-sweep"). */
gboolean  distillery_experiment_page_can_sweep (DistilleryExperimentPage *page);
/* Queues one run per seed (after the last change is saved). */
void      distillery_experiment_page_run      (DistilleryExperimentPage *page);
/* Cancels the experiment's runs that are queued or training. */
void      distillery_experiment_page_stop     (DistilleryExperimentPage *page);
/* A new experiment: a copy of from_id's settings, or the defaults on the
 * first data set when from_id is 0. Emits ::created with its id. */
void      distillery_experiment_page_create   (DistilleryExperimentPage *page, DistillerySession *session,
                                               gint64 from_id);
/* Asks, then deletes the experiment with its runs. */
void      distillery_experiment_page_delete   (DistilleryExperimentPage *page);

G_END_DECLS
