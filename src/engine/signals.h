/* signals.h — SIGTERM/SIGINT (what Slurm sends before a time limit) ask the run to stop
 * handing out work; the current unit finishes and is journaled. A second signal falls
 * back to the default action, so an impatient Ctrl-C still ends the process. */
#ifndef SB_SIGNALS_H
#define SB_SIGNALS_H

void sb_signals_install(void);
/* Nonzero once a stop was asked for (the signal number). */
int sb_signal_pending(void);

#endif
