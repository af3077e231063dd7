/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An experiment: which data, which teacher to train, which student to
 * distil from it, with every setting that decides the numbers. It reads
 * and writes a versioned JSON form, the one the CLI takes with
 * --experiment and the project file stores.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "distillery-disclosure.h"
#include "kd-train.h"

G_BEGIN_DECLS

#define DISTILLERY_EXPERIMENT_ERROR (distillery_experiment_error_quark ())
/* The newest format this build reads. Version 2 added input jitter,
 * max-norm, the transfer set's left-out classes and the bias correction;
 * an experiment that uses none of them is still written as version 1,
 * which older builds read alike. */
#define DISTILLERY_EXPERIMENT_VERSION 2

typedef enum
{
  DISTILLERY_EXPERIMENT_ERROR_PARSE,
  DISTILLERY_EXPERIMENT_ERROR_INVALID,
  DISTILLERY_EXPERIMENT_ERROR_VERSION,
} DistilleryExperimentError;

typedef enum
{
  DISTILLERY_SOURCE_DEMO,
  DISTILLERY_SOURCE_FASHION_MNIST,
  DISTILLERY_SOURCE_IDX,
  DISTILLERY_SOURCE_CSV,
} DistillerySourceKind;

typedef struct
{
  DistillerySourceKind kind;
  char  *train_images, *train_labels;   /* IDX */
  char  *test_images, *test_labels;     /* IDX; optional */
  char  *csv_path, *label_column;       /* CSV */
  double test_fraction;                 /* held out when there is no test set */
} DistilleryDataSpec;

/* Runs of one experiment with different seeds show what is noise. */
#define DISTILLERY_MAX_SEEDS 32
#define DISTILLERY_MAX_LEFT_OUT 64

/* Classes left out of the student's transfer set: its training samples
 * of these classes are dropped, so that it learns them (if at all) only
 * from what the teacher says about the other classes. At evaluation,
 * `bias` is added to the student's logits of these classes (Hinton,
 * Vinyals and Dean raised the bias of the never-seen 3s by 3.5), and the
 * run's final metrics report its accuracy both with and without it and
 * the recall of the left-out classes. */
typedef struct
{
  int   n_classes;
  int   classes[DISTILLERY_MAX_LEFT_OUT];   /* ascending, no repeats */
  float bias;
} DistilleryLeftOut;

typedef struct
{
  DistilleryDataSpec data;
  guint64            seed;
  /* The seeds that Run trains one run each with; none: just `seed`. */
  int                n_seeds;
  guint64            seeds[DISTILLERY_MAX_SEEDS];
  /* What the teacher reveals beyond student.teacher_kind and top_k (see
   * distillery-disclosure.h): probabilities rounded to round_digits
   * decimals (-1: not rounded), and at most budget questions (0: no
   * limit), chosen at random or most uncertain first. */
  int                round_digits;
  gint64             budget;
  int                selection;      /* DistillerySelection */
  /* The experiment a budget sweep copied this one from (0: none), so
   * that the sweep finds its copies whatever they are called. Stored as
   * disclosure.sweep_of, and only when set. */
  gint64             sweep_of;
  DistilleryLeftOut  left_out;
  /* n_inputs and n_classes are filled in from the data set. */
  KdTrainConfig      teacher;
  KdTrainConfig      student;   /* temperature, alpha, teacher_kind apply */
  /* Of the teacher's and student's settings, the engine's jitter and
   * max_norm are stored as "input_jitter" and "max_norm". */
} DistilleryExperiment;

GQuark                distillery_experiment_error_quark (void);

/* The demo experiment: the bundled digits, a 128-128 teacher and a
 * 16-unit student, sized to run in seconds. */
DistilleryExperiment *distillery_experiment_new_demo  (void);
void                  distillery_experiment_free      (DistilleryExperiment *experiment);

/* Reads settings over the current ones: absent members keep their value. */
gboolean              distillery_experiment_merge_json (DistilleryExperiment *experiment,
                                                        JsonNode             *root,
                                                        GError              **error);
gboolean              distillery_experiment_merge_file (DistilleryExperiment *experiment,
                                                        const char           *path,
                                                        GError              **error);
JsonNode             *distillery_experiment_to_json    (const DistilleryExperiment *experiment);

/* "256,128" -> hidden sizes; FALSE with an error on anything else. */
gboolean              distillery_parse_hidden (const char *text, KdMlpConfig *model, GError **error);
char                 *distillery_format_hidden (const KdMlpConfig *model);
/* "1, 2, 3" -> seeds (at least one); FALSE with an error on anything else.
 * The experiment's seed becomes the first. */
gboolean              distillery_parse_seeds  (const char *text, DistilleryExperiment *experiment, GError **error);
char                 *distillery_format_seeds (const DistilleryExperiment *experiment);
/* "3, 5": the classes left out of the transfer set, in any order; "" for
 * none. The bias is left as it is. */
gboolean              distillery_parse_left_out  (const char *text, DistilleryLeftOut *left_out, GError **error);
char                 *distillery_format_left_out (const DistilleryLeftOut *left_out);

/* What the experiment's teacher reveals to its students: student's
 * teacher_kind and top_k, with round_digits, budget and selection. */
void                  distillery_experiment_get_disclosure (const DistilleryExperiment *e,
                                                            DistilleryDisclosure       *policy);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DistilleryExperiment, distillery_experiment_free)

G_END_DECLS
