/* tts_task.c — `tts eval`: test-time selection on exported feature maps (specs/tts.md).
 *
 * Units are (set, block of --block images), cost images·C·H·W. plan() opens every set and
 * checks every image's labels, counts and coordinates block by block (exit 2 naming file,
 * dataset and index, before any unit); a unit reads its block's maps once and evaluates every
 * (budget, α, perc) cell of every image. NaN/Inf in the maps fails that unit alone. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tasks/tts/tts_task.h"

static const sb_option tts_options[] = {
    {"manifest", SB_OPT_PATH, NULL, "CSV set,path[,bias_factor][,split][,arch] listing the evaluation sets", 0, SB_NO_RANGE},
    {"input", SB_OPT_PATH, NULL, "one evaluation set (HDF5 with /tts), named by its file name", 0, SB_NO_RANGE},
    {"upsample", SB_OPT_STRING, "nearest", "nearest or bilinear (align_corners=True)", 0, SB_NO_RANGE},
    {"alpha", SB_OPT_STRING, "0.4", "comma-separated weights α of the positive keypoints, in [0,1]", 0, SB_NO_RANGE},
    {"perc", SB_OPT_STRING, "0.1", "comma-separated fractions of channels kept, in (0,1]", 0, SB_NO_RANGE},
    {"budgets", SB_OPT_STRING, "1,5,20,all", "comma-separated keypoint budgets per list (positive integers or all)", 0,
     SB_NO_RANGE},
    {"kp_select", SB_OPT_STRING, "random", "random (seeded permutation) or first (file order)", 0, SB_NO_RANGE},
    {"block", SB_OPT_INT, "256", "images per work unit (memory is about block·C·H·W·4 bytes)", 0, {1, 1000000}},
    {"per_image", SB_OPT_BOOL, "false", "also write tts_images.csv (p1 per image and cell)", 0, SB_NO_RANGE},
    {NULL, 0, NULL, NULL, 0, SB_NO_RANGE}};

static int parse_list(const char *what, const char *text, int budgets, double lo, int lo_open, long *bv, double *dv,
                      size_t *n, sb_err *err)
{
    char buf[2048];
    snprintf(buf, sizeof buf, "%s", text);
    *n = 0;
    for (char *p = buf, *end; *p || !*n; p = *end ? end + 1 : end) {
        end = strchr(p, ',');
        if (!end)
            end = p + strlen(p);
        char save = *end;
        *end = '\0';
        if (*n == SB_TTS_MAX_LIST)
            return sb_fail(err, SB_EUSAGE, "%s: at most %d values", what, SB_TTS_MAX_LIST);
        char *stop;
        if (budgets && !strcmp(p, "all"))
            bv[*n] = SB_TTS_ALL;
        else if (budgets) {
            long long v;
            if (sb_parse_int(what, p, 1, 1000000000LL, &v, err))
                return SB_EUSAGE;
            bv[*n] = (long)v;
        } else {
            double v = strtod(p, &stop);
            if (!*p || *stop || !(v <= 1) || !(lo_open ? v > lo : v >= lo))
                return sb_fail(err, SB_EUSAGE, "%s: '%s' is not a number in %s%g, 1]", what, p, lo_open ? "(" : "[", lo);
            dv[*n] = v;
        }
        for (size_t k = 0; k < *n; k++)
            if (budgets ? bv[k] == bv[*n] : dv[k] == dv[*n])
                return sb_fail(err, SB_EUSAGE, "%s: '%s' is given twice", what, p);
        (*n)++;
        *end = save;
        if (!save)
            break;
    }
    return 0;
}

static int cmp_budget(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    if (x == y)
        return 0;
    if (x == SB_TTS_ALL)
        return 1;
    if (y == SB_TTS_ALL)
        return -1;
    return x < y ? -1 : 1;
}

int sb_tts_parse_grid(const char *budgets, const char *alpha, const char *perc, sb_tts_state *s, sb_err *err)
{
    int rc = parse_list("budgets", budgets, 1, 0, 0, s->budgets, NULL, &s->n_budgets, err);
    if (!rc)
        rc = parse_list("alpha", alpha, 0, 0, 0, NULL, s->alpha, &s->n_alpha, err);
    if (!rc)
        rc = parse_list("perc", perc, 0, 0, 1, NULL, s->perc, &s->n_perc, err);
    if (rc)
        return rc;
    qsort(s->budgets, s->n_budgets, sizeof s->budgets[0], cmp_budget);
    s->grid = (sb_tts_grid){s->n_budgets, s->n_alpha, s->n_perc, s->budgets, s->alpha, s->perc, s->upsample};
    return 0;
}

static int tts_open(sb_task_ctx *t, sb_err *err)
{
    sb_tts_state *s = sb_calloc(1, sizeof *s, "tts eval", err);
    if (!s)
        return SB_ENOMEM;
    t->state = s;
    char manifest[1024], input[1024];
    const char *up = sb_opts_str(t->opts, tts_options, "upsample"), *ks = sb_opts_str(t->opts, tts_options, "kp_select");
    int rc = sb_opts_path(t->opts, tts_options, "manifest", manifest, sizeof manifest, err);
    if (!rc)
        rc = sb_opts_path(t->opts, tts_options, "input", input, sizeof input, err);
    if (!rc && !manifest[0] == !input[0])
        rc = sb_fail(err, SB_EUSAGE, "%s: give exactly one of manifest and input", t->opts->where);
    if (!rc && strcmp(up, "nearest") && strcmp(up, "bilinear"))
        rc = sb_fail(err, SB_EUSAGE, "%s: upsample must be nearest or bilinear, not '%s'", t->opts->where, up);
    if (!rc && strcmp(ks, "random") && strcmp(ks, "first"))
        rc = sb_fail(err, SB_EUSAGE, "%s: kp_select must be random or first, not '%s'", t->opts->where, ks);
    s->upsample = strcmp(up, "bilinear") ? SB_TTS_NEAREST : SB_TTS_BILINEAR;
    s->kp_first = !strcmp(ks, "first");
    if (!rc)
        rc = sb_opts_long(t->opts, tts_options, "block", &s->block, err);
    if (!rc)
        rc = sb_opts_bool(t->opts, tts_options, "per_image", &s->per_image, err);
    if (!rc)
        rc = sb_tts_parse_grid(sb_opts_str(t->opts, tts_options, "budgets"), sb_opts_str(t->opts, tts_options, "alpha"),
                               sb_opts_str(t->opts, tts_options, "perc"), s, err);
    if (rc)
        return rc == SB_EUSAGE ? rc : SB_EUSAGE;
    if (input[0]) {
        s->sets = sb_calloc(1, sizeof *s->sets, "tts eval", err);
        if (!s->sets)
            return SB_ENOMEM;
        sb_tts_single_set(input, s->sets);
        s->n_sets = 1;
        return 0;
    }
    rc = sb_tts_manifest_read(manifest, &s->sets, &s->n_sets, err);
    return rc == SB_ENOMEM ? rc : rc ? SB_EUSAGE : 0;
}

static void tts_close(sb_task_ctx *t)
{
    sb_tts_state *s = t->state;
    if (s)
        free(s->sets);
    free(s);
    t->state = NULL;
}

/* Checks a whole set, block by block (memory bounded by the block), and lists its units. */
static int plan_set(const sb_tts_state *s, size_t k, sb_units *units, sb_err *err)
{
    sb_tts_set set;
    int rc = sb_tts_set_open(&s->sets[k], s->upsample, &set, err);
    if (rc)
        return rc;
    sb_tts_block b;
    memset(&b, 0, sizeof b);
    size_t B = (size_t)s->block;
    for (size_t first = 0; first < set.N && !rc; first += B) {
        size_t n = set.N - first < B ? set.N - first : B;
        rc = sb_tts_block_read(&set, first, n, 0, &b, err);
        char key[400];
        snprintf(key, sizeof key, "%s/%zu-%zu", s->sets[k].name, first, first + n - 1);
        if (!rc)
            rc = sb_units_add(units, key, (double)n * (double)(set.C * set.H * set.W), (int64_t)(k << 32 | first / B), err);
    }
    if (!rc && set.has_ids) {
        size_t nid = 0;
        char **ids = NULL;
        rc = sb_h5_read_strings(&set.f, "/tts/image_id", &nid, &ids, err);
        if (!rc && nid != set.N)
            rc = sb_fail(err, SB_EINPUT, "%s: /tts/image_id has %zu entries, features %zu images", set.f.path, nid, set.N);
        sb_h5_free_strings(ids, nid);
    }
    sb_tts_block_free(&b);
    sb_tts_set_close(&set);
    return rc;
}

static int tts_plan(sb_task_ctx *t, sb_units *units, sb_err *err)
{
    sb_tts_state *s = t->state;
    int rc = 0;
    for (size_t k = 0; k < s->n_sets && !rc; k++)
        rc = plan_set(s, k, units, err);
    return rc == SB_ENOMEM || rc == SB_EIO ? rc : rc ? SB_EINPUT : 0;
}

void sb_tts_put_head(sb_buf *b, const sb_tts_rec_head *h)
{
    sb_buf_put_str(b, h->set);
    sb_buf_put_str(b, h->arch);
    sb_buf_put_u64(b, (uint64_t)(h->has_bf | h->has_split << 1 | h->has_group << 2 | h->has_id << 3));
    sb_buf_put_f64(b, h->bf);
    sb_buf_put_i64(b, h->split);
    sb_buf_put_u64(b, h->C);
    sb_buf_put_u64(b, h->first);
    sb_buf_put_u64(b, h->n);
}

int sb_tts_get_head(sb_reader *r, sb_tts_rec_head *h)
{
    sb_get_str(r, h->set, sizeof h->set);
    sb_get_str(r, h->arch, sizeof h->arch);
    uint64_t f = sb_get_u64(r);
    h->has_bf = f & 1;
    h->has_split = f >> 1 & 1;
    h->has_group = f >> 2 & 1;
    h->has_id = f >> 3 & 1;
    h->bf = sb_get_f64(r);
    h->split = sb_get_i64(r);
    h->C = sb_get_u64(r);
    h->first = sb_get_u64(r);
    h->n = sb_get_u64(r);
    return r->bad;
}

/* Per image: label, group, id, the model's p1 and prediction, keypoints used per budget, cells. */
static void put_image(sb_buf *rec, const sb_tts_state *s, const sb_tts_block *b, size_t i, const char *id,
                      const sb_tts_result *res)
{
    size_t ncell = s->n_budgets * s->n_alpha * s->n_perc;
    sb_buf_put_i64(rec, b->label[i]);
    sb_buf_put_i64(rec, b->group[i]);
    sb_buf_put_str(rec, id);
    sb_buf_put_f64(rec, res->p1_none);
    sb_buf_put_u64(rec, (uint64_t)res->pred_none);
    for (size_t k = 0; k < s->n_budgets; k++)
        sb_buf_put_u64(rec, (uint64_t)res->n_pos_used[k] << 32 | res->n_neg_used[k]);
    for (size_t k = 0; k < ncell; k++) {
        const sb_tts_cell *c = &res->cell[k];
        sb_buf_put_f64(rec, c->p1);
        sb_buf_put_u64(rec, (uint64_t)c->pred | (uint64_t)c->boundary_tie << 1 | (uint64_t)c->no_keypoints << 2 |
                                (uint64_t)c->n_zeroed << 8);
    }
}

typedef struct unit_mem {
    sb_tts_block b;
    sb_tts_work w;
    sb_tts_result res;
    size_t *order_pos, *order_neg;
    char **ids;
    size_t n_ids;
} unit_mem;

static int unit_alloc(const sb_tts_state *s, const sb_tts_set *set, unit_mem *m, sb_err *err)
{
    size_t kp = set->P > set->Q ? set->P : set->Q;
    int rc = sb_tts_work_init(&m->w, set->C, kp, err);
    if (rc)
        return rc;
    m->res.n_pos_used = sb_malloc(s->n_budgets * sizeof *m->res.n_pos_used, "tts result", err);
    m->res.n_neg_used = sb_malloc(s->n_budgets * sizeof *m->res.n_neg_used, "tts result", err);
    m->res.cell = sb_malloc(s->n_budgets * s->n_alpha * s->n_perc * sizeof *m->res.cell, "tts result", err);
    m->order_pos = sb_malloc((kp + 1) * sizeof *m->order_pos, "tts keypoint order", err);
    m->order_neg = sb_malloc((kp + 1) * sizeof *m->order_neg, "tts keypoint order", err);
    return m->res.n_pos_used && m->res.n_neg_used && m->res.cell && m->order_pos && m->order_neg ? 0 : SB_ENOMEM;
}

static void unit_free(unit_mem *m)
{
    sb_tts_block_free(&m->b);
    sb_tts_work_free(&m->w);
    free(m->res.n_pos_used);
    free(m->res.n_neg_used);
    free(m->res.cell);
    free(m->order_pos);
    free(m->order_neg);
    sb_h5_free_strings(m->ids, m->n_ids);
}

static int eval_block(const sb_tts_state *s, const sb_tts_set *set, const char *name, uint64_t seed, unit_mem *m,
                      sb_buf *rec, sb_err *err)
{
    sb_tts_model model = {set->C, set->H, set->W, set->S, set->weight, set->bias};
    size_t map = set->C * set->H * set->W;
    int rc = 0;
    for (size_t i = 0; i < m->b.n && !rc; i++) {
        size_t np = (size_t)m->b.pos_count[i], nn = (size_t)m->b.neg_count[i], img = m->b.first + i;
        if (s->kp_first) {
            for (size_t k = 0; k < np; k++)
                m->order_pos[k] = k;
            for (size_t k = 0; k < nn; k++)
                m->order_neg[k] = k;
        } else
            sb_tts_random_order(seed, name, img, np, nn, m->order_pos, m->order_neg);
        sb_tts_image im = {m->b.A + i * map, m->b.pos + i * set->P * 2, m->b.neg + i * set->Q * 2, np, nn,
                           m->order_pos, m->order_neg};
        rc = sb_tts_eval_image(&model, &s->grid, &im, &m->w, &m->res, err);
        char idx[32];
        snprintf(idx, sizeof idx, "%zu", img);
        if (!rc)
            put_image(rec, s, &m->b, i, m->ids ? m->ids[img] : idx, &m->res);
    }
    return rc;
}

static int tts_run_unit(sb_task_ctx *t, const sb_unit *u, sb_buf *rec, char *stage, size_t scap, sb_err *err)
{
    sb_tts_state *s = t->state;
    size_t k = (size_t)((uint64_t)u->arg >> 32), blk = (size_t)(u->arg & 0xffffffff);
    snprintf(stage, scap, "read");
    if (k >= s->n_sets)
        return sb_fail(err, SB_EINPUT, "tts: unit %s names set %zu of %zu", u->key, k, s->n_sets);
    sb_tts_set set;
    int rc = sb_tts_set_open(&s->sets[k], s->upsample, &set, err);
    if (rc)
        return rc;
    unit_mem m;
    memset(&m, 0, sizeof m);
    size_t first = blk * (size_t)s->block;
    size_t n = first < set.N ? (set.N - first < (size_t)s->block ? set.N - first : (size_t)s->block) : 0;
    if (!n)
        rc = sb_fail(err, SB_EINPUT, "%s: block at image %zu is past its %zu images", set.f.path, first, set.N);
    if (!rc)
        rc = unit_alloc(s, &set, &m, err);
    if (!rc && s->per_image && set.has_ids)
        rc = sb_h5_read_strings(&set.f, "/tts/image_id", &m.n_ids, &m.ids, err);
    if (!rc && m.ids && m.n_ids != set.N)
        rc = sb_fail(err, SB_EINPUT, "%s: /tts/image_id has %zu entries, features %zu images", set.f.path, m.n_ids, set.N);
    if (!rc)
        rc = sb_tts_block_read(&set, first, n, 1, &m.b, err);
    if (!rc) {
        snprintf(stage, scap, "compute");
        sb_tts_rec_head h = {.has_bf = set.has_bf, .has_split = set.has_split, .has_group = set.has_group,
                             .has_id = m.ids != NULL, .bf = set.bf, .split = set.split, .C = set.C,
                             .first = first, .n = n};
        snprintf(h.set, sizeof h.set, "%s", s->sets[k].name);
        snprintf(h.arch, sizeof h.arch, "%s", set.arch);
        sb_tts_put_head(rec, &h);
        rc = eval_block(s, &set, s->sets[k].name, t->seed, &m, rec, err);
    }
    unit_free(&m);
    sb_tts_set_close(&set);
    return rc;
}

const sb_task sb_task_tts = {
    .name = "tts",
    .summary = "test-time selection of feature channels at keypoints: AUC per set, budget, alpha, perc (specs/tts.md)",
    .cli = {"tts", "eval", "test-time channel selection on exported feature maps (specs/tts.md)"},
    .tables = (const char *const[]){"tts", "tts_summary", "tts_images", NULL},
    .options = tts_options,
    .open = tts_open,
    .plan = tts_plan,
    .run_unit = tts_run_unit,
    .finish = sb_tts_finish,
    .close = tts_close,
};
