/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Parity with PyTorch. fixtures/torch-mlp.json holds what PyTorch computes
 * for a 12-16-8-5 MLP (ReLU, GELU and tanh) on one batch of six:
 * parameters, logits, log-softmax at T = 1 and 4, the teacher's targets,
 * the value and every parameter gradient of each student loss
 * (cross-entropy, with label smoothing, and distillation from logits,
 * probabilities, top-k and labels), and five steps of SGD (momentum,
 * Nesterov, weight decay), Adam and AdamW. This suite loads the
 * parameters into a KdMlp and recomputes all of it with the engine, so
 * that a run here and a run in PyTorch mean the same thing.
 * fixtures/make-torch-fixtures.py wrote the fixture and says how to
 * write it again; running this suite needs no torch.
 *
 * Tolerance: every element of a tensor passes when
 *
 *   |engine - torch| <= 1e-5 * max(|torch|, 0.1 * max_j |torch_j|)
 *
 * and a loss value when |engine - torch| <= 1e-5 * max(|torch|, 1e-3).
 * Both sides compute in float and differ only in the order of summation
 * and in libm's last bits (PyTorch's vectorised erf, for GELU), worth a
 * few 1e-7 relative. Where an element is much smaller than the largest
 * one of its tensor, it is a sum whose terms cancelled (a gradient summed
 * over the batch; at T = 4 the soft term's p_T - q is itself a difference
 * of near neighbours; Adam's m / sqrt(v) after a gradient changed sign),
 * and its rounding is relative to those terms, not to the result: hence
 * the floor at a tenth of the tensor's scale. A wrong factor, term, mask
 * or update rule is off by far more: the tolerance on a parameter is less
 * than a thousandth of one Adam step here.
 */
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "kd-loss.h"
#include "kd-mlp.h"
#include "kd-optim.h"
#include "kd-test.h"

#define RTOL 1e-5
#define TENSOR_FLOOR 0.1
#define VALUE_FLOOR 1e-3

typedef struct
{
  JsonParser *parser;
  JsonObject *root;
  int         sizes[4];
  int         B, C;
  float       T, alpha, smoothing;
  int         top_k;
  float      *inputs;
  int32_t    *labels;
  float      *teacher_logits, *teacher_probs;
} Fixture;

static Fixture fixture;

/* An array of exactly n numbers, as floats. */
static float *
floats_from_array (JsonArray *array, size_t n)
{
  g_assert_nonnull (array);
  g_assert_cmpuint (json_array_get_length (array), ==, n);

  float *values = g_new (float, n);
  for (size_t i = 0; i < n; i++)
    values[i] = (float) json_array_get_double_element (array, i);
  return values;
}

static float *
read_floats (JsonObject *object, const char *member, size_t n)
{
  return floats_from_array (json_object_get_array_member (object, member), n);
}

static gboolean
assert_tensor (const char *what, const float *actual, const float *expected, size_t n)
{
  float largest = 0.0f;
  for (size_t i = 0; i < n; i++)
    largest = MAX (largest, fabsf (expected[i]));
  return kd_test_assert_close (what, actual, expected, n, RTOL, RTOL * TENSOR_FLOOR * largest);
}

static gboolean
assert_value (const char *what, double actual, JsonObject *object, const char *member)
{
  return kd_test_assert_value (what, actual, json_object_get_double_member (object, member),
                               RTOL, RTOL * VALUE_FLOOR);
}

static void
load_fixture (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "engine", "fixtures",
                                                 "torch-mlp.json", NULL);
  Fixture *f = &fixture;

  f->parser = json_parser_new ();
  if (!json_parser_load_from_file (f->parser, path, &error))
    g_error ("%s: %s", path, error->message);
  f->root = json_node_get_object (json_parser_get_root (f->parser));

  JsonArray *sizes = json_object_get_array_member (f->root, "sizes");
  g_assert_cmpuint (json_array_get_length (sizes), ==, G_N_ELEMENTS (f->sizes));
  for (size_t i = 0; i < G_N_ELEMENTS (f->sizes); i++)
    f->sizes[i] = (int) json_array_get_int_element (sizes, i);
  f->B = (int) json_object_get_int_member (f->root, "batch");
  f->C = f->sizes[G_N_ELEMENTS (f->sizes) - 1];
  f->T = (float) json_object_get_double_member (f->root, "temperature");
  f->alpha = (float) json_object_get_double_member (f->root, "alpha");
  f->smoothing = (float) json_object_get_double_member (f->root, "smoothing");
  f->top_k = (int) json_object_get_int_member (f->root, "top_k");

  f->inputs = read_floats (f->root, "inputs", (size_t) f->B * f->sizes[0]);
  f->teacher_logits = read_floats (f->root, "teacher_logits", (size_t) f->B * f->C);
  f->teacher_probs = read_floats (f->root, "teacher_probs", (size_t) f->B * f->C);
  JsonArray *labels = json_object_get_array_member (f->root, "labels");
  g_assert_cmpuint (json_array_get_length (labels), ==, f->B);
  f->labels = g_new (int32_t, f->B);
  for (int b = 0; b < f->B; b++)
    f->labels[b] = (int32_t) json_array_get_int_element (labels, b);
}

static void
free_fixture (void)
{
  g_free (fixture.inputs);
  g_free (fixture.teacher_logits);
  g_free (fixture.teacher_probs);
  g_free (fixture.labels);
  g_object_unref (fixture.parser);
}

/* The fixture's model, with PyTorch's parameters. */
static KdMlp *
model_new (JsonObject *model)
{
  const Fixture *f = &fixture;
  KdMlpConfig config = { 0 };

  config.n_inputs = f->sizes[0];
  config.n_classes = f->C;
  config.n_hidden = G_N_ELEMENTS (f->sizes) - 2;
  for (int l = 0; l < config.n_hidden; l++)
    config.hidden[l] = f->sizes[l + 1];
  config.activation = kd_activation_from_name (json_object_get_string_member (model, "activation"));
  g_assert_cmpint (config.activation, >, KD_ACT_NONE);

  KdMlp *m = kd_mlp_new (&config, f->B);
  g_assert_nonnull (m);
  g_autofree float *params = read_floats (model, "params", m->n_params);
  memcpy (m->params, params, m->n_params * sizeof (float));
  return m;
}

static void
test_forward (gconstpointer data)
{
  JsonObject *model = (JsonObject *) data;
  const Fixture *f = &fixture;
  size_t n = (size_t) f->B * f->C;
  KdMlp *m = model_new (model);
  g_autofree float *expected = NULL;
  g_autofree float *logp = g_new (float, n);

  const float *logits = kd_mlp_forward (m, f->inputs, f->B, FALSE, NULL);
  expected = read_floats (model, "logits", n);
  assert_tensor ("logits", logits, expected, n);

  g_free (expected);
  expected = read_floats (model, "log_softmax_T1", n);
  kd_log_softmax (logp, logits, f->B, f->C, 1.0f);
  assert_tensor ("log_softmax at T 1", logp, expected, n);

  g_free (expected);
  expected = read_floats (model, "log_softmax_T4", n);
  kd_log_softmax (logp, logits, f->B, f->C, 4.0f);
  assert_tensor ("log_softmax at T 4", logp, expected, n);

  kd_mlp_free (m);
}

/* The fixture names a distillation loss "kd_" and the targets it uses. */
#define KD_PREFIX "kd_"

typedef struct
{
  const char   *name;        /* in the fixture */
  gboolean      distill;
  gboolean      smoothed;    /* cross-entropy with the fixture's smoothing */
  KdTeacherKind kind;
  gboolean      from_probs;  /* the teacher answers with probabilities */
} LossCase;

static const LossCase loss_cases[] = {
  { "ce", FALSE, FALSE, 0, FALSE },
  { "ce_smooth", FALSE, TRUE, 0, FALSE },
  { KD_PREFIX "logits", TRUE, FALSE, KD_TEACHER_LOGITS, FALSE },
  { KD_PREFIX "probs", TRUE, FALSE, KD_TEACHER_PROBS, TRUE },
  { KD_PREFIX "topk", TRUE, FALSE, KD_TEACHER_TOPK, TRUE },
  { KD_PREFIX "label", TRUE, FALSE, KD_TEACHER_LABEL, FALSE },
};

/* The temperature a teacher kind is used at: a label-only teacher at 1. */
static float
case_temperature (const LossCase *c)
{
  return c->kind == KD_TEACHER_LABEL ? 1.0f : fixture.T;
}

static void
case_targets (float *targets, const LossCase *c)
{
  const Fixture *f = &fixture;
  kd_teacher_targets (targets, c->kind, c->from_probs ? f->teacher_probs : f->teacher_logits,
                      f->B, f->C, case_temperature (c), f->top_k);
}

static void
test_targets (void)
{
  const Fixture *f = &fixture;
  size_t n = (size_t) f->B * f->C;
  JsonObject *all = json_object_get_object_member (f->root, "targets");
  g_autofree float *targets = g_new (float, n);

  for (size_t i = 0; i < G_N_ELEMENTS (loss_cases); i++)
    {
      const LossCase *c = &loss_cases[i];
      if (!c->distill)
        continue;
      const char *member = c->name + strlen (KD_PREFIX);
      g_autofree float *expected = read_floats (all, member, n);
      g_autofree char *what = g_strdup_printf ("targets from %s", member);

      case_targets (targets, c);
      assert_tensor (what, targets, expected, n);
    }
}

static void
test_losses (gconstpointer data)
{
  JsonObject *model = (JsonObject *) data;
  const Fixture *f = &fixture;
  size_t n = (size_t) f->B * f->C;
  JsonObject *losses = json_object_get_object_member (model, "losses");
  KdMlp *m = model_new (model);
  g_autofree float *targets = g_new (float, n);
  g_autofree float *d_logits = g_new (float, n);
  int n_gradients = 0;

  const float *logits = kd_mlp_forward (m, f->inputs, f->B, FALSE, NULL);
  for (size_t i = 0; i < G_N_ELEMENTS (loss_cases); i++)
    {
      const LossCase *c = &loss_cases[i];
      JsonObject *expected = json_object_get_object_member (losses, c->name);
      g_autofree char *what_total = g_strconcat (c->name, " value", NULL);

      g_assert_nonnull (expected);
      if (c->distill)
        {
          KdLossParts parts;
          g_autofree char *what_kd = g_strconcat (c->name, " kd part", NULL);
          g_autofree char *what_ce = g_strconcat (c->name, " ce part", NULL);

          case_targets (targets, c);
          kd_loss_distill (d_logits, &parts, logits, targets, f->labels, f->B, f->C,
                           case_temperature (c), f->alpha, 0.0f);
          assert_value (what_total, parts.total, expected, "total");
          assert_value (what_kd, parts.kd, expected, "kd");
          assert_value (what_ce, parts.ce, expected, "ce");
        }
      else
        {
          double value = kd_loss_cross_entropy (d_logits, logits, f->labels, f->B, f->C,
                                                c->smoothed ? f->smoothing : 0.0f, 1.0f);
          assert_value (what_total, value, expected, "total");
        }

      if (!json_object_has_member (expected, "grads"))
        continue;
      g_autofree char *what_grads = g_strconcat (c->name, " gradients", NULL);
      g_autofree float *grads = read_floats (expected, "grads", m->n_params);
      kd_mlp_zero_grad (m);
      kd_mlp_backward (m, d_logits, f->B);
      assert_tensor (what_grads, m->grads, grads, m->n_params);
      n_gradients++;
    }
  /* The fixture must hold some gradients for every model. */
  g_assert_cmpint (n_gradients, >=, 2);
  kd_mlp_free (m);
}

/* An optimiser of the fixture and the model it trained. */
typedef struct
{
  JsonObject *model, *spec;
} OptimizerCase;

static void
test_optimizer (gconstpointer data)
{
  const OptimizerCase *oc = data;
  JsonObject *spec = oc->spec;
  const Fixture *f = &fixture;
  KdMlp *m = model_new (oc->model);
  g_autofree float *d_logits = g_new (float, (size_t) f->B * f->C);
  KdOptimizerConfig config;

  int kind = kd_optimizer_from_name (json_object_get_string_member (spec, "kind"));
  g_assert_cmpint (kind, >=, 0);
  kd_optimizer_config_init (&config, kind);
  config.learning_rate = json_object_get_double_member (spec, "learning_rate");
  config.weight_decay = json_object_get_double_member (spec, "weight_decay");
  if (kind == KD_OPTIMIZER_SGD)
    {
      config.momentum = json_object_get_double_member (spec, "momentum");
      config.nesterov = json_object_get_boolean_member (spec, "nesterov");
    }
  KdOptimizer *opt = kd_optimizer_new (&config, m->n_params);

  JsonArray *steps = json_object_get_array_member (spec, "steps");
  g_assert_cmpuint (json_array_get_length (steps), >=, 1);
  for (guint s = 0; s < json_array_get_length (steps); s++)
    {
      g_autofree float *expected = floats_from_array (json_array_get_array_element (steps, s),
                                                      m->n_params);
      g_autofree char *what = g_strdup_printf ("%s, parameters after step %u",
                                               json_object_get_string_member (spec, "name"), s + 1);

      const float *logits = kd_mlp_forward (m, f->inputs, f->B, FALSE, NULL);
      kd_loss_cross_entropy (d_logits, logits, f->labels, f->B, f->C, 0.0f, 1.0f);
      kd_mlp_zero_grad (m);
      kd_mlp_backward (m, d_logits, f->B);
      kd_optimizer_step (opt, m->params, m->grads, config.learning_rate);
      if (!assert_tensor (what, m->params, expected, m->n_params))
        break;
    }

  kd_optimizer_free (opt);
  kd_mlp_free (m);
}

int
main (int argc, char **argv)
{
  OptimizerCase optimizer_cases[8];
  guint n_optimizers = 0;

  g_test_init (&argc, &argv, NULL);
  load_fixture ();

  g_test_add_func ("/engine/parity/targets", test_targets);

  JsonArray *models = json_object_get_array_member (fixture.root, "models");
  g_assert_cmpuint (json_array_get_length (models), ==, 3);
  for (guint i = 0; i < json_array_get_length (models); i++)
    {
      JsonObject *model = json_array_get_object_element (models, i);
      const char *act = json_object_get_string_member (model, "activation");
      g_autofree char *forward = g_strdup_printf ("/engine/parity/%s/forward", act);
      g_autofree char *losses = g_strdup_printf ("/engine/parity/%s/losses", act);

      g_test_add_data_func (forward, model, test_forward);
      g_test_add_data_func (losses, model, test_losses);
      if (!json_object_has_member (model, "optimizers"))
        continue;
      JsonArray *optimizers = json_object_get_array_member (model, "optimizers");
      for (guint o = 0; o < json_array_get_length (optimizers); o++)
        {
          OptimizerCase *oc = &optimizer_cases[n_optimizers++];
          g_assert_cmpuint (n_optimizers, <=, G_N_ELEMENTS (optimizer_cases));
          oc->model = model;
          oc->spec = json_array_get_object_element (optimizers, o);
          g_autofree char *path = g_strdup_printf ("/engine/parity/%s/optimizer/%s", act,
                                                   json_object_get_string_member (oc->spec, "name"));
          g_test_add_data_func (path, oc, test_optimizer);
        }
    }

  /* SGD three ways, Adam and AdamW. */
  g_assert_cmpuint (n_optimizers, ==, 5);
  int status = g_test_run ();
  free_fixture ();
  return status;
}
