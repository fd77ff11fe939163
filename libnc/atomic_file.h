/* Atomic file output, the one way libnc and its apps write a file: the data goes to
 * a hidden temporary file beside the target (same directory, so the final rename
 * cannot cross file systems), which replaces the target only once everything is
 * written and is removed on failure. Internal. */
#ifndef NC_ATOMIC_FILE_H
#define NC_ATOMIC_FILE_H

#include <stdio.h>

typedef struct NCAtomicFile {
    char *target;
    char *temp_path; /* where the data goes until commit */
    FILE *file;      /* open for writing on temp_path (the caller may close it early) */
    int overwrite;
    enum NCAtomicStream { NC_STREAM_NONE, NC_STREAM_DIRECT, NC_STREAM_SPOOLED } stream;
    int stream_fd; /* NC_STREAM_SPOOLED: where commit copies the data */
} NCAtomicFile;

/* NC_EEXIST (nothing created) if target exists and overwrite is 0; NC_EIO with a
 * logged reason if the temporary file cannot be created.
 * With overwrite, an existing target must be a regular file or a symbolic link to
 * one: a link is written through (its target is replaced, atomically, and the link
 * stays, as cp and ffmpeg do); a FIFO, device, directory, socket or dangling link
 * is refused with NC_EINVAL and a logged reason, never replaced by a file.
 * The temporary file is ".NAME.nc-partial.HOST.PID.XXXXXX" beside the file written;
 * opening removes such files of the same target that are provably stale: made on
 * this host by a process that no longer exists, owned by this user, regular, and
 * untouched for 10 minutes (what SIGKILL leaves; anything less certain is left). */
int nci_atomic_file_open(NCAtomicFile *f, const char *target, int overwrite);
/* Output to an open descriptor (a pipe, a terminal, standard output) that the
 * caller keeps: NC_STREAM_DIRECT writes into it as the data comes (formats written
 * in one pass); NC_STREAM_SPOOLED writes a temporary file in $TMPDIR (or /tmp),
 * which commit copies to fd, for formats whose writers seek back (a WAV header's
 * sizes, an MP4 index). name is what error messages call the output. Commit and
 * abort below work on both; an abort cannot take back what went out directly. */
int nci_atomic_file_open_stream(NCAtomicFile *f, int fd, const char *name,
                                enum NCAtomicStream mode);
/* Flushes, syncs, closes and moves the temporary file onto the target. Without
 * overwrite a target that appeared meanwhile is refused (NC_EEXIST). On failure
 * the temporary file is removed and the target untouched. */
int nci_atomic_file_commit(NCAtomicFile *f);
/* Removes the temporary file; safe on a committed, aborted or zeroed file. */
void nci_atomic_file_abort(NCAtomicFile *f);
/* Removes every temporary file not yet committed or aborted (the apps' output
 * and .nc files of the muxer alike). Async-signal-safe: for signal handlers. */
void nci_atomic_file_remove_pending(void);

#endif
