/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The MLP's memory layout, forward and backward passes; see kd-mlp.h.
 */
#include "kd-mlp.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kd-dense.h"

const char *
kd_mlp_config_check (const KdMlpConfig *c)
{
  if (c->n_inputs <= 0)
    return "the model needs at least one input";
  if (c->n_classes < 2)
    return "the model needs at least two classes";
  if (c->n_hidden < 0 || c->n_hidden > KD_MLP_MAX_HIDDEN)
    return "the model can have at most 8 hidden layers";
  for (int i = 0; i < c->n_hidden; i++)
    if (c->hidden[i] <= 0)
      return "every hidden layer needs at least one unit";
  if ((unsigned) c->activation > KD_ACT_SIGMOID)
    return "unknown activation";
  if (!(c->dropout_input >= 0.0f && c->dropout_input < 1.0f)
      || !(c->dropout_hidden >= 0.0f && c->dropout_hidden < 1.0f))
    return "dropout must be at least 0 and below 1";
  if (!(c->input_noise >= 0.0f) || !isfinite (c->input_noise))
    return "input noise must be a finite number of at least 0";
  return NULL;
}

KdMlp *
kd_mlp_new (const KdMlpConfig *config, int max_batch)
{
  if (kd_mlp_config_check (config) != NULL || max_batch <= 0)
    return NULL;

  KdMlp *m = calloc (1, sizeof *m);
  if (m == NULL)
    return NULL;
  m->config = *config;
  m->max_batch = max_batch;
  m->n_layers = config->n_hidden + 1;
  m->sizes[0] = config->n_inputs;
  for (int i = 0; i < config->n_hidden; i++)
    m->sizes[i + 1] = config->hidden[i];
  m->sizes[m->n_layers] = config->n_classes;

  int widest = 0;
  for (int l = 0; l <= m->n_layers; l++)
    widest = m->sizes[l] > widest ? m->sizes[l] : widest;
  for (int l = 0; l < m->n_layers; l++)
    m->n_params += (size_t) m->sizes[l + 1] * (m->sizes[l] + 1);

  /* Activations: input copy and mask, then per layer pre, post, dropped
   * and mask (hidden layers only for the last three), and two gradient
   * buffers as wide as the widest layer. */
  size_t B = (size_t) max_batch;
  bool in_copy = config->input_noise > 0.0f || config->dropout_input > 0.0f;
  bool hid_drop = config->dropout_hidden > 0.0f;
  size_t n_acts = 0;
  if (in_copy)
    n_acts += 2 * B * config->n_inputs;
  for (int l = 0; l < m->n_layers; l++)
    {
      bool hidden = l < m->n_layers - 1;
      n_acts += B * m->sizes[l + 1] * (hidden ? (hid_drop ? 4 : 2) : 1);
    }
  n_acts += 2 * B * widest;

  m->params = calloc (m->n_params, sizeof (float));
  m->grads = calloc (m->n_params, sizeof (float));
  m->acts = calloc (n_acts, sizeof (float));
  if (m->params == NULL || m->grads == NULL || m->acts == NULL)
    {
      kd_mlp_free (m);
      return NULL;
    }

  float *p = m->params, *g = m->grads, *a = m->acts;
  for (int l = 0; l < m->n_layers; l++)
    {
      size_t w = (size_t) m->sizes[l + 1] * m->sizes[l];
      m->weight[l] = p; m->d_weight[l] = g; p += w; g += w;
      m->bias[l] = p; m->d_bias[l] = g; p += m->sizes[l + 1]; g += m->sizes[l + 1];
    }
  if (in_copy)
    {
      m->input = a; a += B * config->n_inputs;
      m->input_mask = a; a += B * config->n_inputs;
    }
  for (int l = 0; l < m->n_layers; l++)
    {
      size_t n = B * m->sizes[l + 1];
      m->pre[l] = a; a += n;
      if (l < m->n_layers - 1)
        {
          m->post[l] = a; a += n;
          if (hid_drop)
            {
              m->dropped[l] = a; a += n;
              m->mask[l] = a; a += n;
            }
        }
      else
        m->post[l] = m->pre[l];
    }
  m->grad_a = a; a += B * widest;
  m->grad_b = a;
  return m;
}

void
kd_mlp_free (KdMlp *m)
{
  if (m == NULL)
    return;
  free (m->params);
  free (m->grads);
  free (m->acts);
  free (m);
}

void
kd_mlp_init (KdMlp *m, KdInit init, KdRng *rng)
{
  for (int l = 0; l < m->n_layers; l++)
    {
      int fan_in = m->sizes[l], fan_out = m->sizes[l + 1];
      size_t n = (size_t) fan_in * fan_out;
      float *w = m->weight[l];
      if (init == KD_INIT_XAVIER)
        {
          float a = sqrtf (6.0f / (float) (fan_in + fan_out));
          for (size_t i = 0; i < n; i++)
            w[i] = a * (2.0f * kd_rng_uniform (rng) - 1.0f);
        }
      else
        {
          float std = sqrtf (2.0f / (float) fan_in);
          for (size_t i = 0; i < n; i++)
            w[i] = std * kd_rng_normal (rng);
        }
      memset (m->bias[l], 0, sizeof (float) * fan_out);
    }
}

void
kd_mlp_zero_grad (KdMlp *m)
{
  memset (m->grads, 0, m->n_params * sizeof (float));
}

const float *
kd_mlp_forward (KdMlp *m, const float *x, int B, bool train, KdRng *rng)
{
  const KdMlpConfig *c = &m->config;
  const float *in = x;

  m->dropout_active = train && c->dropout_hidden > 0.0f;
  if (train && m->input != NULL)
    {
      size_t n = (size_t) B * c->n_inputs;
      memcpy (m->input, x, n * sizeof (float));
      if (c->input_noise > 0.0f)
        kd_gaussian_noise (m->input, n, c->input_noise, rng);
      if (c->dropout_input > 0.0f)
        kd_dropout_forward (m->input, m->input_mask, n, c->dropout_input, rng);
      in = m->input;
    }

  for (int l = 0; l < m->n_layers; l++)
    {
      int I = m->sizes[l], O = m->sizes[l + 1];
      bool hidden = l < m->n_layers - 1;
      m->layer_input[l] = in;
      kd_dense_forward (m->pre[l], in, m->weight[l], NULL, B, I, O);
      kd_bias_activation_forward (m->post[l], m->pre[l], m->bias[l], B, O,
                                  hidden ? c->activation : KD_ACT_NONE);
      in = m->post[l];
      if (hidden && m->dropout_active)
        {
          size_t n = (size_t) B * O;
          memcpy (m->dropped[l], m->post[l], n * sizeof (float));
          kd_dropout_forward (m->dropped[l], m->mask[l], n, c->dropout_hidden, rng);
          in = m->dropped[l];
        }
    }
  return m->pre[m->n_layers - 1];
}

void
kd_mlp_backward (KdMlp *m, const float *d_logits, int B)
{
  const float *d_out = d_logits;
  float *bufs[2] = { m->grad_a, m->grad_b };

  for (int l = m->n_layers - 1; l >= 0; l--)
    {
      int I = m->sizes[l], O = m->sizes[l + 1];
      float *d_in = l > 0 ? bufs[l & 1] : NULL;
      kd_dense_backward (d_in, m->d_weight[l], m->d_bias[l], d_out,
                         m->layer_input[l], m->weight[l], B, I, O, false);
      if (d_in == NULL)
        break;
      /* d_in is the gradient at layer l-1's (dropped) activation. */
      size_t n = (size_t) B * I;
      if (m->dropout_active)
        kd_dropout_backward (d_in, m->mask[l - 1], n);
      kd_activation_backward (d_in, d_in, m->pre[l - 1], m->post[l - 1], n,
                              m->config.activation);
      d_out = d_in;
    }
}

void
kd_mlp_predict (KdMlp *m, float *logits, const float *x, size_t n)
{
  const int C = m->config.n_classes, D = m->config.n_inputs;
  for (size_t start = 0; start < n; start += m->max_batch)
    {
      int B = (int) (n - start < (size_t) m->max_batch ? n - start : (size_t) m->max_batch);
      const float *out = kd_mlp_forward (m, x + start * D, B, false, NULL);
      memcpy (logits + start * C, out, sizeof (float) * (size_t) B * C);
    }
}

double
kd_mlp_flops_per_sample (const KdMlp *m)
{
  double flops = 0.0;
  for (int l = 0; l < m->n_layers; l++)
    flops += 2.0 * m->sizes[l] * m->sizes[l + 1];
  return flops;
}

#define BLOB_MAGIC "KDMLP\0\0\1"
#define BLOB_VERSION 1u
#define BLOB_BYTE_ORDER 0x01020304u

typedef struct
{
  char     magic[8];
  uint32_t version;
  uint32_t byte_order;
  int32_t  n_inputs, n_classes, n_hidden, activation;
  int32_t  hidden[KD_MLP_MAX_HIDDEN];
  uint64_t n_params;
} BlobHeader;

size_t
kd_mlp_blob_size (const KdMlp *m)
{
  return sizeof (BlobHeader) + m->n_params * sizeof (float);
}

void
kd_mlp_blob_save (const KdMlp *m, void *blob)
{
  BlobHeader h;
  memset (&h, 0, sizeof h);
  memcpy (h.magic, BLOB_MAGIC, 8);
  h.version = BLOB_VERSION;
  h.byte_order = BLOB_BYTE_ORDER;
  h.n_inputs = m->config.n_inputs;
  h.n_classes = m->config.n_classes;
  h.n_hidden = m->config.n_hidden;
  h.activation = (int32_t) m->config.activation;
  for (int i = 0; i < m->config.n_hidden; i++)
    h.hidden[i] = m->config.hidden[i];
  h.n_params = m->n_params;
  memcpy (blob, &h, sizeof h);
  memcpy ((char *) blob + sizeof h, m->params, m->n_params * sizeof (float));
}

KdMlp *
kd_mlp_blob_load (const void *blob, size_t size, int max_batch, const char **error)
{
  BlobHeader h;
  KdMlpConfig config;
  const char *problem = NULL;
  KdMlp *m = NULL;

  if (size < sizeof h)
    problem = "the model is truncated";
  else
    {
      memcpy (&h, blob, sizeof h);
      if (memcmp (h.magic, BLOB_MAGIC, 8) != 0)
        problem = "this is not a Distillery model";
      else if (h.version > BLOB_VERSION)
        problem = "the model comes from a newer version";
      else if (h.byte_order != BLOB_BYTE_ORDER)
        problem = "the model was written on a machine of another byte order";
    }
  if (problem == NULL)
    {
      memset (&config, 0, sizeof config);
      config.n_inputs = h.n_inputs;
      config.n_classes = h.n_classes;
      config.n_hidden = h.n_hidden;
      config.activation = (KdActivation) h.activation;
      for (int i = 0; i < h.n_hidden && i < KD_MLP_MAX_HIDDEN; i++)
        config.hidden[i] = h.hidden[i];
      problem = kd_mlp_config_check (&config);
    }
  if (problem == NULL)
    {
      m = kd_mlp_new (&config, max_batch);
      if (m == NULL)
        problem = "not enough memory for the model";
      else if (m->n_params != h.n_params || size != kd_mlp_blob_size (m))
        problem = "the model's size does not match its architecture";
    }
  if (problem != NULL)
    {
      kd_mlp_free (m);
      if (error)
        *error = problem;
      return NULL;
    }
  memcpy (m->params, (const char *) blob + sizeof h, m->n_params * sizeof (float));
  return m;
}
