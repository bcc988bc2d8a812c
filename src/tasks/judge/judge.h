/* judge.h — what the files of the `judge` task (`shardbench transfer evaluate`) share: the
 * task state, the kinds of units, and the entry points of each file.
 *
 * Units (key → what it computes; docs/judging.md):
 *   check/<dataset>          fails with the input problems of a dataset (cells left out)
 *   eval/<dataset>/<scorer>  the per-dataset leaderboard numbers of one scorer
 *   eval/ALL/<scorer>        the aggregated (grouped) τ and weighted τ of one scorer
 *   boot/<dataset>/<block>   a block of bootstrap replicates of τ, every scorer of a dataset
 *   boot/ALL/<block>         the same for the aggregated τ, resampling (dataset, model) rows
 *   combine/<dataset>        the combination inputs of a dataset (and its zmean score)
 *   bayes/all/chain<c>, bayes/without-<dataset>/chain<c>: one Gibbs chain of the
 *                          hierarchical regression on all datasets or all but one
 * Every random draw is seeded by (seed, FNV-1a of the unit key), never by rank or unit id. */
#ifndef SB_JUDGE_H
#define SB_JUDGE_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "engine/task.h"
#include "tasks/judge/judge_input.h"

enum { SB_JU_CHECK = 1, SB_JU_EVAL, SB_JU_ALL, SB_JU_BOOT, SB_JU_BOOT_ALL, SB_JU_COMBINE, SB_JU_BAYES };

/* Bootstrap replicates per unit: fixed, because the seeds of the blocks depend on it. */
#define SB_JUDGE_BOOT_BLOCK 100

#define SB_JUDGE_ARG(kind, a, b) (((int64_t)(kind) << 48) | ((int64_t)(a) << 24) | (int64_t)(b))
#define SB_JUDGE_KIND(arg) ((int)((arg) >> 48))
#define SB_JUDGE_A(arg) ((size_t)(((arg) >> 24) & 0xffffff))
#define SB_JUDGE_B(arg) ((size_t)((arg) & 0xffffff))

typedef struct sb_judge_state {
    char scores[1024], truth[1024];
    char col_dataset[128], col_model[128], col_scorer[128], col_value[128], col_accuracy[128];
    long bootstrap;              /* B */
    int zmean, bayes;            /* combinations asked for */
    long chains, bayes_burn, bayes_draws;
    char combine_scorers[1024];  /* "" = every scorer */
    int loaded;
    sb_judge_data data;
    size_t n_comb;
    size_t *comb;                /* scorer indices of the combination inputs */
} sb_judge_state;

/* Reads and joins the input once per rank and resolves the combination inputs. */
int sb_judge_load(sb_judge_state *s, sb_err *err);

/* A dataset is evaluated when at least 3 models have an accuracy and a value. */
int sb_judge_dataset_ok(const sb_judge_data *d, size_t di);
/* A (dataset, scorer) row exists when the dataset is evaluated and 3 models have a value. */
int sb_judge_pair_ok(const sb_judge_data *d, size_t di, size_t si);
/* A dataset enters the combination when it is evaluated and every input scorer has a value for
 * every model; otherwise why (if not NULL) says what is missing. */
int sb_judge_combine_ok(const sb_judge_state *s, size_t di, char *why, size_t cap);

uint64_t sb_judge_stream(const char *key);

/* leaderboard.c */
struct sb_scorer_eval;
/* The reasons of the undefined numbers of e as one line ("" when all are defined). */
void sb_judge_reasons(const struct sb_scorer_eval *e, char *out, size_t cap);
int sb_judge_run_eval(sb_judge_state *s, size_t di, size_t si, sb_buf *rec, sb_err *err);
int sb_judge_run_all(sb_judge_state *s, size_t si, sb_buf *rec, sb_err *err);
int sb_judge_leaderboard(const sb_unit *units, const sb_record *records, size_t n, sb_tables *out,
                         sb_err *err);

/* bootstrap.c: di = −1 for the aggregated rows */
int sb_judge_run_boot(sb_judge_state *s, long di, size_t block, uint64_t seed, const char *key,
                      sb_buf *rec, sb_err *err);
/* The 2.5 % and 97.5 % percentiles of the replicates of (dataset, scorer) found in the boot
 * records, NaN when there are none; *used counts the finite replicates. */
int sb_judge_boot_ci(const sb_unit *units, const sb_record *records, size_t n, const char *dataset,
                     const char *scorer, double *lo, double *hi, size_t *used, sb_err *err);

/* combine_task.c */
int sb_judge_run_combine(sb_judge_state *s, size_t di, sb_buf *rec, sb_err *err);
int sb_judge_run_bayes(sb_judge_state *s, long held, size_t chain, uint64_t seed, const char *key,
                       sb_buf *rec, sb_err *err);
int sb_judge_combination(const sb_judge_state *s, const sb_unit *units, const sb_record *records,
                         size_t n, sb_tables *out, sb_err *err);

#endif
