/* explain_table.h — explain's unit records and explain.csv.
 *
 * A record: the concept (index, name), dataset, classifier, f-space, then per target its
 * class (index, name), sign and every estimate (doubles as raw bytes, NaN = empty). finish
 * turns the records, in unit order = (concept, class) order, into one row per target. */
#ifndef SB_EXPLAIN_TABLE_H
#define SB_EXPLAIN_TABLE_H

#include "core/buf.h"
#include "engine/task.h"
#include "tasks/explain/explain_input.h"
#include "tasks/explain/explain_stats.h"

void sb_explain_row_header(sb_buf *rec, const sb_explain_input *in, sb_ex_space space, size_t j, size_t ntargets);
void sb_explain_row_put(sb_buf *rec, const sb_explain_input *in, size_t k, int sign, const sb_explain_est *e);
int sb_explain_table(const sb_unit *units, const sb_record *records, size_t n, sb_tables *out, sb_err *err);

#endif
