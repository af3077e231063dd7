/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What a teacher reveals. A model behind an API may return full scores,
 * probabilities rounded to a few digits, its top few classes or only a
 * label, and may charge for every question. A disclosure policy is that
 * limit, applied over any teacher's answers: the student is shown the
 * answers as the policy turns them, and, under a budget, answers for only
 * the samples the budget paid for.
 *
 * Policies have a short text form, used as the key of the answer cache:
 * "logits", "probabilities", "probabilities:3" (rounded to 3 decimals),
 * "top-k:5", "labels". The budget does not change an answer, so it is not
 * part of the key.
 */
#pragma once

#include "distillery-teacher.h"
#include "kd-loss.h"

G_BEGIN_DECLS

typedef enum
{
  DISTILLERY_SELECT_RANDOM,      /* the budget's samples drawn at random */
  DISTILLERY_SELECT_UNCERTAIN,   /* the most uncertain first, by a score given */
} DistillerySelection;

typedef struct
{
  DistilleryAnswerKind reveals;
  int                  digits;     /* probabilities: decimals kept; -1 for all */
  int                  top_k;      /* top-k: classes revealed */
  gint64               budget;     /* questions allowed; 0 for no limit */
  DistillerySelection  selection;
} DistilleryDisclosure;

/* Everything: full logits, no budget. */
void          distillery_disclosure_init_full   (DistilleryDisclosure *policy);
char         *distillery_disclosure_to_string   (const DistilleryDisclosure *policy);
/* Reads the text form into reveals, digits and top_k (the budget is kept). */
gboolean      distillery_disclosure_parse       (DistilleryDisclosure *policy, const char *text, GError **error);

/* Turns n rows of a teacher's answers of kind `from` into what the policy
 * reveals, in place. Refused when the policy shows more than the teacher
 * gives (logits of a teacher that answers probabilities, or top-5 of one
 * that answers top-3). n_classes columns; top_k below n_classes. */
gboolean      distillery_disclosure_apply       (const DistilleryDisclosure *policy, DistilleryAnswerKind from,
                                                 guint from_top_k, float *rows, gsize n, guint n_classes,
                                                 GError **error);
/* How the engine reads rows that went through apply. */
KdTeacherKind distillery_disclosure_engine_kind (const DistilleryDisclosure *policy);

/* Under a budget: which of n samples to ask about, in ascending order;
 * *n_chosen = min (n, budget) (n without a budget). uncertainty (higher is
 * more uncertain, n values) orders DISTILLERY_SELECT_UNCERTAIN, ties by
 * index; random selection draws with the seed. */
guint32      *distillery_disclosure_choose      (const DistilleryDisclosure *policy, gsize n,
                                                 const float *uncertainty, guint64 seed, gsize *n_chosen);

G_END_DECLS
