/* more_thuente.h — the Moré–Thuente line search as MINPACK-2's dcsrch/dcstep (the copy inside
 * scipy 1.10's lbfgsb.f), step for step, so that a replay takes the same trial steps.
 *
 * Moré & Thuente, "Line search algorithms with guaranteed sufficient decrease", ACM TOMS 20
 * (1994). Written from the paper and the routines' documented algorithm: φ(a) = f(x + a·d);
 * find a with φ(a) ≤ φ(0) + ftol·a·φ'(0) and |φ'(a)| ≤ gtol·|φ'(0)|; trial steps from
 * safeguarded cubic/quadratic/secant interpolation, a modified function φ(a) − ftol·a·φ'(0)
 * in the first stage, bisection when the bracket does not shrink fast enough. */
#ifndef SB_MORE_THUENTE_H
#define SB_MORE_THUENTE_H

typedef struct sb_mt_search {
    double ftol, gtol, xtol, stpmin, stpmax;  /* parameters */
    int brackt, stage;
    double finit, ginit, gtest;
    double stx, fx, gx;   /* best step so far with φ, φ' there */
    double sty, fy, gy;   /* other end of the interval */
    double stmin, stmax;  /* where the next trial may lie */
    double width, width1; /* interval widths of the last two iterations */
} sb_mt_search;

/* Starts a search at φ(0) = f, φ'(0) = g < 0, first trial stp in [stpmin, stpmax]. */
void sb_mt_start(sb_mt_search *s, double f, double g, double stp);

/* φ(*stp) = f, φ'(*stp) = g: returns 1 when *stp is accepted (dcsrch's CONVERGENCE or any
 * WARNING), else 0 with the next trial in *stp. */
int sb_mt_next(sb_mt_search *s, double f, double g, double *stp);

#endif
