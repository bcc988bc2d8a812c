/* tts_input.h — the evaluation sets of `tts eval`: the manifest, one set file's checks, and
 * blocks of images read and validated row range by row range (specs/tts.md, Input).
 *
 * A set file is opened once per unit; its large arrays (features, keypoints) are read only for
 * the unit's block, so memory is bounded by the block, not by the number of images. */
#ifndef SB_TTS_INPUT_H
#define SB_TTS_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "io/h5read.h"

/* One set as the manifest (or --input) names it; has_* say which columns were given. */
typedef struct sb_tts_set_spec {
    char name[256], path[1024], arch[256];
    int has_bf, has_split, has_arch;
    double bf;
    long long split;
} sb_tts_set_spec;

/* Reads `set,path[,bias_factor][,split][,arch]`; paths relative to the manifest's folder.
 * A repeated set name or an empty one is SB_EINPUT naming the line. *sets is malloc'd. */
int sb_tts_manifest_read(const char *path, sb_tts_set_spec **sets, size_t *n, sb_err *err);
/* The one set of --input F.h5: named by the file name without ".h5". */
void sb_tts_single_set(const char *path, sb_tts_set_spec *s);

/* An open set file with its checked shapes and classifier. */
typedef struct sb_tts_set {
    sb_h5file f;
    sb_h5_rows feat, label, pos, neg, pos_count, neg_count, group;
    size_t N, C, H, W, P, Q;
    long S;
    int has_group, has_ids, feat_half;
    double *weight, *bias; /* 2 × C, 2 */
    /* Effective metadata: manifest columns over file attributes. */
    int has_bf, has_split;
    double bf;
    long long split;
    char arch[256];
} sb_tts_set;

/* Opens and checks everything but the per-image values (shapes, types, K = 2, finite fc,
 * input size, nearest needing H and W to divide S). SB_EINPUT names file and dataset. */
int sb_tts_set_open(const sb_tts_set_spec *spec, int upsample, sb_tts_set *s, sb_err *err);
void sb_tts_set_close(sb_tts_set *s);

/* Images [first, first + n) of a set. */
typedef struct sb_tts_block {
    size_t first, n, cap;
    float *A;                              /* n × C × H × W, when read */
    int64_t *label, *group, *pos_count, *neg_count, *pos, *neg;
} sb_tts_block;

/* Reads and checks a block (labels 0/1, counts within [0, P] and [0, Q], every counted coordinate
 * in [0, S−1]); features too if with_features (NaN/Inf named by index). Buffers grow to the
 * largest block read and are reused. */
int sb_tts_block_read(sb_tts_set *s, size_t first, size_t n, int with_features, sb_tts_block *b, sb_err *err);
void sb_tts_block_free(sb_tts_block *b);

#endif
