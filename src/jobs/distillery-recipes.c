/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The recipes; see distillery-recipes.h.
 */
#include "config.h"

#include "distillery-recipes.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "distillery-project.h"

/* The hinton-2015 recipe's settings. The paper trained its teacher for
 * thousands of epochs (as in Hinton et al., 2012); these fit the whole
 * recipe, three seeds of eight experiments, into half an hour on two
 * cores. In so few epochs the paper's dropout rates (0.2 and 0.5) left
 * the jittered teacher far behind a plain network, so the rates are
 * milder; students learn at 0.01, as the distilled ones at T = 20
 * diverged at 0.05. docs/results.md says what they give. */
enum
{
  HINTON_TEACHER_EPOCHS = 14,
  HINTON_STUDENT_EPOCHS = 7,
  HINTON_BATCH = 128,
  HINTON_LEFT_OUT_CLASS = 3,
};
#define HINTON_TEACHER_LEARNING_RATE 0.05f
#define HINTON_STUDENT_LEARNING_RATE 0.01f
#define HINTON_DROPOUT_INPUT 0.1f
#define HINTON_DROPOUT_HIDDEN 0.2f
#define HINTON_JITTER 2
#define HINTON_MAX_NORM 3.5f
#define HINTON_ALPHA 0.9f
#define HINTON_BIAS 3.5f

static const char *const recipe_names[] = { "hinton-2015", NULL };

const char *const *
distillery_recipe_names (void)
{
  return recipe_names;
}

const char *
distillery_recipe_describe (const char *name)
{
  if (g_strcmp0 (name, "hinton-2015") == 0)
    return _("Hinton, Vinyals and Dean (2015): a dropout teacher and students distilled at several "
             "temperatures, one of them never shown class 3");
  return NULL;
}

/* ---- Finding the data ---------------------------------------------- */

/* The file for `stem` (say "train-images" + "idx3-ubyte") in dir, as MNIST's
 * own site names it or with a dot before "idx", gzipped or not. */
static char *
find_idx (const char *dir, const char *stem, const char *kind)
{
  static const char *const separators[] = { "-", "." };
  static const char *const suffixes[] = { "", ".gz" };
  for (guint s = 0; s < G_N_ELEMENTS (separators); s++)
    for (guint z = 0; z < G_N_ELEMENTS (suffixes); z++)
      {
        g_autofree char *base = g_strconcat (stem, separators[s], kind, suffixes[z], NULL);
        g_autofree char *path = g_build_filename (dir, base, NULL);
        if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
          return g_steal_pointer (&path);
      }
  return NULL;
}

typedef struct
{
  char *paths[4];   /* training images, labels, test images, labels */
} IdxFiles;

static void
idx_files_clear (IdxFiles *files)
{
  for (guint i = 0; i < G_N_ELEMENTS (files->paths); i++)
    g_clear_pointer (&files->paths[i], g_free);
}

static gboolean
find_mnist (const char *dir, gboolean fashion, IdxFiles *files, GError **error)
{
  static const char *const stems[4][2] = {
    { "train-images", "idx3-ubyte" }, { "train-labels", "idx1-ubyte" },
    { "t10k-images", "idx3-ubyte" }, { "t10k-labels", "idx1-ubyte" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (stems); i++)
    if ((files->paths[i] = find_idx (dir, stems[i][0], stems[i][1])) == NULL)
      {
        g_autofree char *shown = g_filename_display_name (dir);
        if (fashion)
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       _("Fashion-MNIST is not installed: %s has no %s-%s.gz. Install Debian’s package "
                         "dataset-fashion-mnist, or give the folder of MNIST’s IDX files."),
                       shown, stems[i][0], stems[i][1]);
        else
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       _("The folder %s has no %s-%s file (nor one gzipped or named with “.idx”): "
                         "give the folder that holds MNIST’s four IDX files."),
                       shown, stems[i][0], stems[i][1]);
        idx_files_clear (files);
        return FALSE;
      }
  return TRUE;
}

/* ---- hinton-2015 --------------------------------------------------- */

static void
hinton_model (KdTrainConfig *c, int hidden, int epochs, float learning_rate)
{
  kd_train_config_init (c);
  c->model.n_hidden = 2;
  c->model.hidden[0] = c->model.hidden[1] = hidden;
  c->epochs = epochs;
  c->batch_size = HINTON_BATCH;
  kd_optimizer_config_init (&c->optimizer, KD_OPTIMIZER_SGD);
  c->optimizer.learning_rate = learning_rate;
  c->optimizer.momentum = 0.9f;
  c->schedule.kind = KD_SCHEDULE_COSINE;
}

static gboolean
add_experiment (DistilleryStore *store, const char *name, gint64 dataset, gint64 teacher,
                const DistilleryExperiment *settings, GError **error)
{
  return distillery_project_add_experiment (store, name, dataset, teacher, settings, error) > 0;
}

static gboolean
fill_hinton (DistilleryStore *store, const DistilleryRecipeOptions *options, const IdxFiles *files,
             GError **error)
{
  static const float temperatures[] = { 1, 2, 4, 8, 20 };
  const gboolean fashion = options->mnist_dir == NULL;
  g_autoptr(DistilleryExperiment) settings = distillery_experiment_new_demo ();
  g_autoptr(GPtrArray) class_names = g_ptr_array_new ();
  gint64 dataset, teacher;

  if (fashion)
    {
      for (const char *const *c = distillery_fashion_mnist_classes (); *c != NULL; c++)
        g_ptr_array_add (class_names, (gpointer) gettext (*c));
      g_ptr_array_add (class_names, NULL);
    }
  DistilleryImport import = {
    .name = fashion ? _("Fashion-MNIST") : _("MNIST"),
    .train_images = files->paths[0], .train_labels = files->paths[1],
    .test_images = files->paths[2], .test_labels = files->paths[3],
    .class_names = fashion ? (const char *const *) class_names->pdata : NULL,
  };
  if ((dataset = distillery_project_import (store, &import, error)) <= 0)
    return FALSE;

  if (options->n_seeds > 0)
    {
      settings->n_seeds = (int) MIN (options->n_seeds, DISTILLERY_MAX_SEEDS);
      memcpy (settings->seeds, options->seeds, settings->n_seeds * sizeof (guint64));
    }
  else
    {
      settings->n_seeds = 3;
      for (int i = 0; i < 3; i++)
        settings->seeds[i] = (guint64) i + 1;
    }
  settings->seed = settings->seeds[0];

  int teacher_epochs = options->teacher_epochs > 0 ? options->teacher_epochs : HINTON_TEACHER_EPOCHS;
  int student_epochs = options->student_epochs > 0 ? options->student_epochs : HINTON_STUDENT_EPOCHS;
  hinton_model (&settings->teacher, 1200, teacher_epochs, HINTON_TEACHER_LEARNING_RATE);
  settings->teacher.model.dropout_input = HINTON_DROPOUT_INPUT;
  settings->teacher.model.dropout_hidden = HINTON_DROPOUT_HIDDEN;
  settings->teacher.jitter = HINTON_JITTER;
  settings->teacher.max_norm = HINTON_MAX_NORM;

  teacher = distillery_project_add_teacher (store, _("Teacher 1200-1200"), dataset, settings, error);
  if (teacher <= 0)
    return FALSE;
  /* That teacher, which the students learn from, trains with the first
   * seed; the same network is an experiment too, a run per seed. The
   * teacher is attached to the models that train on the labels alone
   * with a weight (alpha) of 0: it teaches them nothing, and their runs
   * measure how far they agree with it. */
  settings->student = settings->teacher;
  settings->student.alpha = 0.0f;
  settings->student.temperature = 1.0f;
  if (!add_experiment (store, _("Teacher 1200-1200, every seed"), dataset, teacher, settings, error))
    return FALSE;

  hinton_model (&settings->student, 800, student_epochs, HINTON_STUDENT_LEARNING_RATE);
  settings->student.alpha = 0.0f;
  settings->student.temperature = 1.0f;
  if (!add_experiment (store, _("Student 800-800, plain"), dataset, teacher, settings, error))
    return FALSE;
  settings->student.alpha = HINTON_ALPHA;
  for (guint i = 0; i < G_N_ELEMENTS (temperatures); i++)
    {
      g_autofree char *name = g_strdup_printf (_("Student 800-800, distilled at T = %g"), temperatures[i]);
      settings->student.temperature = temperatures[i];
      if (!add_experiment (store, name, dataset, teacher, settings, error))
        return FALSE;
    }

  /* Section 3's second experiment: no 3 in the transfer set. */
  settings->left_out.n_classes = 1;
  settings->left_out.classes[0] = HINTON_LEFT_OUT_CLASS;
  settings->left_out.bias = HINTON_BIAS;
  g_autofree char *name = fashion
    ? g_strdup_printf (_("Student 800-800, distilled at T = 20, without class %d (%s)"),
                       HINTON_LEFT_OUT_CLASS, gettext (distillery_fashion_mnist_classes ()[HINTON_LEFT_OUT_CLASS]))
    : g_strdup_printf (_("Student 800-800, distilled at T = 20, without class %d"), HINTON_LEFT_OUT_CLASS);
  return add_experiment (store, name, dataset, teacher, settings, error);
}

/* ---- Making the project -------------------------------------------- */

static void
remove_project (const char *path)
{
  static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
      (void) g_unlink (file);
    }
}

DistilleryStore *
distillery_recipe_new_project (const char *name, const char *path, const DistilleryRecipeOptions *options,
                               GError **error)
{
  DistilleryRecipeOptions defaults = { 0 };
  IdxFiles files = { { NULL } };

  g_return_val_if_fail (path != NULL, NULL);

  if (options == NULL)
    options = &defaults;
  if (distillery_recipe_describe (name) == NULL)
    {
      g_autofree char *list = g_strjoinv (", ", (char **) recipe_names);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("There is no recipe called “%s”; the recipes are: %s."), name ? name : "", list);
      return NULL;
    }
  /* The data first: a missing file leaves no project behind. */
  if (!find_mnist (options->mnist_dir ? options->mnist_dir : DISTILLERY_FASHION_MNIST_DIR,
                   options->mnist_dir == NULL, &files, error))
    return NULL;

  g_autofree char *project_name = g_strdup_printf (_("Distilling the Knowledge in a Neural Network, on %s"),
                                                   options->mnist_dir ? _("MNIST") : _("Fashion-MNIST"));
  g_autoptr(DistilleryStore) store = distillery_store_create (path, project_name, error);
  gboolean ok = store != NULL && fill_hinton (store, options, &files, error);
  idx_files_clear (&files);
  if (!ok && store != NULL)
    {
      g_clear_pointer (&store, distillery_store_close);
      remove_project (path);
    }
  return ok ? g_steal_pointer (&store) : NULL;
}
