/* SPDX-License-Identifier: GPL-3.0-or-later */

/* DistilleryDatasetPage: one data set: its counts, the size of each class
 * as a bar chart, a grid of samples for image data, and importing more.
 * The data set is parsed in a worker thread on its own connection.
 */

#pragma once

#include <adwaita.h>

#include "distillery-session.h"

G_BEGIN_DECLS

#define DISTILLERY_TYPE_DATASET_PAGE (distillery_dataset_page_get_type ())

G_DECLARE_FINAL_TYPE (DistilleryDatasetPage, distillery_dataset_page, DISTILLERY, DATASET_PAGE, GtkWidget)

DistilleryDatasetPage *distillery_dataset_page_new         (void);
void                   distillery_dataset_page_set_dataset (DistilleryDatasetPage *page, DistillerySession *session,
                                                            gint64 dataset_id);

G_END_DECLS
