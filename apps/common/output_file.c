#include "apps/common/output_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nc/error.h"
#include "nc/log.h"

/* Temporary files still open: a fixed table of paths, so that a signal handler
 * can remove them with nothing but unlink() (see nc_output_remove_pending()). */
#define MAX_PENDING 64
static char *volatile pending[MAX_PENDING];

void nc_output_remove_pending(void)
{
    for (int i = 0; i < MAX_PENDING; i++)
        if (pending[i]) unlink(pending[i]);
}

static void track(char *path)
{
    for (int i = 0; i < MAX_PENDING; i++)
        if (!pending[i]) {
            pending[i] = path;
            return;
        }
}

static void untrack(const char *path)
{
    for (int i = 0; i < MAX_PENDING; i++)
        if (pending[i] == path) pending[i] = NULL;
}

int nc_output_check_target(const char *path, int overwrite)
{
    struct stat st;
    if (overwrite || lstat(path, &st) != 0) return 0;
    nc_log(NULL, NC_LOG_ERROR, "%s: file exists (use -y to overwrite)", path);
    return NC_EEXIST;
}

int nc_output_file_open(NCOutputFile *out, const char *target, int overwrite)
{
    memset(out, 0, sizeof(*out));
    int ret = nc_output_check_target(target, overwrite);
    if (ret < 0) return ret;

    const char *slash = strrchr(target, '/');
    size_t dir_len = slash ? (size_t)(slash - target) + 1 : 0;
    const char *base = target + dir_len;
    size_t len = strlen(target) + 16;
    out->target = strdup(target);
    out->temp_path = malloc(len);
    if (!out->target || !out->temp_path) {
        nc_output_file_abort(out);
        return NC_ENOMEM;
    }
    /* ".name.XXXXXX" beside the target: hidden, and on the same file system. */
    snprintf(out->temp_path, len, "%.*s.%s.XXXXXX", (int)dir_len, target, base);
    int fd = mkstemp(out->temp_path);
    if (fd < 0) {
        nc_log(NULL, NC_LOG_ERROR, "%s: cannot write there: %s", target, strerror(errno));
        free(out->temp_path);
        out->temp_path = NULL;
        nc_output_file_abort(out);
        return NC_EIO;
    }
    track(out->temp_path);
    /* mkstemp makes the file 0600; give it the permissions a new file would get. */
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    out->file = fdopen(fd, "wb");
    if (!out->file) {
        close(fd);
        nc_output_file_abort(out);
        return NC_ENOMEM;
    }
    out->overwrite = overwrite;
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

int nc_output_file_commit(NCOutputFile *out)
{
    int failed = 0;
    if (out->file) {
        failed = fflush(out->file) != 0 || ferror(out->file);
        failed |= fclose(out->file) != 0;
        out->file = NULL;
    }
    if (!failed && move_into_place(out->temp_path, out->target, out->overwrite) != 0)
        failed = 1;
    if (failed) {
        int err = errno == EEXIST ? NC_EEXIST : NC_EIO;
        nc_log(NULL, NC_LOG_ERROR, "%s: cannot write: %s", out->target, strerror(errno));
        nc_output_file_abort(out);
        return err;
    }
    untrack(out->temp_path);
    free(out->temp_path);
    free(out->target);
    memset(out, 0, sizeof(*out));
    return 0;
}

void nc_output_file_abort(NCOutputFile *out)
{
    if (out->file) fclose(out->file);
    if (out->temp_path) {
        unlink(out->temp_path);
        untrack(out->temp_path);
    }
    free(out->temp_path);
    free(out->target);
    memset(out, 0, sizeof(*out));
}
