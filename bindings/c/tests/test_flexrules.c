/*
 * The C library driven from C: every function of flexrules.h, the demo scenario through a
 * session and through flexrules_call, and hostile arguments (NULL, invalid UTF-8, invalid JSON,
 * NULL, closed and forged handles, foreign and double frees), then one handle shared by threads,
 * and closed by one of them while the others call through it.
 *
 * Run from the repository root (the fixtures are read by relative path):
 *   bash bindings/c/tests/run.sh
 * It prints one line per failure and ends with "N passed, N failed".
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flexrules.h"

static int passed;
static int failed;

static void check(int ok, const char *what, const char *detail, int line) {
    if (ok) {
        passed++;
    } else {
        failed++;
        fprintf(stderr, "FAIL line %d: %s\n  got: %s\n", line, what, detail ? detail : "(null)");
    }
}

/* Checks that `response` contains each needle (NULL-terminated list), then frees it. */
static void expect_in(char *response, int line, const char *what, const char *const *needles) {
    int ok = response != NULL;
    for (const char *const *n = needles; ok && *n; n++) {
        ok = strstr(response, *n) != NULL;
    }
    check(ok, what, response, line);
    flexrules_free(response);
}
#define EXPECT(response, what, ...) \
    expect_in((response), __LINE__, (what), (const char *const[]){__VA_ARGS__, NULL})


/*
 * The text of a response's `result` member and the response's closing brace. The library
 * writes `result` last (its members are written in a fixed order), so the rest of the text is
 * the result.
 */
static const char *result_of(const char *response) {
    const char *at = strstr(response, "\"result\":");
    return at ? at + strlen("\"result\":") : NULL;
}

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s (run from the repository root)\n", path);
        exit(2);
    }
    size_t cap = 4096, len = 0;
    char *text = malloc(cap);
    size_t n;
    while (text && (n = fread(text + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len - 1 == 0) {
            cap *= 2;
            text = realloc(text, cap);
        }
    }
    fclose(f);
    if (!text) exit(2);
    text[len] = '\0';
    return text;
}

/* The non-empty lines of an NDJSON file; *count receives their number. */
static char **read_lines(const char *path, size_t *count) {
    char *text = read_file(path);
    char **lines = NULL;
    *count = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[strspn(line, " \t\r")] == '\0') continue;
        lines = realloc(lines, (*count + 1) * sizeof *lines);
        lines[(*count)++] = strdup(line);
    }
    free(text);
    return lines;
}

/* printf into a fresh heap string. */
static char *format(const char *fmt, const char *a, const char *b) {
    int n = snprintf(NULL, 0, fmt, a, b);
    char *out = malloc((size_t)n + 1);
    snprintf(out, (size_t)n + 1, fmt, a, b);
    return out;
}

static char *open_request(void) {
    char *user = read_file("fixtures/demo/user.json");
    char *subs = read_file("fixtures/demo/subscriptions.json");
    char *request =
        format("{\"app\": \"fixtures/apps/car\", \"user\": %s, \"subscriptions\": %s}", user, subs);
    free(user);
    free(subs);
    return request;
}

/* The three writes of the demo changesets (fixtures/demo/changesets.ndjson), one by one. */
static const char *TOYOTA =
    "{\"op\": \"insert\", \"table\": \"Car\", \"object\": {\"_id\": {\"$oid\": "
    "\"6424433fd4d9f52ee93ad58f\"}, \"ownerId\": \"6424433e4d4b3c9f0a7a1b2c\", \"make\": "
    "\"Toyota\", \"miles\": 2}}";
static const char *HONDA =
    "{\"op\": \"insert\", \"table\": \"Car\", \"object\": {\"_id\": {\"$oid\": "
    "\"6424433fd4d9f52ee93ad590\"}, \"ownerId\": \"6424433e4d4b3c9f0a7a1b2c\", \"make\": "
    "\"Honda\", \"miles\": 90000}}";
static const char *FORD =
    "{\"op\": \"insert\", \"table\": \"Car\", \"object\": {\"_id\": {\"$oid\": "
    "\"6424433fd4d9f52ee93ad591\"}, \"ownerId\": \"someOtherId\", \"make\": \"Ford\"}}";

static void test_version_and_call(void) {
    const char *version = flexrules_version();
    check(version != NULL && version[0] != '\0', "flexrules_version is a string", version, __LINE__);
    check(version == flexrules_version(), "flexrules_version is one static string", version,
          __LINE__);
    char *needle = format("\"version\":\"%s\"%s", version, "");
    EXPECT(flexrules_call("version", "{}"), "version operation names the same version", needle,
           "\"api_version\":1", "\"preflight\"");
    free(needle);

    EXPECT(flexrules_call("translate",
                          "{\"schema\": {\"title\": \"Car\", \"bsonType\": \"object\", "
                          "\"required\": [\"_id\"], \"properties\": {\"_id\": {\"bsonType\": "
                          "\"objectId\"}, \"miles\": {\"bsonType\": \"long\"}}}, "
                          "\"query\": \"miles < 100\"}"),
           "translate answers the docs/api.md example", "\"ok\":true", "\"api_version\":1",
           "\"result\":{\"miles\":{\"$lt\":100}}}");
    EXPECT(flexrules_call("validate", "{\"app\": \"fixtures/apps/tiered-docs\"}"),
           "validate finds the misspelt document_filter", "\"ok\":true", "document_filter");
}

static void test_hostile_calls(void) {
    EXPECT(flexrules_call(NULL, "{}"), "NULL operation", "\"ok\":false", "\"bad_request\"",
           "`operation` is NULL");
    EXPECT(flexrules_call("version", NULL), "NULL request", "\"ok\":false", "\"bad_request\"",
           "`request_json` is NULL");
    EXPECT(flexrules_call(NULL, NULL), "NULL both", "\"ok\":false", "\"bad_request\"");
    EXPECT(flexrules_call("vers\xff" "ion", "{}"), "invalid UTF-8 operation", "\"ok\":false",
           "`operation` is not UTF-8: invalid byte at offset 4");
    EXPECT(flexrules_call("query", "{\"query\": \"a\xc3\"}"), "invalid UTF-8 request",
           "\"ok\":false", "`request_json` is not UTF-8: invalid byte at offset 12");
    EXPECT(flexrules_call("check", "{\"app\": "), "truncated JSON", "\"ok\":false",
           "\"bad_request\"", "malformed JSON at line 1");
    EXPECT(flexrules_call("version", "[1, 2]"), "a request that is not an object", "\"ok\":false",
           "\"bad_request\"");
    EXPECT(flexrules_call("judge", "{}"), "unknown operation", "\"ok\":false",
           "\"unknown_operation\"", "`judge`");
    EXPECT(flexrules_call("translate", "{\"schema\": {}, \"query\": \"a\", \"qeury\": 1}"),
           "a misspelt field is refused", "\"ok\":false", "\"bad_request\"", "qeury");
    EXPECT(flexrules_call("validate", "{\"app\": \"fixtures/apps/no-such-app\"}"),
           "a missing app directory", "\"ok\":false", "\"kind\":\"app\"", "no-such-app");
}

static void test_session(void) {
    char *request = open_request();
    char *error = (char *)"untouched";
    flexrules_session *session = flexrules_session_open(request, &error);
    check(session != NULL, "the demo session opens", error, __LINE__);
    check(error == NULL, "a successful open sets *error_json to NULL", error, __LINE__);
    if (!session) exit(1);

    /* Preflights: the docs' three verdicts, and the state is left unchanged. */
    EXPECT(flexrules_session_preflight(session, TOYOTA), "the Toyota is accepted",
           "\"ok\":true", "\"result\":{\"accepted\":true}}");
    EXPECT(flexrules_session_preflight(session, HONDA), "the Honda is outside the view",
           "\"accepted\":false", "outside of the current query view");
    EXPECT(flexrules_session_preflight(session, FORD), "the Ford breaks the permissions",
           "\"accepted\":false", "\"table\":\"Car\"", "6424433fd4d9f52ee93ad591");

    /* Judging the demo changesets one by one answers what one `check` call answers. */
    size_t count = 0;
    char **lines = read_lines("fixtures/demo/changesets.ndjson", &count);
    check(count == 3, "the demo has three changesets", NULL, __LINE__);
    size_t joined_len = 3;
    for (size_t i = 0; i < count; i++) joined_len += strlen(lines[i]) + 1;
    char *joined = malloc(joined_len);
    strcpy(joined, "[");
    char *expected_lines = calloc(1, 1);
    for (size_t i = 0; i < count; i++) {
        strcat(joined, lines[i]);
        strcat(joined, i + 1 < count ? "," : "]");
        char *response = flexrules_session_judge(session, lines[i]);
        const char *line = response ? result_of(response) : NULL;
        int ok = line && strstr(response, "\"ok\":true");
        check(ok, "each judged changeset is ok", response, __LINE__);
        if (ok) {
            size_t len = strlen(line) - 1; /* without the response's closing brace */
            size_t have = strlen(expected_lines);
            expected_lines = realloc(expected_lines, have + len + 2);
            memcpy(expected_lines + have, line, len);
            strcpy(expected_lines + have + len, i + 1 < count ? "," : "");
        }
        flexrules_free(response);
    }
    char *check_request = malloc(strlen(request) + strlen(joined) + 32);
    strcpy(check_request, request);
    strcpy(check_request + strlen(check_request) - 1, ", \"changesets\": ");
    strcat(check_request, joined);
    strcat(check_request, "}");
    char *expected = format("[%s]}%s", expected_lines, "");
    char *answer = flexrules_call("check", check_request);
    const char *result = answer ? result_of(answer) : NULL;
    check(result && strcmp(result, expected) == 0 && strstr(answer, "\"ok\":true"),
          "a session judges as one check call does", answer, __LINE__);
    flexrules_free(answer);
    free(expected);
    free(check_request);
    free(expected_lines);
    free(joined);

    /* Hostile arguments on an open handle. */
    EXPECT(flexrules_session_judge(session, NULL), "NULL changeset", "\"ok\":false",
           "`changeset_json` is NULL");
    EXPECT(flexrules_session_preflight(session, NULL), "NULL write", "\"ok\":false",
           "`write_json` is NULL");
    EXPECT(flexrules_session_judge(session, "{\"writes\": [\xfe]}"), "invalid UTF-8 changeset",
           "\"ok\":false", "`changeset_json` is not UTF-8: invalid byte at offset 12");
    EXPECT(flexrules_session_preflight(session, "{\"op\": \"insert\""), "truncated write",
           "\"ok\":false", "\"bad_request\"", "malformed JSON");
    EXPECT(flexrules_session_preflight(session, "{\"table\": \"Car\"}"), "a write without op",
           "\"ok\":false", "\"kind\":\"input\"", "op");
    EXPECT(flexrules_session_judge(session, "{\"client_version\": 1, \"writes\": [{\"op\": "
                                            "\"insert\", \"table\": \"Car\"}]}"),
           "a write without its object is named by pointer", "\"ok\":false",
           "\"pointer\":\"/writes/0");

    /* Closing: once, then never again; a closed handle answers, it does not crash. */
    check(flexrules_session_close(session) == 0, "close an open handle", NULL, __LINE__);
    check(flexrules_session_close(session) == -1, "a second close is refused", NULL, __LINE__);
    EXPECT(flexrules_session_preflight(session, TOYOTA), "preflight after close", "\"ok\":false",
           "\"invalid_handle\"", "was closed");
    EXPECT(flexrules_session_judge(session, lines[0]), "judge after close", "\"ok\":false",
           "\"invalid_handle\"", "was closed");

    for (size_t i = 0; i < count; i++) free(lines[i]);
    free(lines);
    free(request);
}

static void test_hostile_handles_and_opens(void) {
    int local = 0;
    flexrules_session *forged = (flexrules_session *)&local;
    EXPECT(flexrules_session_preflight(NULL, TOYOTA), "NULL handle", "\"ok\":false",
           "\"invalid_handle\"", "NULL");
    EXPECT(flexrules_session_judge(NULL, "{}"), "NULL handle judge", "\"invalid_handle\"");
    EXPECT(flexrules_session_preflight(forged, TOYOTA), "a forged handle", "\"ok\":false",
           "\"invalid_handle\"", "is not a session handle");
    EXPECT(flexrules_session_judge((flexrules_session *)(size_t)3, "{}"), "an odd small number",
           "\"invalid_handle\"");
    check(flexrules_session_close(NULL) == -1, "close NULL", NULL, __LINE__);
    check(flexrules_session_close(forged) == -1, "close a forged handle", NULL, __LINE__);

    char *error = NULL;
    check(flexrules_session_open(NULL, &error) == NULL, "open NULL", NULL, __LINE__);
    EXPECT(error, "open NULL explains", "\"bad_request\"", "`request_json` is NULL");
    check(flexrules_session_open("{\"app\": \"fixtures/apps/car\"", &error) == NULL,
          "open truncated JSON", NULL, __LINE__);
    EXPECT(error, "open truncated JSON explains", "\"bad_request\"", "malformed JSON");
    check(flexrules_session_open("{\"app\": \"fixtures/apps/car\", \"user\": {\"id\": \"u\"}, "
                                 "\"subscriptions\": [{\"table\": \"Car\", \"query\": "
                                 "\"miles < 100 SORT(miles ASC)\"}]}",
                                 &error) == NULL,
          "a subscription outside the Flexible Sync subset", NULL, __LINE__);
    EXPECT(error, "the refused subscription is named by pointer", "\"ok\":false",
           "\"pointer\":\"/subscriptions/0\"");
    check(flexrules_session_open("{\"app\": \"\xff\"}", &error) == NULL, "open invalid UTF-8",
          NULL, __LINE__);
    EXPECT(error, "open invalid UTF-8 explains", "not UTF-8");
    /* No error pointer: the error response is released inside (valgrind sees no leak). */
    check(flexrules_session_open("{}", NULL) == NULL, "open without an error pointer", NULL,
          __LINE__);
}

static void test_free(void) {
    flexrules_free(NULL);
    flexrules_free((char *)flexrules_version()); /* static: ignored */
    char *mine = malloc(16);
    flexrules_free(mine); /* not the library's: ignored, still ours to free */
    free(mine);
    char *response = flexrules_call("version", "{}");
    flexrules_free(response);
    flexrules_free(response); /* a double free is ignored */
    passed++;
}

/* Threads: preflights on one shared handle from several threads, a judge among them. */
enum { THREADS = 4, ROUNDS = 50 };
static flexrules_session *shared;
static int thread_failures[THREADS];

static void *preflight_loop(void *arg) {
    int index = *(int *)arg;
    for (int i = 0; i < ROUNDS; i++) {
        char *response = index == 0 && i == ROUNDS / 2
                             ? flexrules_session_judge(shared,
                                                       "{\"client_version\": 1, \"writes\": []}")
                             : flexrules_session_preflight(shared, i % 2 ? HONDA : TOYOTA);
        if (!response || !strstr(response, "\"ok\":true")) thread_failures[index]++;
        flexrules_free(response);
    }
    return NULL;
}

static void test_threads(void) {
    char *request = open_request();
    shared = flexrules_session_open(request, NULL);
    free(request);
    check(shared != NULL, "the shared session opens", NULL, __LINE__);
    pthread_t threads[THREADS];
    int indexes[THREADS];
    for (int t = 0; t < THREADS; t++) {
        indexes[t] = t;
        pthread_create(&threads[t], NULL, preflight_loop, &indexes[t]);
    }
    for (int t = 0; t < THREADS; t++) pthread_join(threads[t], NULL);
    int failures = 0;
    for (int t = 0; t < THREADS; t++) failures += thread_failures[t];
    check(failures == 0, "every threaded call answered ok", NULL, __LINE__);
    check(flexrules_session_close(shared) == 0, "close the shared session", NULL, __LINE__);
}

/* A handle closed while other threads are calling through it: every answer is a verdict or
 * invalid_handle, and once the close has returned, every later call answers invalid_handle. */
static int closed_early;
static int racing_bad_answers[THREADS];

static void *race_loop(void *arg) {
    int index = *(int *)arg;
    for (int i = 0; i < ROUNDS; i++) {
        if (index == 0 && i == ROUNDS / 4) {
            if (flexrules_session_close(shared) != 0) racing_bad_answers[index]++;
            __atomic_store_n(&closed_early, 1, __ATOMIC_SEQ_CST);
            continue;
        }
        int after_close = __atomic_load_n(&closed_early, __ATOMIC_SEQ_CST);
        char *response = flexrules_session_preflight(shared, TOYOTA);
        int verdict = response && strstr(response, "\"accepted\":true") != NULL;
        int refused = response && strstr(response, "\"invalid_handle\"") != NULL;
        if (after_close ? !refused : !(verdict || refused)) racing_bad_answers[index]++;
        flexrules_free(response);
    }
    return NULL;
}

static void test_close_during_calls(void) {
    char *request = open_request();
    shared = flexrules_session_open(request, NULL);
    free(request);
    check(shared != NULL, "the raced session opens", NULL, __LINE__);
    pthread_t threads[THREADS];
    int indexes[THREADS];
    for (int t = 0; t < THREADS; t++) {
        indexes[t] = t;
        pthread_create(&threads[t], NULL, race_loop, &indexes[t]);
    }
    for (int t = 0; t < THREADS; t++) pthread_join(threads[t], NULL);
    int bad = 0;
    for (int t = 0; t < THREADS; t++) bad += racing_bad_answers[t];
    check(bad == 0, "a close racing with calls: verdicts before, invalid_handle after", NULL,
          __LINE__);
    check(flexrules_session_close(shared) == -1, "the raced handle stays closed", NULL, __LINE__);
}

int main(void) {
    test_version_and_call();
    test_hostile_calls();
    test_session();
    test_hostile_handles_and_opens();
    test_free();
    test_threads();
    test_close_during_calls();
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
