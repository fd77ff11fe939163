#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
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

/* Temporary files are named ".NAME.nc-partial.HOST.PID.XXXXXX" beside the target:
 * hidden, on the same file system, and saying whose they are, so that a later
 * write to the same target can remove the ones a killed writer left. */
#define PARTIAL_TAG ".nc-partial."
/* A temporary file untouched for this long, of a process gone, is stale. */
#define STALE_SECONDS 600

/* This machine's name as it goes into temporary names: [A-Za-z0-9-] only. */
static void host_tag(char out[33])
{
    char host[256] = "";
    if (gethostname(host, sizeof(host) - 1) != 0) host[0] = 0;
    size_t o = 0;
    for (size_t i = 0; host[i] && o < 32; i++) {
        char c = host[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')
            out[o++] = c;
    }
    if (!o) out[o++] = '-';
    out[o] = 0;
}

/* 1 if entry (a name in dir) is a temporary file of target_name that is provably
 * stale: made on this host by a process that no longer exists, owned by us, a
 * regular file (not a link), and not written to for STALE_SECONDS. Anything less
 * certain is left alone: another writer may still be at work. */
static int is_stale_partial(int dir_fd, const char *entry, const char *prefix, const char *host)
{
    size_t n = strlen(prefix);
    if (strncmp(entry, prefix, n) != 0) return 0;
    const char *rest = entry + n, *dot = strchr(rest, '.');
    if (!dot || (size_t)(dot - rest) != strlen(host) || strncmp(rest, host, strlen(host)))
        return 0;
    char *end;
    long pid = strtol(dot + 1, &end, 10);
    if (pid <= 0 || *end != '.' || strlen(end + 1) != 6) return 0;
    if (pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH) return 0;
    struct stat st;
    if (fstatat(dir_fd, entry, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode) ||
        st.st_uid != geteuid())
        return 0;
    return time(NULL) - st.st_mtime >= STALE_SECONDS;
}

/* Removes the stale temporary files (is_stale_partial()) of target in its folder. */
static void remove_stale_partials(const char *target, size_t dir_len, const char *host)
{
    char *dir = dir_len ? strndup(target, dir_len) : strdup(".");
    char *prefix = malloc(strlen(target + dir_len) + sizeof(PARTIAL_TAG) + 1);
    DIR *d = dir && prefix ? opendir(dir) : NULL;
    if (d) {
        sprintf(prefix, ".%s" PARTIAL_TAG, target + dir_len);
        for (struct dirent *e; (e = readdir(d));)
            if (is_stale_partial(dirfd(d), e->d_name, prefix, host)) {
                nc_log(NULL, NC_LOG_VERBOSE, "%s: removing %s, left by a writer that was killed",
                       target, e->d_name);
                unlinkat(dirfd(d), e->d_name, 0);
            }
        closedir(d);
    }
    free(prefix);
    free(dir);
}

static const char *file_kind(mode_t mode)
{
    return S_ISFIFO(mode) ? "a FIFO" : S_ISCHR(mode) || S_ISBLK(mode) ? "a device"
         : S_ISDIR(mode)  ? "a directory"
         : S_ISSOCK(mode) ? "a socket"
                          : "not a regular file";
}

/* Where the data goes: target itself, or, when target is a symbolic link, the file
 * it points to (the link stays; see atomic_file.h). NULL with a logged reason (and
 * *err set) for an existing target that is not a regular file or a link to one. */
static char *resolve_target(const char *target, int overwrite, int *err)
{
    struct stat st;
    *err = NC_EINVAL;
    if (lstat(target, &st) != 0) return strdup(target); /* a new file */
    if (!overwrite) {
        nc_log(NULL, NC_LOG_ERROR, "%s: file exists (not overwriting)", target);
        *err = NC_EEXIST;
        return NULL;
    }
    char *path = S_ISLNK(st.st_mode) ? realpath(target, NULL) : strdup(target);
    if (S_ISLNK(st.st_mode) && !path) {
        nc_log(NULL, NC_LOG_ERROR, "%s: a symbolic link to nothing (%s); not writing through it",
               target, strerror(errno));
        return NULL;
    }
    if (path && stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        nc_log(NULL, NC_LOG_ERROR, "%s: %s; only regular files are replaced", target,
               file_kind(st.st_mode));
        free(path);
        return NULL;
    }
    if (path && strcmp(path, target))
        nc_log(NULL, NC_LOG_VERBOSE, "%s: a symbolic link; writing to %s", target, path);
    *err = NC_ENOMEM;
    return path;
}

int nci_atomic_file_open(NCAtomicFile *f, const char *target, int overwrite)
{
    memset(f, 0, sizeof(*f));
    int err;
    f->target = resolve_target(target, overwrite, &err);
    if (!f->target) return err;
    const char *slash = strrchr(f->target, '/');
    size_t dir_len = slash ? (size_t)(slash - f->target) + 1 : 0;
    char host[33];
    host_tag(host);
    remove_stale_partials(f->target, dir_len, host);
    size_t len = strlen(f->target) + sizeof(PARTIAL_TAG) + strlen(host) + 32;
    f->temp_path = malloc(len);
    if (!f->temp_path) {
        nci_atomic_file_abort(f);
        return NC_ENOMEM;
    }
    snprintf(f->temp_path, len, "%.*s.%s" PARTIAL_TAG "%s.%ld.XXXXXX", (int)dir_len, f->target,
             f->target + dir_len, host, (long)getpid());
    int fd = mkstemp(f->temp_path);
    if (fd < 0) {
        nc_log(NULL, NC_LOG_ERROR, "cannot write %s: %s", target, strerror(errno));
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

int nci_atomic_file_open_stream(NCAtomicFile *f, int fd, const char *name,
                                enum NCAtomicStream mode)
{
    memset(f, 0, sizeof(*f));
    f->target = strdup(name);
    if (!f->target) return NC_ENOMEM;
    f->stream = mode;
    f->stream_fd = fd;
    int out = -1;
    if (mode == NC_STREAM_SPOOLED) {
        const char *dir = getenv("TMPDIR");
        if (!dir || !*dir) dir = "/tmp";
        size_t len = strlen(dir) + sizeof("/.nc-spool.XXXXXX");
        f->temp_path = malloc(len);
        if (!f->temp_path) {
            nci_atomic_file_abort(f);
            return NC_ENOMEM;
        }
        snprintf(f->temp_path, len, "%s/.nc-spool.XXXXXX", dir);
        out = mkstemp(f->temp_path);
        if (out < 0) {
            nc_log(NULL, NC_LOG_ERROR, "cannot write %s: a temporary file in %s: %s", name, dir,
                   strerror(errno));
            free(f->temp_path);
            f->temp_path = NULL;
            nci_atomic_file_abort(f);
            return NC_EIO;
        }
        track(f->temp_path);
    } else {
        out = dup(fd); /* commit closes the copy, never the caller's descriptor */
        if (out < 0) {
            nc_log(NULL, NC_LOG_ERROR, "cannot write %s: %s", name, strerror(errno));
            nci_atomic_file_abort(f);
            return NC_EIO;
        }
    }
    f->file = fdopen(out, mode == NC_STREAM_SPOOLED ? "w+b" : "wb");
    if (!f->file) {
        close(out);
        nci_atomic_file_abort(f);
        return NC_ENOMEM;
    }
    return 0;
}

/* Copies the spooled file from its start to fd. */
static int copy_spool(FILE *file, int fd)
{
    if (fseeko(file, 0, SEEK_SET) != 0) return -1;
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), file)) > 0) {
        for (size_t done = 0; done < n;) {
            ssize_t w = write(fd, buf + done, n - done);
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) return -1;
            done += (size_t)w;
        }
    }
    return ferror(file) ? -1 : 0;
}

static int commit_stream(NCAtomicFile *f)
{
    int failed = f->file && (fflush(f->file) != 0 || ferror(f->file));
    if (!failed && f->stream == NC_STREAM_SPOOLED) {
        /* The writer may have closed its file already (a PNG writer does). */
        FILE *spool = f->file ? f->file : fopen(f->temp_path, "rb");
        failed = !spool || copy_spool(spool, f->stream_fd) != 0;
        if (spool && spool != f->file) fclose(spool);
    }
    if (failed) {
        nc_log(NULL, NC_LOG_ERROR, "cannot write %s: %s", f->target, strerror(errno));
        nci_atomic_file_abort(f);
        return NC_EIO;
    }
    nci_atomic_file_abort(f); /* closes our descriptor and removes the spool */
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
    if (f->stream) return commit_stream(f);
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
        nc_log(NULL, NC_LOG_ERROR, "cannot write %s: %s", f->target ? f->target : "?",
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
