/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Disclosure policies; see distillery-disclosure.h.
 *
 * Revealed rows keep the values the teacher gave, as an API returns them:
 * top-k rows hold the k largest probabilities and zeros, not renormalised
 * (the engine's targets spread the missing mass, see kd-loss.h), and
 * rounded probabilities need not sum to exactly 1.
 */
#include "config.h"

#include "distillery-disclosure.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kd-rng.h"

void
distillery_disclosure_init_full (DistilleryDisclosure *policy)
{
  *policy = (DistilleryDisclosure) { DISTILLERY_ANSWER_LOGITS, -1, 0, 0, DISTILLERY_SELECT_RANDOM };
}

char *
distillery_disclosure_to_string (const DistilleryDisclosure *policy)
{
  const char *kind = distillery_answer_kind_to_string (policy->reveals);

  if (policy->reveals == DISTILLERY_ANSWER_PROBABILITIES && policy->digits >= 0)
    return g_strdup_printf ("%s:%d", kind, policy->digits);
  if (policy->reveals == DISTILLERY_ANSWER_TOP_K)
    return g_strdup_printf ("%s:%d", kind, policy->top_k);
  return g_strdup (kind);
}

gboolean
distillery_disclosure_parse (DistilleryDisclosure *policy, const char *text, GError **error)
{
  g_auto(GStrv) parts = g_strsplit (text, ":", 2);
  DistilleryAnswerKind kind;
  guint64 number = 0;
  gboolean has_number = parts[0] != NULL && parts[1] != NULL;

  if (parts[0] == NULL || !distillery_answer_kind_from_string (parts[0], &kind)
      || (has_number && kind != DISTILLERY_ANSWER_PROBABILITIES && kind != DISTILLERY_ANSWER_TOP_K)
      || (kind == DISTILLERY_ANSWER_TOP_K && !has_number)
      || (has_number && !g_ascii_string_to_unsigned (parts[1], 10, kind == DISTILLERY_ANSWER_TOP_K ? 1 : 0,
                                                     kind == DISTILLERY_ANSWER_TOP_K ? 1 << 16 : 9, &number, NULL)))
    {
      g_set_error (error, DISTILLERY_TEACHER_ERROR, DISTILLERY_TEACHER_ERROR_CONFIG,
                   _("“%s” is not a disclosure policy: use “logits”, “probabilities”, “probabilities:N” "
                     "(N decimals, 0 to 9), “top-k:K” or “labels”."), text);
      return FALSE;
    }
  policy->reveals = kind;
  policy->digits = kind == DISTILLERY_ANSWER_PROBABILITIES && has_number ? (int) number : -1;
  policy->top_k = kind == DISTILLERY_ANSWER_TOP_K ? (int) number : 0;
  return TRUE;
}

KdTeacherKind
distillery_disclosure_engine_kind (const DistilleryDisclosure *policy)
{
  switch (policy->reveals)
    {
    case DISTILLERY_ANSWER_LOGITS: return KD_TEACHER_LOGITS;
    case DISTILLERY_ANSWER_PROBABILITIES: return KD_TEACHER_PROBS;
    case DISTILLERY_ANSWER_TOP_K: return KD_TEACHER_TOPK;
    case DISTILLERY_ANSWER_LABELS:
    default: return KD_TEACHER_LABEL;
    }
}

/* How much each kind reveals: a policy may only reveal less. */
static int
information (DistilleryAnswerKind kind)
{
  switch (kind)
    {
    case DISTILLERY_ANSWER_LOGITS: return 3;
    case DISTILLERY_ANSWER_PROBABILITIES: return 2;
    case DISTILLERY_ANSWER_TOP_K: return 1;
    case DISTILLERY_ANSWER_LABELS:
    default: return 0;
    }
}

/* Keeps the k largest values of a row (ties to the lower class) and
 * zeroes the others. */
static void
keep_top_k (float *row, guint C, guint k)
{
  g_autofree gboolean *keep = g_new0 (gboolean, C);

  for (guint i = 0; i < k; i++)
    {
      int best = -1;
      for (guint c = 0; c < C; c++)
        if (!keep[c] && (best < 0 || row[c] > row[best]))
          best = (int) c;
      keep[best] = TRUE;
    }
  for (guint c = 0; c < C; c++)
    if (!keep[c])
      row[c] = 0;
}

static void
one_hot (float *row, guint C)
{
  guint best = 0;
  for (guint c = 1; c < C; c++)
    if (row[c] > row[best])
      best = c;
  memset (row, 0, C * sizeof (float));
  row[best] = 1;
}

gboolean
distillery_disclosure_apply (const DistilleryDisclosure *policy, DistilleryAnswerKind from, guint from_top_k,
                             float *rows, gsize n, guint C, GError **error)
{
  g_return_val_if_fail (policy != NULL && (rows != NULL || n == 0) && C >= 2, FALSE);

  if (information (policy->reveals) > information (from)
      || (policy->reveals == DISTILLERY_ANSWER_TOP_K && from == DISTILLERY_ANSWER_TOP_K
          && (guint) policy->top_k > from_top_k))
    {
      g_autofree char *wanted = distillery_disclosure_to_string (policy);
      g_set_error (error, DISTILLERY_TEACHER_ERROR, DISTILLERY_TEACHER_ERROR_CONFIG,
                   _("The policy “%s” shows more than the teacher answers with (%s)."),
                   wanted, distillery_answer_kind_to_string (from));
      return FALSE;
    }
  if (policy->reveals == DISTILLERY_ANSWER_TOP_K && (policy->top_k < 1 || (guint) policy->top_k >= C))
    {
      g_set_error (error, DISTILLERY_TEACHER_ERROR, DISTILLERY_TEACHER_ERROR_CONFIG,
                   _("Top-k reveals 1 to %u of the %u classes; %d does not fit."), C - 1, C, policy->top_k);
      return FALSE;
    }

  if (policy->reveals == DISTILLERY_ANSWER_LOGITS)
    return TRUE;
  if (from == DISTILLERY_ANSWER_LOGITS)
    kd_softmax (rows, rows, (int) n, (int) C, 1.0f);
  double scale = policy->digits >= 0 ? pow (10, policy->digits) : 0;
  for (gsize i = 0; i < n; i++)
    {
      float *row = rows + i * C;
      switch (policy->reveals)
        {
        case DISTILLERY_ANSWER_PROBABILITIES:
          if (policy->digits >= 0)
            for (guint c = 0; c < C; c++)
              row[c] = (float) (nearbyint (row[c] * scale) / scale);
          break;
        case DISTILLERY_ANSWER_TOP_K:
          keep_top_k (row, C, (guint) policy->top_k);
          break;
        case DISTILLERY_ANSWER_LABELS:
        default:
          one_hot (row, C);
          break;
        }
    }
  return TRUE;
}

typedef struct
{
  float   score;
  guint32 index;
} Ranked;

static int
by_uncertainty (const void *a, const void *b)
{
  const Ranked *x = a, *y = b;
  if (x->score != y->score)
    return x->score > y->score ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index;
}

static int
by_index (const void *a, const void *b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;
  return x < y ? -1 : x > y;
}

guint32 *
distillery_disclosure_choose (const DistilleryDisclosure *policy, gsize n, const float *uncertainty,
                              guint64 seed, gsize *n_chosen)
{
  gsize m = policy->budget > 0 ? MIN (n, (gsize) policy->budget) : n;
  guint32 *chosen = g_new (guint32, MAX (m, 1));

  g_return_val_if_fail (n_chosen != NULL, NULL);

  if (policy->selection == DISTILLERY_SELECT_UNCERTAIN && uncertainty != NULL)
    {
      g_autofree Ranked *ranked = g_new (Ranked, MAX (n, 1));
      for (gsize i = 0; i < n; i++)
        ranked[i] = (Ranked) { isnan (uncertainty[i]) ? -INFINITY : uncertainty[i], (guint32) i };
      qsort (ranked, n, sizeof *ranked, by_uncertainty);
      for (gsize i = 0; i < m; i++)
        chosen[i] = ranked[i].index;
    }
  else
    {
      /* The first m of a seeded Fisher-Yates shuffle. */
      g_autofree guint32 *all = g_new (guint32, MAX (n, 1));
      KdRng rng;
      kd_rng_seed (&rng, seed);
      for (gsize i = 0; i < n; i++)
        all[i] = (guint32) i;
      for (gsize i = 0; i < m; i++)
        {
          gsize j = i + (gsize) (kd_rng_uniform (&rng) * (n - i));
          j = MIN (j, n - 1);
          guint32 t = all[i];
          all[i] = all[j];
          all[j] = t;
        }
      memcpy (chosen, all, m * sizeof (guint32));
    }
  qsort (chosen, m, sizeof (guint32), by_index);
  *n_chosen = m;
  return chosen;
}
