/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Data loading, the step loop and the teacher/students comparison; see
 * distillery-training.h.
 */
#include "config.h"

#include "distillery-training.h"

#include <glib/gi18n-lib.h>
#include <math.h>

G_DEFINE_QUARK (distillery-training-error-quark, distillery_training_error)

static const char *const fashion_classes[] = {
  N_("T-shirt/top"), N_("Trouser"), N_("Pullover"), N_("Dress"), N_("Coat"),
  N_("Sandal"), N_("Shirt"), N_("Sneaker"), N_("Bag"), N_("Ankle boot"), NULL,
};

const char *const *
distillery_fashion_mnist_classes (void)
{
  return fashion_classes;
}

KdData
distillery_dataset_view (const DistilleryDataset *ds)
{
  KdData d = {
    .features = ds->features,
    .labels = ds->labels,
    .n = ds->n_samples,
    .n_features = (int) ds->n_features,
    .n_classes = (int) ds->n_classes,
    .image_width = (int) ds->image_width,
    .image_height = (int) ds->image_height,
  };
  return d;
}

gboolean
distillery_experiment_load_data (const DistilleryExperiment *e,
                                 DistilleryDataset         **train_out,
                                 DistilleryDataset         **test_out,
                                 GError                    **error)
{
  g_autoptr(DistilleryDataset) all = NULL;
  g_autoptr(DistilleryDataset) train = NULL;
  g_autoptr(DistilleryDataset) test = NULL;
  const DistilleryDataSpec *spec = &e->data;

  switch (spec->kind)
    {
    case DISTILLERY_SOURCE_DEMO:
      all = distillery_dataset_load_demo (error);
      break;

    case DISTILLERY_SOURCE_FASHION_MNIST:
      train = distillery_dataset_load_idx (DISTILLERY_FASHION_MNIST_DIR "/train-images-idx3-ubyte.gz",
                                           DISTILLERY_FASHION_MNIST_DIR "/train-labels-idx1-ubyte.gz", error);
      if (train != NULL)
        test = distillery_dataset_load_idx (DISTILLERY_FASHION_MNIST_DIR "/t10k-images-idx3-ubyte.gz",
                                            DISTILLERY_FASHION_MNIST_DIR "/t10k-labels-idx1-ubyte.gz", error);
      for (DistilleryDataset *ds = train; test != NULL && ds != NULL; ds = ds == train ? test : NULL)
        for (guint c = 0; c < ds->n_classes && fashion_classes[c] != NULL; c++)
          {
            g_free (ds->class_names[c]);
            ds->class_names[c] = g_strdup (gettext (fashion_classes[c]));
          }
      break;

    case DISTILLERY_SOURCE_IDX:
      if (spec->train_images == NULL || spec->train_labels == NULL)
        {
          g_set_error_literal (error, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_CONFIG,
                               _("IDX data needs both a training image file and a training label file."));
          return FALSE;
        }
      if (spec->test_images != NULL && spec->test_labels != NULL)
        {
          train = distillery_dataset_load_idx (spec->train_images, spec->train_labels, error);
          if (train != NULL)
            test = distillery_dataset_load_idx (spec->test_images, spec->test_labels, error);
        }
      else
        all = distillery_dataset_load_idx (spec->train_images, spec->train_labels, error);
      break;

    case DISTILLERY_SOURCE_CSV:
      {
        DistilleryCsvOptions options = {
          .label_column = spec->label_column,
          .label_index = -1,
          .has_header = TRUE,
        };
        if (spec->csv_path == NULL)
          {
            g_set_error_literal (error, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_CONFIG,
                                 _("CSV data needs the path of a CSV file."));
            return FALSE;
          }
        all = distillery_dataset_load_csv (spec->csv_path, &options, error);
      }
      break;
    }

  return distillery_dataset_prepare (g_steal_pointer (&all), g_steal_pointer (&train),
                                     g_steal_pointer (&test), spec->test_fraction, e->seed,
                                     train_out, test_out, error);
}

gboolean
distillery_dataset_prepare (DistilleryDataset  *all_in,
                            DistilleryDataset  *train_in,
                            DistilleryDataset  *test_in,
                            double              test_fraction,
                            guint64             seed,
                            DistilleryDataset **train_out,
                            DistilleryDataset **test_out,
                            GError            **error)
{
  g_autoptr(DistilleryDataset) all = all_in;
  g_autoptr(DistilleryDataset) train = train_in;
  g_autoptr(DistilleryDataset) test = test_in;

  if (all != NULL)
    {
      g_clear_pointer (&train, distillery_dataset_free);
      g_clear_pointer (&test, distillery_dataset_free);
      if (!distillery_dataset_split (all, test_fraction, seed, &train, &test, error))
        return FALSE;
    }
  if (train == NULL || test == NULL)
    return FALSE;
  if (test->n_features != train->n_features)
    {
      g_set_error (error, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_CONFIG,
                   _("The test set has %u features per sample but the training set has %u."),
                   test->n_features, train->n_features);
      return FALSE;
    }
  if (test->n_classes != train->n_classes)
    {
      g_set_error (error, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_CONFIG,
                   _("The test set has %u classes but the training set has %u."),
                   test->n_classes, train->n_classes);
      return FALSE;
    }

  /* Images keep their [0, 1] pixels: standardising each pixel would blow
   * border pixels that are almost always blank up to huge values, and a
   * distilled student on Fashion-MNIST then diverges. Other features are
   * standardised with the training set's statistics. */
  if (train->image_width == 0)
    {
      DistilleryScaler *scaler = distillery_scaler_fit (train);
      distillery_scaler_apply (scaler, train);
      distillery_scaler_apply (scaler, test);
      distillery_scaler_free (scaler);
    }

  *train_out = g_steal_pointer (&train);
  *test_out = g_steal_pointer (&test);
  return TRUE;
}

void
distillery_step_loop_init (DistilleryStepLoop *loop, const char *model_name,
                           DistilleryStepFunc step_func, gpointer user_data)
{
  *loop = (DistilleryStepLoop) { model_name, step_func, user_data, g_get_monotonic_time (), 0 };
}

double
distillery_step_loop_seconds (const DistilleryStepLoop *loop)
{
  return (g_get_monotonic_time () - loop->start) / (double) G_USEC_PER_SEC;
}

int
distillery_step_loop_next (DistilleryStepLoop *loop, KdTrainer *trainer,
                           KdStepReport *report, GError **error)
{
  if (!kd_trainer_step (trainer, report))
    return 0;
  loop->samples += report->batch_size;
  if (!isfinite (report->loss.total))
    {
      g_set_error (error, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_DIVERGED,
                   _("Training the %s diverged at step %ld (epoch %d): the loss is not a finite number. Try a lower learning rate."),
                   loop->model_name, report->step + 1, report->epoch + 1);
      return -1;
    }
  if (loop->step_func != NULL)
    {
      double elapsed = distillery_step_loop_seconds (loop);
      switch (loop->step_func (loop->model_name, report, elapsed > 0 ? loop->samples / elapsed : 0,
                               loop->user_data))
        {
        case DISTILLERY_STEP_CONTINUE:
          break;
        case DISTILLERY_STEP_PAUSE:
          g_set_error (error, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_PAUSED,
                       _("Training the %s was paused at step %ld."), loop->model_name, report->step + 1);
          return -1;
        case DISTILLERY_STEP_CANCEL:
        default:
          g_set_error (error, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_STOPPED,
                       _("Training the %s was cancelled at step %ld."), loop->model_name, report->step + 1);
          return -1;
        }
    }
  return 1;
}

DistilleryRunStatus
distillery_run_status_for_error (const GError *error)
{
  if (error == NULL)
    return DISTILLERY_RUN_FINISHED;
  if (g_error_matches (error, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_PAUSED))
    return DISTILLERY_RUN_PAUSED;
  if (g_error_matches (error, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_STOPPED)
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return DISTILLERY_RUN_CANCELLED;
  return DISTILLERY_RUN_FAILED;
}

KdTrainer *
distillery_trainer_new (const char *model_name, const KdTrainConfig *config,
                        const KdData *train, const float *teacher_answers, GError **error)
{
  const char *problem = NULL;
  KdTrainer *trainer;

  /* The engine refuses these too, in words a user of the window would
   * not find: say what to change. */
  if (config->jitter > 0 && train->image_width == 0)
    {
      g_set_error (error, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_CONFIG,
                   _("Cannot train the %s: input jitter shifts images by whole pixels, and this data set "
                     "is not made of images. Set the input jitter to 0."), model_name);
      return NULL;
    }
  if (config->jitter > 0 && (config->jitter >= train->image_width || config->jitter >= train->image_height))
    {
      g_set_error (error, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_CONFIG,
                   _("Cannot train the %s: an input jitter of %d pixels does not fit images of %d × %d pixels."),
                   model_name, config->jitter, train->image_width, train->image_height);
      return NULL;
    }
  trainer = kd_trainer_new (config, train, teacher_answers, &problem);
  if (trainer == NULL)
    g_set_error (error, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_CONFIG,
                 _("Cannot train the %s: %s."), model_name, problem);
  return trainer;
}

KdTrainer *
distillery_train (const char          *model_name,
                  const KdTrainConfig *config,
                  const KdData        *train,
                  const float         *teacher_answers,
                  DistilleryStepFunc   step_func,
                  gpointer             user_data,
                  double              *seconds,
                  GError             **error)
{
  KdTrainer *trainer = distillery_trainer_new (model_name, config, train, teacher_answers, error);
  DistilleryStepLoop loop;
  KdStepReport report;
  int stepped;

  if (trainer == NULL)
    return NULL;
  distillery_step_loop_init (&loop, model_name, step_func, user_data);
  while ((stepped = distillery_step_loop_next (&loop, trainer, &report, error)) > 0)
    ;
  if (stepped < 0)
    {
      kd_trainer_free (trainer);
      return NULL;
    }
  if (seconds != NULL)
    *seconds = distillery_step_loop_seconds (&loop);
  return trainer;
}

static void
describe (DistilleryModelResult *r, const char *name, KdMlp *model, double seconds,
          const KdData *train, int epochs)
{
  GString *arch = g_string_new (NULL);
  for (int l = 0; l <= model->n_layers; l++)
    g_string_append_printf (arch, "%s%d", l ? "-" : "", model->sizes[l]);
  r->name = name;
  r->architecture = g_string_free (arch, FALSE);
  r->n_params = model->n_params;
  r->seconds = seconds;
  r->samples_per_second = seconds > 0 ? (double) train->n * epochs / seconds : 0;
}

static void
evaluate (DistilleryModelResult *r, KdMlp *model, const KdData *test, const float *teacher_probs)
{
  KdMetrics metrics;
  if (kd_metrics_init (&metrics, test->n_classes) != 0)
    g_error ("out of memory");
  kd_evaluate (model, test, teacher_probs, &metrics);
  r->accuracy = kd_metrics_accuracy (&metrics);
  r->agreement = kd_metrics_agreement (&metrics);
  r->kl = kd_metrics_kl (&metrics);
  r->ece = kd_metrics_ece (&metrics);
  kd_metrics_clear (&metrics);
}

gboolean
distillery_run_comparison (DistilleryExperiment *e,
                           DistilleryStepFunc    step_func,
                           gpointer              user_data,
                           DistilleryComparison *result,
                           GError              **error)
{
  g_autoptr(DistilleryDataset) train_set = NULL;
  g_autoptr(DistilleryDataset) test_set = NULL;
  g_autofree float *answers = NULL;
  g_autofree float *test_logits = NULL;
  KdTrainer *teacher = NULL, *distilled = NULL, *plain = NULL;
  double seconds;
  gboolean ok = FALSE;

  memset (result, 0, sizeof *result);
  if (!distillery_experiment_load_data (e, &train_set, &test_set, error))
    return FALSE;

  KdData train = distillery_dataset_view (train_set);
  KdData test = distillery_dataset_view (test_set);
  result->n_train = train_set->n_samples;
  result->n_test = test_set->n_samples;
  for (KdTrainConfig *c = &e->teacher; c <= &e->student; c++)
    {
      c->model.n_inputs = train.n_features;
      c->model.n_classes = train.n_classes;
      c->seed = e->seed;
    }

  teacher = distillery_train (_("teacher"), &e->teacher, &train, NULL, step_func, user_data, &seconds, error);
  if (teacher == NULL)
    goto out;
  describe (&result->teacher, _("Teacher"), kd_trainer_model (teacher), seconds, &train, e->teacher.epochs);

  /* The teacher answers every training question once; the students then
   * learn from these cached answers. */
  answers = g_new (float, train.n * train.n_classes);
  kd_mlp_predict (kd_trainer_model (teacher), answers, train.features, train.n);
  test_logits = g_new (float, test.n * test.n_classes);
  kd_mlp_predict (kd_trainer_model (teacher), test_logits, test.features, test.n);
  evaluate (&result->teacher, kd_trainer_model (teacher), &test, NULL);
  kd_softmax (test_logits, test_logits, (int) test.n, test.n_classes, 1.0f);

  if (e->student.teacher_kind != KD_TEACHER_LOGITS)
    kd_softmax (answers, answers, (int) train.n, train.n_classes, 1.0f);

  distilled = distillery_train (_("distilled student"), &e->student, &train, answers,
                                step_func, user_data, &seconds, error);
  if (distilled == NULL)
    goto out;
  describe (&result->distilled, _("Student, distilled"), kd_trainer_model (distilled), seconds, &train, e->student.epochs);
  evaluate (&result->distilled, kd_trainer_model (distilled), &test, test_logits);

  plain = distillery_train (_("plain student"), &e->student, &train, NULL,
                            step_func, user_data, &seconds, error);
  if (plain == NULL)
    goto out;
  describe (&result->plain, _("Student, plain"), kd_trainer_model (plain), seconds, &train, e->student.epochs);
  evaluate (&result->plain, kd_trainer_model (plain), &test, test_logits);
  result->teacher.agreement = 1.0;
  result->teacher.kl = 0.0;
  ok = TRUE;

out:
  kd_trainer_free (teacher);
  kd_trainer_free (distilled);
  kd_trainer_free (plain);
  if (!ok)
    distillery_comparison_clear (result);
  return ok;
}

void
distillery_comparison_clear (DistilleryComparison *r)
{
  g_clear_pointer (&r->teacher.architecture, g_free);
  g_clear_pointer (&r->distilled.architecture, g_free);
  g_clear_pointer (&r->plain.architecture, g_free);
}
