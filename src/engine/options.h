/* options.h — typed key/value options of a task, from a suite section or the command line.
 *
 * Each task declares its options in a table next to its code (as IOR backends declare
 * theirs), so validation, defaults and --help are generated, never hand-kept. */
#ifndef SB_OPTIONS_H
#define SB_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef enum { SB_OPT_STRING, SB_OPT_PATH, SB_OPT_INT, SB_OPT_DOUBLE, SB_OPT_BOOL } sb_opt_type;

/* The values an integer option accepts. Every SB_OPT_INT has one (tests/unit/test_options.c
 * walks every table), so a size can never be so large that a run fills a disk or memory. */
typedef struct sb_int_range {
    long long min, max;
} sb_int_range;
#define SB_NO_RANGE {0, 0}

typedef struct sb_option {
    const char *key;
    sb_opt_type type;
    const char *def;  /* NULL: no default */
    const char *help;
    int required;
    sb_int_range range; /* SB_OPT_INT: accepted values, checked by sb_opts_long, shown by --help */
} sb_option;

typedef struct sb_kv {
    char *key, *value;
    int line; /* line in the suite file, 0 on the command line */
} sb_kv;

typedef struct sb_opts {
    size_t n;
    sb_kv *kv;
    char base_dir[1024]; /* relative paths are resolved against this */
    char where[1200];    /* "suites/x.ini [pose]" or "command line": error messages name it */
} sb_opts;

void sb_opts_init(sb_opts *o, const char *base_dir, const char *where);
void sb_opts_free(sb_opts *o);
/* Sets a key (a repeated key is an error naming both lines). */
int sb_opts_set(sb_opts *o, const char *key, const char *value, int line, sb_err *err);
/* Unknown keys, missing required keys, unparsable values and integers outside their range are
 * SB_EUSAGE naming the key. */
int sb_opts_validate(const sb_opts *o, const sb_option *table, sb_err *err);

/* The value of key, or its default from table (NULL if neither). */
const char *sb_opts_str(const sb_opts *o, const sb_option *table, const char *key);
/* A decimal integer within the option's range (no blanks, no overflow, no silent clamping). */
int sb_opts_long(const sb_opts *o, const sb_option *table, const char *key, long *out, sb_err *err);
int sb_opts_double(const sb_opts *o, const sb_option *table, const char *key, double *out, sb_err *err);
int sb_opts_bool(const sb_opts *o, const sb_option *table, const char *key, int *out, sb_err *err);
/* A path option made absolute against base_dir; "" when unset and without default. */
int sb_opts_path(const sb_opts *o, const sb_option *table, const char *key, char *out, size_t cap,
                 sb_err *err);

/* " (1..1000)" for an integer option, "" for others: what --help appends to the help text. */
void sb_option_range_text(const sb_option *opt, char *out, size_t cap);

/* Whole-string decimal integers, for the command line and the option table alike: an optional
 * '-', digits, nothing else (no blanks, '+', hex or exponent), no overflow. Each returns 0 or
 * SB_EUSAGE "<what> must be an integer from MIN to MAX, not '<s>'". */
int sb_parse_int(const char *what, const char *s, long long min, long long max, long long *out, sb_err *err);
int sb_parse_u64(const char *what, const char *s, uint64_t *out, sb_err *err);
/* "--shard i/n": 1 <= i <= n <= SB_MAX_SHARDS; *i is returned 0-based. */
#define SB_MAX_SHARDS 100000
int sb_parse_shard(const char *s, int *i, int *n, sb_err *err);

/* Joins base and a possibly relative path into an absolute one (no file access). */
void sb_path_join(const char *base, const char *path, char *out, size_t cap);

#endif
