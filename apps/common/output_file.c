#include "apps/common/output_file.h"

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
    int ret = nc_output_check_target(target, overwrite);
    if (ret < 0) {
        memset(out, 0, sizeof(*out));
        return ret;
    }
    ret = nc_atomic_file_open(out, target, overwrite);
    if (ret >= 0) track(out->temp_path);
    return ret;
}

int nc_output_file_commit(NCOutputFile *out)
{
    /* Untracked first: the path is freed by commit (a signal in between leaves at
     * worst one hidden temporary file). */
    untrack(out->temp_path);
    return nc_atomic_file_commit(out);
}

void nc_output_file_abort(NCOutputFile *out)
{
    untrack(out->temp_path);
    nc_atomic_file_abort(out);
}
