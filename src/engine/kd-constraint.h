/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The max-norm weight constraint of dropout training (Hinton et al.,
 * "Improving neural networks by preventing co-adaptation of feature
 * detectors", 2012; Srivastava et al., JMLR 2014): after every optimiser
 * step, each hidden unit's vector of incoming weights whose L2 norm
 * exceeds c is scaled back to norm c. Biases and the output layer are
 * left free. It lets dropout nets train at high learning rates without
 * their weights growing without bound.
 */
#pragma once

#include "kd-mlp.h"

/* Scales each row of w[rows, cols] whose L2 norm is above max_norm down
 * to max_norm, keeping its direction; rows within the limit are left
 * exactly as they are. */
void kd_max_norm_rows (float *w, int rows, int cols, float max_norm);

/* Applies the constraint to the incoming weights of every hidden layer
 * of the model (weight [out, in]: a row per unit). */
void kd_mlp_max_norm (KdMlp *mlp, float max_norm);
