/* fuzz_judge.c — the scores and truth tables of `transfer evaluate` (tasks/judge/judge_input.c)
 * read and joined. The input is the scores CSV, then a line "%%", then the truth CSV; without
 * that line one file serves as both (as the task allows). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "tasks/judge/judge_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *sep = NULL;
    for (size_t i = 0; i + 4 <= size && !sep; i++)
        if (!memcmp(data + i, "\n%%\n", 4))
            sep = data + i;
    char scores[600], truth[600];
    fuzz_file("scores.csv", data, sep ? (size_t)(sep - data) + 1 : size, scores, sizeof scores);
    if (sep)
        fuzz_file("truth.csv", sep + 4, size - (size_t)(sep + 4 - data), truth, sizeof truth);
    const sb_judge_cols cols = {"dataset", "model", "scorer", "value", "accuracy"};
    sb_judge_data d;
    sb_err err = {0};
    if (sb_judge_read(&d, scores, sep ? truth : scores, &cols, &err) == 0)
        sb_judge_data_free(&d);
    else if (!err.msg[0] || strchr(err.msg, '\n'))
        abort();
    return 0;
}
