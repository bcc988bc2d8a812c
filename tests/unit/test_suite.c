/* test_suite.c — the suite-file parser (src/io/suite.c): the grammar of docs/suites.md, no
 * line-length limit, NUL bytes and non-regular files refused with one line naming the line. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/suite.h"

static sb_suite parse_ok(const char *text)
{
    sb_suite s;
    sb_err err = {0};
    int rc = sb_suite_parse(&s, "t.ini", ".", text, &err);
    if (rc)
        fail_msg("parse failed: %s", err.msg);
    return s;
}

/* Parses len bytes, expects failure, and checks the message contains want. */
static void parse_bad(const char *text, size_t len, const char *want)
{
    sb_suite s;
    sb_err err = {0};
    int rc = sb_suite_parse_bytes(&s, "t.ini", ".", text, len, &err);
    if (!rc)
        fail_msg("parsed, but should fail with '%s'", want);
    assert_int_equal(rc, SB_EUSAGE);
    if (!strstr(err.msg, want))
        fail_msg("message '%s' lacks '%s'", err.msg, want);
    assert_null(strchr(err.msg, '\n'));
    assert_int_equal(s.n, 0);
}

static void test_grammar(void **state)
{
    (void)state;
    sb_suite s = parse_ok("\xEF\xBB\xBF; a comment\n# another\n[suite]\nname = x ; inline comment\n"
                          "  seed: 7\r\n\n[pose.small] ; label with a dot\ninput=a;b # not a comment\n"
                          "empty =\nnote = ;x\n[pose ]\n");
    assert_int_equal(s.n, 3);
    assert_string_equal(s.sec[0].name, "suite");
    assert_int_equal(s.sec[0].line, 3);
    assert_int_equal(s.sec[0].n, 2);
    assert_string_equal(s.sec[0].kv[0].key, "name");
    assert_string_equal(s.sec[0].kv[0].value, "x");
    assert_int_equal(s.sec[0].kv[0].line, 4);
    assert_string_equal(s.sec[0].kv[1].key, "seed");
    assert_string_equal(s.sec[0].kv[1].value, "7");
    assert_string_equal(s.sec[1].name, "pose.small");
    assert_int_equal(s.sec[1].n, 3);
    assert_string_equal(s.sec[1].kv[0].value, "a;b # not a comment");
    assert_string_equal(s.sec[1].kv[1].value, "");
    assert_string_equal(s.sec[1].kv[2].value, "");
    assert_string_equal(s.sec[2].name, "pose "); /* kept verbatim: job.c then names it unknown */
    sb_suite_free(&s);
}

/* Repeated keys and sections are kept, in order, for job.c to refuse naming both lines. */
static void test_repeats_kept(void **state)
{
    (void)state;
    sb_suite s = parse_ok("[pose]\nclip = 1\nclip = 2\n[pose]\n");
    assert_int_equal(s.n, 2);
    assert_int_equal(s.sec[0].n, 2);
    assert_int_equal(s.sec[0].kv[1].line, 3);
    assert_string_equal(s.sec[0].kv[1].value, "2");
    sb_suite_free(&s);
}

/* A 320-character path (and a 100 000-character one) stays one value: no line limit. */
static void test_long_lines(void **state)
{
    (void)state;
    size_t n = 100000;
    char *path = malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        path[i] = i % 50 == 0 ? '/' : 'a' + (char)(i % 26);
    path[n] = '\0';
    size_t lens[] = {199, 200, 201, 320, 4095, 4096, 100000};
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        char *text = malloc(n + 64);
        int len = snprintf(text, n + 64, "[pose]\ninput = %.*s\n[x]", (int)lens[k], path);
        assert_true(len > 0);
        sb_suite s = parse_ok(text);
        assert_int_equal(s.n, 2);
        assert_int_equal(s.sec[0].n, 1);
        assert_int_equal(strlen(s.sec[0].kv[0].value), lens[k]);
        assert_memory_equal(s.sec[0].kv[0].value, path, lens[k]);
        assert_int_equal(s.text_len, (size_t)len);
        sb_suite_free(&s);
        free(text);
    }
    free(path);
}

/* A line whose tail would look like a section or a key is still one value. */
static void test_long_tail_not_parsed(void **state)
{
    (void)state;
    char text[600];
    snprintf(text, sizeof text, "[pose]\ninput = %0250d[judge]\nnote = %0250dclip = 3\n", 0, 0);
    sb_suite s = parse_ok(text);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.sec[0].n, 2);
    assert_non_null(strstr(s.sec[0].kv[0].value, "[judge]"));
    assert_non_null(strstr(s.sec[0].kv[1].value, "clip = 3"));
    sb_suite_free(&s);
}

/* Literal bytes, NULs included. */
#define BAD(lit, want) parse_bad(lit, sizeof(lit) - 1, want)

static void test_errors(void **state)
{
    (void)state;
    BAD("[pose]\nclip = 1\nin\0put = x\n[judge]\n", "t.ini line 3: a NUL byte");
    BAD("[suite]\n\0", "t.ini line 2: a NUL byte");
    BAD("[pose]\nclip 3\n", "t.ini line 2: not 'key = value'");
    BAD("[pose]\nclip ;= 3\n", "t.ini line 2: not 'key = value'");
    BAD("[pose\n", "t.ini line 1: '[' without a closing ']'");
    BAD("[]\n", "line 1: empty section name");
    BAD("[a[b]\n", "line 1: '[' inside a section name");
    BAD("[pose] clip = 3\n", "line 1: text after the section's ']'");
    BAD("clip = 3\n[pose]\n", "line 1: a key before any [section]");
    BAD("[pose]\n = 3\n", "line 2: a value without a key");
}

/* The job.ini path: sb_suite_parse of a C string agrees with the bytes it was given. */
static void test_text_kept(void **state)
{
    (void)state;
    const char *t = "[suite]\nseed = 1\n";
    sb_suite s = parse_ok(t);
    assert_int_equal(s.text_len, strlen(t));
    assert_string_equal(s.text, t);
    assert_string_equal(s.path, "t.ini");
    assert_string_equal(s.dir, ".");
    sb_suite_free(&s);
}

static void write_file(const char *path, const char *text, size_t len)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(text, 1, len, fp), len);
    fclose(fp);
}

static void test_load(void **state)
{
    (void)state;
    char dir[] = "/tmp/sb_suite_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128], fifo[128];
    snprintf(path, sizeof path, "%s/a.ini", dir);
    snprintf(fifo, sizeof fifo, "%s/fifo.ini", dir);
    write_file(path, "[pose]\nclip = 2\n", 16);
    sb_suite s;
    sb_err err = {0};
    assert_int_equal(sb_suite_load(&s, path, &err), 0);
    assert_string_equal(s.dir, dir);
    assert_string_equal(s.sec[0].kv[0].value, "2");
    sb_suite_free(&s);
    /* A FIFO would block fopen forever: refused before opening. */
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_not_equal(sb_suite_load(&s, fifo, &err), 0);
    assert_non_null(strstr(err.msg, "not a regular file (a FIFO)"));
    assert_int_not_equal(sb_suite_load(&s, dir, &err), 0);
    assert_non_null(strstr(err.msg, "a directory"));
    /* A NUL in a file: the line is named, nothing after it is silently dropped. */
    write_file(path, "[pose]\n\0clip = 2\n", 17);
    assert_int_equal(sb_suite_load(&s, path, &err), SB_EUSAGE);
    assert_non_null(strstr(err.msg, "a.ini line 2: a NUL byte"));
    /* Too large to be a suite: refused, not read into memory without bound. */
    size_t big = SB_SUITE_MAX_BYTES + 1;
    char *buf = malloc(big);
    memset(buf, '\n', big);
    write_file(path, buf, big);
    assert_int_equal(sb_suite_load(&s, path, &err), SB_EUSAGE);
    assert_non_null(strstr(err.msg, "larger than"));
    write_file(path, buf, big - 1);
    assert_int_equal(sb_suite_load(&s, path, &err), 0);
    assert_int_equal(s.text_len, big - 1);
    sb_suite_free(&s);
    free(buf);
    unlink(path);
    unlink(fifo);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grammar),
        cmocka_unit_test(test_repeats_kept),
        cmocka_unit_test(test_long_lines),
        cmocka_unit_test(test_long_tail_not_parsed),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_text_kept),
        cmocka_unit_test(test_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
