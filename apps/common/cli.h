/* What every nc-* app shares on the command line: the program name in one-line
 * error messages ("nc-dec: in.nc: packet 17: CRC mismatch"), -q / -v, --version,
 * and routing libnc's log messages so that an error the library explains ends up
 * in the app's single error line instead of on a line of its own. */
#ifndef NC_APPS_CLI_H
#define NC_APPS_CLI_H

#include <stdio.h>

#include "nc/container.h"

/* Exit statuses shared by the apps (documented in their --help). */
enum NCCliExit {
    NC_EXIT_OK = 0,
    NC_EXIT_FAILURE = 1, /* nothing was written */
    NC_EXIT_DAMAGED = 2, /* the input is damaged; what could be read was used */
    NC_EXIT_INTERRUPTED = 130, /* SIGINT, as shells report it */
};

/* Remembers the program name, installs the log callback, and handles SIGINT,
 * SIGTERM and SIGHUP by removing the apps' temporary output files before
 * dying. Call first. */
void cli_init(const char *program);
/* From now on the first interrupt only sets a flag that the app's loop checks
 * (cli_interrupted()) to stop cleanly, abandoning its outputs (including a
 * muxer's temporary file); a second interrupt ends the program at once. */
void cli_catch_interrupts(void);
int cli_interrupted(void);
/* cli_interrupted() in the shape of NCCodecContext.interrupt_cb (opaque unused):
 * lets a codec stop inside one long packet or frame. */
int cli_interrupt_cb(void *opaque);
const char *cli_program(void);

/* -q: errors only (and no progress bar); -v: libnc's verbose messages too. */
void cli_set_quiet(void);
void cli_set_verbose(void);
int cli_is_quiet(void);
int cli_is_verbose(void);

/* Prints "program: message" on stderr. */
void cli_error(const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* Prints "program: what: reason" where reason is the last error libnc logged
 * since cli_clear_reason(), or else nc_strerror(err). Parts of what that the
 * reason repeats are said once: what "in.nc: packet 3" with reason "packet 3:
 * CRC mismatch" prints "program: in.nc: packet 3: CRC mismatch". Returns err. */
int cli_fail(int err, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Prints "program: warning: message" unless -q. */
void cli_warn(const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* Prints "program: message" on stderr only with -v. */
void cli_verbose(const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* Forgets the last logged library error (before a call whose failure is reported). */
void cli_clear_reason(void);

/* "nc-enc (libnc) 0.1.0" on stdout. */
void cli_print_version(void);
/* Prints "program: usage line" plus "Try 'program --help'." and returns
 * NC_EXIT_FAILURE: for argument errors. */
int cli_usage_error(const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* The options every app has, for its getopt switch: -q / --quiet, -v / --verbose,
 * -h / --help (calls usage() and exits 0), -V / --version (exits 0). Returns 1
 * if c was one of them. */
int cli_standard_option(int c, void (*usage)(void));
/* After getopt: 0 if exactly n operands remain, else a usage error ("expected
 * what" or "too many arguments") returning NC_EXIT_FAILURE. */
int cli_expect_operands(int argc, int n, const char *what);

/* The usage error for getopt's ':' (missing value) or '?' (unknown option);
 * getopt must run with opterr = 0 and an optstring starting with ':'. */
int cli_bad_option(int getopt_result, char **argv);

/* Prints "program: path: No such file or directory" (or why path cannot be
 * an input) and returns -1, or returns 0. */
int cli_check_input(const char *path);
/* -1 (with the error printed) if output is the input file itself: the same inode,
 * whether by the same name, a hard link or a symbolic link; writing it would
 * destroy the input (ffmpeg refuses the same). */
int cli_check_output_not_input(const char *input, const char *output);
/* After a successful encode or decode, unless quiet, one line on stderr as ffmpeg
 * and opusenc print: "prog: WHAT: N bytes coded, " then 3.20 s, 2.74 kbit/s
 * (audio, video), or 1 picture 28x28 gray, 1.56 bits/pixel, or 300 bytes, 3.42
 * bits/byte; duration in info's time base (pictures: frames; bytes: bytes). */
void cli_print_summary(const char *what, const NCStreamInfo *info, int64_t duration,
                          long long coded_bytes);

/* Parses a whole decimal integer in [min, max] into *out; 0 or -1. */
int cli_parse_int(const char *s, long min, long max, long *out);

#endif
