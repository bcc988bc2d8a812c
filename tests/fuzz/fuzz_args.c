/* fuzz_args.c — the command line: arguments (one per input line) through the argument parser,
 * the numeric parsers of --seed, --shard and --rows, and every task's and generator's option
 * table (set, validated, integers read within their range). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "engine/options.h"
#include "tasks/registry.h"

static void options_of(sb_args *a, const sb_option *table)
{
    sb_opts o;
    sb_err err = {0};
    sb_opts_init(&o, "/tmp", "command line");
    int rc = 0;
    for (const sb_option *t = table; !rc && t && t->key; t++) {
        const char *v = sb_args_get(a, t->key);
        if (v)
            rc = sb_opts_set(&o, t->key, v, 0, &err);
    }
    if (!rc && sb_opts_validate(&o, table, &err) == 0)
        for (const sb_option *t = table; t && t->key; t++) {
            long v;
            if (t->type == SB_OPT_INT && sb_opts_str(&o, table, t->key) &&
                (sb_opts_long(&o, table, t->key, &v, &err) || v < t->range.min || v > t->range.max))
                abort(); /* validated means every integer is in its range */
        }
    sb_opts_free(&o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1), *argv[200];
    memcpy(buf, data, size);
    buf[size] = '\0';
    int argc = 0;
    for (char *p = buf; argc < 200;) {
        argv[argc++] = p;
        char *nl = memchr(p, '\n', (size_t)(buf + size - p));
        if (!nl)
            break;
        *nl = '\0';
        p = nl + 1;
    }
    static const char *const flags[] = {"resume", "quiet", "help", NULL};
    sb_args a;
    sb_err err = {0};
    if (sb_args_parse(&a, argc, argv, flags, &err) == 0) {
        uint64_t seed;
        int i, n;
        long long rows;
        const char *s;
        if ((s = sb_args_get(&a, "seed")))
            sb_parse_u64("--seed", s, &seed, &err);
        if ((s = sb_args_get(&a, "shard")) && sb_parse_shard(s, &i, &n, &err) == 0 && !(0 <= i && i < n))
            abort();
        if ((s = sb_args_get(&a, "rows")))
            sb_parse_int("--rows", s, 0, INT64_MAX, &rows, &err);
        for (size_t k = 0; k < sb_n_tasks; k++)
            options_of(&a, sb_tasks[k]->options);
        for (size_t k = 0; k < sb_n_generators; k++)
            options_of(&a, sb_generators[k]->options);
        sb_args_check_used(&a, "fuzz", &err);
    }
    free(buf);
    return 0;
}
