/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The max-norm constraint; see kd-constraint.h.
 */
#include "kd-constraint.h"

#include <math.h>

void
kd_max_norm_rows (float *w, int rows, int cols, float max_norm)
{
  for (int r = 0; r < rows; r++)
    {
      float *row = w + (size_t) r * cols;
      /* In double: the norm of a 1200-wide row summed in float would
       * depend on the order more than the constraint cares about. */
      double sum = 0.0;
      for (int c = 0; c < cols; c++)
        sum += (double) row[c] * row[c];
      double norm = sqrt (sum);
      if (norm > max_norm)
        {
          float scale = (float) (max_norm / norm);
          for (int c = 0; c < cols; c++)
            row[c] *= scale;
        }
    }
}

void
kd_mlp_max_norm (KdMlp *m, float max_norm)
{
  for (int l = 0; l < m->n_layers - 1; l++)
    kd_max_norm_rows (m->weight[l], m->sizes[l + 1], m->sizes[l], max_norm);
}
