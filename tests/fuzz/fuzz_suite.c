/* fuzz_suite.c — the suite parser and what is built from a parsed suite: any bytes give a
 * suite or one error line, and a suite gives a job (tasks, options validated, canonical text)
 * or one error line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/job.h"
#include "io/suite.h"
#include "tasks/registry.h"

static void check_one_line(const sb_err *err)
{
    if (!err->msg[0] || strchr(err->msg, '\n'))
        abort(); /* every refusal is one non-empty line */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sb_suite s;
    sb_err err = {0};
    if (sb_suite_parse_bytes(&s, "fuzz.ini", "/tmp", (const char *)data, size, &err)) {
        check_one_line(&err);
        return 0;
    }
    sb_job job;
    memset(&job, 0, sizeof job);
    if (sb_job_from_suite(&job, &s, sb_task_find, &err) == 0) {
        for (size_t i = 0; i < job.n; i++)
            if (sb_opts_validate(&job.t[i].opts, job.t[i].task->options, &err))
                check_one_line(&err);
        char *text = NULL;
        if (sb_job_canonical(&job, &text, &err) == 0) {
            /* The canonical text must parse again (shards and merge read it back). */
            sb_suite again;
            sb_err e2 = {0};
            if (sb_suite_parse(&again, "job.ini", "/tmp", text, &e2))
                abort();
            sb_suite_free(&again);
        }
        free(text);
    } else
        check_one_line(&err);
    sb_job_free(&job);
    sb_suite_free(&s);
    return 0;
}
