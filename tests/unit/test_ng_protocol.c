// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The ng protocol's parts that need no socket: the --listen-ng option
 * (repeatable on the command line, a list in the config file), splitting
 * "<cookie> <body>", the cookie cache's bounds (entries, bytes, age), and
 * the commands without calls: ping, list, statistics and the error replies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "config/config.h"
#include "config/config_runtime.h"
#include "ng/ng_commands.h"
#include "ng/ng_cookie_cache.h"
#include "ng/ng_message.h"

/* config_load_from on a command line; GOption takes options out of argv, so the strings are kept apart. */
static void load(struct config *cfg, int argc, const char **args)
{
	char **owned = g_new0(char *, argc + 2);
	char **argv;
	GError *err = NULL;

	owned[0] = g_strdup("rtprelayd");
	for (int i = 0; i < argc; i++)
		owned[i + 1] = g_strdup(args[i]);
	argv = g_memdup2(owned, (argc + 2) * sizeof(char *));
	argc++;
	if (!config_load_from(cfg, &argc, &argv, NULL, &err))
		fail_msg("%s", err->message);
	g_free(argv);
	g_strfreev(owned);
}

static void test_listen_ng_option(void **state)
{
	struct config cfg;
	GError *err = NULL;
	const char *args[] = {
		"--media-ip", "192.0.2.1", "--listen-ng", "127.0.0.1:2223", "--listen-ng", "[::1]:2224"
	};

	load(&cfg, G_N_ELEMENTS(args), args);
	assert_int_equal(cfg.listen_ng_count, 2);
	assert_string_equal(cfg.listen_ng[0].host, "127.0.0.1");
	assert_int_equal(cfg.listen_ng[0].port, 2223);
	assert_int_equal(cfg.listen_ng[1].family, AF_INET6);
	assert_int_equal(cfg.listen_ng[1].port, 2224);
	config_free(&cfg);

	load(&cfg, 2, args);
	assert_int_equal(cfg.listen_ng_count, 0); /* off by default */
	assert_true(config_set_option(&cfg, "listen-ng", "10.0.0.1:1; [fd00::1]:2 ;", &err));
	assert_int_equal(cfg.listen_ng_count, 2);
	assert_string_equal(cfg.listen_ng[1].host, "fd00::1");
	assert_false(config_set_option(&cfg, "listen-ng", "10.0.0.1:1;nonsense", &err));
	assert_non_null(strstr(err->message, "listen-ng"));
	g_clear_error(&err);
	assert_int_equal(cfg.listen_ng_count, 2); /* unchanged by the refused value */
	assert_false(config_set_option(&cfg, "listen-ng",
				       "1.1.1.1:1,1.1.1.1:2,1.1.1.1:3,1.1.1.1:4,1.1.1.1:5,"
				       "1.1.1.1:6,1.1.1.1:7,1.1.1.1:8,1.1.1.1:9",
				       &err));
	assert_non_null(strstr(err->message, "at most 8"));
	g_clear_error(&err);
	config_free(&cfg);
}

static void test_listen_ng_in_file(void **state)
{
	struct config cfg;
	char *path;
	GError *err = NULL;
	int fd = g_file_open_tmp("rtprelay-ng-XXXXXX.conf", &path, &err);

	close(fd);
	assert_true(g_file_set_contents(path, "[rtprelay]\nlisten-ng = 127.0.0.1:2223;[::1]:2223\n", -1, &err));
	char *args[] = { "rtprelayd", NULL }, **argv = args;
	int argc = 1;

	assert_true(config_load_from(&cfg, &argc, &argv, path, &err));
	assert_int_equal(cfg.listen_ng_count, 2);
	assert_string_equal(cfg.listen_ng[1].host, "::1");
	config_free(&cfg);
	unlink(path);
	g_free(path);
}

/* --media-address NAME=ADDR, repeatable, and media-address set later: the names ng's direction picks. */
static void test_media_address_option(void **state)
{
	struct config cfg;
	GError *err = NULL;
	const char *args[] = { "--media-ip",	    "192.0.2.1",       "--media-address",
			       "internal=10.0.0.1", "--media-address", "external=2001:db8::1" };
	const struct config_media_address *a;

	load(&cfg, G_N_ELEMENTS(args), args);
	assert_int_equal(cfg.media_address_count, 2);
	a = config_media_address_find(&cfg, "external");
	assert_non_null(a);
	assert_string_equal(a->ip, "2001:db8::1");
	assert_int_equal(a->family, AF_INET6);
	assert_null(config_media_address_find(&cfg, "dmz"));
	assert_true(config_set_option(&cfg, "media-address", " lan=10.1.0.1 ; wan=192.0.2.9;", &err));
	assert_int_equal(cfg.media_address_count, 2); /* the list is replaced */
	assert_string_equal(config_media_address_find(&cfg, "wan")->ip, "192.0.2.9");
	assert_null(config_media_address_find(&cfg, "internal"));
	config_free(&cfg);
}

static void test_message_split(void **state)
{
	struct ng_message m;
	char long_cookie[NG_COOKIE_MAX + 8];

	assert_true(ng_message_split("5_42_1 d7:command4:pinge", 24, &m));
	assert_int_equal(m.cookie_len, 6);
	assert_memory_equal(m.cookie, "5_42_1", 6);
	assert_int_equal(m.body_len, 17);
	assert_memory_equal(m.body, "d7:command4:pinge", 17);
	assert_true(ng_message_split("c ", 2, &m));
	assert_int_equal(m.body_len, 0);
	assert_false(ng_message_split("d7:command4:pinge", 17, &m));
	assert_false(ng_message_split(" d7:command4:pinge", 18, &m));
	assert_false(ng_message_split("", 0, &m));
	memset(long_cookie, 'x', sizeof(long_cookie));
	long_cookie[NG_COOKIE_MAX] = ' ';
	assert_true(ng_message_split(long_cookie, NG_COOKIE_MAX + 1, &m));
	long_cookie[NG_COOKIE_MAX] = 'x';
	long_cookie[NG_COOKIE_MAX + 1] = ' ';
	assert_false(ng_message_split(long_cookie, sizeof(long_cookie), &m));
}

static void assert_cached(struct ng_cookie_cache *c, const char *cookie, const char *want, gint64 now)
{
	GBytes *got = ng_cookie_cache_lookup(c, cookie, strlen(cookie), now);

	if (!want) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	assert_int_equal(g_bytes_get_size(got), strlen(want));
	assert_memory_equal(g_bytes_get_data(got, NULL), want, strlen(want));
}

static void test_cookie_cache(void **state)
{
	struct ng_cookie_cache *c = ng_cookie_cache_new(3, 1000, 30 * G_USEC_PER_SEC);
	char big[600];

	ng_cookie_cache_store(c, "a", 1, "ra", 2, 0);
	ng_cookie_cache_store(c, "b", 1, "rb", 2, 1);
	assert_cached(c, "a", "ra", 2);
	assert_cached(c, "c", NULL, 2);
	ng_cookie_cache_store(c, "a", 1, "ra2", 3, 2); /* replaces, now the newest */
	assert_int_equal(ng_cookie_cache_size(c), 2);
	ng_cookie_cache_store(c, "c", 1, "rc", 2, 3);
	ng_cookie_cache_store(c, "d", 1, "rd", 2, 4); /* four entries: the oldest (b) goes */
	assert_int_equal(ng_cookie_cache_size(c), 3);
	assert_cached(c, "b", NULL, 5);
	assert_cached(c, "a", "ra2", 5);
	/* Age: 30 s after storing, gone. */
	assert_cached(c, "d", "rd", 4 + 30 * G_USEC_PER_SEC);
	assert_cached(c, "d", NULL, 5 + 30 * G_USEC_PER_SEC);
	assert_int_equal(ng_cookie_cache_size(c), 0);
	/* Bytes: two 600-byte replies do not fit in 1000. */
	memset(big, 'x', sizeof(big));
	ng_cookie_cache_store(c, "e", 1, big, sizeof(big), 100);
	ng_cookie_cache_store(c, "f", 1, big, sizeof(big), 101);
	assert_cached(c, "e", NULL, 102);
	assert_non_null(ng_cookie_cache_lookup(c, "f", 1, 102));
	/* Binary cookies compare by length too. */
	ng_cookie_cache_store(c, "g\0h", 3, "rg", 2, 103);
	assert_null(ng_cookie_cache_lookup(c, "g", 1, 104));
	assert_non_null(ng_cookie_cache_lookup(c, "g\0h", 3, 104));
	ng_cookie_cache_free(c);
}

/* Runs one request given as bencode; the reply encoded. */
static char *run(struct ng_calls *calls, const char *request)
{
	struct bencode_doc *doc = bencode_doc_new();
	const struct bencode_value *args = bencode_decode(doc, request, strlen(request), NULL);
	GString *out = g_string_new(NULL);

	assert_non_null(args);
	bencode_encode(ng_command_run(calls, doc, args), out);
	bencode_doc_free(doc);
	return g_string_free(out, FALSE);
}

static void assert_reply(struct ng_calls *calls, const char *request, const char *want)
{
	g_autofree char *got = run(calls, request);

	if (strcmp(got, want))
		fail_msg("%s: got %s, want %s", request, got, want);
}

static void test_commands_without_calls(void **state)
{
	struct config cfg;
	struct ng_calls *calls;
	g_autofree char *stats = NULL;

	config_set_defaults(&cfg);
	calls = ng_calls_new(&cfg, NULL);
	assert_reply(calls, "d8:supportsl10:load limite7:command4:pinge", "d6:result4:ponge");
	assert_reply(calls, "d7:command4:liste", "d5:callsle6:result2:oke");
	assert_reply(calls, "d7:command4:list5:limiti3ee", "d5:callsle6:result2:oke");
	assert_reply(calls, "d7:command4:list5:limiti-3ee",
		     "d12:error-reason37:'limit' is not a non-negative integer6:result5:errore");
	assert_reply(calls, "d7:command6:reboote", "d12:error-reason15:unknown command6:result5:errore");
	assert_reply(calls, "d7:commandi1ee", "d12:error-reason34:no 'command' string in the request6:result5:errore");
	assert_reply(calls, "de", "d12:error-reason34:no 'command' string in the request6:result5:errore");
	stats = run(calls, "d7:command10:statisticse");
	assert_non_null(strstr(stats, "11:sessionsowni0e"));
	assert_non_null(strstr(stats, "15:managedsessionsi0e"));
	assert_non_null(strstr(stats, "6:result2:ok"));
	ng_calls_free(calls);
	config_free(&cfg);
}

/*
 * A new call refused while draining or at max-calls: the one error-reason
 * on which Kamailio asks the next relay of its set, the cause in warning.
 */
static void test_offer_refused_for_failover(void **state)
{
	static const char offer[] = "d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\ne";
	struct config cfg;
	struct ng_calls *calls;

	config_set_defaults(&cfg);
	calls = ng_calls_new(&cfg, NULL);
	config_runtime_drain(&cfg, true, "test");
	assert_reply(calls, offer,
		     "d12:error-reason30:Parallel session limit reached6:result5:error7:warning14:draining: teste");
	config_runtime_drain(&cfg, false, NULL);
	cfg.max_calls = 0;
	assert_reply(calls, offer,
		     "d12:error-reason30:Parallel session limit reached6:result5:error"
		     "7:warning28:too many calls (max-calls 0)e");
	ng_calls_free(calls);
	config_free(&cfg);
}

/* The flags' errors: result=error with the reason, before any call is made. */
static void test_flag_errors(void **state)
{
	struct config cfg;
	struct ng_calls *calls;
	GError *err = NULL;

	config_set_defaults(&cfg);
	assert_true(config_set_option(&cfg, "media-address", "internal=192.0.2.1", &err));
	calls = ng_calls_new(&cfg, NULL);
	assert_reply(calls, "d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n9:direction8:internale",
		     "d12:error-reason38:'direction' is not a list of two names6:result5:errore");
	assert_reply(calls, "d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n9:directionl8:internalee",
		     "d12:error-reason38:'direction' is not a list of two names6:result5:errore");
	assert_reply(calls, "d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n5:flagsl9:symmetric10:asymmetricee",
		     "d12:error-reason39:flags symmetric and asymmetric together6:result5:errore");
	assert_reply(calls, "d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n9:directionl8:internal3:dmzee",
		     "d12:error-reason65:direction: no media address named dmz (--media-address NAME=ADDR)"
		     "6:result5:errore");
	ng_calls_free(calls);
	config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_listen_ng_option),       cmocka_unit_test(test_listen_ng_in_file),
		cmocka_unit_test(test_message_split),	       cmocka_unit_test(test_cookie_cache),
		cmocka_unit_test(test_commands_without_calls), cmocka_unit_test(test_offer_refused_for_failover),
		cmocka_unit_test(test_media_address_option),   cmocka_unit_test(test_flag_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
