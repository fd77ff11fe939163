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

/* NC_EEXIST (nothing created) if target exists and overwrite is 0; NC_EIO with a
 * logged reason if the temporary file cannot be created. */
int output_file_open(NCOutputFile *out, const char *target, int overwrite);
/* Then nci_atomic_file_commit() or nci_atomic_file_abort(). */

/* NC_EEXIST with a logged reason if path exists and overwrite is 0: lets an app
 * refuse before doing any work. */
int output_check_target(const char *path, int overwrite);

#endif
