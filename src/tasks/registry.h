/* registry.h — the tables of tasks and generators the CLI offers. Adding a task is one
 * file defining `const sb_task sb_task_<name>` and one line in registry.c. */
#ifndef SB_REGISTRY_H
#define SB_REGISTRY_H

#include <stddef.h>

#include "engine/task.h"
#include "tasks/generator.h"

extern const sb_task *const sb_tasks[];
extern const size_t sb_n_tasks;
extern const sb_generator *const sb_generators[];
extern const size_t sb_n_generators;

const sb_task *sb_task_find(const char *name);
const sb_generator *sb_generator_find(const char *name);

#endif
