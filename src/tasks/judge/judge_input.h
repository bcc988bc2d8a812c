/* judge_input.h — the scores and truth tables of `transfer evaluate`, read and joined.
 *
 * Scores are long format (one row per dataset, model, scorer, value), truth one accuracy per
 * (dataset, model); column names are options (formats.md). One table may serve as both: a
 * (dataset, model) accuracy repeated with the same value is fine. Every problem concerns one
 * cell — a (dataset, model) accuracy or a (dataset, model, scorer) value — and leaves that
 * cell out with a note naming file, line(s), dataset and model; everything else is kept:
 *  - a value or accuracy that is not a finite number;
 *  - repeats of one cell that disagree (both lines are named); equal repeats are fine;
 *  - a model with scores but no accuracy, or an accuracy but no scores;
 *  - a model lacking a value of a scorer that other models of its dataset have.
 * The notes of a dataset become the failure message of its `check/<dataset>` unit. */
#ifndef SB_JUDGE_INPUT_H
#define SB_JUDGE_INPUT_H

#include <stddef.h>

#include "core/err.h"

typedef struct sb_judge_cols {
    const char *dataset, *model, *scorer, *value, *accuracy;
} sb_judge_cols;

typedef struct sb_judge_dataset {
    char *name;
    size_t n_models;
    char **models;     /* byte order; models with an accuracy and at least one value */
    double *acc;       /* n_models */
    double *value;     /* n_models × n_scorers of the data, NaN where absent or left out */
    size_t *n_values;  /* per scorer: how many of the models have a value */
    int *has_rows;     /* per scorer: the scores table names this scorer for this dataset */
    size_t n_notes;
    char **notes;      /* one line each: what was left out and why */
} sb_judge_dataset;

typedef struct sb_judge_data {
    size_t n_datasets, n_scorers;
    sb_judge_dataset *ds; /* byte order of names */
    char **scorers;       /* byte order */
} sb_judge_data;

/* Reads and joins the two tables (they may be the same file). SB_EIO/SB_EINPUT for a file
 * that cannot be read, a missing column (the message lists the columns there are), an empty
 * dataset, model or scorer field, or a dataset named ALL (reserved for the aggregated rows);
 * SB_ENOMEM. Cell problems are notes, not errors. */
int sb_judge_read(sb_judge_data *d, const char *scores_path, const char *truth_path,
                  const sb_judge_cols *cols, sb_err *err);
void sb_judge_data_free(sb_judge_data *d);

/* Index of a scorer or dataset by name, or -1. */
long sb_judge_scorer_index(const sb_judge_data *d, const char *name);
long sb_judge_dataset_index(const sb_judge_data *d, const char *name);

#endif
