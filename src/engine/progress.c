#include "engine/progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

double sb_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void sb_progress_start(sb_progress *p, const char *what, size_t total, int quiet)
{
    p->total = total;
    p->start = p->last = sb_now();
    p->tty = isatty(2);
    p->quiet = quiet;
    p->drawn = 0;
    snprintf(p->what, sizeof p->what, "%s", what);
}

static void fmt_time(double s, char *buf, size_t cap)
{
    long t = (long)(s + 0.5);
    if (t >= 3600)
        snprintf(buf, cap, "%ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
    else
        snprintf(buf, cap, "%ld:%02ld", t / 60, t % 60);
}

static void draw(sb_progress *p, size_t done, int final)
{
    double el = sb_now() - p->start;
    char eta[32] = "--:--", elapsed[32];
    if (done > 0 && done < p->total)
        fmt_time(el / (double)done * (double)(p->total - done), eta, sizeof eta);
    else if (done >= p->total)
        fmt_time(0, eta, sizeof eta);
    fmt_time(el, elapsed, sizeof elapsed);
    int pct = p->total ? (int)(100.0 * (double)done / (double)p->total) : 100;
    if (p->tty) {
        char bar[31];
        int fill = p->total ? (int)(30.0 * (double)done / (double)p->total) : 30;
        for (int i = 0; i < 30; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[30] = '\0';
        fprintf(stderr, "\r%s [%s] %zu/%zu %3d%%  %s elapsed  ETA %s%s", p->what, bar, done,
                p->total, pct, elapsed, eta, final ? "\n" : "");
    } else {
        fprintf(stderr, "shardbench: %s %zu/%zu units done (%d%%), %s elapsed, ETA %s\n", p->what,
                done, p->total, pct, elapsed, eta);
    }
    fflush(stderr);
    p->drawn = 1;
}

void sb_progress_update(sb_progress *p, size_t done)
{
    if (p->quiet)
        return;
    double t = sb_now();
    if (t - p->last < (p->tty ? 0.2 : 5.0))
        return;
    p->last = t;
    draw(p, done, 0);
}

void sb_progress_end(sb_progress *p, size_t done)
{
    if (p->quiet || (!p->drawn && !p->tty))
        return;
    draw(p, done, 1);
}
