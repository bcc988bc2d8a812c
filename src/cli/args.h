/* args.h — the command line after the subcommand: --key value, --key=value, flags and
 * positionals. Options a command does not know are an error naming them. */
#ifndef SB_ARGS_H
#define SB_ARGS_H

#include <stddef.h>

#include "core/err.h"

typedef struct sb_args {
    size_t npos;
    const char *pos[64];
    size_t nopt;
    struct { char key[64]; const char *value; int used; } opt[64];
} sb_args;

/* flags: NULL-terminated list of option names that take no value ("resume", "help"), or one of
 * true/false/yes/no/on/off/1/0 right after them ("--per-image false"). */
int sb_args_parse(sb_args *a, int argc, char **argv, const char *const *flags, sb_err *err);
/* Value of --key (dashes and underscores are the same), or NULL; marks it used. */
const char *sb_args_get(sb_args *a, const char *key);
int sb_args_flag(sb_args *a, const char *key);
/* SB_EUSAGE naming the first option nobody asked for. */
int sb_args_check_used(const sb_args *a, const char *command, sb_err *err);

#endif
