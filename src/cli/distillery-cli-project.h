/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * distillery-cli's verbs on project files: new, import, list, run, resume,
 * report and export.
 */
#pragma once

#include <glib.h>

#include "distillery-training.h"

/* The live progress line of a terminal; does nothing when stderr is not one. */
DistilleryStepAction distillery_cli_progress (const char *model_name, const KdStepReport *report,
                                  double samples_per_second, gpointer user_data);

/* "95.77 %", or a dash for NaN (a measure that does not apply). */
char *distillery_cli_percent (double v);

int distillery_cli_project (const char *verb, int argc, char **argv);
