/* SPDX-License-Identifier: GPL-3.0-or-later */

/* DistilleryTeacherPage: one teacher: its settings, Train (when it has
 * no finished run) and Test (accuracy on the test set and the time per
 * 1000 questions), and the charts of its training.
 */

#pragma once

#include <adwaita.h>

#include "distillery-session.h"

G_BEGIN_DECLS

#define DISTILLERY_TYPE_TEACHER_PAGE (distillery_teacher_page_get_type ())

G_DECLARE_FINAL_TYPE (DistilleryTeacherPage, distillery_teacher_page, DISTILLERY, TEACHER_PAGE, GtkWidget)

DistilleryTeacherPage *distillery_teacher_page_new         (void);
void                   distillery_teacher_page_set_teacher (DistilleryTeacherPage *page, DistillerySession *session,
                                                            gint64 teacher_id);

G_END_DECLS
