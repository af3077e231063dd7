/* SPDX-License-Identifier: GPL-3.0-or-later */

/* DistilleryTeacherDialog: adds a teacher that is not trained here, in a
 * form of its kind: an ensemble of a data set's teachers (ticked, each
 * with a weight; a mean of probabilities, or of logits at a temperature),
 * answers recorded elsewhere (a CSV or .npy file of logits or
 * probabilities, matched by row order or an id column), or an external
 * program (a command line, split as a shell would but never run by one,
 * and a time-out). Every field is checked as it is typed, and Add stays
 * off with the reason shown; what takes time (reading the answers,
 * starting the program to hear its handshake) runs off the main thread
 * with the dialog showing that it is busy, and a failure is shown in it,
 * with the back end's message, the form kept for another try.
 */

#pragma once

#include <adwaita.h>

#include "distillery-session.h"

G_BEGIN_DECLS

typedef enum
{
  DISTILLERY_TEACHER_DIALOG_ENSEMBLE,
  DISTILLERY_TEACHER_DIALOG_ANSWERS,
  DISTILLERY_TEACHER_DIALOG_PROGRAM,
} DistilleryTeacherDialogKind;

#define DISTILLERY_TYPE_TEACHER_DIALOG (distillery_teacher_dialog_get_type ())

G_DECLARE_FINAL_TYPE (DistilleryTeacherDialog, distillery_teacher_dialog, DISTILLERY, TEACHER_DIALOG, AdwWindow)

/* "ensemble", "answers" or "program"; FALSE for anything else. */
gboolean                 distillery_teacher_dialog_kind_from_string (const char *name,
                                                                     DistilleryTeacherDialogKind *kind);
/* A dialog for the project of `session`, its data set preset to
 * dataset_id (0: the first). */
DistilleryTeacherDialog *distillery_teacher_dialog_new      (GtkWindow *parent, DistillerySession *session,
                                                             DistilleryTeacherDialogKind kind, gint64 dataset_id);
/* The file of recorded answers, as choosing it in the file dialog does. */
void                     distillery_teacher_dialog_set_file (DistilleryTeacherDialog *dialog, GFile *file);
/* What Add does: adds the teacher when the form is valid and nothing is
 * under way; FALSE when it did not start. */
gboolean                 distillery_teacher_dialog_add      (DistilleryTeacherDialog *dialog);
/* Why Add is off, or why adding failed; NULL when neither. */
const char              *distillery_teacher_dialog_get_problem (DistilleryTeacherDialog *dialog);
gboolean                 distillery_teacher_dialog_get_busy (DistilleryTeacherDialog *dialog);

/* A program's command line split into words as a shell would (quotes,
 * backslashes) but never run by one, its program found on PATH or as a
 * path; NULL with the reason, a sentence, in *problem. */
char                   **distillery_parse_command_line (const char *text, char **problem);

G_END_DECLS
