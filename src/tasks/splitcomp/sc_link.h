/* sc_link.h — the uplink as the spec models it: capacity c(t) piecewise constant over a
 * trace, a payload of B bits entering at u leaves after the least T with ∫_u^{u+T} c = B. */
#ifndef SB_SC_LINK_H
#define SB_SC_LINK_H

#include "tasks/splitcomp/sc_input.h"

enum { SC_END_LOOP = 0, SC_END_HOLD = 1 };

/* Seconds to send bits (> 0) entering at u >= 0. Past the trace's duration the capacity
 * repeats (loop; the trace must carry bits) or keeps the last rate (hold; it must be > 0):
 * the caller checks those, so the walk always ends. */
double sc_tx_time(const sc_trace *tr, int end, double u, double bits);

#endif
