#include "tasks/pose/pose_skeleton.h"

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

static int read_parts(const sb_h5file *f, sb_pose_skel_data *s, sb_err *err)
{
    size_t n = 0;
    char **names = NULL;
    int64_t *ranges = NULL;
    int rc;
    if (sb_h5_attr_exists(f, "/", "parts")) {
        if ((rc = sb_h5_attr_strings(f, "/", "parts", &n, &names, err)))
            return rc;
    } else if (sb_h5_attr_exists(f, "/", "part_names")) {
        size_t nr, dims[2];
        if ((rc = sb_h5_attr_strings(f, "/", "part_names", &n, &names, err)))
            return rc;
        if ((rc = sb_h5_attr_i64(f, "/", "part_ranges", &nr, &ranges, dims, err))) {
            sb_h5_free_strings(names, n);
            return rc;
        }
        if (nr != 2 * n) {
            sb_h5_free_strings(names, n);
            free(ranges);
            return sb_fail(err, SB_EINPUT, "%s: root attribute part_ranges must be %zux2 to match part_names",
                           f->path, n);
        }
    } else
        return 0;
    s->parts = calloc(n ? n : 1, sizeof *s->parts);
    rc = s->parts ? 0 : sb_fail(err, SB_ENOMEM, "out of memory reading parts");
    for (size_t i = 0; i < n && !rc; i++) {
        sb_pose_part *p = &s->parts[i];
        if (ranges) {
            snprintf(p->name, sizeof p->name, "%s", names[i]);
            p->first = (int)ranges[2 * i];
            p->last = (int)ranges[2 * i + 1];
        } else {
            char *colon = strrchr(names[i], ':');
            int a, b;
            char extra;
            if (!colon || sscanf(colon + 1, "%d-%d%c", &a, &b, &extra) != 2) {
                rc = sb_fail(err, SB_EINPUT, "%s: root attribute parts entry '%s' is not 'name:first-last'",
                             f->path, names[i]);
                break;
            }
            snprintf(p->name, sizeof p->name, "%.*s", (int)(colon - names[i]), names[i]);
            p->first = a;
            p->last = b;
        }
    }
    s->skel.n_parts = n;
    s->skel.parts = s->parts;
    sb_h5_free_strings(names, n);
    free(ranges);
    return rc;
}

int sb_pose_skel_read(const sb_h5file *f, sb_pose_skel_data *s, sb_err *err)
{
    memset(s, 0, sizeof *s);
    if (!sb_h5_attr_exists(f, "/", "parents"))
        return sb_fail(err, SB_EINPUT, "%s: root attribute 'parents' (the skeleton, J integers) is missing", f->path);
    size_t n, dims[2];
    int64_t *v;
    int rc = sb_h5_attr_i64(f, "/", "parents", &n, &v, dims, err);
    if (rc)
        return rc;
    s->parents = malloc((n ? n : 1) * sizeof *s->parents);
    if (!s->parents) {
        free(v);
        return sb_fail(err, SB_ENOMEM, "out of memory reading the skeleton");
    }
    for (size_t j = 0; j < n; j++) {
        if (v[j] < -1 || v[j] >= (int64_t)n || v[j] == (int64_t)j) {
            free(v);
            sb_pose_skel_free(s);
            return sb_fail(err, SB_EINPUT, "%s: root attribute parents[%zu] = %lld is not -1 or another joint index",
                           f->path, j, (long long)v[j]);
        }
        s->parents[j] = (int)v[j];
    }
    free(v);
    s->skel.joints = n;
    s->skel.parents = s->parents;
    if (sb_h5_attr_exists(f, "/", "lr_pairs")) {
        if ((rc = sb_h5_attr_i64(f, "/", "lr_pairs", &n, &v, dims, err))) {
            sb_pose_skel_free(s);
            return rc;
        }
        if (n % 2 || (n && dims[1] != 2)) {
            free(v);
            sb_pose_skel_free(s);
            return sb_fail(err, SB_EINPUT, "%s: root attribute lr_pairs must have shape Px2", f->path);
        }
        s->lr = malloc((n ? n : 1) * sizeof *s->lr);
        for (size_t i = 0; s->lr && i < n; i++) {
            if (v[i] < 0 || v[i] >= (int64_t)s->skel.joints) {
                free(v);
                sb_pose_skel_free(s);
                return sb_fail(err, SB_EINPUT, "%s: root attribute lr_pairs holds joint %lld, outside 0..%zu",
                               f->path, (long long)v[i], s->skel.joints - 1);
            }
            s->lr[i] = (int)v[i];
        }
        free(v);
        s->skel.n_lr = n / 2;
        s->skel.lr = s->lr;
    }
    if ((rc = read_parts(f, s, err)))
        sb_pose_skel_free(s);
    return rc;
}
