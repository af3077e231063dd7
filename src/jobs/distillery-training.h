/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs an experiment's pieces on the engine: loading its data, training a
 * model step by step with progress reports, and the whole comparison the
 * CLI's `train` prints (a teacher, a student distilled from it and the
 * same student trained plainly, all evaluated on the held-out set).
 * Runs on whatever thread calls it; nothing here touches a widget.
 */
#pragma once

#include <gio/gio.h>

#include "distillery-dataset.h"
#include "distillery-experiment.h"
#include "distillery-store.h"
#include "kd-train.h"

G_BEGIN_DECLS

#define DISTILLERY_TRAINING_ERROR (distillery_training_error_quark ())

/* Where Debian's dataset-fashion-mnist puts the four IDX files. */
#define DISTILLERY_FASHION_MNIST_DIR "/usr/share/datasets/fashion-mnist"

typedef enum
{
  DISTILLERY_TRAINING_ERROR_CONFIG,
  DISTILLERY_TRAINING_ERROR_DIVERGED,
  DISTILLERY_TRAINING_ERROR_STOPPED,    /* cancelled */
  DISTILLERY_TRAINING_ERROR_PAUSED,
} DistilleryTrainingError;

typedef enum
{
  DISTILLERY_STEP_CONTINUE,
  DISTILLERY_STEP_PAUSE,     /* stop here, keeping a checkpoint to resume from */
  DISTILLERY_STEP_CANCEL,    /* stop here for good */
} DistilleryStepAction;

/* Called after every step, on the training thread; samples_per_second is
 * over the run so far. It says whether training goes on. report is NULL
 * (and samples_per_second 0) while the run waits for its teacher, which
 * another run of this process is training. */
typedef DistilleryStepAction (*DistilleryStepFunc) (const char         *model_name,
                                                    const KdStepReport *report,
                                                    double              samples_per_second,
                                                    gpointer            user_data);

typedef struct
{
  const char *name;
  int         n_hidden;
  char       *architecture;        /* "64-128-128-10" */
  gsize       n_params;
  double      accuracy;            /* on the test set */
  double      agreement;           /* top-1 agreement with the teacher */
  double      kl;                  /* KL(teacher || model), T = 1 */
  double      ece;
  double      seconds;             /* training wall time */
  double      samples_per_second;
} DistilleryModelResult;

typedef struct
{
  DistilleryModelResult teacher, distilled, plain;
  guint n_train, n_test;
} DistilleryComparison;

GQuark     distillery_training_error_quark (void);

/* Loads the experiment's data, split into training and test sets with the
 * scaling fitted on the training part. */
gboolean   distillery_experiment_load_data (const DistilleryExperiment *experiment,
                                            DistilleryDataset         **train,
                                            DistilleryDataset         **test,
                                            GError                    **error);

/* Takes the data sets given: either `all`, split here with the fraction
 * and seed, or a training and a test set; checks they fit each other and
 * scales them (see the .c for how). */
gboolean   distillery_dataset_prepare (DistilleryDataset  *all,
                                       DistilleryDataset  *train,
                                       DistilleryDataset  *test,
                                       double              test_fraction,
                                       guint64             seed,
                                       DistilleryDataset **train_out,
                                       DistilleryDataset **test_out,
                                       GError            **error);

/* How a run that stopped with this error reads: paused, cancelled (also
 * for G_IO_ERROR_CANCELLED) or failed; finished when error is NULL. */
DistilleryRunStatus distillery_run_status_for_error (const GError *error);

KdData     distillery_dataset_view (const DistilleryDataset *dataset);
/* Fashion-MNIST's ten class names, untranslated (N_), NULL-terminated. */
const char *const *distillery_fashion_mnist_classes (void);

/* The checks every training loop makes around a step: a loss that is no
 * longer finite ends the run as diverged, and step_func may stop it. */
typedef struct
{
  const char        *model_name;
  DistilleryStepFunc step_func;
  gpointer           user_data;
  gint64             start;         /* monotonic time of the first step */
  double             samples;       /* trained since start */
} DistilleryStepLoop;

void       distillery_step_loop_init (DistilleryStepLoop *loop, const char *model_name,
                                      DistilleryStepFunc step_func, gpointer user_data);
/* 1: a step was taken; 0: training is over; -1: diverged, cancelled or
 * paused, with an error in DISTILLERY_TRAINING_ERROR that says which. */
int        distillery_step_loop_next (DistilleryStepLoop *loop, KdTrainer *trainer,
                                      KdStepReport *report, GError **error);
double     distillery_step_loop_seconds (const DistilleryStepLoop *loop);
/* kd_trainer_new with an error that names the model. */
KdTrainer *distillery_trainer_new (const char *model_name, const KdTrainConfig *config,
                                   const KdData *train, const float *teacher_answers,
                                   GError **error);

/* Trains from scratch; returns the finished trainer, which owns the model. */
KdTrainer *distillery_train (const char          *model_name,
                             const KdTrainConfig *config,
                             const KdData        *train,
                             const float         *teacher_answers,
                             DistilleryStepFunc   step_func,
                             gpointer             user_data,
                             double              *seconds,
                             GError             **error);

gboolean   distillery_run_comparison (DistilleryExperiment *experiment,
                                      DistilleryStepFunc    step_func,
                                      gpointer              user_data,
                                      DistilleryComparison *result,
                                      GError              **error);
void       distillery_comparison_clear (DistilleryComparison *result);

G_END_DECLS
