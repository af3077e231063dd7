/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Recipes: projects made ready to run, each reproducing a published
 * experiment with its data set, teacher and experiments, so that a user
 * can see the workbench reach a known result before trusting it with
 * their own models. `distillery-cli new --recipe NAME` and the window
 * make them through these functions; docs/results.md records what they
 * give.
 *
 * "hinton-2015": G. Hinton, O. Vinyals, J. Dean, "Distilling the
 * Knowledge in a Neural Network" (NIPS 2014 Deep Learning Workshop,
 * arXiv:1503.02531), section 3, on Fashion-MNIST or on MNIST itself:
 *
 * - the teacher, 784-1200-1200-10, with dropout on its inputs and hidden
 *   units, the max-norm constraint, and inputs jittered by up to 2 pixels;
 *   and the same network as an experiment of its own, so that its error
 *   is measured over the seeds like every student's;
 * - a student 784-800-800-10 trained on the labels alone (the teacher
 *   attached with weight 0, so that its runs measure agreement);
 * - the same student distilled at T = 1, 2, 4, 8 and 20;
 * - the same student distilled at T = 20 from a transfer set without
 *   class 3, evaluated with the bias of class 3 raised.
 *
 * Every experiment runs with seeds 1, 2 and 3. The paper trained for far
 * longer than the recipe does; see docs/results.md for the epochs.
 */
#pragma once

#include <gio/gio.h>

#include "distillery-store.h"

G_BEGIN_DECLS

typedef struct
{
  /* A folder with MNIST's four IDX files (train-images-idx3-ubyte,
   * train-labels-idx1-ubyte, t10k-images-idx3-ubyte and
   * t10k-labels-idx1-ubyte, each possibly gzipped, with "-idx" or
   * ".idx"); NULL: Fashion-MNIST from Debian's dataset-fashion-mnist. */
  const char    *mnist_dir;
  /* Epochs of the teacher and of the students; 0: the recipe's. */
  int            teacher_epochs, student_epochs;
  /* The seeds every experiment runs with; none: 1, 2, 3. */
  const guint64 *seeds;
  guint          n_seeds;
} DistilleryRecipeOptions;

/* The recipes' names, NULL-terminated. */
const char *const *distillery_recipe_names    (void);
/* One translated line saying what a recipe reproduces, or NULL for a
 * name that is not a recipe. */
const char        *distillery_recipe_describe (const char *name);

/* Creates the project file at path (which must not exist) with the
 * recipe's data set, teachers and experiments; nothing is trained yet.
 * options may be NULL. On failure nothing is left at path. */
DistilleryStore   *distillery_recipe_new_project (const char *name, const char *path,
                                                  const DistilleryRecipeOptions *options,
                                                  GError **error);

G_END_DECLS
