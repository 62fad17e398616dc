// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Routing by the Request-URI user: tone, tone-<hz>, room-<name>, [routes], the default route. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "config/route.h"

static int setup(void **state)
{
	static struct config cfg;

	config_set_defaults(&cfg);
	*state = &cfg;
	return 0;
}

static int teardown(void **state)
{
	config_free(*state);
	return 0;
}

static void test_tone(void **state)
{
	struct config *cfg = *state;
	struct route r;

	assert_int_equal(route_resolve(cfg, "tone", &r), ROUTE_TONE);
	assert_int_equal(r.tone_hz, RTPRELAY_TONE_HZ_DEFAULT);
	assert_int_equal(route_resolve(cfg, "tone-880", &r), ROUTE_TONE);
	assert_int_equal(r.tone_hz, 880);
	assert_int_equal(route_resolve(cfg, "tone-50", &r), ROUTE_TONE);
	assert_int_equal(route_resolve(cfg, "tone-3950", &r), ROUTE_TONE);
}

static void test_bad_tone(void **state)
{
	static const char *const users[] = {
		"tone-49", "tone-3951", "tone-", "tone-88x", "tone--5", "tone-+880", "tone-99999999999999999999"
	};
	struct route r;

	for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++)
		assert_int_equal(route_resolve(*state, users[i], &r), ROUTE_BAD_TONE);
}

static void test_room(void **state)
{
	char user[ROUTE_ROOM_NAME_MAX + 8];
	struct route r;

	assert_int_equal(route_resolve(*state, "room-lobby", &r), ROUTE_ROOM);
	assert_string_equal(r.room, "lobby");
	/* "room-" alone names no room: the default route (tone) takes it. */
	assert_int_equal(route_resolve(*state, "room-", &r), ROUTE_TONE);
	memset(user, 'x', sizeof(user));
	memcpy(user, "room-", 5);
	user[5 + ROUTE_ROOM_NAME_MAX - 1] = '\0'; /* 63 bytes of name: fits */
	assert_int_equal(route_resolve(*state, user, &r), ROUTE_ROOM);
	assert_int_equal(strlen(r.room), ROUTE_ROOM_NAME_MAX - 1);
	user[5 + ROUTE_ROOM_NAME_MAX - 1] = 'x';
	user[5 + ROUTE_ROOM_NAME_MAX] = '\0'; /* 64: too long */
	assert_int_equal(route_resolve(*state, user, &r), ROUTE_TONE);
}

static void test_b2bua_routes_first(void **state)
{
	struct config *cfg = *state;
	struct route r;

	assert_true(config_add_route(cfg, "bob", "sip:bob@192.0.2.7:5070", NULL));
	assert_true(config_add_route(cfg, "tone", "sip:music@192.0.2.8", NULL));
	assert_int_equal(route_resolve(cfg, "bob", &r), ROUTE_B2BUA);
	assert_string_equal(r.target, "sip:bob@192.0.2.7:5070");
	/* A configured route wins over the built-in meaning of the user. */
	assert_int_equal(route_resolve(cfg, "tone", &r), ROUTE_B2BUA);
	assert_string_equal(r.target, "sip:music@192.0.2.8");
}

static void test_default_route(void **state)
{
	struct config *cfg = *state;
	struct route r;

	assert_int_equal(route_resolve(cfg, "nobody", &r), ROUTE_TONE);
	assert_int_equal(route_resolve(cfg, NULL, &r), ROUTE_TONE);
	assert_true(config_set_option(cfg, "default-route", "room-lobby", NULL));
	assert_int_equal(route_resolve(cfg, "nobody", &r), ROUTE_ROOM);
	assert_string_equal(r.room, "lobby");
	assert_true(config_add_route(cfg, "carol", "sip:carol@192.0.2.9", NULL));
	assert_true(config_set_option(cfg, "default-route", "carol", NULL));
	assert_int_equal(route_resolve(cfg, "nobody", &r), ROUTE_B2BUA);
	/* A default route that resolves to nothing: no route (404). */
	assert_true(config_set_option(cfg, "default-route", "nowhere", NULL));
	assert_int_equal(route_resolve(cfg, "nobody", &r), ROUTE_NONE);
	assert_true(config_set_option(cfg, "default-route", "tone-20", NULL));
	assert_int_equal(route_resolve(cfg, "nobody", &r), ROUTE_BAD_TONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_tone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_room, setup, teardown),
		cmocka_unit_test_setup_teardown(test_b2bua_routes_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_route, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
