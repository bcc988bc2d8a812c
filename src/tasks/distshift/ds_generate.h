/* ds_generate.h — seeded controlled data for one cell of the distribution-shift grid.
 *
 * A sample has a label y ∈ {0,1}, a spurious attribute a ∈ {0,1}, a style g and features
 * x = [x_inv | x_sp] (d_inv + d_sp columns):
 *   x_inv = o_g + (2y−1)·mu_inv·e_g + sigma_inv·ε      (o_g, e_g: offset and unit class
 *                                                       direction of style g)
 *   x_sp  = (2a−1)·mu_sp·(1,…,1)/√d_sp + sigma_sp·ε    (x_sp = 0 in the "absent" test set)
 * with P(a = y) = (1+ρ)/2: ρ_train for the train set, 1 / 0.5 / 0 for the aligned / balanced /
 * anti-aligned test sets, 1/2 (attribute still drawn, features zero) for "absent".
 * Styles 0..n_train_styles−1 are the train styles, the others are held out. The test set's
 * diversity f ∈ [0,1] is the exact share of its samples drawn from held-out styles:
 * round(f·n_test) of them, at positions chosen uniformly, styles uniform within each kind.
 * Diversity scope (specs/distshift.md "Diversity scope"): with SB_DS_SCOPE_BOTH a test sample of
 * a held-out style g has its spurious mean direction (1,…,1)/√d_sp rotated in the plane of
 * spurious coordinates 0 and 1 by the style's angle θ_g ∈ [π/4, 3π/4] (norm mu_sp and sign
 * 2a−1 kept), so the new style's "artifacts" look new too; SB_DS_SCOPE_INVARIANT (the default)
 * changes the invariant part only. The angles come last from the style stream and the samples
 * draw the same numbers in both scopes, so the scopes differ only in those means.
 * docs/distshift.md gives the exact draw order. */
#ifndef SB_DS_GENERATE_H
#define SB_DS_GENERATE_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef enum {
    SB_DS_ALIGNED = 0,
    SB_DS_BALANCED,
    SB_DS_ANTI_ALIGNED,
    SB_DS_ABSENT,
    SB_DS_N_TEST_SETS
} sb_ds_test_set;

typedef enum { SB_DS_SCOPE_INVARIANT = 0, SB_DS_SCOPE_BOTH, SB_DS_N_SCOPES } sb_ds_scope;

typedef struct sb_ds_config {
    size_t d_inv, d_sp;          /* 4, 2; d_inv + d_sp ≤ 8 unless allow_wide */
    double mu_inv, mu_sp;        /* norms of the class / attribute mean offsets: 1.5, 2.0 */
    double sigma_inv, sigma_sp;  /* noise sd per coordinate: 1.0, 1.0 */
    int n_styles;                /* G = 4 */
    int n_train_styles;          /* 2: styles 0..1 train, 2..3 held out */
    double style_spread;         /* ‖o_g‖ = 1.5, o_g ⟂ (1,…,1) when d_inv ≥ 2 */
    double style_tilt;           /* e_g = unit(e + tilt·m_g), m_g ~ N(0, I): 0.5 */
    size_t n_train, n_test;      /* 2000, 2000 */
    double rho_train;            /* in [0,1]; default 0.5 */
    sb_ds_test_set test_set;     /* default SB_DS_BALANCED */
    double diversity;            /* in [0,1]; default 0 */
    int allow_wide;              /* 0: refuse d_inv + d_sp > 8 */
    sb_ds_scope scope;           /* SB_DS_SCOPE_INVARIANT; BOTH needs d_sp >= 2 */
} sb_ds_config;

void sb_ds_config_defaults(sb_ds_config *c);

/* "aligned", "balanced", "anti_aligned", "absent" (the CSV's test_set column). */
const char *sb_ds_test_set_name(sb_ds_test_set t);
/* Parses a name above; SB_EUSAGE naming it otherwise. */
int sb_ds_test_set_parse(const char *name, sb_ds_test_set *t, sb_err *err);

/* "invariant", "both" (the option's values and the CSV's diversity_scope column). */
const char *sb_ds_scope_name(sb_ds_scope s);
/* Parses a name above; SB_EUSAGE naming it otherwise. */
int sb_ds_scope_parse(const char *name, sb_ds_scope *s, sb_err *err);

/* The rotation angle θ_g of every style (0 for train styles), as sb_ds_generate draws them:
 * angles[g] for g < n_styles. Used by `gen distshift` to write them next to the data. */
int sb_ds_style_angles(const sb_ds_config *c, uint64_t seed, uint64_t style_stream,
                       double *angles, sb_err *err);

/* One generated set; the arrays are owned by the set (sb_ds_set_free). */
typedef struct sb_ds_set {
    size_t n, d;     /* d = d_inv + d_sp; columns 0..d_inv−1 invariant, then spurious */
    double *x;       /* n×d row-major */
    int *y, *a;      /* label, spurious attribute */
    int *style;      /* 0..n_styles−1; ≥ n_train_styles means held out */
} sb_ds_set;

void sb_ds_set_free(sb_ds_set *s);

/* Generates the train and test sets of one cell. The style geometry (o_g, e_g) comes from
 * sb_rng(seed, style_stream), so cells that share it see the same styles; samples come from
 * sb_rng(seed, sample_stream), train first, so the train set does not depend on the test-set
 * options (test_set, diversity, n_test). Validation errors are SB_EINPUT naming the field. */
int sb_ds_generate(const sb_ds_config *c, uint64_t seed, uint64_t style_stream,
                   uint64_t sample_stream, sb_ds_set *train, sb_ds_set *test, sb_err *err);

#endif
