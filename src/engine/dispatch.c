#include "engine/dispatch.h"

#include <pthread.h>
#include <sched.h>
#include <sys/prctl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "engine/mpi_check.h"
#include "engine/progress.h"
#include "engine/signals.h"

enum { TAG_REQ = 7101, TAG_WORK = 7102 };
enum { REQ_WANT = 1, REQ_STOP = 2, REQ_BYE = 4 };    /* worker → dispatcher flags */
enum { WORK_END = 1, WORK_STOP = 2, WORK_EAGER = 4 }; /* dispatcher → worker flags */

static void sleep_us(long us)
{
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000L};
    nanosleep(&ts, NULL);
}

/* ---- a batch on the wire: flags, count, then per unit id, task, arg, cost, name ------ */

static void pack_batch(sb_buf *b, const sb_sched *s, size_t first, size_t k, uint64_t flags)
{
    b->len = 0;
    sb_buf_put_u64(b, flags);
    sb_buf_put_u64(b, k);
    for (size_t i = 0; i < k; i++) {
        const sb_unit *u = &s->u[s->todo[first + i]];
        sb_buf_put_u64(b, u->id);
        sb_buf_put_u64(b, u->task);
        sb_buf_put_i64(b, u->arg);
        sb_buf_put_f64(b, u->cost);
        sb_buf_put_str(b, u->key);
    }
}

typedef struct batch {
    sb_units us;
    size_t next;
    double total, left; /* cost of the batch, and of its units not yet started */
    int eager;          /* ask for the next batch as soon as this one starts */
} batch;

static int unpack_batch(const unsigned char *p, size_t len, batch *bt, uint64_t *flags, sb_err *err)
{
    memset(bt, 0, sizeof *bt);
    sb_reader r;
    sb_reader_init(&r, p, len);
    *flags = sb_get_u64(&r);
    uint64_t k = sb_get_u64(&r);
    int rc = 0;
    for (uint64_t i = 0; !r.bad && !rc && i < k; i++) {
        uint64_t id = sb_get_u64(&r), task = sb_get_u64(&r);
        int64_t arg = sb_get_i64(&r);
        double cost = sb_get_f64(&r);
        uint64_t klen = sb_get_u64(&r);
        if (r.bad || klen > (uint64_t)(r.end - r.p))
            break;
        rc = sb_units_add_n(&bt->us, (const char *)r.p, (size_t)klen, cost, arg, err);
        r.p += klen;
        if (!rc) {
            bt->us.u[bt->us.n - 1].id = id;
            bt->us.u[bt->us.n - 1].task = (uint32_t)task;
            bt->total += bt->us.u[bt->us.n - 1].cost;
        }
    }
    if (!rc && (r.bad || bt->us.n != k))
        rc = sb_fail(err, SB_EMPI, "a batch of units arrived corrupt (%zu bytes)", len);
    bt->left = bt->total;
    bt->eager = (*flags & WORK_EAGER) != 0;
    return rc;
}

/* ---- a worker rank (not 0) ----------------------------------------------------------- */

typedef struct worker {
    MPI_Comm comm;
    const sb_worker_ops *ops;
    batch cur, nxt;
    int have_nxt, asked, ended, stop;
    int64_t req[2];
    MPI_Request req_h;
    size_t unreported;
    double last_probe;
    sb_dispatch_stats *st;
} worker;

static void ask(worker *w, int64_t flags)
{
    if (w->req_h != MPI_REQUEST_NULL)
        sb_mpi_check(MPI_Wait(&w->req_h, MPI_STATUS_IGNORE), "MPI_Wait (request)", w->comm);
    w->req[0] = (int64_t)w->unreported;
    w->req[1] = flags;
    w->unreported = 0;
    sb_mpi_check(MPI_Isend(w->req, 2, MPI_INT64_T, 0, TAG_REQ, w->comm, &w->req_h), "MPI_Isend (request)", w->comm);
    w->asked = !(flags & REQ_BYE);
    w->st->requests++;
}

/* Takes the dispatcher's answer if it is there (or waits for it when block). */
static int take_answer(worker *w, int block, sb_err *err)
{
    if (!w->asked)
        return 0;
    int flag = 0;
    MPI_Status s;
    if (block)
        sb_mpi_check(MPI_Probe(0, TAG_WORK, w->comm, &s), "MPI_Probe", w->comm), flag = 1;
    else
        sb_mpi_check(MPI_Iprobe(0, TAG_WORK, w->comm, &flag, &s), "MPI_Iprobe", w->comm);
    if (!flag)
        return 0;
    int n = 0;
    sb_mpi_check(MPI_Get_count(&s, MPI_BYTE, &n), "MPI_Get_count", w->comm);
    unsigned char *p = malloc(n > 0 ? (size_t)n : 1);
    if (!p)
        return sb_fail(err, SB_ENOMEM, "out of memory receiving %d bytes of units", n);
    sb_mpi_check(MPI_Recv(p, n, MPI_BYTE, 0, TAG_WORK, w->comm, MPI_STATUS_IGNORE), "MPI_Recv (units)", w->comm);
    w->asked = 0;
    uint64_t flags = 0;
    batch b;
    int rc = unpack_batch(p, (size_t)n, &b, &flags, err);
    free(p);
    if (rc)
        return rc;
    w->stop |= (flags & WORK_STOP) != 0;
    if (b.us.n == 0) {
        w->ended = 1;
        sb_units_free(&b.us);
    } else {
        w->nxt = b;
        w->have_nxt = 1;
    }
    return 0;
}

/* Makes cur hold a unit to run; 0 when there is none any more. */
static int next_unit(worker *w, sb_err *err, int *rc)
{
    while (w->cur.next >= w->cur.us.n) {
        sb_units_free(&w->cur.us);
        memset(&w->cur, 0, sizeof w->cur);
        if (w->have_nxt) {
            w->cur = w->nxt;
            w->have_nxt = 0;
            continue;
        }
        if (w->ended || w->stop)
            return 0;
        if (!w->asked)
            ask(w, REQ_WANT);
        if ((*rc = w->ops->idle(w->ops->ctx, err)) || (*rc = take_answer(w, 1, err)))
            return 0;
    }
    return 1;
}

static int run_worker(MPI_Comm comm, const sb_worker_ops *ops, sb_dispatch_stats *st, sb_err *err)
{
    worker w;
    memset(&w, 0, sizeof w);
    w.comm = comm;
    w.ops = ops;
    w.st = st;
    w.req_h = MPI_REQUEST_NULL;
    int rc = 0;
    while (!rc && !w.stop && !sb_signal_pending() && next_unit(&w, err, &rc)) {
        const sb_unit *u = &w.cur.us.u[w.cur.next];
        /* Prefetch once half the batch's cost is done, or at once for a batch the
         * dispatcher marked eager (a single unit that is not a long one); after a long
         * unit only, so that no work waits behind it. */
        if (!w.asked && !w.have_nxt && !w.ended &&
            (w.cur.eager || (w.cur.left <= 0.5 * w.cur.total && w.cur.next > 0)))
            ask(&w, REQ_WANT);
        w.cur.left -= u->cost;
        w.cur.next++;
        rc = ops->run(ops->ctx, u, err);
        w.unreported++;
        st->mine++;
        /* An answer is looked for at most every 200 us: a probe costs about a
         * microsecond, a million tiny units should not pay it each. */
        if (!rc && w.asked && sb_now() - w.last_probe > 200e-6) {
            w.last_probe = sb_now();
            rc = take_answer(&w, 0, err);
        }
    }
    int stop = rc || w.stop || sb_signal_pending();
    if (w.asked) {
        sb_err tmp;
        take_answer(&w, 1, &tmp); /* the answer in flight must be received before leaving */
    }
    ask(&w, REQ_BYE | (stop && !w.stop ? REQ_STOP : 0));
    sb_mpi_check(MPI_Wait(&w.req_h, MPI_STATUS_IGNORE), "MPI_Wait (bye)", comm);
    sb_units_free(&w.cur.us);
    if (w.have_nxt)
        sb_units_free(&w.nxt.us);
    return rc;
}

/* ---- rank 0: the dispatcher (main thread) and rank 0's own units (a second thread) ---- */

typedef struct shared {
    pthread_mutex_t mu;
    sb_sched *sched;
    int stop;
    atomic_size_t done;
    atomic_int local_finished;
    const sb_worker_ops *ops;
    int local_rc;
    sb_err local_err;
    sb_dispatch_stats *st;
} shared;

/* The one place a pending signal becomes the run's stop: every hand-out passes here. */
static size_t take(shared *sh, size_t *first, int *stop, int *big)
{
    pthread_mutex_lock(&sh->mu);
    if (sb_signal_pending())
        sh->stop = 1;
    *stop = sh->stop;
    size_t k = sh->stop ? 0 : sb_sched_take(sh->sched, first);
    *big = sh->sched->last_big;
    pthread_mutex_unlock(&sh->mu);
    return k;
}

static void *local_units(void *arg)
{
    shared *sh = arg;
    sb_err_clear(&sh->local_err);
    size_t first, k;
    int stop = 0, big = 0;
    while (!sh->local_rc && (k = take(sh, &first, &stop, &big)) > 0) {
        for (size_t i = 0; i < k && !sh->local_rc; i++) {
            if (sb_signal_pending())
                break; /* the rest of the batch stays undone: --resume runs it */
            sh->local_rc = sh->ops->run(sh->ops->ctx, &sh->sched->u[sh->sched->todo[first + i]], &sh->local_err);
            atomic_fetch_add(&sh->done, 1);
            sh->st->mine++;
        }
    }
    atomic_store(&sh->local_finished, 1);
    return NULL;
}

typedef struct outbox {
    sb_buf buf;
    MPI_Request h;
} outbox;

/* Answers one request from rank src. */
static void answer(shared *sh, MPI_Comm comm, int src, const int64_t *req, outbox *ob, int *active)
{
    atomic_fetch_add(&sh->done, (size_t)(req[0] > 0 ? req[0] : 0));
    if (req[1] & REQ_STOP) {
        pthread_mutex_lock(&sh->mu);
        sh->stop = 1;
        pthread_mutex_unlock(&sh->mu);
    }
    if (req[1] & REQ_BYE) {
        (*active)--;
        return;
    }
    sb_mpi_check(MPI_Wait(&ob->h, MPI_STATUS_IGNORE), "MPI_Wait (units)", comm);
    size_t first = 0;
    int stop = 0;
    int big = 0;
    size_t k = take(sh, &first, &stop, &big);
    uint64_t flags = (k ? 0 : WORK_END) | (stop ? WORK_STOP : 0) | (k == 1 && !big ? WORK_EAGER : 0);
    pack_batch(&ob->buf, sh->sched, first, k, flags);
    if (ob->buf.oom || ob->buf.len > (size_t)INT32_MAX)
        sb_mpi_check(MPI_ERR_NO_MEM, "packing a batch of units", comm);
    sb_mpi_check(MPI_Isend(ob->buf.data, (int)ob->buf.len, MPI_BYTE, src, TAG_WORK, comm, &ob->h),
              "MPI_Isend (units)", comm);
    sh->st->requests++;
}

static void serve(shared *sh, MPI_Comm comm, int size, outbox *ob, sb_progress *prog, size_t base)
{
    int active = size - 1;
    long nap = 10;
    double last = sb_now();
    while (active > 0 || !atomic_load(&sh->local_finished)) {
        int flag = 0;
        MPI_Status s;
        sb_mpi_check(MPI_Iprobe(MPI_ANY_SOURCE, TAG_REQ, comm, &flag, &s), "MPI_Iprobe (requests)", comm);
        if (flag) {
            int64_t req[2];
            sb_mpi_check(MPI_Recv(req, 2, MPI_INT64_T, s.MPI_SOURCE, TAG_REQ, comm, MPI_STATUS_IGNORE),
                         "MPI_Recv (request)", comm);
            answer(sh, comm, s.MPI_SOURCE, req, &ob[s.MPI_SOURCE], &active);
            nap = 10;
            last = sb_now();
            continue;
        }
        sb_progress_update(prog, base + atomic_load(&sh->done));
        /* Nothing to answer. Right after a request more tend to follow (a batch of
         * ranks finishing together): poll, yielding the core, for 200 us; then nap,
         * briefly at first, at most 1 ms, so an idle dispatcher does not take a core
         * from rank 0's own units. */
        if (sb_now() - last < 200e-6) {
            sched_yield();
            continue;
        }
        sleep_us(nap);
        /* At most 1 ms while other ranks may ask; once only rank 0's own units are left,
         * 20 ms (progress and the end of the run are all there is to notice). */
        long cap = active > 0 ? 1000 : 20000;
        nap = nap < cap ? 2 * nap : cap;
    }
}

static int run_dispatcher(MPI_Comm comm, int size, sb_sched *sched, const sb_worker_ops *ops, size_t base,
                          size_t total, int quiet, sb_dispatch_stats *st, sb_err *err)
{
    shared sh;
    memset(&sh, 0, sizeof sh);
    pthread_mutex_init(&sh.mu, NULL);
    sh.sched = sched;
    sh.ops = ops;
    sh.st = st;
    atomic_init(&sh.done, 0);
    atomic_init(&sh.local_finished, 0);
    outbox *ob = calloc((size_t)size, sizeof *ob);
    if (!ob)
        return sb_fail(err, SB_ENOMEM, "out of memory for %d ranks' outboxes", size);
    for (int i = 0; i < size; i++) {
        sb_buf_init(&ob[i].buf);
        ob[i].h = MPI_REQUEST_NULL;
    }
    sb_progress prog;
    sb_progress_start(&prog, "run", total, quiet);
    /* Naps of 10 us, not the kernel's default 50 us of timer slack. */
    prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
    pthread_t th;
    int started = pthread_create(&th, NULL, local_units, &sh) == 0;
    if (!started)
        atomic_store(&sh.local_finished, 1); /* no thread: rank 0 only dispatches */
    serve(&sh, comm, size, ob, &prog, base);
    if (started)
        pthread_join(th, NULL);
    for (int i = 0; i < size; i++) {
        sb_mpi_check(MPI_Wait(&ob[i].h, MPI_STATUS_IGNORE), "MPI_Wait (last units)", comm);
        sb_buf_free(&ob[i].buf);
    }
    free(ob);
    st->done = atomic_load(&sh.done);
    st->stopped = sh.stop && sched->next < sched->n;
    sb_progress_end(&prog, base + st->done);
    pthread_mutex_destroy(&sh.mu);
    if (sh.local_rc)
        *err = sh.local_err;
    return sh.local_rc;
}

int sb_dispatch_run(MPI_Comm comm, sb_sched *sched, const sb_worker_ops *ops, size_t progress_base,
                    size_t progress_total, int quiet, sb_dispatch_stats *st, sb_err *err)
{
    int rank = 0, size = 1;
    sb_mpi_check(MPI_Comm_rank(comm, &rank), "MPI_Comm_rank", comm);
    sb_mpi_check(MPI_Comm_size(comm, &size), "MPI_Comm_size", comm);
    memset(st, 0, sizeof *st);
    if (rank == 0)
        return run_dispatcher(comm, size, sched, ops, progress_base, progress_total, quiet, st, err);
    return run_worker(comm, ops, st, err);
}
