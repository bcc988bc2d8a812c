/* fuzz_util.h — what harnesses share: the fuzzer's bytes as a file, for readers that take a
 * path. One folder per process (under $TMPDIR or /tmp), removed at exit. */
#ifndef SB_FUZZ_UTIL_H
#define SB_FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char fuzz_dir[512];

static void fuzz_cleanup(void)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fuzz_dir);
    if (fuzz_dir[0] && system(cmd) != 0)
        fprintf(stderr, "fuzz: could not remove %s\n", fuzz_dir);
}

/* Writes size bytes to the file name in this process's folder; its path goes to path. */
static void fuzz_file(const char *name, const uint8_t *data, size_t size, char *path, size_t cap)
{
    if (!fuzz_dir[0]) {
        const char *t = getenv("TMPDIR");
        snprintf(fuzz_dir, sizeof fuzz_dir, "%s/sbfuzz_XXXXXX", t && t[0] ? t : "/tmp");
        if (!mkdtemp(fuzz_dir))
            abort();
        atexit(fuzz_cleanup);
    }
    snprintf(path, cap, "%s/%s", fuzz_dir, name);
    FILE *fp = fopen(path, "wb");
    if (!fp || fwrite(data, 1, size, fp) != size || fclose(fp))
        abort();
}

#endif
