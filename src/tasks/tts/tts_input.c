#include "tasks/tts/tts_input.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/options.h"
#include "io/csv_read.h"
#include "tasks/tts/tts_select.h"

static long find_col(const sb_csv *t, const char *name)
{
    for (size_t c = 0; c < t->ncols; c++)
        if (!strcmp(t->header[c], name))
            return (long)c;
    return -1;
}

/* The optional columns of one manifest row; an empty cell counts as not given. */
static int manifest_extras(const sb_csv *t, size_t r, const long col[3], sb_tts_set_spec *s, sb_err *err)
{
    int rc = 0;
    if (col[0] >= 0 && sb_csv_get(t, r, (size_t)col[0])[0]) {
        s->has_bf = 1;
        rc = sb_csv_number(t, r, (size_t)col[0], &s->bf, err);
    }
    if (!rc && col[1] >= 0 && sb_csv_get(t, r, (size_t)col[1])[0]) {
        s->has_split = 1;
        rc = sb_csv_int64(t, r, (size_t)col[1], -1000000000LL, 1000000000LL, &s->split, err);
    }
    if (!rc && col[2] >= 0 && sb_csv_get(t, r, (size_t)col[2])[0]) {
        s->has_arch = 1;
        snprintf(s->arch, sizeof s->arch, "%s", sb_csv_get(t, r, (size_t)col[2]));
    }
    return rc;
}

int sb_tts_manifest_read(const char *path, sb_tts_set_spec **sets, size_t *n, sb_err *err)
{
    *sets = NULL;
    *n = 0;
    sb_csv t;
    int rc = sb_csv_read(&t, path, err);
    if (rc)
        return rc;
    size_t cs, cp;
    long extra[3] = {find_col(&t, "bias_factor"), find_col(&t, "split"), find_col(&t, "arch")};
    if ((rc = sb_csv_col(&t, "set", &cs, err)) || (rc = sb_csv_col(&t, "path", &cp, err))) {
        sb_csv_free(&t);
        return rc;
    }
    char dir[1024];
    const char *slash = strrchr(path, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
    sb_tts_set_spec *s = sb_calloc(t.nrows ? t.nrows : 1, sizeof *s, "tts manifest", err);
    if (!s)
        rc = SB_ENOMEM;
    for (size_t r = 0; r < t.nrows && !rc; r++) {
        const char *name = sb_csv_get(&t, r, cs), *p = sb_csv_get(&t, r, cp);
        if (!name[0] || !p[0] || strlen(name) >= sizeof s[r].name || strchr(name, '/'))
            rc = sb_fail(err, SB_EINPUT, "%s line %zu: set and path must be non-empty, the set without '/' and under %zu bytes",
                         path, t.line[r], sizeof s[r].name);
        for (size_t q = 0; q < r && !rc; q++)
            if (!strcmp(s[q].name, name))
                rc = sb_fail(err, SB_EINPUT, "%s lines %zu and %zu: set '%s' is named twice", path, t.line[q], t.line[r],
                             name);
        if (rc)
            break;
        snprintf(s[r].name, sizeof s[r].name, "%s", name);
        sb_path_join(dir, p, s[r].path, sizeof s[r].path);
        rc = manifest_extras(&t, r, extra, &s[r], err);
    }
    if (!rc && t.nrows == 0)
        rc = sb_fail(err, SB_EINPUT, "%s: the manifest lists no set", path);
    if (!rc) {
        *sets = s;
        *n = t.nrows;
    } else
        free(s);
    sb_csv_free(&t);
    return rc;
}

void sb_tts_single_set(const char *path, sb_tts_set_spec *s)
{
    memset(s, 0, sizeof *s);
    snprintf(s->path, sizeof s->path, "%s", path);
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t len = strlen(base);
    if (len > 3 && !strcmp(base + len - 3, ".h5"))
        len -= 3;
    snprintf(s->name, sizeof s->name, "%.*s", (int)len, base);
}

/* Opens an integer row dataset and checks its shape against the expected leading dims. */
static int open_ints(sb_tts_set *s, const char *name, int rank, const size_t *want, sb_h5_rows *r, sb_err *err)
{
    int rc = sb_h5_rows_open(&s->f, name, rank, 0, r, err);
    for (int i = 0; i < rank && !rc; i++)
        if (want[i] != (size_t)-1 && r->dims[i] != want[i])
            rc = sb_fail(err, SB_EINPUT, "%s: %s has %zu entries on axis %d, expected %zu", s->f.path, name, r->dims[i],
                         i, want[i]);
    return rc;
}

static int read_meta(const sb_tts_set_spec *spec, sb_tts_set *s, sb_err *err)
{
    const char *g = "/tts";
    int rc = 0;
    double v;
    s->S = 224;
    if (sb_h5_attr_exists(&s->f, g, "input_size") && !(rc = sb_h5_attr_f64(&s->f, g, "input_size", &v, err))) {
        if (!(v >= 1 && v <= 1e6 && v == floor(v)))
            rc = sb_fail(err, SB_EINPUT, "%s: /tts attribute input_size = %g is not a positive integer", s->f.path, v);
        s->S = (long)v;
    }
    s->has_bf = spec->has_bf;
    s->bf = spec->bf;
    if (!rc && !s->has_bf && sb_h5_attr_exists(&s->f, g, "bias_factor")) {
        s->has_bf = 1;
        rc = sb_h5_attr_f64(&s->f, g, "bias_factor", &s->bf, err);
    }
    s->has_split = spec->has_split;
    s->split = spec->split;
    if (!rc && !s->has_split && sb_h5_attr_exists(&s->f, g, "split")) {
        s->has_split = 1;
        rc = sb_h5_attr_f64(&s->f, g, "split", &v, err);
        if (!rc && !(fabs(v) <= 1e9 && v == floor(v)))
            rc = sb_fail(err, SB_EINPUT, "%s: /tts attribute split = %g is not an integer", s->f.path, v);
        s->split = (long long)v;
    }
    snprintf(s->arch, sizeof s->arch, "%s", spec->has_arch ? spec->arch : "");
    if (!rc && !spec->has_arch && sb_h5_attr_exists(&s->f, g, "arch"))
        rc = sb_h5_attr_string(&s->f, g, "arch", s->arch, sizeof s->arch, err);
    return rc;
}

static int read_fc(sb_tts_set *s, sb_err *err)
{
    size_t d[SB_H5_MAXRANK];
    int rc = sb_h5_read_f64(&s->f, "/tts/fc/weight", 2, d, &s->weight, err);
    if (!rc && (d[0] != 2 || d[1] != s->C))
        rc = sb_fail(err, SB_EINPUT, "%s: /tts/fc/weight has shape (%zux%zu), expected (2x%zu): K must be 2 and C that of features",
                     s->f.path, d[0], d[1], s->C);
    if (!rc)
        rc = sb_h5_read_f64(&s->f, "/tts/fc/bias", 1, d, &s->bias, err);
    if (!rc && d[0] != 2)
        rc = sb_fail(err, SB_EINPUT, "%s: /tts/fc/bias has %zu entries, expected 2", s->f.path, d[0]);
    return rc;
}

static int open_features(sb_tts_set *s, int upsample, sb_err *err)
{
    int rc = sb_h5_rows_open(&s->f, "/tts/features", 4, 1, &s->feat, err);
    if (!rc && (!s->feat.is_float || (s->feat.type_size != 2 && s->feat.type_size != 4)))
        rc = sb_fail(err, SB_EINPUT, "%s: /tts/features is stored as %s of %zu bytes; float16 or float32 expected",
                     s->f.path, s->feat.is_float ? "floats" : "integers", s->feat.type_size);
    if (rc)
        return rc;
    s->N = s->feat.dims[0];
    s->C = s->feat.dims[1];
    s->H = s->feat.dims[2];
    s->W = s->feat.dims[3];
    s->feat_half = s->feat.type_size == 2;
    if (!s->N || !s->C || !s->H || !s->W)
        return sb_fail(err, SB_EINPUT, "%s: /tts/features has an empty axis (%zux%zux%zux%zu)", s->f.path, s->N, s->C,
                       s->H, s->W);
    if (upsample == SB_TTS_NEAREST && ((size_t)s->S % s->H || (size_t)s->S % s->W))
        return sb_fail(err, SB_EINPUT, "%s: /tts/features maps of %zux%zu do not divide input_size %ld: nearest "
                       "upsampling needs them to (use --upsample bilinear)", s->f.path, s->H, s->W, s->S);
    if (upsample == SB_TTS_BILINEAR && s->S < 2)
        return sb_fail(err, SB_EINPUT, "%s: input_size %ld: bilinear upsampling needs at least 2 pixels", s->f.path, s->S);
    return 0;
}

static int open_keypoints(sb_tts_set *s, sb_err *err)
{
    size_t n1[1] = {s->N}, kp[3] = {s->N, (size_t)-1, 2};
    int rc = open_ints(s, "/tts/label", 1, n1, &s->label, err);
    if (!rc)
        rc = open_ints(s, "/tts/kp/pos", 3, kp, &s->pos, err);
    if (!rc)
        rc = open_ints(s, "/tts/kp/neg", 3, kp, &s->neg, err);
    if (!rc)
        rc = open_ints(s, "/tts/kp/pos_count", 1, n1, &s->pos_count, err);
    if (!rc)
        rc = open_ints(s, "/tts/kp/neg_count", 1, n1, &s->neg_count, err);
    s->has_group = sb_h5_exists(&s->f, "/tts/group");
    if (!rc && s->has_group)
        rc = open_ints(s, "/tts/group", 1, n1, &s->group, err);
    if (!rc) {
        s->P = s->pos.dims[1];
        s->Q = s->neg.dims[1];
    }
    s->has_ids = sb_h5_exists(&s->f, "/tts/image_id");
    return rc;
}

static void rows_init(sb_h5_rows *r) { r->ds = r->space = H5I_INVALID_HID; }

int sb_tts_set_open(const sb_tts_set_spec *spec, int upsample, sb_tts_set *s, sb_err *err)
{
    memset(s, 0, sizeof *s);
    sb_h5_rows *all[7] = {&s->feat, &s->label, &s->pos, &s->neg, &s->pos_count, &s->neg_count, &s->group};
    for (int i = 0; i < 7; i++)
        rows_init(all[i]);
    sb_h5_quiet();
    int rc = sb_h5_open(&s->f, spec->path, err);
    if (rc)
        return rc;
    if (!sb_h5_exists(&s->f, "/tts"))
        rc = sb_fail(err, SB_EINPUT, "%s: no group /tts (features, fc, label and kp expected there)", s->f.path);
    if (!rc)
        rc = read_meta(spec, s, err);
    if (!rc)
        rc = open_features(s, upsample, err);
    if (!rc)
        rc = read_fc(s, err);
    if (!rc)
        rc = open_keypoints(s, err);
    if (rc)
        sb_tts_set_close(s);
    return rc;
}

void sb_tts_set_close(sb_tts_set *s)
{
    sb_h5_rows *all[7] = {&s->feat, &s->label, &s->pos, &s->neg, &s->pos_count, &s->neg_count, &s->group};
    for (int i = 0; i < 7; i++)
        sb_h5_rows_close(all[i]);
    sb_h5_close(&s->f);
    free(s->weight);
    free(s->bias);
    s->weight = s->bias = NULL;
}

void sb_tts_block_free(sb_tts_block *b)
{
    free(b->A);
    free(b->label);
    free(b->group);
    free(b->pos_count);
    free(b->neg_count);
    free(b->pos);
    free(b->neg);
    memset(b, 0, sizeof *b);
}

static int grow(sb_tts_set *s, sb_tts_block *b, size_t n, int with_features, sb_err *err)
{
    if (n > b->cap) {
        sb_tts_block_free(b);
        b->label = sb_malloc(n * sizeof *b->label, "tts labels", err);
        b->group = sb_malloc(n * sizeof *b->group, "tts groups", err);
        b->pos_count = sb_malloc(n * sizeof *b->pos_count, "tts keypoint counts", err);
        b->neg_count = sb_malloc(n * sizeof *b->neg_count, "tts keypoint counts", err);
        b->pos = sb_malloc((n * s->P * 2 + 1) * sizeof *b->pos, "tts keypoints", err);
        b->neg = sb_malloc((n * s->Q * 2 + 1) * sizeof *b->neg, "tts keypoints", err);
        if (!b->label || !b->group || !b->pos_count || !b->neg_count || !b->pos || !b->neg) {
            sb_tts_block_free(b);
            return SB_ENOMEM;
        }
        b->cap = n;
    }
    if (with_features && !b->A) {
        b->A = sb_malloc(b->cap * s->C * s->H * s->W * sizeof *b->A, "tts feature block", err);
        if (!b->A)
            return SB_ENOMEM;
    }
    return 0;
}

/* Counts within [0, max], and every counted coordinate in [0, S−1]. */
static int check_keypoints(const sb_tts_set *s, const char *list, const int64_t *count, const int64_t *kp, size_t max,
                           const sb_tts_block *b, sb_err *err)
{
    for (size_t i = 0; i < b->n; i++) {
        size_t img = b->first + i;
        if (count[i] < 0 || (uint64_t)count[i] > max)
            return sb_fail(err, SB_EINPUT, "%s: /tts/kp/%s_count[%zu] = %lld is outside [0, %zu]", s->f.path, list, img,
                           (long long)count[i], max);
        for (int64_t k = 0; k < count[i]; k++) {
            int64_t r = kp[(i * max + (size_t)k) * 2], q = kp[(i * max + (size_t)k) * 2 + 1];
            if (r < 0 || r >= s->S || q < 0 || q >= s->S)
                return sb_fail(err, SB_EINPUT, "%s: /tts/kp/%s[%zu, %lld] = (%lld, %lld) is outside [0, %ld]", s->f.path,
                               list, img, (long long)k, (long long)r, (long long)q, s->S - 1);
        }
    }
    return 0;
}

int sb_tts_block_read(sb_tts_set *s, size_t first, size_t n, int with_features, sb_tts_block *b, sb_err *err)
{
    int rc = grow(s, b, n, with_features, err);
    if (rc)
        return rc;
    b->first = first;
    b->n = n;
    if ((rc = sb_h5_rows_i64(&s->label, first, n, b->label, err)) ||
        (rc = sb_h5_rows_i64(&s->pos_count, first, n, b->pos_count, err)) ||
        (rc = sb_h5_rows_i64(&s->neg_count, first, n, b->neg_count, err)) ||
        (rc = sb_h5_rows_i64(&s->pos, first, n, b->pos, err)) || (rc = sb_h5_rows_i64(&s->neg, first, n, b->neg, err)))
        return rc;
    if (s->has_group && (rc = sb_h5_rows_i64(&s->group, first, n, b->group, err)))
        return rc;
    if (!s->has_group)
        memset(b->group, 0, n * sizeof *b->group);
    for (size_t i = 0; i < n; i++) {
        if (b->label[i] != 0 && b->label[i] != 1)
            return sb_fail(err, SB_EINPUT, "%s: /tts/label[%zu] = %lld, expected 0 or 1", s->f.path, first + i,
                           (long long)b->label[i]);
        if (s->has_group && (b->group[i] < -2147483647LL || b->group[i] > 2147483647LL))
            return sb_fail(err, SB_EINPUT, "%s: /tts/group[%zu] = %lld is out of range", s->f.path, first + i,
                           (long long)b->group[i]);
    }
    if ((rc = check_keypoints(s, "pos", b->pos_count, b->pos, s->P, b, err)) ||
        (rc = check_keypoints(s, "neg", b->neg_count, b->neg, s->Q, b, err)))
        return rc;
    return with_features ? sb_h5_rows_f32(&s->feat, first, n, b->A, err) : 0;
}
