/* SPDX-License-Identifier: GPL-3.0-or-later */

/* DistilleryTeacherEditor: what can be changed of a teacher that is not
 * trained here, on its page: an ensemble's weights, an external
 * program's command line and time-out. Changes wait for Apply, which asks
 * first, since the answers the project kept of the teacher are forgotten
 * (they were the old teacher's). Shows nothing for other kinds.
 */

#pragma once

#include <adwaita.h>

#include "distillery-session.h"

G_BEGIN_DECLS

#define DISTILLERY_TYPE_TEACHER_EDITOR (distillery_teacher_editor_get_type ())

G_DECLARE_FINAL_TYPE (DistilleryTeacherEditor, distillery_teacher_editor, DISTILLERY, TEACHER_EDITOR, GtkWidget)

GtkWidget *distillery_teacher_editor_new         (void);
/* Shows this teacher's settings; the same teacher again keeps changes
 * not applied yet. */
void       distillery_teacher_editor_set_teacher (DistilleryTeacherEditor *editor, DistillerySession *session,
                                                  gint64 teacher_id);
/* What Apply does: asks (the kept answers will be forgotten), then
 * changes the teacher; FALSE when nothing valid waits to be applied. */
gboolean   distillery_teacher_editor_apply       (DistilleryTeacherEditor *editor);

G_END_DECLS
