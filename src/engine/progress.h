/* progress.h — progress on stderr: a bar with ETA on a terminal, a plain line every few
 * seconds otherwise (what a Slurm log wants). */
#ifndef SB_PROGRESS_H
#define SB_PROGRESS_H

#include <stddef.h>

typedef struct sb_progress {
    size_t total;
    double start, last;
    int tty, quiet, drawn;
    char what[64];
} sb_progress;

void sb_progress_start(sb_progress *p, const char *what, size_t total, int quiet);
void sb_progress_update(sb_progress *p, size_t done);
void sb_progress_end(sb_progress *p, size_t done);
double sb_now(void);

#endif
