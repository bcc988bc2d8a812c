#include "cli/args.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static void normalise(const char *in, char *out, size_t cap)
{
    size_t i = 0;
    for (; in[i] && i + 1 < cap; i++)
        out[i] = in[i] == '-' ? '_' : in[i];
    out[i] = '\0';
}

/* The words a boolean option takes (as sb_opts_bool reads them). */
static int bool_word(const char *s)
{
    static const char *const w[] = {"true", "false", "yes", "no", "on", "off", "1", "0"};
    for (size_t i = 0; i < sizeof w / sizeof *w; i++)
        if (!strcasecmp(s, w[i]))
            return 1;
    return 0;
}

int sb_args_parse(sb_args *a, int argc, char **argv, const char *const *flags, sb_err *err)
{
    memset(a, 0, sizeof *a);
    for (int i = 0; i < argc; i++) {
        const char *s = argv[i];
        if (strncmp(s, "--", 2) || !s[2]) {
            if (a->npos == sizeof a->pos / sizeof a->pos[0])
                return sb_fail(err, SB_EUSAGE, "too many arguments");
            a->pos[a->npos++] = s;
            continue;
        }
        if (a->nopt == sizeof a->opt / sizeof a->opt[0])
            return sb_fail(err, SB_EUSAGE, "too many options");
        char name[64];
        const char *eq = strchr(s + 2, '=');
        snprintf(name, sizeof name, "%.*s", eq ? (int)(eq - s - 2) : (int)strlen(s + 2), s + 2);
        normalise(name, a->opt[a->nopt].key, sizeof a->opt[a->nopt].key);
        int is_flag = 0;
        for (const char *const *f = flags; f && *f; f++) {
            char nf[64];
            normalise(*f, nf, sizeof nf);
            is_flag |= !strcmp(nf, a->opt[a->nopt].key);
        }
        if (is_flag && !eq && i + 1 < argc && bool_word(argv[i + 1]))
            a->opt[a->nopt].value = argv[++i]; /* `--flag false` as well as `--flag` */
        else if (is_flag)
            a->opt[a->nopt].value = eq ? eq + 1 : "1";
        else if (eq)
            a->opt[a->nopt].value = eq + 1;
        else if (i + 1 < argc)
            a->opt[a->nopt].value = argv[++i];
        else
            return sb_fail(err, SB_EUSAGE, "option --%s needs a value", name);
        for (size_t k = 0; k < a->nopt; k++)
            if (!strcmp(a->opt[k].key, a->opt[a->nopt].key))
                return sb_fail(err, SB_EUSAGE, "option --%s is given twice", name);
        a->nopt++;
    }
    return 0;
}

const char *sb_args_get(sb_args *a, const char *key)
{
    char k[64];
    normalise(key, k, sizeof k);
    for (size_t i = 0; i < a->nopt; i++)
        if (!strcmp(a->opt[i].key, k)) {
            a->opt[i].used = 1;
            return a->opt[i].value;
        }
    return NULL;
}

int sb_args_flag(sb_args *a, const char *key)
{
    const char *v = sb_args_get(a, key);
    return v && strcmp(v, "0") && strcmp(v, "false");
}

int sb_args_check_used(const sb_args *a, const char *command, sb_err *err)
{
    for (size_t i = 0; i < a->nopt; i++)
        if (!a->opt[i].used) {
            char shown[64];
            snprintf(shown, sizeof shown, "%s", a->opt[i].key);
            for (char *p = shown; *p; p++)
                if (*p == '_')
                    *p = '-';
            return sb_fail(err, SB_EUSAGE, "%s: unknown option --%s (see %s --help)", command, shown, command);
        }
    return 0;
}
