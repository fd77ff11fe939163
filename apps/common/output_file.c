#include "apps/common/output_file.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nc/error.h"
#include "nc/log.h"

int output_is_stdio(const char *path)
{
    return !strcmp(path, "-");
}

int output_check_target(const char *path, int overwrite)
{
    struct stat st;
    if (output_is_stdio(path)) return output_check_stdout(path);
    if (overwrite || lstat(path, &st) != 0) return 0;
    nc_log(NULL, NC_LOG_ERROR, "%s: file exists (use -y to overwrite)", path);
    return NC_EEXIST;
}

int output_check_stdout(const char *path)
{
    if (!output_is_stdio(path) || !isatty(STDOUT_FILENO)) return 0;
    nc_log(NULL, NC_LOG_ERROR, "standard output is a terminal; redirect it or name a file");
    return NC_EINVAL;
}

static int open_output(NCOutputFile *out, const char *target, int overwrite,
                       enum NCAtomicStream stdout_mode)
{
    int ret = output_check_target(target, overwrite);
    if (ret < 0) {
        memset(out, 0, sizeof(*out));
        return ret;
    }
    if (output_is_stdio(target))
        return nci_atomic_file_open_stream(out, STDOUT_FILENO, "standard output", stdout_mode);
    return nci_atomic_file_open(out, target, overwrite);
}

int output_file_open(NCOutputFile *out, const char *target, int overwrite)
{
    return open_output(out, target, overwrite, NC_STREAM_SPOOLED);
}

int output_file_open_streaming(NCOutputFile *out, const char *target, int overwrite)
{
    return open_output(out, target, overwrite, NC_STREAM_DIRECT);
}
