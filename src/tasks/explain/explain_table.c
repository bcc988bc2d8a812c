#include "tasks/explain/explain_table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const SPACE_NAMES[] = {"prob", "logit", "decision"};

static const char *const COLS[] = {
    "dataset", "classifier", "concept", "target_class", "expected_sign", "f_space", "n_pairs", "n_add",
    "n_remove", "cace", "cace_sd", "cace_ci_lo", "cace_ci_hi", "cace_boot_lo", "cace_boot_hi", "cace_add",
    "cace_remove", "p_plus", "p_minus", "pns", "pns_ci_lo", "pns_ci_hi", "pns_rev", "pns_lb", "pns_ub",
    "sign_n_pos", "sign_n_neg", "sign_test_p", "accepted", "reason"};
#define NCOLS (sizeof COLS / sizeof COLS[0])
#define NVAL 17 /* doubles per target: cace .. pns_ub (16 table columns) and sign_test_p */

void sb_explain_row_header(sb_buf *rec, const sb_explain_input *in, sb_ex_space space, size_t j, size_t ntargets)
{
    sb_buf_put_u64(rec, j);
    sb_buf_put_str(rec, in->concepts[j]);
    sb_buf_put_str(rec, in->dataset);
    sb_buf_put_str(rec, in->classifier);
    sb_buf_put_str(rec, SPACE_NAMES[space]);
    sb_buf_put_u64(rec, ntargets);
}

void sb_explain_row_put(sb_buf *rec, const sb_explain_input *in, size_t k, int sign, const sb_explain_est *e)
{
    sb_buf_put_u64(rec, k);
    sb_buf_put_str(rec, in->classes[k]);
    sb_buf_put_i64(rec, sign);
    const int64_t counts[5] = {e->n_pairs, e->n_add, e->n_remove, e->sign_n_pos, e->sign_n_neg};
    for (int c = 0; c < 5; c++)
        sb_buf_put_i64(rec, counts[c]);
    const double v[NVAL] = {e->cace, e->cace_sd, e->ci_lo, e->ci_hi, e->boot_lo, e->boot_hi,
                            e->cace_add, e->cace_remove, e->p_plus, e->p_minus, e->pns, e->pns_ci_lo,
                            e->pns_ci_hi, e->pns_rev, e->pns_lb, e->pns_ub, e->sign_p};
    for (int c = 0; c < NVAL; c++)
        sb_buf_put_f64(rec, v[c]);
    sb_buf_put_i64(rec, e->accepted);
    sb_buf_put_u64(rec, e->reasons);
}

/* One target of a record into a new row of tab. */
static int add_target(sb_table *tab, sb_reader *rd, char *const head[4], sb_err *err)
{
    sb_get_u64(rd); /* class index: the record order is already (concept, class) */
    char cls[1024];
    sb_get_str(rd, cls, sizeof cls);
    int64_t sign = sb_get_i64(rd), counts[5];
    for (int c = 0; c < 5; c++)
        counts[c] = sb_get_i64(rd);
    double v[NVAL];
    for (int c = 0; c < NVAL; c++)
        v[c] = sb_get_f64(rd);
    int64_t accepted = sb_get_i64(rd);
    unsigned reasons = (unsigned)sb_get_u64(rd);
    if (rd->bad)
        return -1;
    size_t row;
    char why[256];
    sb_explain_reason_text(reasons, why, sizeof why);
    int rc = sb_table_add_row(tab, &row, err);
    if (!rc)
        rc = sb_table_set_str(tab, row, 0, head[0], err);
    if (!rc)
        rc = sb_table_set_str(tab, row, 1, head[1], err);
    if (!rc)
        rc = sb_table_set_str(tab, row, 2, head[2], err);
    if (!rc)
        rc = sb_table_set_str(tab, row, 3, cls, err);
    if (!rc)
        rc = sb_table_set_str(tab, row, 5, head[3], err);
    if (!rc)
        rc = sb_table_set_str(tab, row, 29, why, err);
    if (rc)
        return rc;
    sb_table_set_int(tab, row, 4, sign);
    for (int c = 0; c < 3; c++)
        sb_table_set_int(tab, row, 6 + (size_t)c, counts[c]);
    for (int c = 0; c < 16; c++)
        sb_table_set_num(tab, row, 9 + (size_t)c, v[c]);
    sb_table_set_int(tab, row, 25, counts[3]);
    sb_table_set_int(tab, row, 26, counts[4]);
    sb_table_set_num(tab, row, 27, v[16]);
    if (accepted >= 0)
        sb_table_set_int(tab, row, 28, accepted);
    return 0;
}

static int add_record(sb_table *tab, const sb_record *r, const char *key, sb_err *err)
{
    sb_reader rd;
    sb_reader_init(&rd, r->data, r->len);
    sb_get_u64(&rd);
    char *head[4] = {NULL, NULL, NULL, NULL}, *concept = sb_get_strdup(&rd);
    head[0] = sb_get_strdup(&rd);
    head[1] = sb_get_strdup(&rd);
    head[2] = concept;
    head[3] = sb_get_strdup(&rd);
    /* each target takes more than 8 bytes × 26 of the record */
    uint64_t nt = sb_get_count(&rd, 8 * 26, UINT64_MAX);
    int rc = rd.bad ? -1 : 0;
    for (uint64_t x = 0; x < nt && !rc; x++)
        rc = add_target(tab, &rd, head, err);
    for (int i = 0; i < 4; i++)
        free(head[i]);
    if (rc < 0)
        return sb_fail(err, SB_EINPUT, "journal record of explain unit %s is corrupt", key);
    return rc;
}

int sb_explain_table(const sb_unit *units, const sb_record *records, size_t n, sb_tables *out, sb_err *err)
{
    sb_table *tab;
    int rc = sb_tables_add(out, "explain", NCOLS, COLS, &tab, err);
    for (size_t i = 0; i < n && !rc; i++)
        if (records[i].data && !records[i].failed)
            rc = add_record(tab, &records[i], units[i].key, err);
    return rc;
}
