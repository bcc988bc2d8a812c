/* splitcomp_convert_cmd.c — `shardbench splitcomp convert (--mahimahi F | --csv F) --name N
 * --output T.h5`: the command line of the converters in tasks/splitcomp/sc_convert.c. A
 * one-process command: rank 0 converts, the others wait for its status. */
#include <mpi.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "engine/mpi_check.h"
#include "engine/options.h"
#include "tasks/splitcomp/sc_convert.h"

int sb_cmd_splitcomp_convert(sb_cli *cli, const sb_command *cmd, int argc, char **argv);
void sb_help_splitcomp_convert(const sb_command *cmd);

void sb_help_splitcomp_convert(const sb_command *cmd)
{
    (void)cmd;
    printf("usage: shardbench splitcomp convert (--mahimahi F | --csv F) --name N --output T.h5\n"
           "                                    [--bin-ms 100] [--packet-bytes 1500] [--rate-unit kbps]\n\n"
           "Adds the uplink capacity trace /traces/N (time_s, bps, duration_s; specs/splitcomp.md) to\n"
           "T.h5, creating it if needed (a trace N already there is refused).\n"
           "  --mahimahi F  a Mahimahi .up/.down file: one line per delivery opportunity of\n"
           "                packet-bytes, in whole ms; binned into bin-ms bins over one period\n"
           "                (the last timestamp), as mahimahi loops the file\n"
           "  --csv F       two columns time (s) and rate (comma or blanks, optional header);\n"
           "                rate-unit kbps, mbps or bps; a row holds until the next, the last\n"
           "                for as long as the interval before it\n");
}

static int parse_args(sb_args *a, const char **src, int *mahi, const char **name, const char **out, long *bin,
                      long *pkt, double *unit, sb_err *err)
{
    const char *m = sb_args_get(a, "mahimahi"), *c = sb_args_get(a, "csv");
    const char *b = sb_args_get(a, "bin-ms"), *p = sb_args_get(a, "packet-bytes"), *u = sb_args_get(a, "rate-unit");
    *name = sb_args_get(a, "name");
    *out = sb_args_get(a, "output");
    sb_args_flag(a, "quiet");
    const char *cmd = "shardbench splitcomp convert";
    if (!m == !c)
        return sb_fail(err, SB_EUSAGE, "%s: give exactly one of --mahimahi F and --csv F", cmd);
    if (!*name || !*out)
        return sb_fail(err, SB_EUSAGE, "%s: --name N and --output T.h5 are required", cmd);
    if (a->npos)
        return sb_fail(err, SB_EUSAGE, "%s: unexpected argument '%s'", cmd, a->pos[0]);
    *src = m ? m : c;
    *mahi = m != NULL;
    long long v;
    int rc = sb_parse_int("--bin-ms", b ? b : "100", 1, 86400000, &v, err);
    *bin = (long)v;
    if (!rc)
        rc = sb_parse_int("--packet-bytes", p ? p : "1500", 1, 1000000000, &v, err);
    *pkt = (long)v;
    if (rc)
        return rc;
    if (!u || !strcmp(u, "kbps"))
        *unit = 1e3;
    else if (!strcmp(u, "mbps"))
        *unit = 1e6;
    else if (!strcmp(u, "bps"))
        *unit = 1;
    else
        return sb_fail(err, SB_EUSAGE, "%s: --rate-unit must be kbps, mbps or bps, not '%s'", cmd, u);
    if ((*mahi && u) || (!*mahi && (b || p)))
        return sb_fail(err, SB_EUSAGE, "%s: %s", cmd,
                       *mahi ? "--rate-unit is for --csv" : "--bin-ms and --packet-bytes are for --mahimahi");
    return sb_args_check_used(a, cmd, err);
}

int sb_cmd_splitcomp_convert(sb_cli *cli, const sb_command *cmd, int argc, char **argv)
{
    static const char *const flags[] = {"help", "quiet", NULL};
    sb_err err;
    sb_err_clear(&err);
    sb_args a;
    int rc = sb_args_parse(&a, argc, argv, flags, &err);
    if (!rc && sb_args_flag(&a, "help")) {
        if (cli->rank == 0)
            sb_help_splitcomp_convert(cmd);
        return SB_EXIT_OK;
    }
    const char *src = NULL, *name = NULL, *out = NULL;
    int mahi = 0;
    long bin = 0, pkt = 0;
    double unit = 0;
    if (!rc)
        rc = parse_args(&a, &src, &mahi, &name, &out, &bin, &pkt, &unit, &err);
    sc_trace_arrays t = {0};
    if (!rc && cli->rank == 0) {
        rc = mahi ? sc_mahimahi_read(src, bin, pkt, &t, &err) : sc_rate_csv_read(src, unit, &t, &err);
        if (!rc)
            rc = sc_trace_write(out, name, &t, &err);
    }
    sb_mpi_check(MPI_Bcast(&rc, 1, MPI_INT, 0, cli->comm), "MPI_Bcast (status)", cli->comm);
    if (rc) {
        sc_trace_arrays_free(&t);
        sb_cli_error(cli, &err);
        return SB_EXIT_USAGE;
    }
    if (cli->rank == 0) {
        double bits = 0;
        for (size_t i = 0; i < t.L; i++)
            bits += t.bps[i] * ((i + 1 < t.L ? t.t[i + 1] : t.dur) - t.t[i]);
        printf("shardbench: wrote /traces/%s to %s (%zu segments, %g s, mean %.4g Mb/s)\n", name, out, t.L, t.dur,
               bits / t.dur / 1e6);
    }
    sc_trace_arrays_free(&t);
    return SB_EXIT_OK;
}
