/*
 * The C side of the boundary benchmark (bindings/boundary.sh): the seed's write (the first
 * write of fixtures/demo/changesets.ndjson) preflighted against the Car app for the demo user
 * and subscriptions, through a session handle (`handle`) and through flexrules_call with the
 * whole request as JSON text each time (`call`); each response is freed, as a caller must.
 *
 * Prints `boundary c handle <calls_per_second>` and `boundary c call <calls_per_second>`,
 * measured as the Rust baseline is (bindings/c/examples/boundary.rs): a warm-up of a quarter
 * round, then three rounds of BOUNDARY_SECONDS / 3 seconds (default 3 s in all), best round.
 * Run from the repository root; bindings/c/bench/run.sh builds and runs it.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flexrules.h"

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s (run from the repository root)\n", path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)size + 1);
    size_t n = fread(text, 1, (size_t)size, f);
    fclose(f);
    text[n] = '\0';
    return text;
}

/* A copy of the JSON value that starts at `at` (an object or array), found by matching
 * brackets outside strings; NULL if it does not end. */
static char *json_value_at(const char *at) {
    int depth = 0, in_string = 0;
    for (const char *p = at; *p; p++) {
        if (in_string) {
            if (*p == '\\' && p[1]) p++;
            else if (*p == '"') in_string = 0;
        } else if (*p == '"') {
            in_string = 1;
        } else if (*p == '{' || *p == '[') {
            depth++;
        } else if ((*p == '}' || *p == ']') && --depth == 0) {
            return strndup(at, (size_t)(p - at + 1));
        }
    }
    return NULL;
}

/* The first write of the first changeset: the first value of its "writes" array. */
static char *seed_write(void) {
    char *text = read_file("fixtures/demo/changesets.ndjson");
    char *writes = strstr(text, "\"writes\"");
    char *first = writes ? strchr(writes, '{') : NULL;
    char *write = first ? json_value_at(first) : NULL;
    free(text);
    if (!write) {
        fprintf(stderr, "no write in fixtures/demo/changesets.ndjson\n");
        exit(2);
    }
    return write;
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static flexrules_session *session;
static const char *write_json;
static const char *call_json;

static void by_handle(void) { flexrules_free(flexrules_session_preflight(session, write_json)); }
static void by_call(void) { flexrules_free(flexrules_call("preflight", call_json)); }

static double run(void (*f)(void), double seconds) {
    double start = now(), elapsed;
    unsigned long calls = 0;
    do {
        for (int i = 0; i < 16; i++) f();
        calls += 16;
        elapsed = now() - start;
    } while (elapsed < seconds);
    return (double)calls / elapsed;
}

static double rate(void (*f)(void)) {
    const char *env = getenv("BOUNDARY_SECONDS");
    double total = env ? atof(env) : 3.0;
    if (!(total > 0)) total = 3.0;
    double round = total / 3.0, best = 0;
    run(f, round / 4);
    for (int i = 0; i < 3; i++) {
        double r = run(f, round);
        if (r > best) best = r;
    }
    return best;
}

int main(void) {
    char *user = read_file("fixtures/demo/user.json");
    char *subs = read_file("fixtures/demo/subscriptions.json");
    char *write = seed_write();
    const char *fmt = "{\"app\": \"fixtures/apps/car\", \"user\": %s, \"subscriptions\": %s%s%s}";
    size_t open_len = strlen(fmt) + strlen(user) + strlen(subs) + 1;
    char *open = malloc(open_len);
    snprintf(open, open_len, fmt, user, subs, "", "");
    size_t call_len = open_len + strlen(write) + 16;
    char *call = malloc(call_len);
    snprintf(call, call_len, fmt, user, subs, ", \"write\": ", write);

    char *error = NULL;
    session = flexrules_session_open(open, &error);
    if (!session) {
        fprintf(stderr, "cannot open the session: %s\n", error);
        return 1;
    }
    write_json = write;
    call_json = call;
    char *verdict = flexrules_session_preflight(session, write);
    if (!strstr(verdict, "\"result\":{\"accepted\":true}")) {
        fprintf(stderr, "the seed's write should be accepted, got %s\n", verdict);
        return 1;
    }
    flexrules_free(verdict);

    printf("boundary c handle %.0f\n", rate(by_handle));
    fflush(stdout);
    printf("boundary c call %.0f\n", rate(by_call));

    flexrules_session_close(session);
    free(open);
    free(call);
    free(write);
    free(user);
    free(subs);
    return 0;
}
