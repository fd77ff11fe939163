#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libnc/atomic_file.h"
#include "nc/error.h"
#include "nc/log.h"

/* Temporary files not yet committed or aborted, in a fixed table of paths so that a
 * signal handler can remove them with nothing but unlink(). */
#define MAX_PENDING 64
static _Atomic(char *) pending[MAX_PENDING];

void nci_atomic_file_remove_pending(void)
{
    for (int i = 0; i < MAX_PENDING; i++) {
        char *path = atomic_load(&pending[i]);
        if (path) unlink(path);
    }
}

static void track(char *path)
{
    for (int i = 0; i < MAX_PENDING; i++) {
        char *none = NULL;
        if (atomic_compare_exchange_strong(&pending[i], &none, path)) return;
    }
}

/* Before the path is freed (a signal in between leaves at worst one hidden
 * temporary file). */
static void untrack(const char *path)
{
    for (int i = 0; path && i < MAX_PENDING; i++) {
        char *expected = (char *)path;
        atomic_compare_exchange_strong(&pending[i], &expected, NULL);
    }
}

int nci_atomic_file_open(NCAtomicFile *f, const char *target, int overwrite)
{
    memset(f, 0, sizeof(*f));
    struct stat st;
    if (!overwrite && lstat(target, &st) == 0) {
        nc_log(NULL, NC_LOG_ERROR, "%s: file exists (not overwriting)", target);
        return NC_EEXIST;
    }
    const char *slash = strrchr(target, '/');
    size_t dir_len = slash ? (size_t)(slash - target) + 1 : 0;
    size_t len = strlen(target) + 16;
    f->target = strdup(target);
    f->temp_path = malloc(len);
    if (!f->target || !f->temp_path) {
        nci_atomic_file_abort(f);
        return NC_ENOMEM;
    }
    /* ".name.XXXXXX" beside the target: hidden, and on the same file system. */
    snprintf(f->temp_path, len, "%.*s.%s.XXXXXX", (int)dir_len, target, target + dir_len);
    int fd = mkstemp(f->temp_path);
    if (fd < 0) {
        nc_log(NULL, NC_LOG_ERROR, "%s: cannot write there: %s", target, strerror(errno));
        free(f->temp_path);
        f->temp_path = NULL;
        nci_atomic_file_abort(f);
        return NC_EIO;
    }
    /* mkstemp makes the file 0600; give it the permissions a new file would get. */
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    f->file = fdopen(fd, "wb");
    if (!f->file) {
        close(fd);
        nci_atomic_file_abort(f);
        return NC_ENOMEM;
    }
    f->overwrite = overwrite;
    track(f->temp_path);
    return 0;
}

/* rename() that, without overwrite, fails instead of replacing a file that
 * appeared meanwhile (link() refuses an existing name). */
static int move_into_place(const char *from, const char *to, int overwrite)
{
    if (overwrite) return rename(from, to);
    if (link(from, to) != 0) {
        if (errno != EPERM && errno != ENOSYS && errno != EOPNOTSUPP) return -1;
        /* File systems without hard links: check, then rename (a small race). */
        struct stat st;
        if (lstat(to, &st) == 0) {
            errno = EEXIST;
            return -1;
        }
        return rename(from, to);
    }
    return unlink(from);
}

int nci_atomic_file_commit(NCAtomicFile *f)
{
    int failed = !f->temp_path;
    untrack(f->temp_path);
    if (f->file) {
        failed |= fflush(f->file) != 0 || ferror(f->file) || fsync(fileno(f->file)) != 0;
        failed |= fclose(f->file) != 0;
        f->file = NULL;
    }
    if (!failed && move_into_place(f->temp_path, f->target, f->overwrite) != 0) failed = 1;
    if (failed) {
        int err = errno == EEXIST ? NC_EEXIST : NC_EIO;
        nc_log(NULL, NC_LOG_ERROR, "%s: cannot write: %s", f->target ? f->target : "?",
               strerror(errno));
        nci_atomic_file_abort(f);
        return err;
    }
    free(f->temp_path);
    free(f->target);
    memset(f, 0, sizeof(*f));
    return 0;
}

void nci_atomic_file_abort(NCAtomicFile *f)
{
    if (f->file) fclose(f->file);
    untrack(f->temp_path);
    if (f->temp_path) unlink(f->temp_path);
    free(f->temp_path);
    free(f->target);
    memset(f, 0, sizeof(*f));
}
