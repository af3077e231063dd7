/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Input jitter and the max-norm constraint, the two pieces of Hinton's
 * dropout teacher that the engine adds around a training step:
 *
 * - a shift by (dx, dy) matches a naive per-pixel reference for every
 *   shift up to the image's size, on several planes, with 0 shifted in;
 * - random shifts are whole pixels in [-s, s]^2, every one of the
 *   (2s + 1)^2 equally likely (a chi-square test), two draws per sample;
 * - shapes that cannot be jittered are refused with a message;
 * - max-norm scales a row above the limit to the limit, keeping its
 *   direction, and leaves every other row, the biases and the output
 *   layer bit for bit as they were;
 * - a trainer with max-norm keeps every hidden unit within the limit
 *   after every step (and the limit did bind), and one with jitter trains
 *   on shifted images: a model shown a lone pixel in the middle learns
 *   every place a shift can move it to, which one without jitter (whose
 *   weights there keep their random start) does not.
 */
#include <math.h>
#include <string.h>

#include "kd-augment.h"
#include "kd-constraint.h"
#include "kd-test.h"
#include "kd-train.h"

static float
reference_pixel (const float *in, int width, int height, int p, int x, int y, int dx, int dy)
{
  int from_x = x - dx, from_y = y - dy;
  if (from_x < 0 || from_x >= width || from_y < 0 || from_y >= height)
    return 0.0f;
  return in[(size_t) p * width * height + (size_t) from_y * width + from_x];
}

static void
test_shift (void)
{
  enum { W = 7, H = 5, P = 3, F = W * H * P };
  float in[F], out[F];
  KdRng rng;

  kd_rng_seed (&rng, 11);
  kd_test_fill_uniform (in, F, 0.5f, 1.5f, &rng);
  for (int dy = -H; dy <= H; dy++)
    for (int dx = -W; dx <= W; dx++)
      {
        memset (out, 0xff, sizeof out);   /* NaNs: every pixel must be written */
        kd_jitter_shift (out, in, F, W, H, dx, dy);
        for (int p = 0; p < P; p++)
          for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
              {
                float want = reference_pixel (in, W, H, p, x, y, dx, dy);
                float got = out[p * W * H + y * W + x];
                if (memcmp (&want, &got, sizeof want) != 0)
                  {
                    g_test_fail_printf ("shift (%d, %d), plane %d, pixel (%d, %d): %g, expected %g",
                                        dx, dy, p, x, y, got, want);
                    return;
                  }
              }
      }
}

/* A lone lit pixel in the middle of a 9 x 9 image: where it lands is the
 * shift drawn. */
static void
test_draws (void)
{
  enum { S = 2, SIDE = 9, N_SHIFTS = (2 * S + 1) * (2 * S + 1), DRAWS = 50000 };
  float in[SIDE * SIDE] = { 0 }, out[SIDE * SIDE];
  int counts[N_SHIFTS] = { 0 };
  KdRng rng, replay;

  in[4 * SIDE + 4] = 1.0f;
  kd_rng_seed (&rng, 5);
  for (int i = 0; i < DRAWS; i++)
    {
      replay = rng;
      kd_jitter_sample (out, in, SIDE * SIDE, SIDE, SIDE, S, &rng);
      int lit = -1, n_lit = 0;
      for (int j = 0; j < SIDE * SIDE; j++)
        if (out[j] != 0.0f)
          {
            lit = j;
            n_lit++;
          }
      g_assert_cmpint (n_lit, ==, 1);
      g_assert_cmpfloat (out[lit], ==, 1.0f);
      int dx = lit % SIDE - 4, dy = lit / SIDE - 4;
      g_assert_cmpint (abs (dx), <=, S);
      g_assert_cmpint (abs (dy), <=, S);
      counts[(dy + S) * (2 * S + 1) + dx + S]++;

      /* Exactly two draws, dx first. */
      g_assert_cmpint ((int) kd_rng_below (&replay, 2 * S + 1) - S, ==, dx);
      g_assert_cmpint ((int) kd_rng_below (&replay, 2 * S + 1) - S, ==, dy);
      g_assert_cmpmem (replay.s, sizeof replay.s, rng.s, sizeof rng.s);
    }

  /* Chi-square with 24 degrees of freedom: 51.2 is its 0.1 % point. */
  double expected = (double) DRAWS / N_SHIFTS, chi2 = 0.0;
  for (int k = 0; k < N_SHIFTS; k++)
    chi2 += (counts[k] - expected) * (counts[k] - expected) / expected;
  if (g_test_verbose ())
    g_test_message ("chi-square %.1f over %d shifts", chi2, N_SHIFTS);
  g_assert_cmpfloat (chi2, <, 51.2);
}

static void
test_check (void)
{
  g_assert_null (kd_jitter_check (784, 28, 28, 2));
  g_assert_null (kd_jitter_check (3 * 64, 8, 8, 7));
  g_assert_null (kd_jitter_check (20, 0, 0, 0));
  g_assert_nonnull (strstr (kd_jitter_check (20, 0, 0, 1), "not images"));
  g_assert_nonnull (strstr (kd_jitter_check (785, 28, 28, 2), "whole images"));
  g_assert_nonnull (strstr (kd_jitter_check (64, 8, 8, 8), "less than"));
  g_assert_nonnull (strstr (kd_jitter_check (784, 28, 28, -1), "at least 0"));
}

static double
row_norm (const float *row, int cols)
{
  double sum = 0.0;
  for (int c = 0; c < cols; c++)
    sum += (double) row[c] * row[c];
  return sqrt (sum);
}

static void
test_max_norm_rows (void)
{
  enum { ROWS = 6, COLS = 300 };
  static float w[ROWS * COLS], before[ROWS * COLS];
  const float limit = 2.0f;
  KdRng rng;

  kd_rng_seed (&rng, 3);
  /* Rows of norm about 0.6, 1.2, ... 3.6: the last three are too long. */
  for (int r = 0; r < ROWS; r++)
    kd_test_fill_uniform (w + r * COLS, COLS, -0.06f * (r + 1), 0.06f * (r + 1), &rng);
  memcpy (before, w, sizeof w);
  kd_max_norm_rows (w, ROWS, COLS, limit);

  int n_scaled = 0;
  for (int r = 0; r < ROWS; r++)
    {
      double norm = row_norm (before + r * COLS, COLS);
      if (norm <= limit)
        {
          g_assert_cmpmem (w + r * COLS, COLS * sizeof (float), before + r * COLS, COLS * sizeof (float));
          continue;
        }
      n_scaled++;
      kd_test_assert_value ("norm of a scaled row", row_norm (w + r * COLS, COLS), limit, 1e-6, 0);
      /* The same direction: every element scaled by one factor. */
      for (int c = 0; c < COLS; c++)
        kd_test_assert_value ("element of a scaled row", w[r * COLS + c],
                              before[r * COLS + c] * limit / norm, 1e-6, 1e-9);
    }
  g_assert_cmpint (n_scaled, >=, 2);
  g_assert_cmpint (n_scaled, <, ROWS);
}

static void
test_max_norm_mlp (void)
{
  KdMlpConfig config = { .n_inputs = 30, .n_classes = 4, .n_hidden = 2, .hidden = { 20, 10 },
                         .activation = KD_ACT_RELU };
  KdMlp *m = kd_mlp_new (&config, 8);
  KdRng rng;

  kd_rng_seed (&rng, 9);
  /* Large weights and biases everywhere. */
  kd_test_fill_uniform (m->params, m->n_params, -3.0f, 3.0f, &rng);
  g_autofree float *before = g_memdup2 (m->params, m->n_params * sizeof (float));
  kd_mlp_max_norm (m, 1.5f);

  for (int l = 0; l < m->n_layers; l++)
    {
      size_t bias_offset = (size_t) (m->bias[l] - m->params);
      g_assert_cmpmem (m->bias[l], m->sizes[l + 1] * sizeof (float),
                       before + bias_offset, m->sizes[l + 1] * sizeof (float));
      for (int r = 0; r < m->sizes[l + 1]; r++)
        {
          double norm = row_norm (m->weight[l] + (size_t) r * m->sizes[l], m->sizes[l]);
          if (l < m->n_layers - 1)
            g_assert_cmpfloat (norm, <=, 1.5 * (1 + 1e-6));
          else
            g_assert_cmpfloat (norm, >, 1.5);   /* the output layer is free */
        }
    }
  kd_mlp_free (m);
}

enum { SIDE = 6, N = 360, D = SIDE * SIDE, C = 3 };

/* Three classes of 6 x 6 images: a bright blob near the top left, the
 * middle or the bottom right, with noise. */
static void
make_images (float *features, int32_t *labels, KdData *data)
{
  KdRng rng;
  kd_rng_seed (&rng, 21);
  for (int n = 0; n < N; n++)
    {
      int y = n % C, cx = 1 + 2 * y, cy = 1 + 2 * y;
      labels[n] = y;
      for (int p = 0; p < D; p++)
        {
          int px = p % SIDE, py = p / SIDE;
          float blob = (abs (px - cx) <= 1 && abs (py - cy) <= 1) ? 1.0f : 0.0f;
          features[n * D + p] = blob * (0.6f + 0.4f * kd_rng_uniform (&rng));
        }
    }
  *data = (KdData) { features, labels, N, D, C, SIDE, SIDE };
}

static void
image_config (KdTrainConfig *config)
{
  kd_train_config_init (config);
  config->model.n_inputs = D;
  config->model.n_classes = C;
  config->model.n_hidden = 1;
  config->model.hidden[0] = 32;
  config->epochs = 4;
  config->batch_size = 16;
  config->optimizer.learning_rate = 0.1f;
  config->seed = 3;
}

static void
test_trainer_max_norm (void)
{
  static float features[N * D];
  static int32_t labels[N];
  KdData data;
  KdTrainConfig config;
  const char *error = NULL;
  const float limit = 0.9f;
  gboolean bound = FALSE;

  make_images (features, labels, &data);
  image_config (&config);
  config.max_norm = limit;
  KdTrainer *t = kd_trainer_new (&config, &data, NULL, &error);
  g_assert_null (error);
  KdMlp *m = kd_trainer_model (t);
  while (kd_trainer_step (t, NULL))
    for (int r = 0; r < m->sizes[1]; r++)
      {
        double norm = row_norm (m->weight[0] + (size_t) r * D, D);
        g_assert_cmpfloat (norm, <=, limit * (1 + 1e-6));
        bound |= norm > limit * (1 - 1e-4);
      }
  /* Some unit grew against the limit, so it really acted. */
  g_assert_true (bound);
  kd_trainer_free (t);

  config.max_norm = -1.0f;
  g_assert_null (kd_trainer_new (&config, &data, NULL, &error));
  g_assert_nonnull (strstr (error, "max-norm"));
  config.max_norm = INFINITY;
  g_assert_null (kd_trainer_new (&config, &data, NULL, &error));
}

/* Class 1 is one lit pixel in the middle, class 0 an empty image. With
 * jitter the model sees the pixel in each of the 25 places it can land
 * and answers class 1 for all of them; without, the weights of the 24
 * other places are never trained and keep their random start. */
static void
test_trainer_jitter (void)
{
  enum { M = 64, S = 2, SIDE9 = 9, D9 = SIDE9 * SIDE9 };
  static float features[2 * M * D9], probe[D9 * 25];
  static int32_t labels[2 * M];
  KdTrainConfig config;
  const char *error = NULL;

  /* Class 0: an empty image; class 1: the lone pixel. */
  for (int n = 0; n < 2 * M; n++)
    {
      labels[n] = n % 2;
      features[(size_t) n * D9 + 4 * SIDE9 + 4] = (float) (n % 2);
    }
  KdData data = { features, labels, 2 * M, D9, 2, SIDE9, SIDE9 };
  for (int k = 0; k < 25; k++)
    probe[(size_t) k * D9 + (4 + k / 5 - S) * SIDE9 + 4 + k % 5 - S] = 1.0f;

  for (int jitter = 0; jitter <= S; jitter += S)
    {
      kd_train_config_init (&config);
      config.model.n_inputs = D9;
      config.model.n_classes = 2;
      config.model.n_hidden = 0;
      config.epochs = 30;
      config.batch_size = 16;
      config.optimizer.learning_rate = 0.5f;
      config.jitter = jitter;
      KdTrainer *t = kd_trainer_new (&config, &data, NULL, &error);
      g_assert_null (error);
      while (kd_trainer_step (t, NULL))
        ;
      float logits[25 * 2];
      kd_mlp_predict (kd_trainer_model (t), logits, probe, 25);
      int ones = 0;
      for (int k = 0; k < 25; k++)
        ones += logits[2 * k + 1] > logits[2 * k];
      if (g_test_verbose ())
        g_test_message ("jitter %d: %d of 25 places read as the pixel", jitter, ones);
      if (jitter > 0)
        g_assert_cmpint (ones, ==, 25);
      else
        g_assert_cmpint (ones, <, 25);
      kd_trainer_free (t);
    }

  /* Not images: refused, saying so. */
  data.image_width = data.image_height = 0;
  config.jitter = 1;
  g_assert_null (kd_trainer_new (&config, &data, NULL, &error));
  g_assert_nonnull (strstr (error, "not images"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/jitter/shift", test_shift);
  g_test_add_func ("/engine/jitter/draws", test_draws);
  g_test_add_func ("/engine/jitter/check", test_check);
  g_test_add_func ("/engine/max-norm/rows", test_max_norm_rows);
  g_test_add_func ("/engine/max-norm/mlp", test_max_norm_mlp);
  g_test_add_func ("/engine/train/max-norm", test_trainer_max_norm);
  g_test_add_func ("/engine/train/jitter", test_trainer_jitter);

  return g_test_run ();
}
