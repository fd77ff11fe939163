/* Atomic output for decoded media: the data goes to a temporary file beside the
 * target (same directory, so the final rename cannot cross file systems), which
 * is renamed over the target when everything is written and removed on failure
 * or when the app is interrupted (cli.c calls nci_atomic_file_remove_pending()).
 * An existing target is refused unless overwrite is set.
 * (.nc files need none of this: nc_muxer_open_file() writes atomically itself.) */
#ifndef NC_APPS_OUTPUT_FILE_H
#define NC_APPS_OUTPUT_FILE_H

#include <stdio.h>

#include "libnc/atomic_file.h"

/* libnc's atomic file, opened with the apps' "use -y" refusal. */
typedef NCAtomicFile NCOutputFile;

/* "-": standard input for a reader, standard output for a writer. */
int output_is_stdio(const char *path);

/* NC_EEXIST (nothing created) if target exists and overwrite is 0; NC_EIO with a
 * logged reason if the temporary file cannot be created.
 * Target "-" is standard output, through a temporary file copied out at commit
 * (writers that seek back: WAV, PNG, MP4 ...). */
int output_file_open(NCOutputFile *out, const char *target, int overwrite);
/* The same for writers that write in one pass: "-" is written as the data comes. */
int output_file_open_streaming(NCOutputFile *out, const char *target, int overwrite);
/* Then nci_atomic_file_commit() or nci_atomic_file_abort(). */

/* NC_EEXIST with a logged reason if path exists and overwrite is 0: lets an app
 * refuse before doing any work. */
int output_check_target(const char *path, int overwrite);
/* NC_EINVAL with a logged reason if path is "-" and standard output is a terminal:
 * coded or binary data is never sprayed over one (as xz and zstd refuse). */
int output_check_stdout(const char *path);

#endif
