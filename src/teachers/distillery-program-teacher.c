/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The external-program teacher; see distillery-program-teacher.h and
 * docs/teacher-protocol.md.
 *
 * answer() runs in worker threads while the application's main thread
 * runs its own loop, so nothing here relies on the default main context:
 * a batch is written and its answers read in one g_poll() loop over the
 * program's stdin, its stdout and the caller's cancellable, with the
 * batch's deadline as the poll's time-out. Writing and reading at once
 * matters: a program that answers each line as it reads it would
 * otherwise fill its stdout while we are still filling its stdin, and
 * both sides would wait for ever. stderr is drained by a thread of its
 * own, so a chatty program never blocks on a full pipe.
 */
#include "config.h"

#include "distillery-program-teacher.h"

#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <signal.h>
#include <string.h>

#define STDERR_KEEP      (64 * 1024) /* bytes of stderr kept and queued for announcing */
#define STDERR_LINE_MAX  4096        /* a longer stderr line is cut into pieces */
#define LAST_WORDS_KEEP  512         /* stderr quoted in an error message */
#define WRITE_CHUNK      4096        /* at most PIPE_BUF, so a write after POLLOUT never blocks */
#define QUIT_GRACE_MS    200         /* time a program has to exit after "quit" */
#define EXIT_GRACE_MS    500         /* time for the exit status once stdout closed */
#define STDERR_GRACE_MS  250         /* time for stderr's last lines once the program ended */
#define MAX_DELAY_MS     30000
#define PROBABILITY_TOLERANCE 1e-3

/* What the program writes on stderr, shared by the teacher, the thread
 * reading each run's stderr and the idle callback announcing lines in the
 * teacher's main context (a reference-counted box). */
typedef struct
{
  GMutex        mutex;
  GCond         changed;      /* a run's stderr reached its end */
  GString      *tail;         /* the last STDERR_KEEP bytes, whole lines */
  GQueue        pending;      /* lines not yet announced */
  gsize         pending_bytes;
  gboolean      announcing;   /* an idle callback is queued */
  GMainContext *context;
  GWeakRef      teacher;
} StderrLog;

/* What the handshake says, or what a restarted program must say again. */
typedef struct
{
  guint                n_classes;
  guint                n_features;
  DistilleryAnswerKind kind;
  guint                top_k;
} Handshake;

/* One run of the program. */
typedef struct
{
  GSubprocess  *process;
  GOutputStream *input;       /* its stdin */
  GInputStream *output;       /* its stdout */
  GString      *received;     /* stdout not yet taken as lines */
  gboolean      output_closed;
  gboolean      input_closed;
  guint         timeout_ms;
  gsize         line_max;

  StderrLog    *log;
  GThread      *stderr_reader;
  GCancellable *stderr_cancellable;
  gboolean      stderr_closed; /* under log->mutex */
  GString      *last_words;    /* this run's last stderr lines, under log->mutex */
} Program;

struct _DistilleryProgramTeacher
{
  DistilleryTeacher parent_instance;

  char      **argv;
  char       *working_dir;
  Handshake   handshake;
  guint       batch_size;
  guint       timeout_ms;
  StderrLog  *log;

  /* One answer() at a time owns the program and what follows. */
  GMutex      lock;
  Program    *program;          /* NULL when it is not running */
  guint       batches;          /* sent so far; numbers them in the protocol */
  guint       first_delay_ms;
  guint       max_failures;
  guint       failures;         /* in a row */
  gint64      failed_at;
  char       *last_failure;

  /* Read by the getters while an answer() may be running. */
  GMutex      counters_lock;
  guint64     questions;
  guint       restarts;
};

G_DEFINE_FINAL_TYPE (DistilleryProgramTeacher, distillery_program_teacher, DISTILLERY_TYPE_TEACHER)

enum
{
  STDERR_LINE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* A line parser: NULL when the line is right, else what is wrong with it. */
typedef char *(*LineFunc) (const char *line, guint index, gpointer user_data);

/* --- stderr --------------------------------------------------------------- */

static StderrLog *
stderr_log_new (void)
{
  StderrLog *log = g_atomic_rc_box_new0 (StderrLog);

  g_mutex_init (&log->mutex);
  g_cond_init (&log->changed);
  log->tail = g_string_new (NULL);
  g_queue_init (&log->pending);
  log->context = g_main_context_ref_thread_default ();
  g_weak_ref_init (&log->teacher, NULL);
  return log;
}

static void
stderr_log_clear (gpointer data)
{
  StderrLog *log = data;

  g_mutex_clear (&log->mutex);
  g_cond_clear (&log->changed);
  g_string_free (log->tail, TRUE);
  g_queue_clear_full (&log->pending, g_free);
  g_main_context_unref (log->context);
  g_weak_ref_clear (&log->teacher);
}

static void
stderr_log_release (StderrLog *log)
{
  g_atomic_rc_box_release_full (log, stderr_log_clear);
}

/* Keeps the last `keep` bytes of text, cut at a line's start. */
static void
keep_tail (GString *text, gsize keep)
{
  if (text->len <= keep)
    return;
  const char *cut = memchr (text->str + text->len - keep, '\n', keep);
  g_string_erase (text, 0, cut != NULL ? cut + 1 - text->str : (gssize) (text->len - keep));
}

static gboolean
announce_stderr (gpointer user_data)
{
  StderrLog *log = user_data;
  g_autoptr(GObject) teacher = g_weak_ref_get (&log->teacher);
  GQueue lines;

  g_mutex_lock (&log->mutex);
  lines = log->pending;
  g_queue_init (&log->pending);
  log->pending_bytes = 0;
  log->announcing = FALSE;
  g_mutex_unlock (&log->mutex);

  for (char *line; (line = g_queue_pop_head (&lines)) != NULL; g_free (line))
    if (teacher != NULL)
      g_signal_emit (teacher, signals[STDERR_LINE], 0, line);
  return G_SOURCE_REMOVE;
}

static void
program_add_stderr_line (Program *p, const char *raw)
{
  StderrLog *log = p->log;
  char *line = g_utf8_make_valid (raw, -1);

  g_mutex_lock (&log->mutex);
  g_string_append_printf (log->tail, "%s\n", line);
  keep_tail (log->tail, STDERR_KEEP);
  g_string_append_printf (p->last_words, "%s\n", line);
  keep_tail (p->last_words, LAST_WORDS_KEEP);

  /* Nobody may be iterating the teacher's context (a command-line run):
   * what waits to be announced is bounded like the tail. */
  g_queue_push_tail (&log->pending, line);
  log->pending_bytes += strlen (line) + 1;
  while (log->pending_bytes > STDERR_KEEP && log->pending.length > 1)
    {
      char *oldest = g_queue_pop_head (&log->pending);
      log->pending_bytes -= strlen (oldest) + 1;
      g_free (oldest);
    }
  if (!log->announcing)
    {
      GSource *idle = g_idle_source_new ();

      log->announcing = TRUE;
      g_source_set_callback (idle, announce_stderr, g_atomic_rc_box_acquire (log),
                             (GDestroyNotify) stderr_log_release);
      g_source_set_static_name (idle, "[distillery] teacher program stderr");
      g_source_attach (idle, log->context);
      g_source_unref (idle);
    }
  g_mutex_unlock (&log->mutex);
}

static gpointer
read_stderr (gpointer user_data)
{
  Program *p = user_data;
  GInputStream *errors = g_subprocess_get_stderr_pipe (p->process);
  g_autoptr(GString) line = g_string_new (NULL);
  char chunk[4096];
  gssize n;

  while ((n = g_input_stream_read (errors, chunk, sizeof chunk, p->stderr_cancellable, NULL)) > 0)
    for (gssize i = 0; i < n; i++)
      {
        if (chunk[i] != '\n')
          g_string_append_c (line, chunk[i]);
        if (chunk[i] == '\n' || line->len >= STDERR_LINE_MAX)
          {
            program_add_stderr_line (p, line->str);
            g_string_truncate (line, 0);
          }
      }
  if (line->len > 0)
    program_add_stderr_line (p, line->str);

  g_mutex_lock (&p->log->mutex);
  p->stderr_closed = TRUE;
  g_cond_broadcast (&p->log->changed);
  g_mutex_unlock (&p->log->mutex);
  return NULL;
}

/* --- one run of the program ------------------------------------------------ */

static void
on_waited (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *(gboolean *) user_data = TRUE;
}

static gboolean
on_grace_over (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Waits up to grace_ms for the program to exit by itself, then kills it;
 * either way it is reaped. A private context, since this runs in worker
 * threads and in dispose alike. */
static void
reap (GSubprocess *process, guint grace_ms)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  GSource *timer = g_timeout_source_new (grace_ms);
  gboolean exited = FALSE, grace_over = FALSE;

  g_main_context_push_thread_default (context);
  g_subprocess_wait_async (process, NULL, on_waited, &exited);
  g_source_set_callback (timer, on_grace_over, &grace_over, NULL);
  g_source_attach (timer, context);
  while (!exited && !grace_over)
    g_main_context_iteration (context, TRUE);
  if (!exited)
    g_subprocess_force_exit (process);
  while (!exited)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (timer);
  g_source_unref (timer);
  g_main_context_pop_thread_default (context);
}

/* Ends the run: closes its stdin (a program may take that as "quit"),
 * gives it grace_ms to exit, kills it otherwise, and collects what it
 * still had to say on stderr. Safe to call more than once. */
static void
program_end (Program *p, guint grace_ms)
{
  if (p->stderr_reader == NULL)
    return;
  if (!p->input_closed)
    {
      g_output_stream_close (p->input, NULL, NULL);
      p->input_closed = TRUE;
    }
  reap (p->process, grace_ms);

  /* The program is gone, but a child of its own may hold stderr open. */
  gint64 until = g_get_monotonic_time () + STDERR_GRACE_MS * G_TIME_SPAN_MILLISECOND;
  g_mutex_lock (&p->log->mutex);
  while (!p->stderr_closed && g_cond_wait_until (&p->log->changed, &p->log->mutex, until))
    ;
  g_mutex_unlock (&p->log->mutex);
  g_cancellable_cancel (p->stderr_cancellable);
  g_thread_join (g_steal_pointer (&p->stderr_reader));
}

static void
program_free (Program *p, guint grace_ms)
{
  program_end (p, grace_ms);
  g_object_unref (p->process);
  g_object_unref (p->stderr_cancellable);
  g_string_free (p->received, TRUE);
  g_string_free (p->last_words, TRUE);
  stderr_log_release (p->log);
  g_free (p);
}

/* "exited with status 3", for the messages below. */
static char *
describe_end (Program *p)
{
  program_end (p, EXIT_GRACE_MS);
  /* Translators: these complete “The teacher program %s before its
   * handshake.” and the like. */
  if (g_subprocess_get_if_exited (p->process))
    return g_strdup_printf (_("exited with status %d"), g_subprocess_get_exit_status (p->process));
  int sig = g_subprocess_get_term_sig (p->process);
  return g_strdup_printf (_("was stopped by signal %d (%s)"), sig, g_strsignal (sig));
}

/* Adds the run's last stderr lines to a message about it. */
static void
add_last_words (Program *p, GError *error)
{
  g_autofree char *words = NULL;

  program_end (p, 0);
  g_mutex_lock (&p->log->mutex);
  words = g_strdup (g_strchomp (p->last_words->str));
  g_mutex_unlock (&p->log->mutex);
  if (*words == '\0')
    return;

  char *message = g_strdup_printf (_("%s It last wrote on stderr:\n%s"), error->message, words);
  g_free (error->message);
  error->message = message;
}

static Program *
program_spawn (const char *const *argv, const char *working_dir, StderrLog *log, guint timeout_ms,
               guint n_classes, GError **error)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                               G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GError) local = NULL;
  GSubprocess *process;

  if (working_dir != NULL)
    g_subprocess_launcher_set_cwd (launcher, working_dir);
  process = g_subprocess_launcher_spawnv (launcher, argv, &local);
  if (process == NULL)
    {
      g_set_error (error, DISTILLERY_TEACHER_ERROR, DISTILLERY_TEACHER_ERROR_PROGRAM,
                   _("The teacher program “%s” cannot be started: %s"), argv[0], local->message);
      return NULL;
    }

  Program *p = g_new0 (Program, 1);
  p->process = process;
  p->input = g_subprocess_get_stdin_pipe (process);
  p->output = g_subprocess_get_stdout_pipe (process);
  p->received = g_string_new (NULL);
  p->timeout_ms = timeout_ms;
  /* Room for n_classes numbers of "%.9g" and a little more: a longer
   * line is garbage, not an answer still coming. */
  p->line_max = 1024 + (gsize) n_classes * 40;
  p->log = g_atomic_rc_box_acquire (log);
  p->last_words = g_string_new (NULL);
  p->stderr_cancellable = g_cancellable_new ();
  p->stderr_reader = g_thread_new ("teacher-stderr", read_stderr, p);
  return p;
}

/* Where a message points: the handshake (batch 0) or a line of a batch. */
static char *
describe_place (guint batch, guint line)
{
  if (batch == 0)
    return g_strdup (_("The teacher program’s handshake"));
  return g_strdup_printf (_("The teacher program, batch %u, line %u"), batch, line);
}

static gboolean
set_timeout_error (Program *p, guint batch, guint done, guint n_lines, GError **error)
{
  if (batch == 0)
    g_set_error (error, DISTILLERY_TEACHER_ERROR, DISTILLERY_TEACHER_ERROR_TIMEOUT,
                 _("The teacher program sent no handshake within %u ms, so it was stopped."), p->timeout_ms);
  else
    g_set_error (error, DISTILLERY_TEACHER_ERROR, DISTILLERY_TEACHER_ERROR_TIMEOUT,
                 _("The teacher program did not answer batch %u within %u ms (%u of %u lines came in time), "
                   "so it was stopped."), batch, p->timeout_ms, done, n_lines);
  return FALSE;
}

static gboolean
set_closed_error (Program *p, guint batch, guint done, guint n_lines, GError **error)
{
  g_autofree char *end = describe_end (p);
  g_autofree char *place = describe_place (batch, done + 1);

  if (p->received->len > 0)
    {
      g_autofree char *partial = g_utf8_make_valid (p->received->str, MIN (p->received->len, 60));
      g_set_error (error, DISTILLERY_TEACHER_ERROR, DISTILLERY_TEACHER_ERROR_PROGRAM,
                   _("%s: the line is incomplete (“%s”); the program %s."), place, partial, end);
    }
  else if (batch == 0)
    g_set_error (error, DISTILLERY_TEACHER_ERROR, DISTILLERY_TEACHER_ERROR_PROGRAM,
                 _("The teacher program %s before its handshake."), end);
  else
    g_set_error (error, DISTILLERY_TEACHER_ERROR, DISTILLERY_TEACHER_ERROR_PROGRAM,
                 _("The teacher program %s in batch %u, before line %u of %u."), end, batch, done + 1, n_lines);
  return FALSE;
}

static gboolean
set_stream_error (guint batch, GError *local, GError **error)
{
  g_set_error (error, DISTILLERY_TEACHER_ERROR, DISTILLERY_TEACHER_ERROR_PROGRAM,
               _("Distillery cannot talk to the teacher program (batch %u): %s"), batch, local->message);
  return FALSE;
}

/* Writes request to the program while taking n_lines lines from it, each
 * handed to on_line, all before the deadline the time-out sets. batch 0
 * is the handshake. */
static gboolean
program_talk (Program *p, const char *request, gsize request_len, guint batch, guint n_lines,
              LineFunc on_line, gpointer user_data, GCancellable *cancellable, GError **error)
{
  const gint64 deadline = g_get_monotonic_time () + (gint64) p->timeout_ms * G_TIME_SPAN_MILLISECOND;
  const int in_fd = g_unix_output_stream_get_fd (G_UNIX_OUTPUT_STREAM (p->input));
  const int out_fd = g_unix_input_stream_get_fd (G_UNIX_INPUT_STREAM (p->output));
  gsize written = 0;
  guint done = 0;

  for (;;)
    {
      char *newline;

      while (done < n_lines && (newline = memchr (p->received->str, '\n', p->received->len)) != NULL)
        {
          gsize length = newline - p->received->str;
          *newline = '\0';
          if (length > 0 && newline[-1] == '\r')
            newline[-1] = '\0';
          g_autofree char *problem = on_line (p->received->str, done, user_data);
          g_string_erase (p->received, 0, length + 1);
          if (problem != NULL)
            {
              g_autofree char *place = describe_place (batch, done + 1);
              g_set_error (error, DISTILLERY_TEACHER_ERROR, DISTILLERY_TEACHER_ERROR_PROGRAM,
                           "%s: %s.", place, problem);
              return FALSE;
            }
          done++;
        }
      if (done == n_lines && (written == request_len || p->input_closed))
        return TRUE;
      if (p->received->len > p->line_max)
        {
          g_autofree char *place = describe_place (batch, done + 1);
          g_autofree char *start = g_utf8_make_valid (p->received->str, 40);
          g_set_error (error, DISTILLERY_TEACHER_ERROR, DISTILLERY_TEACHER_ERROR_PROGRAM,
                       _("%s: the line is longer than %zu bytes without an end (“%s…”)."),
                       place, p->line_max, start);
          return FALSE;
        }
      if (p->output_closed)
        return set_closed_error (p, batch, done, n_lines, error);

      gint64 now = g_get_monotonic_time ();
      if (now >= deadline)
        return set_timeout_error (p, batch, done, n_lines, error);

      GPollFD fds[3] = { { out_fd, G_IO_IN | G_IO_HUP | G_IO_ERR, 0 } };
      guint n_fds = 1, in_index = 0;
      if (written < request_len && !p->input_closed)
        {
          in_index = n_fds;
          fds[n_fds++] = (GPollFD) { in_fd, G_IO_OUT | G_IO_ERR, 0 };
        }
      gboolean cancellable_polled = g_cancellable_make_pollfd (cancellable, &fds[n_fds]);
      g_poll (fds, n_fds + (cancellable_polled ? 1 : 0), (int) ((deadline - now + 999) / 1000));
      if (cancellable_polled)
        g_cancellable_release_fd (cancellable);
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      if (in_index != 0 && fds[in_index].revents != 0)
        {
          g_autoptr(GError) local = NULL;
          gssize n = g_pollable_output_stream_write_nonblocking (G_POLLABLE_OUTPUT_STREAM (p->input),
                                                                 request + written,
                                                                 MIN (WRITE_CHUNK, request_len - written),
                                                                 NULL, &local);
          if (n >= 0)
            written += n;
          else if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE))
            /* It stopped reading; its stdout tells why. */
            p->input_closed = TRUE;
          else if (!g_error_matches (local, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            return set_stream_error (batch, local, error);
        }
      if (fds[0].revents != 0)
        {
          g_autoptr(GError) local = NULL;
          char chunk[16384];
          gssize n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (p->output),
                                                               chunk, sizeof chunk, NULL, &local);
          if (n > 0)
            g_string_append_len (p->received, chunk, n);
          else if (n == 0)
            p->output_closed = TRUE;
          else if (!g_error_matches (local, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            return set_stream_error (batch, local, error);
        }
    }
}

/* --- the handshake ----------------------------------------------------------- */

typedef struct
{
  Handshake        said;
  const Handshake *wanted;
  gboolean         any_kind;   /* the first start: the program says what it answers */
  char            *refusal;    /* what is wrong with the handshake, to tell the program */
} HandshakeCheck;


static char *
check_handshake (const char *line, HandshakeCheck *check)
{
  Handshake *said = &check->said;
  const Handshake *wanted = check->wanted;
  g_auto(GStrv) words = g_strsplit (line, " ", -1);
  guint64 version = 0;
  gboolean has_kind = FALSE;

  *said = (Handshake) { 0 };
  if (g_strv_length (words) < 2 || strcmp (words[0], "distillery-teacher") != 0 ||
      !g_ascii_string_to_unsigned (words[1], 10, 1, G_MAXUINT, &version, NULL))
    {
      g_autofree char *start = g_utf8_make_valid (line, MIN (strlen (line), 60));
      return g_strdup_printf (_("expected “distillery-teacher %d classes=… features=… returns=…”, found “%s”"),
                              DISTILLERY_PROGRAM_TEACHER_PROTOCOL_VERSION, start);
    }
  if (version != DISTILLERY_PROGRAM_TEACHER_PROTOCOL_VERSION)
    return g_strdup_printf (_("the program speaks version %u of the protocol, Distillery speaks version %d"),
                            (guint) version, DISTILLERY_PROGRAM_TEACHER_PROTOCOL_VERSION);

  /* Keys this version does not know are left for later versions. */
  for (guint i = 2; words[i] != NULL; i++)
    {
      char *value = strchr (words[i], '=');
      guint64 number;

      if (value == NULL)
        continue;
      *value++ = '\0';
      if (strcmp (words[i], "returns") == 0)
        {
          if (!distillery_answer_kind_from_string (value, &said->kind))
            return g_strdup_printf (_("“returns=%s” is none of logits, probabilities, top-k and labels"), value);
          has_kind = TRUE;
        }
      else
        {
          guint *field = strcmp (words[i], "classes") == 0  ? &said->n_classes
                         : strcmp (words[i], "features") == 0 ? &said->n_features
                         : strcmp (words[i], "k") == 0        ? &said->top_k
                                                              : NULL;
          if (field == NULL)
            continue;
          if (!g_ascii_string_to_unsigned (value, 10, 1, G_MAXUINT, &number, NULL))
            return g_strdup_printf (_("“%s=%s” is not a positive whole number"), words[i], value);
          *field = (guint) number;
        }
    }
  if (said->n_classes == 0 || said->n_features == 0 || !has_kind)
    return g_strdup (_("it must say classes=, features= and returns="));
  if (said->n_classes != wanted->n_classes)
    return g_strdup_printf (_("the program knows %u classes but the data set has %u"),
                            said->n_classes, wanted->n_classes);
  if (said->n_features != wanted->n_features)
    return g_strdup_printf (_("the program takes %u features but the data set has %u"),
                            said->n_features, wanted->n_features);
  if (said->kind == DISTILLERY_ANSWER_TOP_K && (said->top_k == 0 || said->top_k > said->n_classes))
    return g_strdup_printf (_("a top-k program must say k= between 1 and its %u classes"), said->n_classes);
  if (said->kind != DISTILLERY_ANSWER_TOP_K)
    said->top_k = 0;
  if (!check->any_kind && (said->kind != wanted->kind || said->top_k != wanted->top_k))
    return g_strdup_printf (_("after a restart the program returns %s (k=%u), not %s (k=%u) as before"),
                            distillery_answer_kind_to_string (said->kind), said->top_k,
                            distillery_answer_kind_to_string (wanted->kind), wanted->top_k);
  return NULL;
}

/* Keeps what is wrong, for the "error" line the program is sent. */
static char *
parse_handshake (const char *line, guint index, gpointer user_data)
{
  HandshakeCheck *check = user_data;
  char *problem = check_handshake (line, check);

  check->refusal = g_strdup (problem);
  return problem;
}

/* Starts a run and reads its handshake, which must match `wanted` (but
 * for the answer kind when any_kind); fills `said`. */
static Program *
program_start (const char *const *argv, const char *working_dir, StderrLog *log, guint timeout_ms,
               const Handshake *wanted, gboolean any_kind, Handshake *said,
               GCancellable *cancellable, GError **error)
{
  HandshakeCheck check = { .wanted = wanted, .any_kind = any_kind };
  Program *p = program_spawn (argv, working_dir, log, timeout_ms, wanted->n_classes, error);
  g_autoptr(GError) local = NULL;

  if (p == NULL)
    return NULL;
  gboolean said_it = program_talk (p, "", 0, 0, 1, parse_handshake, &check, cancellable, &local);
  g_autofree char *refusal = check.refusal;

  if (!said_it)
    {
      /* A refusal the program can read before it is told to go; nothing
       * was written yet, so the pipe has room for it. */
      if (refusal != NULL)
        {
          g_autofree char *line = g_strdup_printf ("error %s\n", refusal);
          g_output_stream_write_all (p->input, line, strlen (line), NULL, NULL, NULL);
          program_end (p, QUIT_GRACE_MS);
        }
      if (!g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        add_last_words (p, local);
      program_free (p, 0);
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  if (!program_talk (p, "ok\n", 3, 0, 0, NULL, NULL, cancellable, error))
    {
      program_free (p, 0);
      return NULL;
    }
  *said = check.said;
  return p;
}

/* --- answers ------------------------------------------------------------------ */

typedef struct
{
  const Handshake *handshake;
  float           *out;   /* the batch's first row */
} Answers;

/* The word starting at text, shortened, for a message. */
static char *
quote_word (const char *text)
{
  g_autofree char *word = g_strndup (text, MIN (strcspn (text, " \t"), 40));
  return g_utf8_make_valid (word, -1);
}

static const char *
skip_blanks (const char *text)
{
  return text + strspn (text, " \t");
}

/* Reads a number that must end at a blank or the line's end. */
static gboolean
read_number (const char **text, double *value)
{
  char *end;

  *value = g_ascii_strtod (*text, &end);
  if (end == *text || (*end != '\0' && *end != ' ' && *end != '\t'))
    return FALSE;
  *text = end;
  return TRUE;
}

static char *
parse_numbers (const char *line, const Handshake *handshake, float *row)
{
  const guint C = handshake->n_classes;
  double sum = 0;
  guint count = 0;

  for (const char *s = skip_blanks (line); *s != '\0'; s = skip_blanks (s), count++)
    {
      const char *start = s;
      double value;

      if (!read_number (&s, &value))
        {
          g_autofree char *word = quote_word (start);
          return g_strdup_printf (_("“%s” is not a number"), word);
        }
      if (!isfinite (value))
        {
          g_autofree char *word = quote_word (start);
          return g_strdup_printf (_("value %u is “%s”, not a finite number"), count + 1, word);
        }
      if (handshake->kind == DISTILLERY_ANSWER_PROBABILITIES && (value < 0 || value > 1 + PROBABILITY_TOLERANCE))
        return g_strdup_printf (_("value %u, %g, is not a probability"), count + 1, value);
      if (count < C)
        row[count] = (float) value;
      sum += value;
    }
  if (count != C)
    return g_strdup_printf (_("expected %u numbers, one per class, found %u"), C, count);
  if (handshake->kind == DISTILLERY_ANSWER_PROBABILITIES && fabs (sum - 1) > PROBABILITY_TOLERANCE)
    return g_strdup_printf (_("the probabilities sum to %g, not 1"), sum);
  return NULL;
}

static char *
parse_top_k (const char *line, const Handshake *handshake, float *row)
{
  const guint C = handshake->n_classes;
  double sum = 0;
  guint count = 0;

  /* -1 marks a class not named yet, so that a class named twice shows. */
  for (guint c = 0; c < C; c++)
    row[c] = -1;
  for (const char *s = skip_blanks (line); *s != '\0'; s = skip_blanks (s), count++)
    {
      g_autofree char *pair = g_strndup (s, strcspn (s, " \t"));
      char *colon = strchr (pair, ':');
      const char *p;
      guint64 class;
      double value;

      if (colon == NULL)
        {
          g_autofree char *word = quote_word (s);
          return g_strdup_printf (_("“%s” is not a pair class:probability"), word);
        }
      *colon = '\0';
      p = colon + 1;
      if (!g_ascii_string_to_unsigned (pair, 10, 0, C - 1, &class, NULL))
        {
          g_autofree char *word = quote_word (pair);
          return g_strdup_printf (_("“%s” is not a class between 0 and %u"), word, C - 1);
        }
      if (!read_number (&p, &value) || *p != '\0' || !isfinite (value) || value < 0 ||
          value > 1 + PROBABILITY_TOLERANCE)
        {
          g_autofree char *word = quote_word (colon + 1);
          return g_strdup_printf (_("“%s” is not a probability"), word);
        }
      if (count < handshake->top_k && row[class] >= 0)
        return g_strdup_printf (_("class %u is named twice"), (guint) class);
      if (count < handshake->top_k)
        row[class] = (float) value;
      sum += value;
      s += strcspn (s, " \t");
    }
  for (guint c = 0; c < C; c++)
    row[c] = MAX (row[c], 0);
  if (count != handshake->top_k)
    return g_strdup_printf (_("expected %u pairs class:probability, found %u"), handshake->top_k, count);
  if (sum > 1 + PROBABILITY_TOLERANCE)
    return g_strdup_printf (_("the probabilities sum to %g, more than 1"), sum);
  return NULL;
}

static char *
parse_label (const char *line, const Handshake *handshake, float *row)
{
  const guint C = handshake->n_classes;
  g_autofree char *word = g_strstrip (g_utf8_make_valid (line, MIN (strlen (line), 40)));
  guint64 label;

  if (!g_ascii_string_to_unsigned (word, 10, 0, C - 1, &label, NULL))
    return g_strdup_printf (_("“%s” is not a class between 0 and %u"), word, C - 1);
  memset (row, 0, C * sizeof (float));
  row[label] = 1;
  return NULL;
}

static char *
parse_answer (const char *line, guint index, gpointer user_data)
{
  Answers *answers = user_data;
  const Handshake *handshake = answers->handshake;
  float *row = answers->out + (gsize) index * handshake->n_classes;

  switch (handshake->kind)
    {
    case DISTILLERY_ANSWER_TOP_K:
      return parse_top_k (line, handshake, row);
    case DISTILLERY_ANSWER_LABELS:
      return parse_label (line, handshake, row);
    case DISTILLERY_ANSWER_LOGITS:
    case DISTILLERY_ANSWER_PROBABILITIES:
    default:
      return parse_numbers (line, handshake, row);
    }
}

static gboolean
ask_batch (DistilleryProgramTeacher *self, const KdData *data, const guint32 *samples, gsize n,
           float *out, GCancellable *cancellable, GError **error)
{
  Program *p = self->program;
  const gsize F = self->handshake.n_features;
  Answers answers = { &self->handshake, out };
  g_autoptr(GString) request = g_string_sized_new (32 + n * F * 16);
  char number[G_ASCII_DTOSTR_BUF_SIZE];

  if (p->received->len > 0)
    {
      g_autofree char *extra = g_utf8_make_valid (p->received->str, MIN (p->received->len, 40));
      g_set_error (error, DISTILLERY_TEACHER_ERROR, DISTILLERY_TEACHER_ERROR_PROGRAM,
                   _("The teacher program wrote more lines than batch %u asked for (“%s”)."),
                   self->batches, extra);
      return FALSE;
    }
  self->batches++;
  g_string_append_printf (request, "batch %u %zu\n", self->batches, n);
  for (gsize i = 0; i < n; i++)
    {
      const float *row = data->features + (gsize) samples[i] * F;
      for (gsize j = 0; j < F; j++)
        {
          g_string_append (request, g_ascii_formatd (number, sizeof number, "%.9g", row[j]));
          g_string_append_c (request, j + 1 < F ? ' ' : '\n');
        }
    }
  g_mutex_lock (&self->counters_lock);
  self->questions += n;
  g_mutex_unlock (&self->counters_lock);
  return program_talk (p, request->str, request->len, self->batches, n, parse_answer, &answers,
                       cancellable, error);
}

/* Sleeps until `until` (monotonic), unless cancelled first. */
static gboolean
wait_until (gint64 until, GCancellable *cancellable, GError **error)
{
  for (gint64 now; (now = g_get_monotonic_time ()) < until;)
    {
      GPollFD fd;
      gboolean pollable = g_cancellable_make_pollfd (cancellable, &fd);

      g_poll (&fd, pollable ? 1 : 0, (int) ((until - now + 999) / 1000));
      if (pollable)
        g_cancellable_release_fd (cancellable);
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
    }
  return TRUE;
}

static void
note_failure (DistilleryProgramTeacher *self, const GError *error)
{
  self->failures++;
  self->failed_at = g_get_monotonic_time ();
  g_free (self->last_failure);
  self->last_failure = g_strdup (error->message);
}

static gboolean
ensure_running (DistilleryProgramTeacher *self, GCancellable *cancellable, GError **error)
{
  g_autoptr(GError) local = NULL;
  Handshake said;
  Program *p;

  if (self->program != NULL)
    return TRUE;
  if (self->failures >= self->max_failures)
    {
      g_set_error (error, DISTILLERY_TEACHER_ERROR, DISTILLERY_TEACHER_ERROR_PROGRAM,
                   _("The teacher program failed %u times in a row, so it is not started again. "
                     "The last failure: %s"), self->failures, self->last_failure);
      return FALSE;
    }
  if (self->failures > 0)
    {
      guint64 delay = self->first_delay_ms;
      for (guint i = 1; i < self->failures && delay < MAX_DELAY_MS; i++)
        delay *= 2;
      delay = MIN (delay, MAX_DELAY_MS);
      if (!wait_until (self->failed_at + (gint64) delay * G_TIME_SPAN_MILLISECOND, cancellable, error))
        return FALSE;
    }

  p = program_start ((const char *const *) self->argv, self->working_dir, self->log, self->timeout_ms,
                     &self->handshake, FALSE, &said, cancellable, &local);
  if (p == NULL)
    {
      if (!g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        note_failure (self, local);
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  self->program = p;
  g_mutex_lock (&self->counters_lock);
  self->restarts++;
  g_mutex_unlock (&self->counters_lock);
  return TRUE;
}

static gboolean
program_answer (DistilleryTeacher *teacher, const KdData *data, const guint32 *samples, gsize n,
                float *out, GCancellable *cancellable, GError **error)
{
  DistilleryProgramTeacher *self = DISTILLERY_PROGRAM_TEACHER (teacher);
  const gsize C = self->handshake.n_classes;
  g_autoptr(GMutexLocker) locker = NULL;

  if ((guint) data->n_features != self->handshake.n_features)
    {
      g_set_error (error, DISTILLERY_TEACHER_ERROR, DISTILLERY_TEACHER_ERROR_CONFIG,
                   _("The teacher program takes %u features but the data set has %d."),
                   self->handshake.n_features, data->n_features);
      return FALSE;
    }

  locker = g_mutex_locker_new (&self->lock);
  for (gsize start = 0; start < n; start += self->batch_size)
    {
      const gsize m = MIN (self->batch_size, n - start);
      g_autoptr(GError) local = NULL;

      if (!ensure_running (self, cancellable, error))
        return FALSE;
      if (!ask_batch (self, data, samples + start, m, out + start * C, cancellable, &local))
        {
          /* Mid-batch the program's state is unknown: it goes, whatever
           * went wrong, and the next question starts it again. */
          Program *p = g_steal_pointer (&self->program);
          if (!g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              add_last_words (p, local);
              note_failure (self, local);
            }
          program_free (p, 0);
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      self->failures = 0;
    }
  return TRUE;
}

/* --- the object ----------------------------------------------------------------- */

static void
distillery_program_teacher_dispose (GObject *object)
{
  DistilleryProgramTeacher *self = DISTILLERY_PROGRAM_TEACHER (object);

  if (self->program != NULL)
    {
      /* Asked politely first: it may want to save something. */
      g_pollable_output_stream_write_nonblocking (G_POLLABLE_OUTPUT_STREAM (self->program->input),
                                                  "quit\n", 5, NULL, NULL);
      program_free (g_steal_pointer (&self->program), QUIT_GRACE_MS);
    }
  G_OBJECT_CLASS (distillery_program_teacher_parent_class)->dispose (object);
}

static void
distillery_program_teacher_finalize (GObject *object)
{
  DistilleryProgramTeacher *self = DISTILLERY_PROGRAM_TEACHER (object);

  g_strfreev (self->argv);
  g_free (self->working_dir);
  g_free (self->last_failure);
  g_clear_pointer (&self->log, stderr_log_release);
  g_mutex_clear (&self->lock);
  g_mutex_clear (&self->counters_lock);
  G_OBJECT_CLASS (distillery_program_teacher_parent_class)->finalize (object);
}

static void
distillery_program_teacher_class_init (DistilleryProgramTeacherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  struct sigaction action;

  object_class->dispose = distillery_program_teacher_dispose;
  object_class->finalize = distillery_program_teacher_finalize;
  DISTILLERY_TEACHER_CLASS (klass)->answer = program_answer;

  /**
   * DistilleryProgramTeacher::stderr-line:
   * @line: one line the program wrote on stderr, without its newline, valid UTF-8
   *
   * Emitted in the main context that was the thread's default when the
   * teacher was made. Lines come in order; when nobody iterates that
   * context, the oldest beyond 64 KiB are dropped from the queue (but
   * distillery_program_teacher_get_stderr() still has them).
   */
  signals[STDERR_LINE] = g_signal_new ("stderr-line", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                       NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /* A program that exits while we write to it would kill us with
   * SIGPIPE, unless someone already chose what SIGPIPE does (GIO's
   * sockets set it to be ignored, for the same reason). */
  if (sigaction (SIGPIPE, NULL, &action) == 0 && action.sa_handler == SIG_DFL)
    signal (SIGPIPE, SIG_IGN);
}

static void
distillery_program_teacher_init (DistilleryProgramTeacher *self)
{
  g_mutex_init (&self->lock);
  g_mutex_init (&self->counters_lock);
  self->first_delay_ms = 250;
  self->max_failures = 5;
}

DistilleryTeacher *
distillery_program_teacher_new (const char *const *argv, const char *working_dir, guint n_features,
                                guint n_classes, guint batch_size, guint timeout_ms, GError **error)
{
  g_return_val_if_fail (argv != NULL && argv[0] != NULL, NULL);
  g_return_val_if_fail (n_features > 0 && n_classes >= 2 && batch_size > 0 && timeout_ms > 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  const Handshake wanted = { .n_classes = n_classes, .n_features = n_features };
  StderrLog *log = stderr_log_new ();
  Handshake said;
  Program *p = program_start (argv, working_dir, log, timeout_ms, &wanted, TRUE, &said, NULL, error);

  if (p == NULL)
    {
      stderr_log_release (log);
      return NULL;
    }

  DistilleryProgramTeacher *self = g_object_new (DISTILLERY_TYPE_PROGRAM_TEACHER,
                                                 "n-classes", n_classes,
                                                 "answer-kind", said.kind,
                                                 NULL);
  self->argv = g_strdupv ((char **) argv);
  self->working_dir = g_strdup (working_dir);
  self->handshake = said;
  self->batch_size = batch_size;
  self->timeout_ms = timeout_ms;
  self->log = log;
  self->program = p;
  g_weak_ref_set (&log->teacher, self);
  return DISTILLERY_TEACHER (self);
}

void
distillery_program_teacher_set_restart_policy (DistilleryProgramTeacher *self, guint first_delay_ms,
                                               guint max_failures)
{
  g_return_if_fail (DISTILLERY_IS_PROGRAM_TEACHER (self));
  g_return_if_fail (max_failures > 0);

  g_mutex_lock (&self->lock);
  self->first_delay_ms = first_delay_ms;
  self->max_failures = max_failures;
  g_mutex_unlock (&self->lock);
}

const char *const *
distillery_program_teacher_get_argv (DistilleryProgramTeacher *self)
{
  g_return_val_if_fail (DISTILLERY_IS_PROGRAM_TEACHER (self), NULL);
  return (const char *const *) self->argv;
}

guint
distillery_program_teacher_get_n_features (DistilleryProgramTeacher *self)
{
  g_return_val_if_fail (DISTILLERY_IS_PROGRAM_TEACHER (self), 0);
  return self->handshake.n_features;
}

guint
distillery_program_teacher_get_top_k (DistilleryProgramTeacher *self)
{
  g_return_val_if_fail (DISTILLERY_IS_PROGRAM_TEACHER (self), 0);
  return self->handshake.top_k;
}

char *
distillery_program_teacher_get_stderr (DistilleryProgramTeacher *self)
{
  g_return_val_if_fail (DISTILLERY_IS_PROGRAM_TEACHER (self), NULL);

  g_mutex_lock (&self->log->mutex);
  char *text = g_strdup (self->log->tail->str);
  g_mutex_unlock (&self->log->mutex);
  return text;
}

guint64
distillery_program_teacher_get_questions_asked (DistilleryProgramTeacher *self)
{
  g_return_val_if_fail (DISTILLERY_IS_PROGRAM_TEACHER (self), 0);

  g_mutex_lock (&self->counters_lock);
  guint64 questions = self->questions;
  g_mutex_unlock (&self->counters_lock);
  return questions;
}

guint
distillery_program_teacher_get_restarts (DistilleryProgramTeacher *self)
{
  g_return_val_if_fail (DISTILLERY_IS_PROGRAM_TEACHER (self), 0);

  g_mutex_lock (&self->counters_lock);
  guint restarts = self->restarts;
  g_mutex_unlock (&self->counters_lock);
  return restarts;
}
