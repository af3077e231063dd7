/* SPDX-License-Identifier: GPL-3.0-or-later */

/* DistilleryComparePage: experiments side by side. Pick experiments and a
 * metric; each is drawn as the mean of its finished runs (its seeds) with
 * a band from their minimum to their maximum, and a table gives each
 * one's final accuracy and agreement as mean ± standard deviation.
 */

#pragma once

#include <adwaita.h>

#include "distillery-session.h"

G_BEGIN_DECLS

#define DISTILLERY_TYPE_COMPARE_PAGE (distillery_compare_page_get_type ())

G_DECLARE_FINAL_TYPE (DistilleryComparePage, distillery_compare_page, DISTILLERY, COMPARE_PAGE, GtkWidget)

DistilleryComparePage *distillery_compare_page_new         (void);
void                   distillery_compare_page_set_session (DistilleryComparePage *page, DistillerySession *session);

G_END_DECLS
