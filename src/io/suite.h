/* suite.h — suite files: INI read by our own line parser (suite.c), kept in file order with
 * line numbers. Lines have no length limit; a NUL byte is refused (docs/suites.md).
 *
 *   [suite]            name, seed
 *   [pose]             one task instance: its options
 *   [pose.h36m]        another instance of the same task, labelled "h36m" */
#ifndef SB_SUITE_H
#define SB_SUITE_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef struct sb_suite_kv {
    char *key, *value;
    int line;
} sb_suite_kv;

typedef struct sb_suite_section {
    char *name;
    int line;
    size_t n;
    sb_suite_kv *kv;
} sb_suite_section;

typedef struct sb_suite {
    char *path;
    char *dir;             /* folder of the file: relative paths inside are relative to it */
    size_t n;
    sb_suite_section *sec;
    char *text;            /* the file's bytes, for the provenance hash */
    size_t text_len;
} sb_suite;

/* A suite file larger than this is refused before it is read (a suite is a few KB). */
#define SB_SUITE_MAX_BYTES (16u << 20)

/* Parses path (a regular file: sb_input_check); syntax errors are SB_EUSAGE naming the file
 * and line. On failure s is empty (sb_suite_free is still safe). */
int sb_suite_load(sb_suite *s, const char *path, sb_err *err);
/* Parses INI text already in memory (the job.ini of a shard), with dir as the base. */
int sb_suite_parse(sb_suite *s, const char *name, const char *dir, const char *text, sb_err *err);
/* The same for len bytes that may hold NULs (refused, naming the line): what the fuzzer calls. */
int sb_suite_parse_bytes(sb_suite *s, const char *name, const char *dir, const char *text, size_t len,
                         sb_err *err);
void sb_suite_free(sb_suite *s);

/* FNV-1a 64 of bytes, as 16 hex digits. */
void sb_hash_hex(const void *data, size_t len, char out[17]);
uint64_t sb_fnv1a64(const void *data, size_t len, uint64_t h);
#define SB_FNV_INIT 0xcbf29ce484222325ULL

#endif
