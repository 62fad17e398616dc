// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Configuration: defaults < config file < command line. One table lists
 * every option once; the GOption entries, the config file keys and the
 * --help text all come from it, so they cannot disagree.
 */
#include <grp.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"
#include "lib/control_msg.h"
#include "lib/sockaddr_text.h"

G_DEFINE_QUARK(rtprelay_config_error, config_error)

/*
 * Where config_default_media_ip() pretends to send: TEST-NET-1, which no
 * real host routes specifically, so the kernel picks the default route.
 * connect() on a UDP socket only selects the route; nothing is sent.
 */
#define MEDIA_IP_PROBE_ADDR "192.0.2.1"
#define MEDIA_IP_PROBE_PORT 9

/* "invalid value "VALUE": REASON", with VALUE escaped so the message stays on one line. */
G_GNUC_PRINTF(3, 4)
static bool invalid(GError **err, const char *value, const char *fmt, ...)
{
	g_autofree char *reason = NULL;
	g_autofree char *quoted = g_strescape(value ? value : "", NULL);
	va_list ap;

	va_start(ap, fmt);
	reason = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(err, CONFIG_ERROR, CONFIG_ERROR_INVALID, "invalid value \"%s\": %s", quoted, reason);
	return false;
}

/* Strict: digits of base only, no sign, no spaces, no trailing junk. */
static bool parse_u64(const char *s, unsigned int base, guint64 min, guint64 max, guint64 *out)
{
	return s && *s && g_ascii_string_to_unsigned(s, base, min, max, out, NULL);
}

static bool parse_uint(const char *s, unsigned int min, unsigned int max, unsigned int *out, GError **err)
{
	guint64 v;

	if (!parse_u64(s, 10, min, max, &v))
		return invalid(err, s, "expected a number from %u to %u", min, max);
	*out = (unsigned int)v;
	return true;
}

static bool parse_port(const char *s, unsigned int min, uint16_t *out)
{
	guint64 v;

	if (!parse_u64(s, 10, min, 65535, &v))
		return false;
	*out = (uint16_t)v;
	return true;
}

/* Parse and normalise a numeric address of the given family into out. */
static bool parse_addr(int family, const char *s, char out[INET6_ADDRSTRLEN])
{
	struct in6_addr a;

	if (inet_pton(family, s, &a) != 1)
		return false;
	return inet_ntop(family, &a, out, INET6_ADDRSTRLEN) != NULL;
}

bool config_parse_hostport(const char *s, struct config_hostport *out, GError **err)
{
	const char *colon, *host = s;
	size_t hostlen;
	char buf[INET6_ADDRSTRLEN];
	struct config_hostport hp = { 0 };

	if (!s || !*s)
		return invalid(err, s, "expected ADDR:PORT, e.g. 0.0.0.0:5060 or [::]:5060");
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':')
			return invalid(err, s, "expected [IPV6-ADDR]:PORT");
		host = s + 1;
		hostlen = close - host;
		colon = close + 1;
		hp.family = AF_INET6;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return invalid(err, s, "expected ADDR:PORT, e.g. 0.0.0.0:5060");
		hostlen = colon - s;
		if (memchr(s, ':', hostlen))
			return invalid(err, s, "an IPv6 address needs brackets: [ADDR]:PORT");
		hp.family = AF_INET;
	}
	if (hostlen >= sizeof(buf))
		return invalid(err, s, "not a numeric address");
	memcpy(buf, host, hostlen);
	buf[hostlen] = '\0';
	if (!parse_addr(hp.family, buf, hp.host))
		return invalid(err, s, "\"%s\" is not a numeric %s address", buf,
			       hp.family == AF_INET ? "IPv4" : "IPv6");
	if (!parse_port(colon + 1, 1, &hp.port))
		return invalid(err, s, "the port must be a number from 1 to 65535");
	*out = hp;
	return true;
}

bool config_parse_port_range(const char *s, uint16_t *min, uint16_t *max, GError **err)
{
	const char *dash = s ? strchr(s, '-') : NULL;
	g_autofree char *lo_str = NULL;
	uint16_t lo, hi;

	if (!dash)
		return invalid(err, s, "expected MIN-MAX, e.g. 10000-20000");
	lo_str = g_strndup(s, dash - s);
	if (!parse_port(lo_str, RTPRELAY_RTP_PORT_LOWEST, &lo) || !parse_port(dash + 1, RTPRELAY_RTP_PORT_LOWEST, &hi))
		return invalid(err, s, "MIN and MAX must be numbers from %u to 65535", RTPRELAY_RTP_PORT_LOWEST);
	if (lo % 2)
		return invalid(err, s, "MIN must be even (RTP takes even ports, RTCP the odd one above)");
	if (lo >= hi)
		return invalid(err, s, "MIN must be less than MAX");
	*min = lo;
	*max = hi;
	return true;
}

/* The kernel's dev_valid_name(): what `ip link` would accept. */
static const char *ifname_problem(const char *name)
{
	if (!*name)
		return "an interface name is empty";
	if (strlen(name) >= IFNAMSIZ)
		return "an interface name is longer than 15 characters";
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return "an interface name cannot be . or ..";
	for (const char *p = name; *p; p++) {
		if (*p == '/' || *p == ':' || g_ascii_isspace(*p))
			return "an interface name cannot contain '/', ':' or spaces";
	}
	return NULL;
}

char **config_parse_interfaces(const char *s, GError **err)
{
	g_auto(GStrv) names = NULL;

	if (!s || !*s) {
		invalid(err, s, "expected IF[,IF...], e.g. eth0,eth1");
		return NULL;
	}
	names = g_strsplit(s, ",", -1);
	for (char **n = names; *n; n++) {
		const char *problem = ifname_problem(g_strstrip(*n));

		if (problem) {
			invalid(err, s, "%s", problem);
			return NULL;
		}
		for (char **m = names; m < n; m++) {
			if (!strcmp(*m, *n)) {
				invalid(err, s, "%s is listed twice", *n);
				return NULL;
			}
		}
	}
	return g_steal_pointer(&names);
}

static const struct {
	const char *name;
	GLogLevelFlags level;
} log_levels[] = {
	{ "error", G_LOG_LEVEL_ERROR }, { "warning", G_LOG_LEVEL_WARNING }, { "message", G_LOG_LEVEL_MESSAGE },
	{ "info", G_LOG_LEVEL_INFO },	{ "debug", G_LOG_LEVEL_DEBUG },
};

bool config_parse_log_level(const char *s, GLogLevelFlags *out, GError **err)
{
	for (size_t i = 0; s && i < G_N_ELEMENTS(log_levels); i++) {
		if (!g_ascii_strcasecmp(s, log_levels[i].name)) {
			*out = log_levels[i].level;
			return true;
		}
	}
	return invalid(err, s, "expected error, warning, message, info or debug");
}

const char *config_log_level_name(GLogLevelFlags level)
{
	for (size_t i = 0; i < G_N_ELEMENTS(log_levels); i++) {
		if (log_levels[i].level == level)
			return log_levels[i].name;
	}
	return "?";
}

static bool parse_ip(const char *s, char out[INET6_ADDRSTRLEN], int *family, GError **err)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (s && inet_pton(AF_INET, s, &a4) == 1) {
		if (a4.s_addr == htonl(INADDR_ANY) || IN_MULTICAST(ntohl(a4.s_addr)))
			return invalid(err, s, "peers cannot send to an unspecified or multicast address");
		*family = AF_INET;
		return parse_addr(AF_INET, s, out);
	}
	if (s && inet_pton(AF_INET6, s, &a6) == 1) {
		if (IN6_IS_ADDR_UNSPECIFIED(&a6) || IN6_IS_ADDR_MULTICAST(&a6))
			return invalid(err, s, "peers cannot send to an unspecified or multicast address");
		*family = AF_INET6;
		return parse_addr(AF_INET6, s, out);
	}
	return invalid(err, s, "expected a numeric IPv4 or IPv6 address");
}

static bool parse_group(const char *s, gid_t *out, GError **err)
{
	guint64 v;
	struct group *gr;

	if (parse_u64(s, 10, 0, (gid_t)-1 - 1, &v)) {
		*out = (gid_t)v;
		return true;
	}
	if (!s || !*s)
		return invalid(err, s, "expected a group name or number");
	gr = getgrnam(s);
	if (!gr)
		return invalid(err, s, "no such group");
	*out = gr->gr_gid;
	return true;
}

static bool parse_bool(const char *s, bool *out, GError **err)
{
	static const char *const yes[] = { "true", "yes", "on", "1" }, *const no[] = { "false", "no", "off", "0" };

	for (size_t i = 0; s && i < G_N_ELEMENTS(yes); i++) {
		if (!g_ascii_strcasecmp(s, yes[i]) || !g_ascii_strcasecmp(s, no[i])) {
			*out = !g_ascii_strcasecmp(s, yes[i]);
			return true;
		}
	}
	return invalid(err, s, "expected true or false");
}

/* The user part of a Request-URI, as routes and default-route name it. */
static bool parse_sip_user(const char *s, GError **err)
{
	if (!s || !*s)
		return invalid(err, s, "expected the user part of a SIP URI, e.g. tone");
	for (const char *p = s; *p; p++) {
		if (g_ascii_isspace(*p) || g_ascii_iscntrl(*p) || strchr("@:<>\"", *p))
			return invalid(err, s, "a SIP user part cannot contain spaces or any of @:<>\"");
	}
	return true;
}

static bool parse_sip_target(const char *s, GError **err)
{
	const char *rest;

	if (g_str_has_prefix(s, "sip:"))
		rest = s + 4;
	else if (g_str_has_prefix(s, "sips:"))
		rest = s + 5;
	else
		return invalid(err, s, "expected a sip: or sips: URI, e.g. sip:alice@192.0.2.10:5060");
	if (!*rest)
		return invalid(err, s, "the URI has no host");
	for (const char *p = rest; *p; p++) {
		if (g_ascii_isspace(*p) || g_ascii_iscntrl(*p))
			return invalid(err, s, "a URI cannot contain spaces");
	}
	return true;
}

bool config_add_route(struct config *cfg, const char *user, const char *target, GError **err)
{
	if (!parse_sip_user(user, err) || !parse_sip_target(target, err))
		return false;
	g_hash_table_replace(cfg->routes, g_strdup(user), g_strdup(target));
	return true;
}

/* One setter per option: parse into a temporary, store only on success. */

static bool set_sip_listen(struct config *cfg, const char *v, GError **err)
{
	return config_parse_hostport(v, &cfg->sip_listen, err);
}

/* "ADDR:PORT" items separated by ';' (a config file list) or ','; replaces the earlier list. */
static bool set_listen_ng(struct config *cfg, const char *v, GError **err)
{
	g_auto(GStrv) items = g_strsplit_set(v, ";,", -1);
	struct config_hostport parsed[RTPRELAY_LISTEN_NG_MAX];
	unsigned int n = 0;

	for (char **item = items; *item; item++) {
		g_strstrip(*item);
		if (!**item)
			continue;
		if (n == RTPRELAY_LISTEN_NG_MAX)
			return invalid(err, v, "at most %d addresses", RTPRELAY_LISTEN_NG_MAX);
		if (!config_parse_hostport(*item, &parsed[n++], err))
			return false;
	}
	memcpy(cfg->listen_ng, parsed, n * sizeof(parsed[0]));
	cfg->listen_ng_count = n;
	return true;
}

static bool set_listen_http(struct config *cfg, const char *v, GError **err)
{
	return config_parse_hostport(v, &cfg->http_listen, err);
}

static bool set_media_ip(struct config *cfg, const char *v, GError **err)
{
	return parse_ip(v, cfg->media_ip, &cfg->media_family, err);
}

/* "NAME=ADDR" items separated by ';' or ','; replaces the earlier list. */
static bool set_media_address(struct config *cfg, const char *v, GError **err)
{
	g_auto(GStrv) items = g_strsplit_set(v, ";,", -1);
	struct config_media_address parsed[RTPRELAY_MEDIA_ADDRESSES_MAX];
	unsigned int n = 0;

	for (char **item = items; *item; item++) {
		char *eq = strchr(g_strstrip(*item), '=');
		size_t name_len = eq ? (size_t)(eq - *item) : 0;

		if (!**item)
			continue;
		if (n == RTPRELAY_MEDIA_ADDRESSES_MAX)
			return invalid(err, v, "at most %d media addresses", RTPRELAY_MEDIA_ADDRESSES_MAX);
		if (!name_len || name_len >= RTPRELAY_MEDIA_ADDRESS_NAME_MAX ||
		    strspn(*item, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != name_len)
			return invalid(err, v,
				       "expected NAME=ADDR, NAME of letters, digits, '_', '.' or '-' (at most %d)",
				       RTPRELAY_MEDIA_ADDRESS_NAME_MAX - 1);
		g_strlcpy(parsed[n].name, *item, name_len + 1);
		for (unsigned int i = 0; i < n; i++) {
			if (!strcmp(parsed[i].name, parsed[n].name))
				return invalid(err, v, "media address %s named twice", parsed[n].name);
		}
		if (!parse_ip(eq + 1, parsed[n].ip, &parsed[n].family, NULL))
			return invalid(err, v, "%s is not a numeric address peers can send to", eq + 1);
		n++;
	}
	memcpy(cfg->media_addresses, parsed, n * sizeof(parsed[0]));
	cfg->media_address_count = n;
	return true;
}

static bool set_rtp_ports(struct config *cfg, const char *v, GError **err)
{
	return config_parse_port_range(v, &cfg->rtp_port_min, &cfg->rtp_port_max, err);
}

static bool set_interface(struct config *cfg, const char *v, GError **err)
{
	char **names = config_parse_interfaces(v, err);

	if (!names)
		return false;
	g_strfreev(cfg->interfaces);
	cfg->interfaces = names;
	return true;
}

static bool set_datapath(struct config *cfg, const char *v, GError **err)
{
	enum datapath_kind kind;

	if (!v || datapath_kind_parse(v, &kind) < 0)
		return invalid(err, v, "expected auto, xdp or userspace");
	cfg->datapath = kind;
	return true;
}

static bool set_xdp_mode(struct config *cfg, const char *v, GError **err)
{
	enum xdp_attach_mode mode;

	if (!v || xdp_attach_mode_parse(v, &mode) < 0)
		return invalid(err, v, "expected auto, native or generic");
	cfg->xdp_mode = mode;
	return true;
}

static const char *const endpoint_learning_names[] = {
	[ENDPOINT_LEARNING_HEURISTIC] = "heuristic",
	[ENDPOINT_LEARNING_OFF] = "off",
	[ENDPOINT_LEARNING_IMMEDIATE] = "immediate",
};

const char *endpoint_learning_name(enum endpoint_learning mode)
{
	return endpoint_learning_names[mode];
}

static bool set_endpoint_learning(struct config *cfg, const char *v, GError **err)
{
	for (unsigned i = 0; v && i < G_N_ELEMENTS(endpoint_learning_names); i++) {
		if (!strcmp(v, endpoint_learning_names[i])) {
			cfg->endpoint_learning = i;
			return true;
		}
	}
	return invalid(err, v, "expected heuristic, off or immediate");
}

static bool set_bpffs(struct config *cfg, const char *v, GError **err)
{
	if (!v || !g_path_is_absolute(v))
		return invalid(err, v, "expected an absolute directory, e.g. %s", RTPRELAY_BPFFS_DEFAULT);
	g_free(cfg->bpffs_dir);
	cfg->bpffs_dir = g_strdup(v);
	return true;
}

static bool set_tone_hz(struct config *cfg, const char *v, GError **err)
{
	return parse_uint(v, RTPRELAY_TONE_HZ_MIN, RTPRELAY_TONE_HZ_MAX, &cfg->tone_hz, err);
}

static bool set_answer_delay(struct config *cfg, const char *v, GError **err)
{
	return parse_uint(v, 0, RTPRELAY_ANSWER_DELAY_MAX, &cfg->answer_delay_ms, err);
}

static bool set_rtp_timeout(struct config *cfg, const char *v, GError **err)
{
	return parse_uint(v, 1, RTPRELAY_RTP_TIMEOUT_MAX, &cfg->rtp_timeout, err);
}

static bool set_max_calls(struct config *cfg, const char *v, GError **err)
{
	return parse_uint(v, 1, RTPRELAY_MAX_CALLS_MAX, &cfg->max_calls, err);
}

static bool set_control_port(struct config *cfg, const char *v, GError **err)
{
	if (!ctl_msg_port_parse(v, &cfg->control_port))
		return invalid(err, v, "expected a netlink port id from 1 to 4294967295 (decimal or 0x hex)");
	return true;
}

static bool set_control_group(struct config *cfg, const char *v, GError **err)
{
	return parse_group(v, &cfg->control_gid, err);
}

static bool set_default_route(struct config *cfg, const char *v, GError **err)
{
	if (!parse_sip_user(v, err))
		return false;
	g_free(cfg->default_route);
	cfg->default_route = g_strdup(v);
	return true;
}

static bool set_foreground(struct config *cfg, const char *v, GError **err)
{
	return parse_bool(v, &cfg->foreground, err);
}

static bool set_log_level(struct config *cfg, const char *v, GError **err)
{
	return config_parse_log_level(v, &cfg->log_level, err);
}

/* One formatter per option: its value as text its setter takes back. */

static char *hostport_text(const struct config_hostport *hp)
{
	char buf[CONFIG_HOSTPORT_TEXT_MAX];

	return g_strdup(hp->port ? config_hostport_format(hp, buf, sizeof(buf)) : "off");
}

static char *get_sip_listen(const struct config *cfg)
{
	return hostport_text(&cfg->sip_listen);
}

static char *get_listen_ng(const struct config *cfg)
{
	GString *s = g_string_new(NULL);
	char buf[CONFIG_HOSTPORT_TEXT_MAX];

	for (unsigned int i = 0; i < cfg->listen_ng_count; i++)
		g_string_append_printf(s, "%s%s", i ? ";" : "",
				       config_hostport_format(&cfg->listen_ng[i], buf, sizeof(buf)));
	return g_string_free(s, FALSE);
}

static char *get_media_address(const struct config *cfg)
{
	GString *s = g_string_new(NULL);

	for (unsigned int i = 0; i < cfg->media_address_count; i++)
		g_string_append_printf(s, "%s%s=%s", i ? ";" : "", cfg->media_addresses[i].name,
				       cfg->media_addresses[i].ip);
	return g_string_free(s, FALSE);
}

static char *get_listen_http(const struct config *cfg)
{
	return hostport_text(&cfg->http_listen);
}

static char *get_media_ip(const struct config *cfg)
{
	return g_strdup(cfg->media_ip);
}

static char *get_rtp_ports(const struct config *cfg)
{
	return g_strdup_printf("%u-%u", cfg->rtp_port_min, cfg->rtp_port_max);
}

static char *get_interface(const struct config *cfg)
{
	return cfg->interfaces ? g_strjoinv(",", cfg->interfaces) : g_strdup("");
}

static char *get_datapath(const struct config *cfg)
{
	return g_strdup(datapath_kind_name(cfg->datapath));
}

static char *get_xdp_mode(const struct config *cfg)
{
	return g_strdup(xdp_attach_mode_name(cfg->xdp_mode));
}

static char *get_bpffs(const struct config *cfg)
{
	return g_strdup(cfg->bpffs_dir);
}

static char *get_tone_hz(const struct config *cfg)
{
	return g_strdup_printf("%u", cfg->tone_hz);
}

static char *get_rtp_timeout(const struct config *cfg)
{
	return g_strdup_printf("%u", cfg->rtp_timeout);
}

static char *get_answer_delay(const struct config *cfg)
{
	return g_strdup_printf("%u", cfg->answer_delay_ms);
}

static char *get_max_calls(const struct config *cfg)
{
	return g_strdup_printf("%u", cfg->max_calls);
}

static char *get_endpoint_learning(const struct config *cfg)
{
	return g_strdup(endpoint_learning_name(cfg->endpoint_learning));
}

static char *get_control_port(const struct config *cfg)
{
	return g_strdup_printf("%u", cfg->control_port);
}

static char *get_control_group(const struct config *cfg)
{
	return cfg->control_gid == (gid_t)-1 ? g_strdup("") : g_strdup_printf("%u", cfg->control_gid);
}

static char *get_default_route(const struct config *cfg)
{
	return g_strdup(cfg->default_route);
}

static char *get_foreground(const struct config *cfg)
{
	return g_strdup(cfg->foreground ? "true" : "false");
}

static char *get_log_level(const struct config *cfg)
{
	return g_strdup(config_log_level_name(cfg->log_level));
}

typedef bool (*option_setter)(struct config *cfg, const char *value, GError **err);
typedef char *(*option_getter)(const struct config *cfg);

struct option_desc {
	const char *name; /* long option and config file key */
	char short_name;
	const char *arg; /* NULL: a flag, "true" when given */
	const char *help;
	option_setter set;
	option_getter get;
	bool repeatable; /* on the command line: every occurrence counts, as one list */
	bool runtime;	 /* rtprelayctl set and reload may change it (config_runtime.h) */
};

static const struct option_desc options[] = {
	{ "sip-listen", 0, "ADDR:PORT", "SIP address and port, UDP and TCP (default " RTPRELAY_SIP_LISTEN_DEFAULT ")",
	  set_sip_listen, get_sip_listen },
	{ "listen-ng", 0, "ADDR:PORT",
	  "Answer rtpengine's ng control protocol on this UDP address; repeatable (default: off)", set_listen_ng,
	  get_listen_ng, true },
	{ "media-ip", 0, "ADDR", "Address for RTP and SDP (default: the address of the default route's interface)",
	  set_media_ip, get_media_ip },
	{ "media-address", 0, "NAME=ADDR",
	  "A named media address, for the ng direction flag (e.g. internal=10.0.0.1); repeatable (default: none)",
	  set_media_address, get_media_address, true },
	{ "rtp-ports", 0, "MIN-MAX", "RTP port range; MIN even, RTCP on port+1 (default 10000-20000)", set_rtp_ports,
	  get_rtp_ports },
	{ "interface", 0, "IF[,IF...]", "Interfaces to attach XDP to (default: the media address's interface)",
	  set_interface, get_interface },
	{ "datapath", 0, "auto|xdp|userspace", "Forwarding engine for bridged calls (default auto)", set_datapath,
	  get_datapath },
	{ "xdp-mode", 0, "auto|native|generic", "XDP attach mode (default auto: native if the driver has it)",
	  set_xdp_mode, get_xdp_mode },
	{ "bpffs", 0, "DIR", "Where BPF maps and links are pinned (default " RTPRELAY_BPFFS_DEFAULT ")", set_bpffs,
	  get_bpffs },
	{ "tone-hz", 0, "N", "Tone frequency in Hz, 50 to 3950 (default 440)", set_tone_hz, get_tone_hz, false, true },
	{ "rtp-timeout", 0, "SECONDS", "End a call after this long without RTP from a peer (default 60)",
	  set_rtp_timeout, get_rtp_timeout, false, true },
	{ "answer-delay-ms", 0, "MS", "Ring this long before answering, 0 to 60000 (default 100)", set_answer_delay,
	  get_answer_delay },
	{ "max-calls", 0, "N", "Refuse calls beyond this many with 503 (default 10000)", set_max_calls, get_max_calls,
	  false, true },
	{ "endpoint-learning", 0, "heuristic|off|immediate",
	  "Which source a leg's media latches to (default heuristic: the SDP's or the SIP's address)",
	  set_endpoint_learning, get_endpoint_learning },
	{ "control-port", 0, "PORTID", "Netlink port id of the control socket (default 0x52545052)", set_control_port,
	  get_control_port },
	{ "control-group", 0, "GROUP", "Group allowed to send control commands besides root (default: root only)",
	  set_control_group, get_control_group },
	{ "listen-http", 0, "ADDR:PORT", "Serve GET /metrics (Prometheus) and /health over HTTP here (default: off)",
	  set_listen_http, get_listen_http },
	{ "default-route", 0, "USER", "Where calls to an unrouted user go, e.g. tone or room-lobby (default tone)",
	  set_default_route, get_default_route, false, true },
	{ "foreground", 'f', NULL, "Stay in the foreground and log to stderr", set_foreground, get_foreground },
	{ "log-level", 0, "LEVEL", "error, warning, message, info or debug (default message)", set_log_level,
	  get_log_level, false, true },
};

G_STATIC_ASSERT(G_N_ELEMENTS(options) == CONFIG_OPTION_COUNT);

int config_option_index(const char *name)
{
	for (size_t i = 0; name && i < G_N_ELEMENTS(options); i++) {
		if (!strcmp(options[i].name, name))
			return i;
	}
	return -1;
}

const char *config_option_name(unsigned int i)
{
	return options[i].name;
}

bool config_option_runtime(unsigned int i)
{
	return options[i].runtime;
}

char *config_option_value(const struct config *cfg, unsigned int i)
{
	return options[i].get(cfg);
}

static const char *const source_names[] = {
	[CONFIG_SOURCE_DEFAULT] = "default",
	[CONFIG_SOURCE_FILE] = "file",
	[CONFIG_SOURCE_COMMAND_LINE] = "command line",
	[CONFIG_SOURCE_CLI] = "cli",
};

const char *config_source_name(enum config_source source)
{
	return source_names[source];
}

/* The error names the option as the user wrote it: "--" on the command line, "" elsewhere. */
bool config_option_apply(struct config *cfg, unsigned int i, const char *value, enum config_source source, GError **err)
{
	if (!options[i].set(cfg, value, err)) {
		g_prefix_error(err, "%s%s: ", source == CONFIG_SOURCE_COMMAND_LINE ? "--" : "", options[i].name);
		return false;
	}
	cfg->sources[i] = source;
	return true;
}

static bool apply_option(struct config *cfg, const char *name, const char *value, enum config_source source,
			 GError **err)
{
	int i = config_option_index(name);

	if (i < 0) {
		g_set_error(err, CONFIG_ERROR, CONFIG_ERROR_UNKNOWN, "unknown option %s%s",
			    source == CONFIG_SOURCE_COMMAND_LINE ? "--" : "", name);
		return false;
	}
	return config_option_apply(cfg, i, value, source, err);
}

bool config_set_option(struct config *cfg, const char *name, const char *value, GError **err)
{
	return apply_option(cfg, name, value, CONFIG_SOURCE_DEFAULT, err);
}

void config_set_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	config_parse_hostport(RTPRELAY_SIP_LISTEN_DEFAULT, &cfg->sip_listen, NULL);
	cfg->media_family = AF_UNSPEC;
	cfg->rtp_port_min = RTPRELAY_RTP_PORT_MIN_DEFAULT;
	cfg->rtp_port_max = RTPRELAY_RTP_PORT_MAX_DEFAULT;
	cfg->datapath = DATAPATH_AUTO;
	cfg->xdp_mode = XDP_ATTACH_AUTO;
	cfg->bpffs_dir = g_strdup(RTPRELAY_BPFFS_DEFAULT);
	cfg->tone_hz = RTPRELAY_TONE_HZ_DEFAULT;
	cfg->rtp_timeout = RTPRELAY_RTP_TIMEOUT_DEFAULT;
	cfg->answer_delay_ms = RTPRELAY_ANSWER_DELAY_DEFAULT;
	cfg->max_calls = RTPRELAY_MAX_CALLS_DEFAULT;
	cfg->endpoint_learning = ENDPOINT_LEARNING_HEURISTIC;
	cfg->control_port = RTPRELAY_CONTROL_PORT_DEFAULT;
	cfg->control_gid = (gid_t)-1;
	cfg->log_level = RTPRELAY_LOG_LEVEL_DEFAULT;
	cfg->routes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	cfg->default_route = g_strdup(RTPRELAY_DEFAULT_ROUTE_DEFAULT);
}

void config_free(struct config *cfg)
{
	g_free(cfg->file);
	g_strfreev(cfg->interfaces);
	g_free(cfg->bpffs_dir);
	if (cfg->routes)
		g_hash_table_unref(cfg->routes);
	g_free(cfg->default_route);
	for (size_t i = 0; i < G_N_ELEMENTS(cfg->command_line); i++)
		g_free(cfg->command_line[i]);
	g_strfreev(cfg->command_line_routes);
	memset(cfg, 0, sizeof(*cfg));
}

static bool load_main_group(struct config *cfg, GKeyFile *kf, GError **err)
{
	g_auto(GStrv) keys = g_key_file_get_keys(kf, RTPRELAY_CONFIG_GROUP, NULL, err);

	if (!keys)
		return false;
	for (char **k = keys; *k; k++) {
		g_autofree char *value = g_key_file_get_string(kf, RTPRELAY_CONFIG_GROUP, *k, err);

		if (!value || !apply_option(cfg, *k, value, CONFIG_SOURCE_FILE, err))
			return false;
	}
	return true;
}

static bool load_routes_group(struct config *cfg, GKeyFile *kf, GError **err)
{
	g_auto(GStrv) keys = g_key_file_get_keys(kf, RTPRELAY_ROUTES_GROUP, NULL, err);

	if (!keys)
		return false;
	for (char **k = keys; *k; k++) {
		g_autofree char *target = g_key_file_get_string(kf, RTPRELAY_ROUTES_GROUP, *k, err);

		if (!target)
			return false;
		if (!config_add_route(cfg, *k, target, err)) {
			g_prefix_error(err, "[%s] %s: ", RTPRELAY_ROUTES_GROUP, *k);
			return false;
		}
	}
	return true;
}

static bool load_group(struct config *cfg, GKeyFile *kf, const char *group, GError **err)
{
	if (!strcmp(group, RTPRELAY_CONFIG_GROUP))
		return load_main_group(cfg, kf, err);
	if (!strcmp(group, RTPRELAY_ROUTES_GROUP))
		return load_routes_group(cfg, kf, err);
	/* A typo in a group name would otherwise silently drop its settings. */
	g_set_error(err, CONFIG_ERROR, CONFIG_ERROR_UNKNOWN, "unknown group [%s] (expected [%s] or [%s])", group,
		    RTPRELAY_CONFIG_GROUP, RTPRELAY_ROUTES_GROUP);
	return false;
}

bool config_load_file(struct config *cfg, const char *path, GError **err)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_auto(GStrv) groups = NULL;
	GError *e = NULL;

	if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &e)) {
		g_set_error(err, CONFIG_ERROR, CONFIG_ERROR_FILE, "%s: %s", path, e->message);
		g_error_free(e);
		return false;
	}
	groups = g_key_file_get_groups(kf, NULL);
	for (char **g = groups; *g; g++) {
		if (!load_group(cfg, kf, *g, err)) {
			g_prefix_error(err, "%s: ", path);
			return false;
		}
	}
	return true;
}

/* What the command line said, kept apart until the file has been read. */
struct cli {
	char *values[G_N_ELEMENTS(options)];
	char **lists[G_N_ELEMENTS(options)]; /* repeatable options */
	gboolean flags[G_N_ELEMENTS(options)];
	char *config_path;
	char **routes; /* USER=URI */
};

static void cli_free(struct cli *cli)
{
	for (size_t i = 0; i < G_N_ELEMENTS(options); i++) {
		g_free(cli->values[i]);
		g_strfreev(cli->lists[i]);
	}
	g_free(cli->config_path);
	g_strfreev(cli->routes);
}

static void cli_entries(struct cli *cli, GOptionEntry *e)
{
	for (size_t i = 0; i < G_N_ELEMENTS(options); i++, e++) {
		const struct option_desc *o = &options[i];

		*e = (GOptionEntry){ o->name, o->short_name, 0, G_OPTION_ARG_NONE, &cli->flags[i], o->help, o->arg };
		if (o->repeatable) {
			e->arg = G_OPTION_ARG_STRING_ARRAY;
			e->arg_data = &cli->lists[i];
		} else if (o->arg) {
			e->arg = G_OPTION_ARG_STRING;
			e->arg_data = &cli->values[i];
		}
	}
	e[0] = (GOptionEntry){ "config",
			       'c',
			       0,
			       G_OPTION_ARG_FILENAME,
			       &cli->config_path,
			       "Config file (default " RTPRELAY_CONFIG_PATH " if it exists)",
			       "FILE" };
	e[1] = (GOptionEntry){ "route",
			       0,
			       0,
			       G_OPTION_ARG_STRING_ARRAY,
			       &cli->routes,
			       "Send calls to USER on to a SIP target (B2BUA); repeatable",
			       "USER=sip:TARGET" };
	e[2] = (GOptionEntry){ NULL };
}

static const char cli_description[] =
    "Every option except --config and --route can also be set in the config file\n"
    "as a key of the [" RTPRELAY_CONFIG_GROUP "] group, e.g. \"rtp-ports = 10000-20000\" or \"foreground = true\";\n"
    "its [" RTPRELAY_ROUTES_GROUP "] group maps a Request-URI user to a target: \"alice = sip:alice@192.0.2.10\".\n"
    "The command line overrides the file, which overrides the built-in defaults.\n";

static bool parse_cli(struct cli *cli, int *argc, char ***argv, GError **err)
{
	GOptionEntry entries[G_N_ELEMENTS(options) + 3];
	g_autoptr(GOptionContext) ctx = g_option_context_new("- RTP relay with an XDP fast path");
	bool ok;

	cli_entries(cli, entries);
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_description(ctx, cli_description);
	ok = g_option_context_parse(ctx, argc, argv, err);
	if (ok && *argc > 1) {
		g_set_error(err, CONFIG_ERROR, CONFIG_ERROR_UNKNOWN, "unexpected argument \"%s\"", (*argv)[1]);
		return false;
	}
	return ok;
}

static bool apply_cli_route(struct config *cfg, const char *spec, GError **err)
{
	const char *eq = strchr(spec, '=');
	g_autofree char *user = NULL;

	if (!eq)
		return invalid(err, spec, "expected USER=sip:TARGET");
	user = g_strndup(spec, eq - spec);
	return config_add_route(cfg, user, eq + 1, err);
}

/* Keep what the command line said in cfg: it is applied after the file, at start and on every reload. */
static void keep_cli(struct config *cfg, const struct cli *cli)
{
	for (size_t i = 0; i < G_N_ELEMENTS(options); i++) {
		if (cli->lists[i])
			cfg->command_line[i] = g_strjoinv(";", cli->lists[i]);
		else if (options[i].arg ? cli->values[i] != NULL : cli->flags[i])
			cfg->command_line[i] = g_strdup(options[i].arg ? cli->values[i] : "true");
	}
	cfg->command_line_routes = g_strdupv(cli->routes);
}

bool config_apply_command_line(struct config *cfg, const struct config *from, GError **err)
{
	for (size_t i = 0; i < G_N_ELEMENTS(options); i++) {
		if (from->command_line[i] &&
		    !config_option_apply(cfg, i, from->command_line[i], CONFIG_SOURCE_COMMAND_LINE, err))
			return false;
	}
	for (char **r = from->command_line_routes; r && *r; r++) {
		if (!apply_cli_route(cfg, *r, err)) {
			g_prefix_error(err, "--route: ");
			return false;
		}
	}
	return true;
}

/* --config FILE must exist; the default file is read only if it does. */
static bool load_chosen_file(struct config *cfg, const struct cli *cli, const char *default_path, GError **err)
{
	const char *path = cli->config_path;

	if (!path && default_path && g_file_test(default_path, G_FILE_TEST_EXISTS))
		path = default_path;
	if (!path)
		return true;
	if (!config_load_file(cfg, path, err))
		return false;
	cfg->file = g_strdup(path);
	return true;
}

void config_default_media_ip(char out[INET6_ADDRSTRLEN])
{
	struct sockaddr_in probe = { .sin_family = AF_INET, .sin_port = htons(MEDIA_IP_PROBE_PORT) };
	struct sockaddr_in local;
	socklen_t len = sizeof(local);
	int fd;

	out[0] = '\0';
	inet_pton(AF_INET, MEDIA_IP_PROBE_ADDR, &probe.sin_addr);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	/* Fails with ENETUNREACH when there is no default route: media-ip stays empty. */
	if (!connect(fd, (struct sockaddr *)&probe, sizeof(probe)) && !getsockname(fd, (struct sockaddr *)&local, &len))
		inet_ntop(AF_INET, &local.sin_addr, out, INET6_ADDRSTRLEN);
	close(fd);
}

static bool ifaddr_matches(const struct ifaddrs *ifa, int family, const void *addr)
{
	if (!ifa->ifa_addr || ifa->ifa_addr->sa_family != family)
		return false;
	if (family == AF_INET)
		return !memcmp(&((struct sockaddr_in *)ifa->ifa_addr)->sin_addr, addr, sizeof(struct in_addr));
	return !memcmp(&((struct sockaddr_in6 *)ifa->ifa_addr)->sin6_addr, addr, sizeof(struct in6_addr));
}

char *config_interface_of(const char *ip)
{
	struct ifaddrs *ifas, *ifa;
	struct in6_addr addr;
	int family = AF_INET;
	char *name = NULL;

	if (!ip || inet_pton(AF_INET, ip, &addr) != 1) {
		family = AF_INET6;
		if (!ip || inet_pton(AF_INET6, ip, &addr) != 1)
			return NULL;
	}
	if (getifaddrs(&ifas) < 0)
		return NULL;
	for (ifa = ifas; ifa && !name; ifa = ifa->ifa_next) {
		if (ifaddr_matches(ifa, family, &addr))
			name = g_strdup(ifa->ifa_name);
	}
	freeifaddrs(ifas);
	return name;
}

/* A numeric address of family and a port (host order) as a socket address; its length, 0 if ip does not parse. */
static socklen_t sockaddr_of(int family, const char *ip, uint16_t port, struct sockaddr_storage *out)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)out;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)out;

	memset(out, 0, sizeof(*out));
	out->ss_family = family;
	if (family == AF_INET) {
		sin->sin_port = htons(port);
		return inet_pton(AF_INET, ip, &sin->sin_addr) == 1 ? sizeof(*sin) : 0;
	}
	if (family == AF_INET6) {
		sin6->sin6_port = htons(port);
		return inet_pton(AF_INET6, ip, &sin6->sin6_addr) == 1 ? sizeof(*sin6) : 0;
	}
	return 0;
}

socklen_t config_media_sockaddr(const struct config *cfg, uint16_t port, struct sockaddr_storage *out)
{
	return sockaddr_of(cfg->media_family, cfg->media_ip, port, out);
}

const struct config_media_address *config_media_address_find(const struct config *cfg, const char *name)
{
	for (unsigned int i = 0; i < cfg->media_address_count; i++) {
		if (!strcmp(cfg->media_addresses[i].name, name))
			return &cfg->media_addresses[i];
	}
	return NULL;
}

socklen_t config_media_address_sockaddr(const struct config_media_address *a, uint16_t port,
					struct sockaddr_storage *out)
{
	return sockaddr_of(a->family, a->ip, port, out);
}

const char *config_hostport_format(const struct config_hostport *hp, char *buf, size_t len)
{
	struct sockaddr_storage ss;

	sockaddr_of(hp->family, hp->host, hp->port, &ss);
	return sockaddr_format(&ss, buf, len);
}

void config_resolve_host_defaults(struct config *cfg)
{
	char *ifname;

	if (!cfg->media_ip[0]) {
		config_default_media_ip(cfg->media_ip);
		cfg->media_family = cfg->media_ip[0] ? AF_INET : AF_UNSPEC;
	}
	if (cfg->interfaces)
		return;
	ifname = cfg->media_ip[0] ? config_interface_of(cfg->media_ip) : NULL;
	cfg->interfaces = g_new0(char *, 2);
	cfg->interfaces[0] = ifname;
}

bool config_load_from(struct config *cfg, int *argc, char ***argv, const char *default_path, GError **err)
{
	struct cli cli = { 0 };
	bool ok;

	config_set_defaults(cfg);
	ok = parse_cli(&cli, argc, argv, err) && load_chosen_file(cfg, &cli, default_path, err);
	if (ok) {
		keep_cli(cfg, &cli);
		ok = config_apply_command_line(cfg, cfg, err);
	}
	cli_free(&cli);
	if (!ok) {
		config_free(cfg);
		return false;
	}
	config_resolve_host_defaults(cfg);
	return true;
}

bool config_load(struct config *cfg, int *argc, char ***argv, GError **err)
{
	return config_load_from(cfg, argc, argv, RTPRELAY_CONFIG_PATH, err);
}
