// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * rtprelayd's configuration: the defaults, every option from the command
 * line and from a config file, the command line winning, every bad value
 * refused with an error that names the option and the value, and routes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "config/config.h"
#include "config/config_runtime.h"

/* A config file with these contents that removes itself. */
struct tmpfile {
	char *path;
};

static void tmpfile_write(struct tmpfile *t, const char *contents)
{
	GError *err = NULL;
	int fd = g_file_open_tmp("rtprelay-test-XXXXXX.conf", &t->path, &err);

	assert_true(fd >= 0);
	close(fd);
	assert_true(g_file_set_contents(t->path, contents, -1, &err));
}

static void tmpfile_remove(struct tmpfile *t)
{
	unlink(t->path);
	g_free(t->path);
	t->path = NULL;
}

/*
 * config_load_from() with "rtprelayd ARGS... [--config FILE]" where FILE
 * holds file_text; never reads the system's config file.
 */
static bool load(struct config *cfg, const char *const *args, const char *file_text, GError **err)
{
	GPtrArray *strs = g_ptr_array_new_with_free_func(g_free);
	struct tmpfile t = { 0 };
	char **argv;
	int argc;
	bool ok;

	g_ptr_array_add(strs, g_strdup("rtprelayd"));
	for (; args && *args; args++)
		g_ptr_array_add(strs, g_strdup(*args));
	if (file_text) {
		tmpfile_write(&t, file_text);
		g_ptr_array_add(strs, g_strdup("--config"));
		g_ptr_array_add(strs, g_strdup(t.path));
	}
	/* GOption drops parsed arguments from argv; strs keeps them for freeing. */
	argc = strs->len;
	argv = g_new0(char *, argc + 1);
	memcpy(argv, strs->pdata, argc * sizeof(char *));
	ok = config_load_from(cfg, &argc, &argv, NULL, err);
	g_free(argv);
	g_ptr_array_unref(strs);
	if (file_text)
		tmpfile_remove(&t);
	return ok;
}

static void load_ok(struct config *cfg, const char *const *args, const char *file_text)
{
	GError *err = NULL;

	if (!load(cfg, args, file_text, &err))
		fail_msg("unexpected error: %s", err->message);
}

/* One option's value in cfg, written the way the option is given. */
static char *show(const struct config *cfg, const char *name)
{
	const struct config_hostport *sip = &cfg->sip_listen;

	if (!strcmp(name, "sip-listen"))
		return g_strdup_printf(sip->family == AF_INET6 ? "[%s]:%u" : "%s:%u", sip->host, sip->port);
	if (!strcmp(name, "media-ip"))
		return g_strdup(cfg->media_ip);
	if (!strcmp(name, "rtp-ports"))
		return g_strdup_printf("%u-%u", cfg->rtp_port_min, cfg->rtp_port_max);
	if (!strcmp(name, "interface"))
		return g_strjoinv(",", cfg->interfaces);
	if (!strcmp(name, "datapath"))
		return g_strdup(datapath_kind_name(cfg->datapath));
	if (!strcmp(name, "xdp-mode"))
		return g_strdup(xdp_attach_mode_name(cfg->xdp_mode));
	if (!strcmp(name, "bpffs"))
		return g_strdup(cfg->bpffs_dir);
	if (!strcmp(name, "tone-hz"))
		return g_strdup_printf("%u", cfg->tone_hz);
	if (!strcmp(name, "rtp-timeout"))
		return g_strdup_printf("%u", cfg->rtp_timeout);
	if (!strcmp(name, "answer-delay-ms"))
		return g_strdup_printf("%u", cfg->answer_delay_ms);
	if (!strcmp(name, "max-calls"))
		return g_strdup_printf("%u", cfg->max_calls);
	if (!strcmp(name, "control-port"))
		return g_strdup_printf("%#x", cfg->control_port);
	if (!strcmp(name, "control-group"))
		return g_strdup_printf("%d", (int)cfg->control_gid);
	if (!strcmp(name, "default-route"))
		return g_strdup(cfg->default_route);
	if (!strcmp(name, "foreground"))
		return g_strdup(cfg->foreground ? "true" : "false");
	if (!strcmp(name, "log-level"))
		return g_strdup(config_log_level_name(cfg->log_level));
	fail_msg("no such option %s", name);
	return NULL;
}

static void assert_shows(const struct config *cfg, const char *name, const char *want)
{
	g_autofree char *got = show(cfg, name);

	if (strcmp(got, want))
		fail_msg("%s: got \"%s\", want \"%s\"", name, got, want);
}

static void test_defaults(void **state)
{
	struct config cfg;
	char media_ip[INET6_ADDRSTRLEN];
	static const char *const defaults[][2] = {
		{ "sip-listen", "0.0.0.0:5060" }, { "rtp-ports", "10000-20000" },      { "datapath", "auto" },
		{ "xdp-mode", "auto" },		  { "bpffs", "/sys/fs/bpf/rtprelay" }, { "tone-hz", "440" },
		{ "rtp-timeout", "60" },	  { "answer-delay-ms", "100" },	       { "max-calls", "10000" },
		{ "control-port", "0x52545052" }, { "control-group", "-1" },	       { "default-route", "tone" },
		{ "foreground", "false" },	  { "log-level", "message" },
	};

	load_ok(&cfg, NULL, NULL);
	for (size_t i = 0; i < G_N_ELEMENTS(defaults); i++)
		assert_shows(&cfg, defaults[i][0], defaults[i][1]);
	assert_null(cfg.file);
	assert_int_equal(g_hash_table_size(cfg.routes), 0);
	assert_int_equal(cfg.sip_listen.family, AF_INET);

	/* Host-dependent: the default route's IPv4 address and its interface, or nothing. */
	config_default_media_ip(media_ip);
	assert_string_equal(cfg.media_ip, media_ip);
	assert_non_null(cfg.interfaces);
	if (media_ip[0]) {
		g_autofree char *ifname = config_interface_of(media_ip);
		struct in_addr a;

		assert_int_equal(inet_pton(AF_INET, media_ip, &a), 1);
		assert_int_equal(cfg.media_family, AF_INET);
		assert_non_null(ifname);
		assert_string_equal(cfg.interfaces[0], ifname);
		assert_null(cfg.interfaces[1]);
	} else {
		assert_int_equal(cfg.media_family, AF_UNSPEC);
		assert_null(cfg.interfaces[0]);
	}
	config_free(&cfg);
	config_free(&cfg); /* idempotent */
}

/* Option, value given, value shown afterwards (normalised). */
static const char *const good_values[][3] = {
	{ "sip-listen", "127.0.0.1:5080", "127.0.0.1:5080" },
	{ "sip-listen", "[::1]:5070", "[::1]:5070" },
	{ "sip-listen", "[0:0::0:1]:65535", "[::1]:65535" },
	{ "media-ip", "198.51.100.7", "198.51.100.7" },
	{ "media-ip", "2001:db8:0::5", "2001:db8::5" },
	{ "rtp-ports", "20000-30001", "20000-30001" },
	{ "rtp-ports", "1024-65535", "1024-65535" },
	{ "interface", "lo", "lo" },
	{ "interface", "eth0, veth-a", "eth0,veth-a" },
	{ "datapath", "xdp", "xdp" },
	{ "datapath", "userspace", "userspace" },
	{ "xdp-mode", "native", "native" },
	{ "xdp-mode", "generic", "generic" },
	{ "bpffs", "/sys/fs/bpf/test", "/sys/fs/bpf/test" },
	{ "tone-hz", "880", "880" },
	{ "tone-hz", "50", "50" },
	{ "tone-hz", "3950", "3950" },
	{ "rtp-timeout", "5", "5" },
	{ "answer-delay-ms", "0", "0" },
	{ "max-calls", "42", "42" },
	{ "control-port", "0x1234", "0x1234" },
	{ "control-port", "4660", "0x1234" },
	{ "control-port", "4294967295", "0xffffffff" },
	{ "control-group", "0", "0" },
	{ "control-group", "root", "0" },
	{ "default-route", "room-lobby", "room-lobby" },
	{ "default-route", "tone-880", "tone-880" },
	{ "log-level", "error", "error" },
	{ "log-level", "warning", "warning" },
	{ "log-level", "info", "info" },
	{ "log-level", "debug", "debug" },
};

static void test_options_from_argv(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(good_values); i++) {
		g_autofree char *arg = g_strdup_printf("--%s=%s", good_values[i][0], good_values[i][1]);
		const char *args[] = { arg, NULL };
		struct config cfg;

		load_ok(&cfg, args, NULL);
		assert_shows(&cfg, good_values[i][0], good_values[i][2]);
		config_free(&cfg);
	}
}

/* The long option's separate-argument form too: --tone-hz 880. */
static void test_options_separate_argument(void **state)
{
	const char *args[] = { "--tone-hz", "880", "--rtp-ports", "30000-30100", "-f", NULL };
	struct config cfg;

	load_ok(&cfg, args, NULL);
	assert_int_equal(cfg.tone_hz, 880);
	assert_int_equal(cfg.rtp_port_min, 30000);
	assert_int_equal(cfg.rtp_port_max, 30100);
	assert_true(cfg.foreground);
	config_free(&cfg);
}

static void test_options_from_file(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(good_values); i++) {
		g_autofree char *text =
		    g_strdup_printf("# test\n[rtprelay]\n%s = %s\n", good_values[i][0], good_values[i][1]);
		struct config cfg;

		load_ok(&cfg, NULL, text);
		assert_shows(&cfg, good_values[i][0], good_values[i][2]);
		assert_non_null(cfg.file);
		config_free(&cfg);
	}
}

static void test_foreground(void **state)
{
	static const char *const file_values[][2] = {
		{ "true", "true" }, { "false", "false" }, { "yes", "true" }, { "no", "false" },
		{ "on", "true" },   { "off", "false" },	  { "1", "true" },   { "0", "false" },
	};
	const char *args[] = { "--foreground", NULL };
	struct config cfg;

	load_ok(&cfg, args, NULL);
	assert_true(cfg.foreground);
	config_free(&cfg);
	for (size_t i = 0; i < G_N_ELEMENTS(file_values); i++) {
		g_autofree char *text = g_strdup_printf("[rtprelay]\nforeground=%s\n", file_values[i][0]);

		load_ok(&cfg, NULL, text);
		assert_shows(&cfg, "foreground", file_values[i][1]);
		config_free(&cfg);
	}
}

/* The media address decides the default interface; 127.0.0.1 lives on lo. */
static void test_interface_follows_media_ip(void **state)
{
	const char *lo[] = { "--media-ip", "127.0.0.1", NULL };
	const char *both[] = { "--media-ip", "127.0.0.1", "--interface", "eth7", NULL };
	const char *elsewhere[] = { "--media-ip", "203.0.113.77", NULL };
	struct config cfg;

	load_ok(&cfg, lo, NULL);
	assert_shows(&cfg, "interface", "lo");
	config_free(&cfg);
	load_ok(&cfg, both, NULL);
	assert_shows(&cfg, "interface", "eth7");
	config_free(&cfg);
	/* An address behind a NAT is on no interface here: the list stays empty. */
	load_ok(&cfg, elsewhere, NULL);
	assert_non_null(cfg.interfaces);
	assert_null(cfg.interfaces[0]);
	config_free(&cfg);
}

static void test_argv_overrides_file(void **state)
{
	const char *args[] = { "--tone-hz=600",
			       "--route",
			       "alice=sip:alice@198.51.100.2",
			       "--route",
			       "carol=sip:carol@198.51.100.3",
			       "--default-route=room-main",
			       NULL };
	const char *text = "[rtprelay]\n"
			   "tone-hz = 500\n"
			   "rtp-ports = 30000-30010\n"
			   "default-route = tone-1000\n"
			   "[routes]\n"
			   "alice = sip:alice@192.0.2.10\n"
			   "bob = sip:bob@192.0.2.11\n";
	struct config cfg;

	load_ok(&cfg, args, text);
	assert_int_equal(cfg.tone_hz, 600);
	assert_int_equal(cfg.rtp_port_min, 30000);
	assert_int_equal(cfg.rtp_port_max, 30010);
	assert_string_equal(cfg.default_route, "room-main");
	assert_int_equal(g_hash_table_size(cfg.routes), 3);
	assert_string_equal(g_hash_table_lookup(cfg.routes, "alice"), "sip:alice@198.51.100.2");
	assert_string_equal(g_hash_table_lookup(cfg.routes, "bob"), "sip:bob@192.0.2.11");
	assert_string_equal(g_hash_table_lookup(cfg.routes, "carol"), "sip:carol@198.51.100.3");
	config_free(&cfg);
}

/* The last of a repeated option wins, on the command line as in the file. */
static void test_last_wins(void **state)
{
	const char *args[] = { "--tone-hz=600", "--tone-hz=700", NULL };
	struct config cfg;

	load_ok(&cfg, args, "[rtprelay]\nmax-calls=5\n[rtprelay]\nmax-calls=6\n");
	assert_int_equal(cfg.tone_hz, 700);
	assert_int_equal(cfg.max_calls, 6);
	config_free(&cfg);
}

static void test_routes(void **state)
{
	const char *text = "[routes]\n"
			   "# B2BUA targets\n"
			   "alice = sip:alice@192.0.2.10:5060\n"
			   "bob = sips:bob@[2001:db8::10]:5061;transport=tcp\n"
			   "+15551234 = sip:+15551234@gw.example.net\n";
	struct config cfg;

	load_ok(&cfg, NULL, text);
	assert_int_equal(g_hash_table_size(cfg.routes), 3);
	assert_string_equal(g_hash_table_lookup(cfg.routes, "alice"), "sip:alice@192.0.2.10:5060");
	assert_string_equal(g_hash_table_lookup(cfg.routes, "bob"), "sips:bob@[2001:db8::10]:5061;transport=tcp");
	assert_string_equal(g_hash_table_lookup(cfg.routes, "+15551234"), "sip:+15551234@gw.example.net");
	assert_null(g_hash_table_lookup(cfg.routes, "carol"));
	config_free(&cfg);
}

/* The default config file is read when it exists and skipped when it does not. */
static void test_default_file(void **state)
{
	struct tmpfile t = { 0 };
	struct config cfg;
	GError *err = NULL;
	char *argv0[] = { "rtprelayd", NULL }, **argv = argv0;
	int argc = 1;

	tmpfile_write(&t, "[rtprelay]\ntone-hz = 1000\n");
	assert_true(config_load_from(&cfg, &argc, &argv, t.path, &err));
	assert_int_equal(cfg.tone_hz, 1000);
	assert_string_equal(cfg.file, t.path);
	config_free(&cfg);
	tmpfile_remove(&t);

	argc = 1;
	assert_true(config_load_from(&cfg, &argc, &argv, "/nonexistent/rtprelay.conf", &err));
	assert_int_equal(cfg.tone_hz, 440);
	assert_null(cfg.file);
	config_free(&cfg);
}

/* Option and a value it must refuse. */
static const char *const bad_values[][2] = {
	{ "sip-listen", "" },
	{ "sip-listen", "0.0.0.0" },
	{ "sip-listen", "0.0.0.0:0" },
	{ "sip-listen", "0.0.0.0:65536" },
	{ "sip-listen", "0.0.0.0:50x" },
	{ "sip-listen", "0.0.0.0:" },
	{ "sip-listen", "1.2.3:5060" },
	{ "sip-listen", "::1:5060" },
	{ "sip-listen", "[::1]5060" },
	{ "sip-listen", "[::1]" },
	{ "sip-listen", "[1.2.3.4]:5060" },
	{ "sip-listen", "sip.example.com:5060" },
	{ "media-ip", "" },
	{ "media-ip", "0.0.0.0" },
	{ "media-ip", "::" },
	{ "media-ip", "224.0.0.1" },
	{ "media-ip", "ff02::1" },
	{ "media-ip", "1.2.3.4:5" },
	{ "media-ip", "[::1]" },
	{ "media-ip", "media.example.com" },
	{ "rtp-ports", "" },
	{ "rtp-ports", "10000" },
	{ "rtp-ports", "10001-20000" },
	{ "rtp-ports", "20000-10000" },
	{ "rtp-ports", "10000-10000" },
	{ "rtp-ports", "1000-2000" },
	{ "rtp-ports", "10000-65536" },
	{ "rtp-ports", "10000-" },
	{ "rtp-ports", "-20000" },
	{ "rtp-ports", "+10000-20000" },
	{ "rtp-ports", "10000-20000-30000" },
	{ "rtp-ports", "a-b" },
	{ "interface", "" },
	{ "interface", "," },
	{ "interface", "eth0," },
	{ "interface", "eth0,eth0" },
	{ "interface", "a/b" },
	{ "interface", "eth:0" },
	{ "interface", ".." },
	{ "interface", "averylonginterfacename" },
	{ "datapath", "" },
	{ "datapath", "dpdk" },
	{ "xdp-mode", "" },
	{ "xdp-mode", "offload" },
	{ "bpffs", "" },
	{ "bpffs", "relative/dir" },
	{ "tone-hz", "" },
	{ "tone-hz", "0" },
	{ "tone-hz", "49" },
	{ "tone-hz", "3951" },
	{ "tone-hz", "-440" },
	{ "tone-hz", "440Hz" },
	{ "tone-hz", "4e2" },
	{ "rtp-timeout", "0" },
	{ "answer-delay-ms", "60001" },
	{ "answer-delay-ms", "-1" },
	{ "rtp-timeout", "86401" },
	{ "rtp-timeout", "1m" },
	{ "max-calls", "0" },
	{ "max-calls", "1000001" },
	{ "max-calls", "many" },
	{ "control-port", "" },
	{ "control-port", "0" },
	{ "control-port", "0x" },
	{ "control-port", "0x0" },
	{ "control-port", "-5" },
	{ "control-port", "4294967296" },
	{ "control-port", "0x100000000" },
	{ "control-port", "port" },
	{ "control-group", "" },
	{ "control-group", "no-such-group-rtprelay" },
	{ "default-route", "" },
	{ "default-route", "room lobby" },
	{ "default-route", "sip:tone" },
	{ "default-route", "tone@relay" },
	{ "log-level", "" },
	{ "log-level", "verbose" },
	{ "log-level", "5" },
	{ "media-address", "internal" },
	{ "media-address", "=10.0.0.1" },
	{ "media-address", "in ternal=10.0.0.1" },
	{ "media-address", "internal=nonsense" },
	{ "media-address", "internal=0.0.0.0" },
	{ "media-address", "a=10.0.0.1;a=10.0.0.2" },
	{ "media-address",
	  "a=1.1.1.1;b=1.1.1.1;c=1.1.1.1;d=1.1.1.1;e=1.1.1.1;f=1.1.1.1;g=1.1.1.1;h=1.1.1.1;i=1.1.1.1" },
};

/* The error names the option and quotes the value; the config is left empty. */
static void assert_refused(struct config *cfg, bool ok, GError *err, const char *option, const char *value)
{
	g_autofree char *quoted = g_strdup_printf("\"%s\"", value);

	if (ok)
		fail_msg("%s accepted \"%s\"", option, value);
	assert_non_null(err);
	if (!strstr(err->message, option) || !strstr(err->message, quoted))
		fail_msg("error \"%s\" does not name %s and %s", err->message, option, quoted);
	assert_null(cfg->routes);
	assert_null(cfg->bpffs_dir);
	g_error_free(err);
}

static void test_bad_values_argv(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(bad_values); i++) {
		g_autofree char *arg = g_strdup_printf("--%s=%s", bad_values[i][0], bad_values[i][1]);
		g_autofree char *option = g_strdup_printf("--%s", bad_values[i][0]);
		const char *args[] = { arg, NULL };
		struct config cfg;
		GError *err = NULL;
		bool ok = load(&cfg, args, NULL, &err);

		assert_refused(&cfg, ok, err, option, bad_values[i][1]);
	}
}

static void test_bad_values_file(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(bad_values); i++) {
		g_autofree char *text = g_strdup_printf("[rtprelay]\n%s=%s\n", bad_values[i][0], bad_values[i][1]);
		struct config cfg;
		GError *err = NULL;
		bool ok = load(&cfg, NULL, text, &err);

		assert_refused(&cfg, ok, err, bad_values[i][0], bad_values[i][1]);
	}
	{
		struct config cfg;
		GError *err = NULL;
		bool ok = load(&cfg, NULL, "[rtprelay]\nforeground = maybe\n", &err);

		assert_refused(&cfg, ok, err, "foreground", "maybe");
	}
}

static void test_bad_routes(void **state)
{
	static const char *const bad[][2] = {
		{ "[routes]\nalice = http://alice\n", "http://alice" },
		{ "[routes]\nalice = sip:\n", "sip:" },
		{ "[routes]\nalice = sip:alice @host\n", "sip:alice @host" },
		{ "[routes]\nalice = \n", "" },
		{ "[routes]\nal ice = sip:x@y\n", "al ice" },
		{ "[routes]\nalice@h = sip:x@y\n", "alice@h" },
	};
	static const char *const bad_argv[][2] = {
		{ "alice", "alice" },
		{ "=sip:x@y", "" },
		{ "alice=ftp:x", "ftp:x" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		struct config cfg;
		GError *err = NULL;
		bool ok = load(&cfg, NULL, bad[i][0], &err);

		assert_refused(&cfg, ok, err, "[routes]", bad[i][1]);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(bad_argv); i++) {
		const char *args[] = { "--route", bad_argv[i][0], NULL };
		struct config cfg;
		GError *err = NULL;
		bool ok = load(&cfg, args, NULL, &err);

		assert_refused(&cfg, ok, err, "--route", bad_argv[i][1]);
	}
}

static void assert_load_fails(const char *const *args, const char *file_text, const char *needle)
{
	struct config cfg;
	GError *err = NULL;

	assert_false(load(&cfg, args, file_text, &err));
	assert_non_null(err);
	if (!strstr(err->message, needle))
		fail_msg("error \"%s\" does not mention \"%s\"", err->message, needle);
	assert_null(cfg.routes);
	g_error_free(err);
}

static void test_file_errors(void **state)
{
	const char *missing[] = { "--config", "/nonexistent/rtprelay.conf", NULL };

	assert_load_fails(missing, NULL, "/nonexistent/rtprelay.conf");
	assert_load_fails(NULL, "[rtprelay]\ntone-hertz = 440\n", "tone-hertz");
	assert_load_fails(NULL, "[rtprelay]\nconfig = /etc/other.conf\n", "config");
	assert_load_fails(NULL, "[route]\nalice = sip:alice@h\n", "[route]");
	assert_load_fails(NULL, "[rtprelay]\nthis is not a key file\n", "rtprelay-test-");
	assert_load_fails(NULL, "tone-hz = 440\n", "rtprelay-test-");
}

static void test_argv_errors(void **state)
{
	const char *unknown[] = { "--tone-hertz=440", NULL };
	const char *positional[] = { "extra", NULL };
	const char *missing_arg[] = { "--tone-hz", NULL };

	assert_load_fails(unknown, NULL, "--tone-hertz");
	assert_load_fails(positional, NULL, "extra");
	assert_load_fails(missing_arg, NULL, "--tone-hz");
}

/* --help prints every option and exits 0; GOption exits, so run it in a child. */
static void test_help(void **state)
{
	static const char *const names[] = { "--sip-listen",	"--media-ip",	     "--rtp-ports",  "--interface",
					     "--datapath",	"--xdp-mode",	     "--bpffs",	     "--tone-hz",
					     "--rtp-timeout",	"--answer-delay-ms", "--max-calls",  "--control-port",
					     "--control-group", "--default-route",   "--foreground", "--log-level",
					     "--config",	"--route",	     "[routes]" };
	GString *out = g_string_new(NULL);
	int pipefd[2], status;
	char buf[4096];
	ssize_t n;
	pid_t pid;

	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		const char *args[] = { "--help", NULL };
		struct config cfg;

		dup2(pipefd[1], STDOUT_FILENO);
		close(pipefd[0]);
		load(&cfg, args, NULL, NULL);
		_exit(99); /* not reached: --help exits */
	}
	close(pipefd[1]);
	while ((n = read(pipefd[0], buf, sizeof(buf))) > 0)
		g_string_append_len(out, buf, n);
	close(pipefd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
		if (!strstr(out->str, names[i]))
			fail_msg("--help does not mention %s:\n%s", names[i], out->str);
	}
	g_string_free(out, TRUE);
}

/*
 * etc/rtprelay.conf.example documents every key with its default: as
 * shipped (all commented out) it gives the defaults, and with the keys
 * uncommented it still loads, to the same values.
 */
/* The source tree's copy: from the tree's root (tests/run.sh), or two levels above BUILD/tests/. */
static char *read_example(void)
{
	g_autofree char *exe = g_file_read_link("/proc/self/exe", NULL);
	g_autofree char *dir = exe ? g_path_get_dirname(exe) : NULL;
	g_autofree char *beside = dir ? g_build_filename(dir, "..", "..", "etc/rtprelay.conf.example", NULL) : NULL;
	char *text = NULL;

	if (g_file_get_contents("etc/rtprelay.conf.example", &text, NULL, NULL))
		return text;
	if (beside && g_file_get_contents(beside, &text, NULL, NULL))
		return text;
	fail_msg("etc/rtprelay.conf.example not found from %s or %s", g_get_current_dir(), beside);
	return NULL;
}

static void test_example_file(void **state)
{
	g_autofree char *text = read_example(), *uncommented = NULL;
	g_autoptr(GRegex) re = NULL;
	struct config cfg;

	for (size_t i = 0; i < G_N_ELEMENTS(good_values); i++) {
		g_autofree char *key = g_strdup_printf("\n#%s =", good_values[i][0]);

		if (!strstr(text, key))
			fail_msg("the example config does not document %s", good_values[i][0]);
	}
	assert_non_null(strstr(text, "\n#foreground ="));
	load_ok(&cfg, NULL, text);
	assert_int_equal(cfg.tone_hz, RTPRELAY_TONE_HZ_DEFAULT);
	assert_int_equal(g_hash_table_size(cfg.routes), 0);
	config_free(&cfg);

	/* media-ip's default is a lookup and control-group's example a group that may not exist. */
	re = g_regex_new("^#(?!media-ip|control-group)([a-z+-]+ = )", G_REGEX_MULTILINE, 0, NULL);
	uncommented = g_regex_replace(re, text, -1, 0, "\\1", 0, NULL);
	load_ok(&cfg, NULL, uncommented);
	assert_shows(&cfg, "rtp-ports", "10000-20000");
	assert_shows(&cfg, "control-port", "0x52545052");
	assert_true(g_hash_table_size(cfg.routes) > 0);
	config_free(&cfg);
}

static void test_parse_port_range(void **state)
{
	uint16_t min = 1, max = 2;
	GError *err = NULL;

	assert_true(config_parse_port_range("10000-20000", &min, &max, &err));
	assert_int_equal(min, 10000);
	assert_int_equal(max, 20000);
	assert_true(config_parse_port_range("1024-1025", &min, &max, &err));
	assert_int_equal(min, 1024);
	assert_int_equal(max, 1025);
	assert_true(config_parse_port_range("65534-65535", &min, &max, &err));
	/* A failure leaves the outputs alone. */
	assert_false(config_parse_port_range("1023-2000", &min, &max, &err));
	assert_int_equal(min, 65534);
	assert_int_equal(max, 65535);
	assert_true(g_error_matches(err, CONFIG_ERROR, CONFIG_ERROR_INVALID));
	assert_non_null(strstr(err->message, "1023-2000"));
	g_clear_error(&err);
	assert_false(config_parse_port_range("10001-20000", &min, &max, &err));
	assert_non_null(strstr(err->message, "even"));
	g_clear_error(&err);
	assert_false(config_parse_port_range(NULL, &min, &max, NULL));
}

static void test_parse_hostport(void **state)
{
	struct config_hostport hp = { 0 };

	assert_true(config_parse_hostport("192.0.2.1:5060", &hp, NULL));
	assert_string_equal(hp.host, "192.0.2.1");
	assert_int_equal(hp.port, 5060);
	assert_int_equal(hp.family, AF_INET);
	assert_true(config_parse_hostport("[2001:db8::1]:5061", &hp, NULL));
	assert_string_equal(hp.host, "2001:db8::1");
	assert_int_equal(hp.port, 5061);
	assert_int_equal(hp.family, AF_INET6);
	assert_true(config_parse_hostport("[::]:1", &hp, NULL));
	assert_string_equal(hp.host, "::");
	assert_false(config_parse_hostport("[::ffff:1.2.3.4:5060", &hp, NULL));
	assert_false(config_parse_hostport("["
					   "0000:0000:0000:0000:0000:0000:0000:0000:0000]:1",
					   &hp, NULL));
	assert_false(config_parse_hostport(NULL, &hp, NULL));
	assert_string_equal(hp.host, "::");
	assert_int_equal(hp.port, 1);
}

static void test_parse_interfaces(void **state)
{
	GError *err = NULL;
	char **names = config_parse_interfaces("eth0,eth1, veth0 ", &err);

	assert_non_null(names);
	assert_int_equal(g_strv_length(names), 3);
	assert_string_equal(names[0], "eth0");
	assert_string_equal(names[1], "eth1");
	assert_string_equal(names[2], "veth0");
	g_strfreev(names);
	names = config_parse_interfaces("abcdefghijklmno", NULL); /* 15 characters: the longest allowed */
	assert_non_null(names);
	g_strfreev(names);
	assert_null(config_parse_interfaces("abcdefghijklmnop", &err));
	assert_non_null(strstr(err->message, "15"));
	g_clear_error(&err);
	assert_null(config_parse_interfaces("eth0,,eth1", &err));
	g_clear_error(&err);
}

static void test_parse_log_level(void **state)
{
	static const struct {
		const char *name;
		GLogLevelFlags level;
	} levels[] = {
		{ "error", G_LOG_LEVEL_ERROR }, { "warning", G_LOG_LEVEL_WARNING }, { "message", G_LOG_LEVEL_MESSAGE },
		{ "info", G_LOG_LEVEL_INFO },	{ "debug", G_LOG_LEVEL_DEBUG },	    { "DEBUG", G_LOG_LEVEL_DEBUG },
	};
	GLogLevelFlags level;
	GError *err = NULL;

	for (size_t i = 0; i < G_N_ELEMENTS(levels); i++) {
		assert_true(config_parse_log_level(levels[i].name, &level, NULL));
		assert_int_equal(level, levels[i].level);
	}
	assert_string_equal(config_log_level_name(G_LOG_LEVEL_INFO), "info");
	assert_false(config_parse_log_level("critical", &level, &err));
	assert_non_null(strstr(err->message, "critical"));
	g_clear_error(&err);
}

static void test_set_option(void **state)
{
	struct config cfg;
	GError *err = NULL;

	config_set_defaults(&cfg);
	assert_true(config_set_option(&cfg, "tone-hz", "1000", &err));
	assert_int_equal(cfg.tone_hz, 1000);
	assert_false(config_set_option(&cfg, "tone-hz", "9999", &err));
	assert_non_null(strstr(err->message, "tone-hz"));
	assert_int_equal(cfg.tone_hz, 1000);
	g_clear_error(&err);
	assert_false(config_set_option(&cfg, "no-such-option", "1", &err));
	assert_true(g_error_matches(err, CONFIG_ERROR, CONFIG_ERROR_UNKNOWN));
	g_clear_error(&err);
	assert_true(config_add_route(&cfg, "alice", "sip:alice@h", &err));
	assert_false(config_add_route(&cfg, "bob", "tel:+1555", &err));
	g_clear_error(&err);
	assert_int_equal(g_hash_table_size(cfg.routes), 1);
	config_free(&cfg);
}

/* A setting that would take more sockets than the open-file limit allows is refused. */
static void test_runtime_set_cap(void **state)
{
	struct config cfg;
	GError *err = NULL;

	config_set_defaults(&cfg);
	cfg.max_calls_cap = 100;
	assert_true(config_runtime_set(&cfg, "max-calls", "100", &err));
	assert_int_equal(cfg.max_calls, 100);
	assert_false(config_runtime_set(&cfg, "max-calls", "101", &err));
	assert_true(g_error_matches(err, CONFIG_ERROR, CONFIG_ERROR_INVALID));
	assert_non_null(strstr(err->message, "open-file limit"));
	assert_int_equal(cfg.max_calls, 100);
	g_clear_error(&err);
	assert_false(config_runtime_set(&cfg, "rtp-ports", "30000-30999", &err));
	assert_true(g_error_matches(err, CONFIG_ERROR, CONFIG_ERROR_RESTART));
	g_clear_error(&err);
	config_free(&cfg);
}

/* A reload applies what can change, notes what cannot, and keeps max-calls under the cap. */
static void test_runtime_reload(void **state)
{
	g_autoptr(GPtrArray) changed = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) needs_restart = g_ptr_array_new_with_free_func(g_free);
	struct tmpfile t = { 0 };
	struct config cfg;
	GError *err = NULL;

	load_ok(&cfg, NULL, "[rtprelay]\nmax-calls = 50\ntone-hz = 440\n");
	cfg.max_calls_cap = 80;
	tmpfile_write(&t, "[rtprelay]\nmax-calls = 500\ntone-hz = 1000\nrtp-ports = 30000-30999\n");
	g_free(cfg.file);
	cfg.file = g_strdup(t.path);
	assert_true(config_runtime_reload(&cfg, changed, needs_restart, &err));
	tmpfile_remove(&t);
	assert_int_equal(cfg.tone_hz, 1000);
	assert_int_equal(cfg.max_calls, 80);
	assert_int_equal(needs_restart->len, 2);
	assert_non_null(strstr(g_ptr_array_index(needs_restart, 0), "rtp-ports"));
	assert_non_null(strstr(g_ptr_array_index(needs_restart, 1), "open-file limit allows 80"));
	config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_options_from_argv),
		cmocka_unit_test(test_options_separate_argument),
		cmocka_unit_test(test_options_from_file),
		cmocka_unit_test(test_foreground),
		cmocka_unit_test(test_interface_follows_media_ip),
		cmocka_unit_test(test_argv_overrides_file),
		cmocka_unit_test(test_last_wins),
		cmocka_unit_test(test_routes),
		cmocka_unit_test(test_default_file),
		cmocka_unit_test(test_bad_values_argv),
		cmocka_unit_test(test_bad_values_file),
		cmocka_unit_test(test_bad_routes),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_argv_errors),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_example_file),
		cmocka_unit_test(test_parse_port_range),
		cmocka_unit_test(test_parse_hostport),
		cmocka_unit_test(test_parse_interfaces),
		cmocka_unit_test(test_parse_log_level),
		cmocka_unit_test(test_set_option),
		cmocka_unit_test(test_runtime_set_cap),
		cmocka_unit_test(test_runtime_reload),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
