/* ds_options.h — the options that define the controlled data of distshift cells, shared by the
 * grid task (`distshift run`, suite section [distshift]) and `shardbench gen distshift`.
 *
 * Size presets: `size = default` is the spec's grid (2000 + 2000 samples, d_inv = 4, d_sp = 2,
 * 5 seeds, M = 1000 shift points per cell); `size = large` is 5000 + 5000 samples, d_inv = 5,
 * d_sp = 3, 10 seeds, M = 2000. An option given explicitly always wins over the preset.
 *
 * Seeds: replicate k of a grid draws its styles from sb_rng(seed, sb_ds_style_stream(k)) and its
 * samples from sb_rng(seed, sb_ds_sample_stream(k)), where seed is the suite/--seed value. The
 * streams depend on k only, so every cell of replicate k (any rho_train, test set, diversity)
 * sees the same styles and the same random numbers (common random numbers: a comparison across
 * rho_train changes the attribute draws only), whatever else the grid holds. */
#ifndef SB_DS_OPTIONS_H
#define SB_DS_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "engine/options.h"
#include "tasks/distshift/ds_generate.h"

/* The data options as option-table entries (their defaults are NULL where the size preset
 * decides; the help text names both values). */
#define SB_DS_DATA_OPTIONS                                                                         \
    {"size", SB_OPT_STRING, "default", "preset: default or large (more samples, dimensions, seeds)", 0, SB_NO_RANGE}, \
    {"n_train", SB_OPT_INT, NULL, "train samples per cell [default: 2000; large: 5000]", 0, {2, 1000000}},       \
    {"n_test", SB_OPT_INT, NULL, "test samples per cell [default: 2000; large: 5000]", 0, {1, 1000000}},         \
    {"d_inv", SB_OPT_INT, NULL, "invariant dimensions [default: 4; large: 5]", 0, {1, 256}},                 \
    {"d_sp", SB_OPT_INT, NULL, "spurious dimensions [default: 2; large: 3]", 0, {1, 256}},                   \
    {"mu_inv", SB_OPT_DOUBLE, "1.5", "norm of the class mean offset of the invariant part", 0, SB_NO_RANGE},    \
    {"mu_sp", SB_OPT_DOUBLE, "2", "norm of the attribute mean offset of the spurious part", 0, SB_NO_RANGE},    \
    {"sigma_inv", SB_OPT_DOUBLE, "1", "noise sd of the invariant coordinates", 0, SB_NO_RANGE},                 \
    {"sigma_sp", SB_OPT_DOUBLE, "1", "noise sd of the spurious coordinates", 0, SB_NO_RANGE},                   \
    {"styles", SB_OPT_INT, "4", "number of styles (modes of the invariant part)", 0, {1, 1000}},              \
    {"train_styles", SB_OPT_INT, "2", "styles seen in training (the others are held out)", 0, {1, 1000}},     \
    {"style_spread", SB_OPT_DOUBLE, "1.5", "norm of a style's offset", 0, SB_NO_RANGE},                         \
    {"style_tilt", SB_OPT_DOUBLE, "0.5", "how much a style tilts the class direction", 0, SB_NO_RANGE},         \
    {"allow_wide", SB_OPT_BOOL, "false", "allow d_inv + d_sp > 8", 0, SB_NO_RANGE}

typedef struct sb_ds_preset {
    int large;
    long seeds;        /* 5 / 10 */
    long samples;      /* shift points per cell: 1000 / 2000 */
} sb_ds_preset;

/* Fills c (rho_train, test_set and diversity left at their defaults) and the preset from the
 * options of table (which must contain SB_DS_DATA_OPTIONS). SB_EUSAGE naming the key on a bad
 * value. */
int sb_ds_config_from_opts(const sb_opts *o, const sb_option *table, sb_ds_config *c,
                           sb_ds_preset *p, sb_err *err);

uint64_t sb_ds_style_stream(uint64_t replicate);
uint64_t sb_ds_sample_stream(uint64_t replicate);
/* A stream id from a text key (FNV-1a), e.g. for a cell's shift evaluation points. */
uint64_t sb_ds_key_stream(const char *key);

/* Parses "a,b,c" of numbers in [lo, hi] into a malloc'd, ascending, duplicate-free array.
 * SB_EUSAGE naming `where` and key for an empty list, a bad number, a value out of range or a
 * repeat. */
int sb_ds_parse_list(const char *where, const char *key, const char *text, double lo, double hi,
                     double **out, size_t *n, sb_err *err);

#endif
