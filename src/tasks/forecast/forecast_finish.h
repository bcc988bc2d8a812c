/* forecast_finish.h — the forecasting tables (forecasting.csv, forecasting_logs.csv) from the
 * records of the units, in unit order (forecast_record.h has their layout). */
#ifndef SB_FORECAST_FINISH_H
#define SB_FORECAST_FINISH_H

#include <stddef.h>

#include "core/err.h"
#include "engine/task.h"
#include "store/table.h"

/* records[i] belongs to units[i]; failed or absent records are skipped. A record that does
 * not decode exactly is SB_EINPUT naming its unit, never read past its end. */
int sb_fc_finish(const sb_unit *units, const sb_record *records, size_t n, sb_tables *out,
                 sb_err *err);

#endif
