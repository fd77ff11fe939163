/* The one progress bar of the apps: a line on stderr, redrawn a few times a
 * second, with percent, rate and time left. Drawn only when stderr is a
 * terminal and -q was not given, so logs and pipes stay clean. */
#ifndef NC_APPS_PROGRESS_H
#define NC_APPS_PROGRESS_H

#include <stdint.h>

typedef struct NCProgress {
    int enabled;
    const char *label; /* "encoding", ... */
    const char *unit;  /* what done/total count: "samples", "frames", "B" */
    int64_t total;     /* <= 0 when unknown: no percent or time left */
    int64_t done;
    double start, last_draw;
    int drawn;
} NCProgress;

/* Starts a bar; it stays silent unless stderr is a terminal and the app is not -q. */
void progress_start(NCProgress *p, const char *label, const char *unit, int64_t total);
/* Records progress; redraws at most every 0.2 s. */
void progress_update(NCProgress *p, int64_t done);
/* Erases the bar (call before printing anything else, and at the end). */
void progress_finish(NCProgress *p);

/* Erases the bar of a running progress if one is drawn, so that a message can
 * be printed; the next update redraws it. */
void progress_clear_line(void);

/* Formats v with an SI prefix and unit ("1.46 Msamples") into buf. */
void progress_format_si(char *buf, int size, double v, const char *unit);

#endif
