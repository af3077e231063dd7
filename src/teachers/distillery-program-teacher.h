/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A teacher that is an external program: Distillery starts the argv the
 * user gave (never through a shell) and asks it about batches of samples
 * over its stdin and stdout, in the line protocol of
 * docs/teacher-protocol.md. The program says in its handshake how many
 * classes it knows and what it answers with; a program that does not
 * start, says something else or breaks the protocol later is reported
 * with a message naming the batch and the line. Each batch must be
 * answered within a time-out. A program that stops is started again on
 * the next question, after a delay that doubles with each failure in a
 * row, until it has failed too often.
 *
 * Whatever the program writes on stderr is kept (the last 64 KiB) and
 * announced line by line with the "stderr-line" signal, emitted in the
 * main context that was the thread's default when the teacher was made.
 */
#pragma once

#include "distillery-teacher.h"

G_BEGIN_DECLS

#define DISTILLERY_PROGRAM_TEACHER_PROTOCOL_VERSION 1

#define DISTILLERY_TYPE_PROGRAM_TEACHER (distillery_program_teacher_get_type ())
G_DECLARE_FINAL_TYPE (DistilleryProgramTeacher, distillery_program_teacher, DISTILLERY, PROGRAM_TEACHER,
                      DistilleryTeacher)

/* Starts the program and reads its handshake, which must announce
 * n_features and n_classes; NULL with a message on any failure, and
 * then no process is left behind. timeout_ms bounds the handshake and
 * each batch of at most batch_size samples. */
DistilleryTeacher  *distillery_program_teacher_new              (const char *const *argv,
                                                                 const char        *working_dir,
                                                                 guint              n_features,
                                                                 guint              n_classes,
                                                                 guint              batch_size,
                                                                 guint              timeout_ms,
                                                                 GError           **error);

/* After a failure the next start waits first_delay_ms, then twice that
 * after each further failure in a row (at most 30 s); after max_failures
 * failures in a row the program is not started again. The defaults are
 * 250 ms and 5. */
void                distillery_program_teacher_set_restart_policy (DistilleryProgramTeacher *self,
                                                                   guint                     first_delay_ms,
                                                                   guint                     max_failures);

const char *const  *distillery_program_teacher_get_argv         (DistilleryProgramTeacher *self);
guint               distillery_program_teacher_get_n_features   (DistilleryProgramTeacher *self);
/* The k of a top-k teacher; 0 for other answer kinds. */
guint               distillery_program_teacher_get_top_k        (DistilleryProgramTeacher *self);
/* The last 64 KiB the program (every run of it) wrote on stderr. */
char               *distillery_program_teacher_get_stderr       (DistilleryProgramTeacher *self);
/* Samples sent to the program, answered or not. */
guint64             distillery_program_teacher_get_questions_asked (DistilleryProgramTeacher *self);
/* Times the program was started again after the first start. */
guint               distillery_program_teacher_get_restarts     (DistilleryProgramTeacher *self);

G_END_DECLS
