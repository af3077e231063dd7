/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A small teacher program speaking docs/teacher-protocol.md, in plain C
 * and libc. Its answers are a fixed function of the features, so that a
 * test can compute them too:
 *
 *   logit[c] = sum_j x[j] * ((c + 1) * (j + 2) % 7 - 3) / 4 + c / 10
 *
 * probabilities are their softmax, top-k the k largest of those, a label
 * their argmax. Switches make it misbehave in each way the workbench must
 * survive; the tests in tests/teachers/test-program.c use them all.
 *
 *   --features F --classes C    what it announces (defaults 6 and 4)
 *   --returns KIND [--k K]      logits, probabilities, top-k or labels
 *   --protocol V                announce another protocol version
 *   --exit-after N              exit with status 3 after N answer lines
 *   --partial-line              end the first answer half-way and exit
 *   --short-row                 one number too few on the first answer
 *   --nan                       "nan" in the second answer
 *   --out-of-range              answers not valid for their kind
 *   --garbage                   a line of words as the first answer
 *   --slow MS                   sleep MS before answering each batch
 *   --hang-on-start             never send the handshake
 *   --stderr-chatter N          write N lines on stderr at start and per batch
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct
{
  int         features, classes, k, protocol;
  const char *returns;
  long        exit_after;
  int         partial_line, short_row, nan, out_of_range, garbage, hang_on_start;
  long        slow_ms, chatter;
} Options;

static void
sleep_ms (long ms)
{
  struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
  while (nanosleep (&t, &t) != 0)
    ;
}

static void
chatter (const Options *o, const char *when)
{
  for (long i = 0; i < o->chatter; i++)
    fprintf (stderr, "teacher: %s, chatter line %ld of %ld, some words to fill the pipe\n", when, i + 1,
             o->chatter);
  fflush (stderr);
}

static void
compute_logits (const Options *o, const double *x, double *logits)
{
  for (int c = 0; c < o->classes; c++)
    {
      logits[c] = c / 10.0;
      for (int j = 0; j < o->features; j++)
        logits[c] += x[j] * (((c + 1) * (j + 2)) % 7 - 3) / 4.0;
    }
}

static void
softmax (int n, double *v)
{
  double max = v[0], sum = 0;
  for (int i = 1; i < n; i++)
    max = v[i] > max ? v[i] : max;
  for (int i = 0; i < n; i++)
    sum += v[i] = exp (v[i] - max);
  for (int i = 0; i < n; i++)
    v[i] /= sum;
}

/* Writes the answer for features x as one line; `line` counts answers. */
static void
answer (const Options *o, long line, const double *x, double *v)
{
  compute_logits (o, x, v);
  if (strcmp (o->returns, "logits") != 0)
    softmax (o->classes, v);

  if (o->garbage && line == 0)
    {
      printf ("hello from a teacher that forgot the protocol\n");
      return;
    }
  if (o->partial_line && line == 0)
    {
      printf ("%.9g %.9g", v[0], v[1]);
      fflush (stdout);
      exit (0);
    }
  if (strcmp (o->returns, "labels") == 0)
    {
      int best = 0;
      for (int c = 1; c < o->classes; c++)
        best = v[c] > v[best] ? c : best;
      printf ("%d\n", o->out_of_range ? o->classes : best);
      return;
    }
  if (strcmp (o->returns, "top-k") == 0)
    {
      /* Selection by repeated maximum: k is small. */
      for (int i = 0; i < o->k; i++)
        {
          int best = -1;
          for (int c = 0; c < o->classes; c++)
            if (v[c] >= 0 && (best < 0 || v[c] > v[best]))
              best = c;
          printf ("%s%d:%.9g", i > 0 ? " " : "", o->out_of_range ? o->classes : best, v[best]);
          v[best] = -1;
        }
      printf ("\n");
      return;
    }
  int n = o->short_row && line == 0 ? o->classes - 1 : o->classes;
  for (int c = 0; c < n; c++)
    {
      double value = o->out_of_range ? 2 * v[c] : v[c];
      if (o->nan && line == 1 && c == 0)
        printf ("nan");
      else
        printf ("%s%.9g", c > 0 ? " " : "", value);
    }
  printf ("\n");
}

static int
parse_options (int argc, char **argv, Options *o)
{
  *o = (Options) { .features = 6, .classes = 4, .k = 3, .protocol = 1, .returns = "logits", .exit_after = -1 };
  for (int i = 1; i < argc; i++)
    {
      const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
      if (strcmp (a, "--partial-line") == 0) o->partial_line = 1;
      else if (strcmp (a, "--short-row") == 0) o->short_row = 1;
      else if (strcmp (a, "--nan") == 0) o->nan = 1;
      else if (strcmp (a, "--out-of-range") == 0) o->out_of_range = 1;
      else if (strcmp (a, "--garbage") == 0) o->garbage = 1;
      else if (strcmp (a, "--hang-on-start") == 0) o->hang_on_start = 1;
      else if (next == NULL) return 0;
      else if (strcmp (a, "--features") == 0) o->features = atoi (argv[++i]);
      else if (strcmp (a, "--classes") == 0) o->classes = atoi (argv[++i]);
      else if (strcmp (a, "--k") == 0) o->k = atoi (argv[++i]);
      else if (strcmp (a, "--protocol") == 0) o->protocol = atoi (argv[++i]);
      else if (strcmp (a, "--returns") == 0) o->returns = argv[++i];
      else if (strcmp (a, "--exit-after") == 0) o->exit_after = atol (argv[++i]);
      else if (strcmp (a, "--slow") == 0) o->slow_ms = atol (argv[++i]);
      else if (strcmp (a, "--stderr-chatter") == 0) o->chatter = atol (argv[++i]);
      else return 0;
    }
  return o->features > 0 && o->classes > 1 && o->k > 0 && o->k <= o->classes;
}

int
main (int argc, char **argv)
{
  Options o;
  char *line = NULL;
  size_t size = 0;
  long answered = 0;

  if (!parse_options (argc, argv, &o))
    {
      fprintf (stderr, "teacher: usage: see the comment atop examples/teachers/teacher.c\n");
      return 2;
    }
  chatter (&o, "starting");
  while (o.hang_on_start)
    pause ();

  printf ("distillery-teacher %d classes=%d features=%d returns=%s", o.protocol, o.classes, o.features,
          o.returns);
  if (strcmp (o.returns, "top-k") == 0)
    printf (" k=%d", o.k);
  printf ("\n");
  fflush (stdout);
  if (getline (&line, &size, stdin) < 0 || strcmp (line, "ok\n") != 0)
    {
      fprintf (stderr, "teacher: the workbench said %s", line != NULL && *line ? line : "nothing\n");
      return 1;
    }

  double *x = calloc (o.features, sizeof *x), *v = calloc (o.classes, sizeof *v);
  long batch, count;
  while (getline (&line, &size, stdin) > 0 && sscanf (line, "batch %ld %ld", &batch, &count) == 2)
    {
      chatter (&o, "batch");
      if (o.slow_ms > 0)
        sleep_ms (o.slow_ms);
      for (long i = 0; i < count; i++, answered++)
        {
          char *s;
          if (getline (&line, &size, stdin) < 0)
            return 1;
          s = line;
          for (int j = 0; j < o.features; j++)
            x[j] = strtod (s, &s);
          if (answered == o.exit_after)
            {
              fprintf (stderr, "teacher: exiting after %ld answers, as asked\n", answered);
              fflush (stdout);
              exit (3);
            }
          answer (&o, answered, x, v);
        }
      fflush (stdout);
    }
  /* "quit", or the end of stdin. */
  free (x);
  free (v);
  free (line);
  return 0;
}
