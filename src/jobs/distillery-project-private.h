/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the files of the project layer share: distillery-project.c (data
 * sets, experiments, runs and their writes) and
 * distillery-project-teachers.c (teachers of every kind, their answers,
 * the cache and the budget).
 */
#pragma once

#include "distillery-project.h"

G_BEGIN_DECLS

/* What a run trains and is tested on: the data set's two parts, and with
 * a teacher its answers on them. */
typedef struct
{
  DistilleryDataset *train_set, *test_set;
  KdData             train, test;
  float             *answers, *test_probs;
  float             *subset_features;   /* the training samples a budget kept, or NULL */
  gint32            *subset_labels;
  gint64             queries_asked, queries_cached;
  DistilleryExperiment *settings;
} DistilleryRunData;

GBytes             *_distillery_project_read_bytes (const char *path, GError **error);
gboolean            _distillery_project_settings_from_json (const char *json, DistilleryExperiment **out,
                                                            GError **error);
/* Large buffers of a run: running out of memory fails the run, not the
 * application. `what` names the buffer in the message. */
gpointer            _distillery_project_try_alloc (gsize n, gsize size, const char *what, GError **error);
/* The run that trained this teacher, when it finished; NULL otherwise. */
DistilleryStoreRun *_distillery_project_finished_teacher_run (DistilleryStore *store,
                                                              const DistilleryStoreTeacher *t);

/* Fills data->answers with what the teacher reveals of the training set
 * under the experiment's policy (cached answers first), and
 * data->test_probs with its probabilities on the test set; under a
 * budget, keeps only the training samples the budget paid for. Choosing
 * them most uncertain first trains a proxy student, which reports its
 * steps to the observer (which may stop it). */
gboolean            _distillery_project_teacher_answers (DistilleryStore *store, DistilleryWriter *writer,
                                                         gint64 run_id, const DistilleryStoreTeacher *t,
                                                         DistilleryRunData *data,
                                                         const DistilleryRunObserver *observer, GError **error);
/* The members of an ensemble teacher (gint64 ids); NULL for another kind. */
GArray             *_distillery_project_ensemble_members (const DistilleryStoreTeacher *t);
/* Records the run that trained a teacher; a teacher trained anew forgets
 * its cached answers and those of the ensembles it is part of. For the
 * writer thread, whose connection `store` is. */
gboolean            _distillery_project_set_teacher_run (DistilleryStore *store, gint64 teacher_id, gint64 run_id,
                                                         GError **error);

G_END_DECLS
