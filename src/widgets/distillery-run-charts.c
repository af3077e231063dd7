/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The standard charts of a run. See distillery-run-charts.h.
 */
#include "config.h"

#include "distillery-run-charts.h"

#include <glib/gi18n-lib.h>
#include <math.h>

/* The curves of each chart, in the order they are added. */
enum { LOSS_TRAIN, LOSS_KD, LOSS_CE, LOSS_VAL };
enum { ACCURACY_STUDENT };
enum { AGREEMENT_TOP1, AGREEMENT_KL };

static const char *
metric_label (DistilleryRunMetric metric, DistilleryChartUnit *unit)
{
  *unit = DISTILLERY_CHART_UNIT_NUMBER;
  switch (metric)
    {
    case DISTILLERY_RUN_METRIC_TRAIN_LOSS:
      return _("Training loss");
    case DISTILLERY_RUN_METRIC_VAL_LOSS:
      return _("Validation loss");
    case DISTILLERY_RUN_METRIC_VAL_ACCURACY:
      *unit = DISTILLERY_CHART_UNIT_PERCENT;
      return _("Accuracy");
    case DISTILLERY_RUN_METRIC_VAL_AGREEMENT:
      *unit = DISTILLERY_CHART_UNIT_PERCENT;
      return _("Top-1 agreement");
    case DISTILLERY_RUN_METRIC_VAL_KL:
    default:
      return _("KL(teacher ‖ student)");
    }
}

static double
epoch_metric (const DistilleryEpochRow *row, DistilleryRunMetric metric)
{
  switch (metric)
    {
    case DISTILLERY_RUN_METRIC_TRAIN_LOSS:
      return row->train_loss;
    case DISTILLERY_RUN_METRIC_VAL_LOSS:
      return row->val_loss;
    case DISTILLERY_RUN_METRIC_VAL_ACCURACY:
      return row->val_accuracy;
    case DISTILLERY_RUN_METRIC_VAL_AGREEMENT:
      return row->val_agreement;
    case DISTILLERY_RUN_METRIC_VAL_KL:
    default:
      return row->val_kl;
    }
}

DistilleryChart *
distillery_run_chart_new (DistilleryChartKind  kind,
                          const char *const   *class_names)
{
  DistilleryChart *chart;
  DistilleryChartUnit unit;

  g_return_val_if_fail (kind != DISTILLERY_CHART_COMPARISON, NULL);

  switch (kind)
    {
    case DISTILLERY_CHART_LOSS:
      chart = distillery_chart_new (kind, _("Loss"));
      distillery_chart_set_axis (chart, 0, _("Loss"), DISTILLERY_CHART_UNIT_NUMBER);
      distillery_chart_add_series (chart, metric_label (DISTILLERY_RUN_METRIC_TRAIN_LOSS, &unit), 0, FALSE);
      distillery_chart_add_series (chart, _("KD part"), 0, FALSE);
      distillery_chart_add_series (chart, _("CE part"), 0, FALSE);
      distillery_chart_add_series (chart, metric_label (DISTILLERY_RUN_METRIC_VAL_LOSS, &unit), 0, FALSE);
      break;

    case DISTILLERY_CHART_ACCURACY:
      chart = distillery_chart_new (kind, _("Accuracy"));
      distillery_chart_set_axis (chart, 0, _("Accuracy"), DISTILLERY_CHART_UNIT_PERCENT);
      distillery_chart_add_series (chart, _("Student, validation"), 0, FALSE);
      break;

    case DISTILLERY_CHART_AGREEMENT:
      chart = distillery_chart_new (kind, _("Agreement with the teacher"));
      for (guint axis = 0; axis < 2; axis++)
        {
          /* The label first: it sets the unit. */
          const char *label = metric_label (axis == 0 ? DISTILLERY_RUN_METRIC_VAL_AGREEMENT
                                                      : DISTILLERY_RUN_METRIC_VAL_KL, &unit);
          distillery_chart_set_axis (chart, axis, label, unit);
          distillery_chart_add_series (chart, label, axis, FALSE);
        }
      break;

    case DISTILLERY_CHART_MATRIX:
    case DISTILLERY_CHART_COMPARISON:
    default:
      chart = distillery_chart_new (DISTILLERY_CHART_MATRIX, _("Agreement matrix"));
      if (class_names != NULL)
        {
          guint n = g_strv_length ((char **) class_names);
          g_autofree guint64 *zeros = g_new0 (guint64, (gsize) n * n);
          distillery_chart_set_matrix (chart, zeros, n, class_names);
        }
      break;
    }
  /* Epochs are few: step on x would leave most charts a handful of dots. */
  if (kind != DISTILLERY_CHART_LOSS)
    distillery_chart_set_x_mode (chart, DISTILLERY_CHART_X_EPOCH);
  return chart;
}

guint
distillery_run_chart_steps_per_epoch (const DistilleryEpochRow *rows,
                                      guint                     n)
{
  if (n == 0)
    return 0;
  return (guint) ((rows[0].step + 1) / (rows[0].epoch + 1));
}

void
distillery_run_chart_add_steps (DistilleryChart         *chart,
                                const DistilleryStepRow *rows,
                                guint                    n,
                                guint                    steps_per_epoch)
{
  g_return_if_fail (DISTILLERY_IS_CHART (chart));
  g_return_if_fail (rows != NULL || n == 0);

  if (distillery_chart_get_kind (chart) != DISTILLERY_CHART_LOSS)
    return;
  for (guint i = 0; i < n; i++)
    {
      const DistilleryStepRow *r = &rows[i];
      double epoch = steps_per_epoch ? (r->step + 1) / (double) steps_per_epoch : r->epoch + 1;
      distillery_chart_append (chart, LOSS_TRAIN, r->step, epoch, r->wall, r->loss);
      distillery_chart_append (chart, LOSS_KD, r->step, epoch, r->wall, r->loss_kd);
      distillery_chart_append (chart, LOSS_CE, r->step, epoch, r->wall, r->loss_ce);
    }
}

void
distillery_run_chart_add_epochs (DistilleryChart          *chart,
                                 const DistilleryEpochRow *rows,
                                 guint                     n)
{
  g_return_if_fail (DISTILLERY_IS_CHART (chart));
  g_return_if_fail (rows != NULL || n == 0);

  for (guint i = 0; i < n; i++)
    {
      const DistilleryEpochRow *r = &rows[i];
      /* Epoch e's row is logged when it ends: at e + 1 on the epoch axis. */
      double step = r->step, epoch = r->epoch + 1, wall = r->wall;
      switch (distillery_chart_get_kind (chart))
        {
        case DISTILLERY_CHART_LOSS:
          distillery_chart_append (chart, LOSS_VAL, step, epoch, wall, r->val_loss);
          break;
        case DISTILLERY_CHART_ACCURACY:
          distillery_chart_append (chart, ACCURACY_STUDENT, step, epoch, wall, r->val_accuracy);
          break;
        case DISTILLERY_CHART_AGREEMENT:
          distillery_chart_append (chart, AGREEMENT_TOP1, step, epoch, wall, r->val_agreement);
          distillery_chart_append (chart, AGREEMENT_KL, step, epoch, wall, r->val_kl);
          break;
        case DISTILLERY_CHART_MATRIX:
          if (r->agreement_matrix != NULL)
            {
              gsize size;
              const guint64 *counts = g_bytes_get_data (r->agreement_matrix, &size);
              guint classes = (guint) sqrt ((double) (size / sizeof (guint64)));
              if ((gsize) classes * classes * sizeof (guint64) == size)
                distillery_chart_set_matrix (chart, counts, classes, NULL);
            }
          break;
        case DISTILLERY_CHART_COMPARISON:
        default:
          break;
        }
    }
}

DistilleryChart *
distillery_run_chart_new_comparison (DistilleryRunMetric metric)
{
  DistilleryChartUnit unit;
  const char *label = metric_label (metric, &unit);
  g_autofree char *title = g_strdup_printf (_("Comparison: %s"), label);
  DistilleryChart *chart = distillery_chart_new (DISTILLERY_CHART_COMPARISON, title);

  distillery_chart_set_axis (chart, 0, label, unit);
  distillery_chart_set_x_mode (chart, DISTILLERY_CHART_X_EPOCH);
  return chart;
}

void
distillery_run_chart_add_group (DistilleryChart     *chart,
                                DistilleryRunMetric  metric,
                                const char          *name,
                                GPtrArray           *runs)
{
  g_return_if_fail (DISTILLERY_IS_CHART (chart));
  g_return_if_fail (distillery_chart_get_kind (chart) == DISTILLERY_CHART_COMPARISON);
  g_return_if_fail (name != NULL && runs != NULL);

  guint series = distillery_chart_add_series (chart, name, 0, TRUE);
  for (guint e = 0;; e++)
    {
      double sum = 0, low = INFINITY, high = -INFINITY, step = 0, wall = 0;
      guint count = 0, present = 0;
      for (guint r = 0; r < runs->len; r++)
        {
          GArray *rows = runs->pdata[r];
          if (e >= rows->len)
            continue;
          const DistilleryEpochRow *row = &g_array_index (rows, DistilleryEpochRow, e);
          double v = epoch_metric (row, metric);
          present++;
          step += row->step;
          wall += row->wall;
          if (!isfinite (v))
            continue;
          sum += v;
          low = MIN (low, v);
          high = MAX (high, v);
          count++;
        }
      if (present == 0)
        break;
      /* Runs of a group differ in seed, not in length: the mean step and
       * wall time place the epoch. */
      if (count == 0)
        distillery_chart_append_band (chart, series, step / present, e + 1, wall / present, NAN, NAN, NAN);
      else
        distillery_chart_append_band (chart, series, step / present, e + 1, wall / present,
                                      sum / count, low, high);
    }
}
