#include "io/suite.h"

#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t sb_fnv1a64(const void *data, size_t len, uint64_t h)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

void sb_hash_hex(const void *data, size_t len, char out[17])
{
    snprintf(out, 17, "%016llx", (unsigned long long)sb_fnv1a64(data, len, SB_FNV_INIT));
}

typedef struct parse_state {
    sb_suite *s;
    const char *cur; /* unread text */
    int line;        /* line number of the line last handed to inih */
    int oom;
} parse_state;

static int add_section(parse_state *ps, const char *name, int line)
{
    sb_suite *s = ps->s;
    sb_suite_section *sec = realloc(s->sec, (s->n + 1) * sizeof *sec);
    if (!sec) {
        ps->oom = 1;
        return 0;
    }
    s->sec = sec;
    memset(&sec[s->n], 0, sizeof sec[s->n]);
    snprintf(sec[s->n].name, sizeof sec[s->n].name, "%s", name);
    sec[s->n].line = line;
    s->n++;
    return 1;
}

/* An fgets-style reader over the text that counts lines (Debian's inih passes no line
 * numbers to the handler) and records every section header, even one with no keys. */
static char *read_line(char *str, int num, void *stream)
{
    parse_state *ps = stream;
    if (!*ps->cur || num < 2)
        return NULL;
    int k = 0;
    while (k < num - 1 && ps->cur[k] && ps->cur[k] != '\n')
        k++;
    if (k < num - 1 && ps->cur[k] == '\n')
        k++;
    memcpy(str, ps->cur, (size_t)k);
    str[k] = '\0';
    ps->cur += k;
    ps->line++;
    const char *p = str;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '[') {
        const char *close = strchr(p, ']');
        if (close) {
            char name[128];
            snprintf(name, sizeof name, "%.*s", (int)(close - p - 1), p + 1);
            add_section(ps, name, ps->line);
        }
    }
    return str;
}

static int on_entry(void *user, const char *section, const char *name, const char *value)
{
    parse_state *ps = user;
    sb_suite *s = ps->s;
    if (!s->n || strcmp(s->sec[s->n - 1].name, section ? section : ""))
        if (!add_section(ps, section ? section : "", ps->line))
            return 0;
    sb_suite_section *sec = &s->sec[s->n - 1];
    sb_suite_kv *kv = realloc(sec->kv, (sec->n + 1) * sizeof *kv);
    if (!kv) {
        ps->oom = 1;
        return 0;
    }
    sec->kv = kv;
    kv[sec->n].key = strdup(name);
    kv[sec->n].value = strdup(value ? value : "");
    kv[sec->n].line = ps->line;
    sec->n++;
    return 1;
}

int sb_suite_parse(sb_suite *s, const char *name, const char *dir, const char *text, sb_err *err)
{
    memset(s, 0, sizeof *s);
    snprintf(s->path, sizeof s->path, "%s", name);
    snprintf(s->dir, sizeof s->dir, "%s", dir);
    s->text_len = strlen(text);
    s->text = strdup(text);
    if (!s->text)
        return sb_fail(err, SB_ENOMEM, "out of memory reading %s", name);
    parse_state ps = {s, text, 0, 0};
    int rc = ini_parse_stream(read_line, &ps, on_entry, &ps);
    if (ps.oom) {
        sb_suite_free(s);
        return sb_fail(err, SB_ENOMEM, "out of memory reading %s", name);
    }
    if (rc > 0) {
        sb_suite_free(s);
        return sb_fail(err, SB_EUSAGE, "%s line %d: not 'key = value' or '[section]'", name, rc);
    }
    return 0;
}

int sb_suite_load(sb_suite *s, const char *path, sb_err *err)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return sb_fail(err, SB_EUSAGE, "%s: cannot open suite file", path);
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + len, 1, cap - len - 1, fp)) > 0) {
        len += got;
        if (len + 1 == cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb) {
                free(buf);
                buf = NULL;
            }
            buf = nb;
        }
    }
    fclose(fp);
    if (!buf)
        return sb_fail(err, SB_ENOMEM, "out of memory reading %s", path);
    buf[len] = '\0';
    char dir[1024];
    const char *slash = strrchr(path, '/');
    if (slash)
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    else
        snprintf(dir, sizeof dir, ".");
    if (!dir[0])
        snprintf(dir, sizeof dir, "/");
    int rc = sb_suite_parse(s, path, dir, buf, err);
    free(buf);
    return rc;
}

void sb_suite_free(sb_suite *s)
{
    for (size_t i = 0; i < s->n; i++) {
        for (size_t k = 0; k < s->sec[i].n; k++) {
            free(s->sec[i].kv[k].key);
            free(s->sec[i].kv[k].value);
        }
        free(s->sec[i].kv);
    }
    free(s->sec);
    free(s->text);
    memset(s, 0, sizeof *s);
}
