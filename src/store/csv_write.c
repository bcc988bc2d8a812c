#include "store/csv_write.h"

#include <csv.h>
#include <inttypes.h>
#include <string.h>

#include "store/atomic.h"

void sb_csv_put_field(FILE *fp, const char *s)
{
    if (strpbrk(s, ",\"\r\n") || (s[0] == ' ' || (s[0] && s[strlen(s) - 1] == ' ')))
        csv_fwrite(fp, s, strlen(s));
    else
        fputs(s, fp);
}

int sb_csv_write_table(const sb_table *t, const char *path, sb_err *err)
{
    sb_atomic a;
    int rc = sb_atomic_open(&a, path, err);
    if (rc)
        return rc;
    for (size_t c = 0; c < t->ncols; c++) {
        if (c)
            fputc(',', a.fp);
        sb_csv_put_field(a.fp, t->cols[c]);
    }
    fputc('\n', a.fp);
    char num[64];
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++) {
            if (c)
                fputc(',', a.fp);
            const sb_cell *cell = sb_table_cell(t, r, c);
            switch (cell->kind) {
            case SB_CELL_NUM:
                sb_format_double(cell->num, num, sizeof num);
                fputs(num, a.fp);
                break;
            case SB_CELL_INT:
                fprintf(a.fp, "%" PRId64, cell->i);
                break;
            case SB_CELL_STR:
                sb_csv_put_field(a.fp, cell->str);
                break;
            case SB_CELL_EMPTY:
                break;
            }
        }
        fputc('\n', a.fp);
    }
    return sb_atomic_commit(&a, err);
}
