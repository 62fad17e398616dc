// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The Prometheus text writer: HELP and TYPE lines, samples with and
 * without labels, escaping of help text and label values, numbers; and the
 * tick statistics the media clock exports through it.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "media/tick_stats.h"
#include "metrics/exposition.h"

struct writer {
	GString *out;
	struct exposition e;
};

static int writer_setup(void **state)
{
	struct writer *w = g_new0(struct writer, 1);

	w->out = g_string_new(NULL);
	exposition_init(&w->e, w->out);
	*state = w;
	return 0;
}

static int writer_teardown(void **state)
{
	struct writer *w = *state;

	g_string_free(w->out, TRUE);
	g_free(w);
	return 0;
}

static void test_family_and_samples(void **state)
{
	struct writer *w = *state;

	exposition_family(&w->e, "rtprelay_calls_total", EXPOSITION_COUNTER, "Calls since start");
	exposition_u64(&w->e, "", 18446744073709551615ull, NULL);
	exposition_family(&w->e, "rtprelay_calls_active", EXPOSITION_GAUGE, "Calls in progress");
	exposition_u64(&w->e, "", 2, "kind", "room", NULL);
	exposition_u64(&w->e, "", 0, "kind", "tone", "path", "kernel", NULL);
	assert_string_equal(w->out->str, "# HELP rtprelay_calls_total Calls since start\n"
					 "# TYPE rtprelay_calls_total counter\n"
					 "rtprelay_calls_total 18446744073709551615\n"
					 "# HELP rtprelay_calls_active Calls in progress\n"
					 "# TYPE rtprelay_calls_active gauge\n"
					 "rtprelay_calls_active{kind=\"room\"} 2\n"
					 "rtprelay_calls_active{kind=\"tone\",path=\"kernel\"} 0\n");
}

/* Help text escapes backslash and line feed; a label value also its double quotes. */
static void test_escaping(void **state)
{
	struct writer *w = *state;

	exposition_family(&w->e, "rtprelay_x", EXPOSITION_GAUGE, "a \\ b\nc \"quoted\"");
	exposition_u64(&w->e, "", 1, "interface", "e\"t\\h\n0", NULL);
	assert_string_equal(w->out->str, "# HELP rtprelay_x a \\\\ b\\nc \"quoted\"\n"
					 "# TYPE rtprelay_x gauge\n"
					 "rtprelay_x{interface=\"e\\\"t\\\\h\\n0\"} 1\n");
}

static void test_histogram_and_doubles(void **state)
{
	struct writer *w = *state;

	exposition_family(&w->e, "rtprelay_h_seconds", EXPOSITION_HISTOGRAM, "h");
	exposition_u64(&w->e, "_bucket", 1, "le", "0.0001", NULL);
	exposition_u64(&w->e, "_bucket", 3, "le", "+Inf", NULL);
	exposition_double(&w->e, "_sum", 0.25, NULL);
	exposition_u64(&w->e, "_count", 3, NULL);
	exposition_double(&w->e, "", 1e-7, NULL);
	exposition_double(&w->e, "", 0.1 + 0.2, NULL);
	exposition_double(&w->e, "", NAN, NULL);
	exposition_double(&w->e, "", -INFINITY, NULL);
	assert_string_equal(w->out->str, "# HELP rtprelay_h_seconds h\n"
					 "# TYPE rtprelay_h_seconds histogram\n"
					 "rtprelay_h_seconds_bucket{le=\"0.0001\"} 1\n"
					 "rtprelay_h_seconds_bucket{le=\"+Inf\"} 3\n"
					 "rtprelay_h_seconds_sum 0.25\n"
					 "rtprelay_h_seconds_count 3\n"
					 "rtprelay_h_seconds 1e-07\n"
					 "rtprelay_h_seconds 0.30000000000000004\n"
					 "rtprelay_h_seconds NaN\n"
					 "rtprelay_h_seconds -Inf\n");
}

/* The le labels of the tick jitter histogram. */
static void test_format_double(void **state)
{
	static const struct {
		double value;
		const char *text;
	} cases[] = {
		{ 100 / 1e6, "0.0001" },  { 250 / 1e6, "0.00025" },	      { 20000 / 1e6, "0.02" },
		{ 4.786253, "4.786253" }, { 1.0 / 3, "0.33333333333333331" }, { INFINITY, "+Inf" },
	};
	char buf[EXPOSITION_DOUBLE_MAX];

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		exposition_format_double(buf, cases[i].value);
		assert_string_equal(buf, cases[i].text);
	}
}

/* A tick on time, one 300 us late, one that missed two periods and came 7 ms late, one 25 ms late. */
static void test_tick_stats(void **state)
{
	struct tick_stats s = { 0 };

	tick_stats_record(&s, 1000000, 1, 20000);
	assert_int_equal(s.ticks, 1);
	assert_int_equal(s.jitter_count[0], 0); /* nothing to measure the first against */
	tick_stats_record(&s, 1020000, 1, 20000);
	tick_stats_record(&s, 1040300, 1, 20000);
	tick_stats_record(&s, 1107300, 3, 20000);
	tick_stats_record(&s, 1152300, 1, 20000);
	assert_int_equal(s.ticks, 5);
	assert_int_equal(s.overruns, 2);
	assert_int_equal(s.jitter_count[0], 1);			  /* 0 us <= 100 */
	assert_int_equal(s.jitter_count[2], 1);			  /* 300 us <= 500 */
	assert_int_equal(s.jitter_count[6], 1);			  /* 7000 us <= 20000 */
	assert_int_equal(s.jitter_count[TICK_JITTER_BUCKETS], 1); /* 25000 us: +Inf */
	assert_int_equal(s.jitter_sum_us, 0 + 300 + 7000 + 25000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_family_and_samples, writer_setup, writer_teardown),
		cmocka_unit_test_setup_teardown(test_escaping, writer_setup, writer_teardown),
		cmocka_unit_test_setup_teardown(test_histogram_and_doubles, writer_setup, writer_teardown),
		cmocka_unit_test(test_format_double),
		cmocka_unit_test(test_tick_stats),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
