#include "apps/common/progress.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "apps/common/cli.h"

/* The bar on screen, if any: messages printed meanwhile erase it first. */
static NCProgress *active;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void progress_format_si(char *buf, int size, double v, const char *unit)
{
    static const char prefix[] = {' ', 'k', 'M', 'G', 'T'};
    int i = 0;
    while (v >= 1000.0 && i < 4) {
        v /= 1000.0;
        i++;
    }
    if (i == 0)
        snprintf(buf, (size_t)size, "%.*f %s", v < 10 && v != (int)v ? 1 : 0, v, unit);
    else
        snprintf(buf, (size_t)size, "%.*f %c%s", v < 10 ? 2 : v < 100 ? 1 : 0, v, prefix[i], unit);
}

void progress_start(NCProgress *p, const char *label, const char *unit, int64_t total)
{
    memset(p, 0, sizeof(*p));
    p->enabled = !cli_is_quiet() && isatty(STDERR_FILENO);
    p->label = label;
    p->unit = unit;
    p->total = total;
    p->start = now_seconds();
}

static void format_duration(char *buf, size_t size, double s)
{
    long t = (long)(s + 0.5);
    if (t >= 3600)
        snprintf(buf, size, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(buf, size, "%ld:%02ld", t / 60, t % 60);
}

static void draw(NCProgress *p, double t)
{
    double elapsed = t - p->start;
    double rate = elapsed > 0 ? (double)p->done / elapsed : 0.0;
    char rate_text[32], unit_rate[24], line[160];
    snprintf(unit_rate, sizeof(unit_rate), "%s/s", p->unit);
    progress_format_si(rate_text, sizeof(rate_text), rate, unit_rate);

    if (p->total > 0) {
        double frac = (double)p->done / (double)p->total;
        if (frac > 1.0) frac = 1.0;
        char bar[31], eta[24] = "--:--";
        int fill = (int)(frac * 30.0);
        memset(bar, '#', (size_t)fill);
        memset(bar + fill, '.', (size_t)(30 - fill));
        bar[30] = '\0';
        if (rate > 0) format_duration(eta, sizeof(eta), (double)(p->total - p->done) / rate);
        snprintf(line, sizeof(line), "%s [%s] %3.0f%%  %s  ETA %s", p->label, bar, frac * 100.0,
                 rate_text, eta);
    } else {
        char done_text[32], elapsed_text[24];
        progress_format_si(done_text, sizeof(done_text), (double)p->done, p->unit);
        format_duration(elapsed_text, sizeof(elapsed_text), elapsed);
        snprintf(line, sizeof(line), "%s %s  %s  %s", p->label, done_text, rate_text,
                 elapsed_text);
    }
    /* \r and clear to end of line: the bar is redrawn in place. */
    fprintf(stderr, "\r%s\033[K", line);
    fflush(stderr);
    p->drawn = 1;
    p->last_draw = t;
    active = p;
}

void progress_update(NCProgress *p, int64_t done)
{
    p->done = done;
    if (!p->enabled) return;
    double t = now_seconds();
    if (t - p->last_draw >= 0.2 && t - p->start >= 0.5) draw(p, t);
}

void progress_finish(NCProgress *p)
{
    if (p->enabled && p->drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    p->drawn = 0;
    if (active == p) active = NULL;
}

void progress_clear_line(void)
{
    if (active && active->drawn) {
        fputs("\r\033[K", stderr);
        active->drawn = 0;
    }
}
