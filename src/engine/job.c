#include "engine/job.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int add_task(sb_job *j, const sb_task *task, const char *label, sb_err *err)
{
    sb_job_task *t = realloc(j->t, (j->n + 1) * sizeof *t);
    if (!t)
        return sb_fail(err, SB_ENOMEM, "out of memory building the job");
    j->t = t;
    memset(&t[j->n], 0, sizeof t[j->n]);
    t[j->n].task = task;
    snprintf(t[j->n].label, sizeof t[j->n].label, "%s", label ? label : "");
    j->n++;
    return 0;
}

/* A label becomes part of file names (<table>-<label>.csv): letters, digits, _ and - only. */
static int check_label(const char *label, const char *path, int line, sb_err *err)
{
    for (const char *p = label; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' ||
              *p == '-'))
            return sb_fail(err, SB_EUSAGE, "%s line %d: label '%s' may hold only letters, digits, '_' and '-' "
                           "(it names output files)", path, line, label);
    return 0;
}

int sb_job_from_suite(sb_job *j, const sb_suite *s, sb_task_lookup lookup, sb_err *err)
{
    memset(j, 0, sizeof *j);
    j->seed = 0;
    snprintf(j->suite_path, sizeof j->suite_path, "%s", s->path);
    sb_hash_hex(s->text, s->text_len, j->suite_hash);
    for (size_t i = 0; i < s->n; i++) {
        const sb_suite_section *sec = &s->sec[i];
        if (!strcmp(sec->name, "suite")) {
            for (size_t k = 0; k < sec->n; k++) {
                const sb_suite_kv *kv = &sec->kv[k];
                if (!strcmp(kv->key, "name"))
                    snprintf(j->name, sizeof j->name, "%s", kv->value);
                else if (!strcmp(kv->key, "seed")) {
                    char *end;
                    unsigned long long v = strtoull(kv->value, &end, 10);
                    if (!kv->value[0] || *end || kv->value[0] == '-')
                        return sb_fail(err, SB_EUSAGE, "%s line %d: seed must be a non-negative integer, not '%s'",
                                       s->path, kv->line, kv->value);
                    j->seed = v;
                } else
                    return sb_fail(err, SB_EUSAGE, "%s line %d: unknown key '%s' in [suite] (known: name, seed)",
                                   s->path, kv->line, kv->key);
            }
            continue;
        }
        char tname[128], label[64] = "";
        snprintf(tname, sizeof tname, "%s", sec->name);
        char *dot = strchr(tname, '.');
        if (dot) {
            if (strlen(dot + 1) >= sizeof label)
                return sb_fail(err, SB_EUSAGE, "%s line %d: label '%s' is longer than %zu characters", s->path,
                               sec->line, dot + 1, sizeof label - 1);
            snprintf(label, sizeof label, "%s", dot + 1);
            *dot = '\0';
        }
        const sb_task *task = lookup(tname);
        if (!task)
            return sb_fail(err, SB_EUSAGE, "%s line %d: unknown section [%s] (a task name, or suite)",
                           s->path, sec->line, sec->name);
        for (size_t q = 0; q < j->n; q++)
            if (j->t[q].task == task && !strcmp(j->t[q].label, label))
                return sb_fail(err, SB_EUSAGE, "%s line %d: [%s] appears twice; label instances as [%s.NAME]",
                               s->path, sec->line, sec->name, tname);
        int rc = check_label(label, s->path, sec->line, err);
        if (!rc)
            rc = add_task(j, task, label, err);
        if (rc)
            return rc;
        sb_job_task *jt = &j->t[j->n - 1];
        char where[1200];
        snprintf(where, sizeof where, "%s [%s]", s->path, sec->name);
        sb_opts_init(&jt->opts, s->dir, where);
        for (size_t k = 0; k < sec->n; k++)
            if ((rc = sb_opts_set(&jt->opts, sec->kv[k].key, sec->kv[k].value, sec->kv[k].line, err)))
                return rc;
    }
    if (!j->n)
        return sb_fail(err, SB_EUSAGE, "%s: the suite names no task (add a section such as [pose])", s->path);
    return 0;
}

int sb_job_single(sb_job *j, const sb_task *task, sb_opts *opts, uint64_t seed, sb_err *err)
{
    memset(j, 0, sizeof *j);
    j->seed = seed;
    snprintf(j->name, sizeof j->name, "%s", task->name);
    int rc = add_task(j, task, "", err);
    if (rc)
        return rc;
    j->t[0].opts = *opts;
    memset(opts, 0, sizeof *opts);
    return 0;
}

/* Two instances that would write one table file, or a table named like failures.csv. */
static int check_tables(const sb_job *j, sb_err *err)
{
    for (size_t a = 0; a < j->n; a++) {
        const sb_job_task *ta = &j->t[a];
        for (const char *const *x = ta->task->tables; x && *x; x++) {
            char na[128], nb[128];
            sb_job_table_name(ta, *x, na, sizeof na);
            if (!strcmp(na, "failures"))
                return sb_fail(err, SB_EUSAGE, "[%s%s%s] would write failures.csv, which the engine writes",
                               ta->task->name, ta->label[0] ? "." : "", ta->label);
            for (size_t b = a + 1; b < j->n; b++) {
                const sb_job_task *tb = &j->t[b];
                for (const char *const *y = tb->task->tables; y && *y; y++) {
                    sb_job_table_name(tb, *y, nb, sizeof nb);
                    if (!strcmp(na, nb))
                        return sb_fail(err, SB_EUSAGE, "[%s%s%s] and [%s%s%s] would both write %s.csv: label one "
                                       "of them ([%s.NAME])", ta->task->name, ta->label[0] ? "." : "", ta->label,
                                       tb->task->name, tb->label[0] ? "." : "", tb->label, na, tb->task->name);
                }
            }
        }
    }
    return 0;
}

int sb_job_open(sb_job *j, sb_err *err)
{
    int trc = check_tables(j, err);
    if (trc)
        return trc;
    for (size_t i = 0; i < j->n; i++) {
        sb_job_task *jt = &j->t[i];
        int rc = sb_opts_validate(&jt->opts, jt->task->options, err);
        if (rc)
            return rc;
        jt->ctx.opts = &jt->opts;
        jt->ctx.label = jt->label;
        jt->ctx.seed = j->seed;
        if (jt->task->open && (rc = jt->task->open(&jt->ctx, err)))
            return rc;
        jt->opened = 1;
    }
    return 0;
}

void sb_job_free(sb_job *j)
{
    for (size_t i = 0; i < j->n; i++) {
        if (j->t[i].opened && j->t[i].task->close)
            j->t[i].task->close(&j->t[i].ctx);
        sb_opts_free(&j->t[i].opts);
    }
    free(j->t);
    memset(j, 0, sizeof *j);
}

static int append(char **buf, size_t *len, size_t *cap, const char *s)
{
    size_t n = strlen(s);
    if (*len + n + 1 > *cap) {
        size_t c = *cap ? *cap : 1024;
        while (*len + n + 1 > c)
            c *= 2;
        char *b = realloc(*buf, c);
        if (!b)
            return -1;
        *buf = b;
        *cap = c;
    }
    memcpy(*buf + *len, s, n + 1);
    *len += n;
    return 0;
}

int sb_job_canonical(const sb_job *j, char **text, sb_err *err)
{
    char *buf = NULL, line[2400];
    size_t len = 0, cap = 0;
    int bad = 0;
    snprintf(line, sizeof line, "[suite]\nname = %s\nseed = %llu\n", j->name[0] ? j->name : "unnamed",
             (unsigned long long)j->seed);
    bad |= append(&buf, &len, &cap, line);
    for (size_t i = 0; i < j->n; i++) {
        const sb_job_task *jt = &j->t[i];
        snprintf(line, sizeof line, "\n[%s%s%s]\n", jt->task->name, jt->label[0] ? "." : "", jt->label);
        bad |= append(&buf, &len, &cap, line);
        for (const sb_option *o = jt->task->options; o && o->key; o++) {
            const char *v = sb_opts_str(&jt->opts, jt->task->options, o->key);
            if (!v)
                continue;
            char val[1100];
            if (o->type == SB_OPT_PATH && v[0])
                sb_opts_path(&jt->opts, jt->task->options, o->key, val, sizeof val, err);
            else
                snprintf(val, sizeof val, "%s", v);
            snprintf(line, sizeof line, "%s = %s\n", o->key, val);
            bad |= append(&buf, &len, &cap, line);
        }
    }
    if (bad) {
        free(buf);
        return sb_fail(err, SB_ENOMEM, "out of memory writing the job description");
    }
    *text = buf;
    return 0;
}

void sb_job_table_name(const sb_job_task *jt, const char *table, char *out, size_t cap)
{
    if (jt->label[0])
        snprintf(out, cap, "%s-%s", table, jt->label);
    else
        snprintf(out, cap, "%s", table);
}
