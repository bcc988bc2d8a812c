#include "tasks/pose/pose_skeleton.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sb_pose_skel_free(sb_pose_skel_data *s)
{
    free(s->parents);
    free(s->lr);
    free(s->parts);
    memset(s, 0, sizeof *s);
}

/* Index of a joint whose chain of parents never reaches a root (-1), or J when every chain
 * does. mark[j]: 0 unseen, 1 + k while on the walk started at joint k, J + 1 known to end. */
static size_t first_on_cycle(const int *parents, size_t J, size_t *mark)
{
    for (size_t k = 0; k < J; k++) {
        size_t j = k;
        while (j < J && !mark[j]) { /* parents are in -1..J-1 here: -1 becomes SIZE_MAX */
            mark[j] = 1 + k;
            j = (size_t)(ptrdiff_t)parents[j];
        }
        if (j < J && mark[j] == 1 + k)
            return k;
        for (j = k; j < J && mark[j] == 1 + k; j = (size_t)(ptrdiff_t)parents[j])
            mark[j] = J + 1;
    }
    return J;
}

/* parents: J integers, each -1 (a root) or another joint, and no chain of parents loops. */
static int check_parents(const char *path, const int64_t *v, size_t n, sb_pose_skel_data *s, sb_err *err)
{
    for (size_t j = 0; j < n; j++) {
        if (v[j] < -1 || v[j] >= (int64_t)n)
            return sb_fail(err, SB_EINPUT, "%s: root attribute parents[%zu] = %lld: not -1 (a root) or a joint 0..%zu",
                           path, j, (long long)v[j], n - 1);
        if (v[j] == (int64_t)j)
            return sb_fail(err, SB_EINPUT, "%s: root attribute parents[%zu] = %zu: a joint cannot be its own parent",
                           path, j, j);
        s->parents[j] = (int)v[j];
    }
    size_t *mark = calloc(n, sizeof *mark);
    if (!mark)
        return sb_fail(err, SB_ENOMEM, "%s: out of memory checking the skeleton", path);
    size_t k = first_on_cycle(s->parents, n, mark);
    free(mark);
    if (k < n)
        return sb_fail(err, SB_EINPUT, "%s: root attribute parents[%zu]: the chain of parents from joint %zu loops "
                       "and never reaches a root (-1)", path, k, k);
    return 0;
}

static int read_parents(const sb_h5file *f, sb_pose_skel_data *s, sb_err *err)
{
    if (!sb_h5_attr_exists(f, "/", "parents"))
        return sb_fail(err, SB_EINPUT, "%s: root attribute 'parents' (the skeleton, J integers) is missing", f->path);
    size_t n, dims[2];
    int64_t *v;
    int rc = sb_h5_attr_i64(f, "/", "parents", &n, &v, dims, err);
    if (rc)
        return rc;
    if (n == 0 || n > SB_POSE_MAX_JOINTS || n != dims[0])
        rc = sb_fail(err, SB_EINPUT, "%s: root attribute parents holds %zu values in shape (%zux%zu): expected "
                     "1..%d joints in one dimension", f->path, n, dims[0], dims[1], SB_POSE_MAX_JOINTS);
    if (!rc && !(s->parents = malloc(n * sizeof *s->parents)))
        rc = sb_fail(err, SB_ENOMEM, "%s: out of memory reading the skeleton", f->path);
    if (!rc)
        rc = check_parents(f->path, v, n, s, err);
    free(v);
    s->skel.joints = rc ? 0 : n;
    s->skel.parents = s->parents;
    return rc;
}

/* lr_pairs (optional): P×2 joints, each with a parent (its bone is what symmetry compares). */
static int read_lr(const sb_h5file *f, sb_pose_skel_data *s, sb_err *err)
{
    if (!sb_h5_attr_exists(f, "/", "lr_pairs"))
        return 0;
    size_t n, dims[2], J = s->skel.joints;
    int64_t *v;
    int rc = sb_h5_attr_i64(f, "/", "lr_pairs", &n, &v, dims, err);
    if (rc)
        return rc;
    if (dims[1] != 2 || n != 2 * dims[0])
        rc = sb_fail(err, SB_EINPUT, "%s: root attribute lr_pairs has shape (%zux%zu): expected Px2", f->path, dims[0],
                     dims[1]);
    if (!rc && !(s->lr = malloc((n ? n : 1) * sizeof *s->lr)))
        rc = sb_fail(err, SB_ENOMEM, "%s: out of memory reading lr_pairs", f->path);
    for (size_t i = 0; i < n && !rc; i++) {
        if (v[i] < 0 || v[i] >= (int64_t)J)
            rc = sb_fail(err, SB_EINPUT, "%s: root attribute lr_pairs[%zu][%zu] = %lld: not a joint 0..%zu", f->path,
                         i / 2, i % 2, (long long)v[i], J - 1);
        else if (s->parents[v[i]] < 0)
            rc = sb_fail(err, SB_EINPUT, "%s: root attribute lr_pairs[%zu][%zu] = %lld: a root joint has no bone to "
                         "compare", f->path, i / 2, i % 2, (long long)v[i]);
        else
            s->lr[i] = (int)v[i];
    }
    free(v);
    s->skel.n_lr = rc ? 0 : n / 2;
    s->skel.lr = s->lr;
    return rc;
}

/* "first-last" of a parts entry, both in 0..J-1 with first <= last; strtol, not sscanf, whose
 * %d has undefined behaviour on out-of-range text. */
static int parse_range(const char *text, size_t J, int *first, int *last)
{
    char *end;
    errno = 0;
    long a = strtol(text, &end, 10);
    if (end == text || *end != '-' || errno)
        return -1;
    const char *b_text = end + 1;
    long b = strtol(b_text, &end, 10);
    if (end == b_text || *end || errno || a < 0 || b < a || (unsigned long)b >= J)
        return -1;
    *first = (int)a;
    *last = (int)b;
    return 0;
}

static const char PART_NAME_CHARS[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

/* One part from its name and range; index i names it in errors. */
static int set_part(const char *path, size_t i, const char *name, size_t name_len, int64_t first, int64_t last,
                    size_t J, sb_pose_part *p, sb_err *err)
{
    if (name_len == 0 || name_len >= sizeof p->name)
        return sb_fail(err, SB_EINPUT, "%s: root attribute parts[%zu]: the name must have 1..%zu characters", path, i,
                       sizeof p->name - 1);
    /* The name becomes the pose.csv columns part_mpjpe_<name>[_aligned]. */
    for (size_t c = 0; c < name_len; c++)
        if (!strchr(PART_NAME_CHARS, name[c]))
            return sb_fail(err, SB_EINPUT, "%s: root attribute parts[%zu]: the name has character %zu outside "
                           "[A-Za-z0-9_-]", path, i, c);
    if (first < 0 || last < first || last >= (int64_t)J)
        return sb_fail(err, SB_EINPUT, "%s: root attribute parts[%zu] '%.*s': joints %lld..%lld are not a range in "
                       "0..%zu", path, i, (int)name_len, name, (long long)first, (long long)last, J - 1);
    snprintf(p->name, sizeof p->name, "%.*s", (int)name_len, name);
    p->first = (int)first;
    p->last = (int)last;
    return 0;
}

static int fill_parts(const char *path, char **names, const int64_t *ranges, size_t n, sb_pose_skel_data *s,
                      sb_err *err)
{
    size_t J = s->skel.joints;
    int rc = 0;
    char shown[100];
    for (size_t i = 0; i < n && !rc; i++) {
        int a = 0, b = 0;
        const char *colon = strrchr(names[i], ':');
        if (ranges)
            rc = set_part(path, i, names[i], strlen(names[i]), ranges[2 * i], ranges[2 * i + 1], J, &s->parts[i], err);
        else if (!colon || parse_range(colon + 1, J, &a, &b))
            rc = sb_fail(err, SB_EINPUT, "%s: root attribute parts[%zu] = '%s': not 'name:first-last' with joints "
                         "0..%zu", path, i, sb_h5_printable(names[i], shown, sizeof shown), J - 1);
        else
            rc = set_part(path, i, names[i], (size_t)(colon - names[i]), a, b, J, &s->parts[i], err);
        for (size_t k = 0; k < i && !rc; k++)
            if (!strcmp(s->parts[k].name, s->parts[i].name))
                rc = sb_fail(err, SB_EINPUT, "%s: root attribute parts[%zu]: the name '%s' repeats parts[%zu]", path, i,
                             s->parts[i].name, k);
    }
    return rc;
}

static int read_parts(const sb_h5file *f, sb_pose_skel_data *s, sb_err *err)
{
    size_t n = 0, nr = 0, dims[2];
    char **names = NULL;
    int64_t *ranges = NULL;
    int rc = 0;
    if (sb_h5_attr_exists(f, "/", "parts"))
        rc = sb_h5_attr_strings(f, "/", "parts", &n, &names, err);
    else if (sb_h5_attr_exists(f, "/", "part_names")) {
        rc = sb_h5_attr_strings(f, "/", "part_names", &n, &names, err);
        if (!rc)
            rc = sb_h5_attr_i64(f, "/", "part_ranges", &nr, &ranges, dims, err);
        if (!rc && (nr != 2 * n || dims[0] != n || dims[1] != 2))
            rc = sb_fail(err, SB_EINPUT, "%s: root attribute part_ranges has shape (%zux%zu): expected %zux2 to match "
                         "part_names", f->path, dims[0], dims[1], n);
    } else
        return 0;
    if (!rc && !(s->parts = calloc(n ? n : 1, sizeof *s->parts)))
        rc = sb_fail(err, SB_ENOMEM, "%s: out of memory reading parts", f->path);
    if (!rc)
        rc = fill_parts(f->path, names, ranges, n, s, err);
    s->skel.n_parts = rc ? 0 : n;
    s->skel.parts = s->parts;
    sb_h5_free_strings(names, n);
    free(ranges);
    return rc;
}

int sb_pose_skel_read(const sb_h5file *f, sb_pose_skel_data *s, sb_err *err)
{
    memset(s, 0, sizeof *s);
    int rc = read_parents(f, s, err);
    if (!rc)
        rc = read_lr(f, s, err);
    if (!rc)
        rc = read_parts(f, s, err);
    if (rc)
        sb_pose_skel_free(s);
    return rc;
}
