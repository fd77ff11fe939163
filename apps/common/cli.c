#include "apps/common/cli.h"
#include "apps/common/output_file.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "apps/common/output_file.h"
#include "apps/common/progress.h"
#include "libnc/text.h"
#include "nc/error.h"
#include "nc/log.h"
#include "nc/version.h"

static const char *program_name = "nc";
static int quiet;
static int verbosity;

/* The last error libnc logged: it becomes the reason in cli_fail()'s line.
 * Codecs may log from worker threads, hence the lock. */
static pthread_mutex_t reason_lock = PTHREAD_MUTEX_INITIALIZER;
static char reason[512];

/* Every line goes out through here: names and strings read from files and from
 * the command line reach the terminal escaped (libnc/text.h), never as control
 * bytes. */
static void emit(const char *tag, const char *text)
{
    char safe[2048];
    fprintf(stderr, "%s: %s%s\n", program_name, tag, nc_text_escape(safe, sizeof(safe), text));
}

static void log_callback(void *opaque, const void *ctx, int level, const char *fmt, va_list args)
{
    (void)opaque;
    (void)ctx;
    char line[512];
    vsnprintf(line, sizeof(line), fmt, args);
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
    progress_clear_line();

    if (level == NC_LOG_ERROR) {
        pthread_mutex_lock(&reason_lock);
        memcpy(reason, line, n + 1);
        pthread_mutex_unlock(&reason_lock);
        if (verbosity > 0) emit("libnc: ", line);
    } else if (level == NC_LOG_WARNING) {
        if (!quiet) emit("warning: ", line);
    } else {
        emit("", line);
    }
}

static volatile sig_atomic_t graceful, interrupted;

static void on_signal(int sig)
{
    if (graceful && !interrupted) {
        static const char msg[] = ": interrupted; stopping (again to quit at once)\n";
        interrupted = 1;
        if (write(STDERR_FILENO, "\n", 1) < 0) return;
        if (write(STDERR_FILENO, program_name, strlen(program_name)) < 0) return;
        if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) return;
        return;
    }
    nci_atomic_file_remove_pending();
    signal(sig, SIG_DFL);
    raise(sig);
}

void cli_init(const char *program)
{
    const char *slash = strrchr(program, '/');
    program_name = slash ? slash + 1 : program;
    nc_log_set_callback(log_callback, NULL);
    nc_log_set_level(NC_LOG_WARNING);
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

void cli_catch_interrupts(void)
{
    graceful = 1;
}

int cli_interrupted(void)
{
    return interrupted;
}

int cli_interrupt_cb(void *opaque)
{
    (void)opaque;
    return interrupted;
}

const char *cli_program(void)
{
    return program_name;
}

void cli_set_quiet(void)
{
    quiet = 1;
    verbosity = 0;
    /* Errors still reach the callback: they are the reasons in the error line. */
    nc_log_set_level(NC_LOG_ERROR);
}

void cli_set_verbose(void)
{
    quiet = 0;
    verbosity++;
    nc_log_set_level(verbosity > 1 ? NC_LOG_DEBUG : NC_LOG_VERBOSE);
}

int cli_is_quiet(void)
{
    return quiet;
}

int cli_is_verbose(void)
{
    return verbosity > 0;
}

static void print_line(const char *tag, const char *fmt, va_list args)
{
    char line[1024];
    vsnprintf(line, sizeof(line), fmt, args);
    progress_clear_line();
    emit(tag, line);
}

void cli_error(const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    print_line("", fmt, args);
    va_end(args);
}

void cli_warn(const char *fmt, ...)
{
    if (quiet) return;
    va_list args;
    va_start(args, fmt);
    print_line("warning: ", fmt, args);
    va_end(args);
}

void cli_verbose(const char *fmt, ...)
{
    if (verbosity == 0) return;
    va_list args;
    va_start(args, fmt);
    print_line("", fmt, args);
    va_end(args);
}

void cli_clear_reason(void)
{
    pthread_mutex_lock(&reason_lock);
    reason[0] = '\0';
    pthread_mutex_unlock(&reason_lock);
}

int cli_fail(int err, const char *fmt, ...)
{
    char what[512];
    va_list args;
    va_start(args, fmt);
    vsnprintf(what, sizeof(what), fmt, args);
    va_end(args);

    progress_clear_line();
    pthread_mutex_lock(&reason_lock);
    const char *why = reason[0] ? reason : nc_strerror(err);
    /* Libraries often name the thing already ("in.nc: ...", "packet 17: ...",
     * "cannot write out.wav: ..."): when the reason starts with the last parts of
     * what, say them once; when it holds all of what, it is the whole line. */
    size_t n = strlen(what), keep = n;
    if (n && strstr(why, what)) keep = 0;
    for (size_t p = 0; keep == n && p < n; p++) {
        if (p > 0 && (p < 2 || what[p - 2] != ':' || what[p - 1] != ' ')) continue;
        if (strncmp(why, what + p, n - p) == 0 && why[n - p] == ':') {
            keep = p;
            break;
        }
    }
    char line[1100];
    if (keep == 0)
        snprintf(line, sizeof(line), "%s", why);
    else if (keep < n)
        snprintf(line, sizeof(line), "%.*s%s", (int)keep, what, why);
    else
        snprintf(line, sizeof(line), "%s: %s", what, why);
    emit("", line);
    reason[0] = '\0';
    pthread_mutex_unlock(&reason_lock);
    return err;
}

void cli_print_version(void)
{
    printf("%s (libnc) %s\n", program_name, nc_version_string());
}

int cli_usage_error(const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    print_line("", fmt, args);
    va_end(args);
    fprintf(stderr, "Try '%s --help' for more information.\n", program_name);
    return NC_EXIT_FAILURE;
}

int cli_parse_int(const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end != '\0' || v < min || v > max) return -1;
    *out = v;
    return 0;
}

int cli_bad_option(int getopt_result, char **argv)
{
    const char *arg = argv[optind - 1];
    if (optopt && strncmp(arg, "--", 2) != 0) {
        if (getopt_result == ':') return cli_usage_error("option -%c needs a value", optopt);
        return cli_usage_error("unknown option -%c", optopt);
    }
    if (getopt_result == ':') return cli_usage_error("option %s needs a value", arg);
    return cli_usage_error("unknown option %s", arg);
}

int cli_check_input(const char *path)
{
    struct stat st;
    if (output_is_stdio(path)) {
        if (!isatty(STDIN_FILENO)) return 0;
        cli_error("standard input is a terminal; pipe the input in or name a file");
        return -1;
    }
    if (stat(path, &st) != 0) {
        cli_error("%s: %s", path, strerror(errno));
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        cli_error("%s: is a directory", path);
        return -1;
    }
    return 0;
}

int cli_check_output_not_input(const char *input, const char *output)
{
    struct stat in, out;
    if (output_is_stdio(input) || output_is_stdio(output)) return 0;
    if (stat(input, &in) != 0 || stat(output, &out) != 0) return 0;
    if (in.st_dev != out.st_dev || in.st_ino != out.st_ino) return 0;
    cli_error("%s: is the input file %s; choose another output", output, input);
    return -1;
}

void cli_print_summary(const char *what, const NCStreamInfo *info, int64_t duration,
                          long long coded_bytes)
{
    if (quiet || coded_bytes < 0) return;
    double bits = 8.0 * (double)coded_bytes, units = (double)(duration > 0 ? duration : 0);
    char line[512];
    int n = snprintf(line, sizeof(line), "%s: %lld bytes coded, ", what, coded_bytes);
    size_t left = n > 0 && (size_t)n < sizeof(line) ? sizeof(line) - (size_t)n : 0;
    char *p = line + (sizeof(line) - left);
    if (info->media_type == NC_MEDIA_BYTES) {
        snprintf(p, left, "%.0f bytes, %.3f bits/byte", units, units > 0 ? bits / units : 0.0);
    } else if (info->media_type == NC_MEDIA_IMAGE) {
        double pixels = units * info->width * info->height;
        snprintf(p, left, "%.0f picture%s %dx%d %s, %.3f bits/pixel", units, units == 1 ? "" : "s",
                 info->width, info->height, nc_pix_fmt_name(info->pix_fmt),
                 pixels > 0 ? bits / pixels : 0.0);
    } else {
        double seconds = info->time_base.den > 0 ? units * info->time_base.num / info->time_base.den : 0;
        snprintf(p, left, "%.2f s, %.2f kbit/s", seconds, seconds > 0 ? bits / seconds / 1000 : 0.0);
    }
    progress_clear_line();
    emit("", line);
}

int cli_standard_option(int c, void (*usage)(void))
{
    switch (c) {
    case 'q': cli_set_quiet(); return 1;
    case 'v': cli_set_verbose(); return 1;
    case 'h':
        usage();
        exit(NC_EXIT_OK);
    case 'V':
        cli_print_version();
        exit(NC_EXIT_OK);
    default: return 0;
    }
}

int cli_expect_operands(int argc, int n, const char *what)
{
    if (argc - optind == n) return 0;
    if (argc - optind < n) return cli_usage_error("expected %s", what);
    return cli_usage_error("too many arguments");
}
