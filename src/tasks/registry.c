#include "tasks/registry.h"

#include <string.h>

extern const sb_task sb_task_pose;
extern const sb_task sb_task_judge;
extern const sb_task sb_task_forecast;
extern const sb_generator sb_gen_forecast;
extern const sb_task sb_task_distshift;
extern const sb_task sb_task_distshift_eval;
extern const sb_task sb_task_distshift_quantify;
extern const sb_generator sb_gen_distshift;
extern const sb_task sb_task_transfer;
extern const sb_task sb_task_noop;
extern const sb_generator sb_gen_pose;
extern const sb_generator sb_gen_transfer;
extern const sb_task sb_task_splitcomp;
extern const sb_generator sb_gen_splitcomp;
extern const sb_task sb_task_explain;
extern const sb_generator sb_gen_explain;
extern const sb_task sb_task_tts;
extern const sb_generator sb_gen_tts;

const sb_task *const sb_tasks[] = {
    &sb_task_pose,
    &sb_task_judge,
    &sb_task_forecast,
    &sb_task_distshift,
    &sb_task_distshift_eval,
    &sb_task_distshift_quantify,
    &sb_task_transfer,
    &sb_task_noop,
    &sb_task_splitcomp,
    &sb_task_explain,
    &sb_task_tts,
};
const size_t sb_n_tasks = sizeof sb_tasks / sizeof sb_tasks[0];

const sb_generator *const sb_generators[] = {
    &sb_gen_pose,
    &sb_gen_distshift,
    &sb_gen_forecast,
    &sb_gen_transfer,
    &sb_gen_splitcomp,
    &sb_gen_explain,
    &sb_gen_tts,
};
const size_t sb_n_generators = sizeof sb_generators / sizeof sb_generators[0];

const sb_task *sb_task_find(const char *name)
{
    for (size_t i = 0; i < sb_n_tasks; i++)
        if (!strcmp(sb_tasks[i]->name, name))
            return sb_tasks[i];
    return NULL;
}

const sb_generator *sb_generator_find(const char *name)
{
    for (size_t i = 0; i < sb_n_generators; i++)
        if (!strcmp(sb_generators[i]->name, name))
            return sb_generators[i];
    return NULL;
}
