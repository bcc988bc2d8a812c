/* fuzz_csv.c — the generic CSV reader and its field converters: any bytes give a table or one
 * error line; every cell converts to a number or an integer or says why not. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/csv_read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sb_csv t;
    sb_err err = {0};
    if (sb_csv_read_bytes(&t, "fuzz.csv", (const char *)data, size, &err)) {
        if (!err.msg[0] || strchr(err.msg, '\n'))
            abort();
        return 0;
    }
    size_t col;
    if (t.ncols && sb_csv_col(&t, t.header[t.ncols - 1], &col, &err))
        abort(); /* a name of the header is found */
    sb_csv_col(&t, "no such column", &col, &err);
    for (size_t r = 0; r < t.nrows; r++)
        for (size_t c = 0; c < t.ncols; c++) {
            double v;
            long long n;
            if (sb_csv_number(&t, r, c, &v, &err) == 0 && (v != v || v - v != 0))
                abort(); /* only finite numbers pass */
            sb_csv_int64(&t, r, c, -1000, 1000, &n, &err);
        }
    sb_csv_free(&t);
    return 0;
}
