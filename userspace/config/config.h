/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * rtprelayd's configuration: built-in defaults, then the config file
 * (GKeyFile, group [rtprelay] with keys named like the long options, and a
 * [routes] group), then the command line (GOption). Each option has one
 * parser below; the file and the command line both go through it, so a bad
 * value is reported the same way wherever it came from, naming the option
 * and the value.
 */
#ifndef RTPRELAY_CONFIG_H
#define RTPRELAY_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <arpa/inet.h>
#include <glib.h>

#include "datapath/datapath.h"
#include "lib/control_abi.h"

#define RTPRELAY_CONFIG_PATH	       "/etc/rtprelay/rtprelay.conf"
#define RTPRELAY_CONFIG_GROUP	       "rtprelay"
#define RTPRELAY_ROUTES_GROUP	       "routes"

#define RTPRELAY_SIP_LISTEN_DEFAULT    "0.0.0.0:5060"
#define RTPRELAY_RTP_PORT_MIN_DEFAULT  10000
#define RTPRELAY_RTP_PORT_MAX_DEFAULT  20000
#define RTPRELAY_RTP_PORT_LOWEST       1024 /* no RTP on privileged ports */
#define RTPRELAY_TONE_HZ_DEFAULT       440
#define RTPRELAY_TONE_HZ_MIN	       50
#define RTPRELAY_TONE_HZ_MAX	       3950 /* below Nyquist for 8000 Hz sampling */
#define RTPRELAY_RTP_TIMEOUT_DEFAULT   60
#define RTPRELAY_ANSWER_DELAY_DEFAULT  100 /* ms of ringing: room for a CANCEL */
#define RTPRELAY_ANSWER_DELAY_MAX      60000
#define RTPRELAY_RTP_TIMEOUT_MAX       86400
#define RTPRELAY_MAX_CALLS_DEFAULT     10000
#define RTPRELAY_MAX_CALLS_MAX	       1000000
#define RTPRELAY_DEFAULT_ROUTE_DEFAULT "tone"
#define RTPRELAY_LOG_LEVEL_DEFAULT     G_LOG_LEVEL_MESSAGE
#define RTPRELAY_LISTEN_NG_MAX	       8

#define CONFIG_ERROR		       (config_error_quark())
GQuark config_error_quark(void);

enum config_error {
	CONFIG_ERROR_INVALID, /* a value that does not parse or is out of range */
	CONFIG_ERROR_FILE,    /* the config file cannot be read or parsed */
	CONFIG_ERROR_UNKNOWN, /* an unknown key, group or argument */
	CONFIG_ERROR_RESTART, /* a setting that cannot change while the daemon runs */
};

/* Where a setting's value came from, lowest precedence first. */
enum config_source {
	CONFIG_SOURCE_DEFAULT,
	CONFIG_SOURCE_FILE,
	CONFIG_SOURCE_COMMAND_LINE,
	CONFIG_SOURCE_CLI, /* rtprelayctl set, while the daemon runs */
};

/* The options of the table in config.c (rtprelayd --help lists them). */
#define CONFIG_OPTION_COUNT 20

/* Whether new calls are refused so that the relay can be taken out of service (README, "Draining"). */
struct config_drain {
	bool on;
	char why[128]; /* who asked: "rtprelayctl drain by uid 0", "SIGUSR1" */
};

/* A numeric address and a port, e.g. 0.0.0.0:5060 or [::1]:5060. */
struct config_hostport {
	char host[INET6_ADDRSTRLEN]; /* without brackets */
	uint16_t port;
	int family; /* AF_INET or AF_INET6 */
};

/* Which source a leg latches to (media/endpoint_learning.h says how). */
enum endpoint_learning {
	ENDPOINT_LEARNING_HEURISTIC,
	ENDPOINT_LEARNING_OFF,
	ENDPOINT_LEARNING_IMMEDIATE,
};

#define RTPRELAY_MEDIA_ADDRESSES_MAX	8
#define RTPRELAY_MEDIA_ADDRESS_NAME_MAX 32 /* bytes, NUL included */

/* --media-address NAME=ADDR: a named media address, which ng's direction flag picks per side of a call. */
struct config_media_address {
	char name[RTPRELAY_MEDIA_ADDRESS_NAME_MAX];
	char ip[INET6_ADDRSTRLEN];
	int family; /* AF_INET or AF_INET6 */
};

struct config {
	char *file; /* the config file that was read; NULL if none */
	struct config_hostport sip_listen;
	/* --listen-http: where GET /metrics and /health are served; port 0 when off */
	struct config_hostport http_listen;
	/* Where the ng control protocol (UDP) is answered; none when listen_ng_count is 0. */
	struct config_hostport listen_ng[RTPRELAY_LISTEN_NG_MAX];
	unsigned int listen_ng_count;
	char media_ip[INET6_ADDRSTRLEN]; /* "" when there is no default route */
	int media_family;		 /* AF_INET, AF_INET6, or AF_UNSPEC when empty */
	struct config_media_address media_addresses[RTPRELAY_MEDIA_ADDRESSES_MAX];
	unsigned int media_address_count;
	uint16_t rtp_port_min; /* even */
	uint16_t rtp_port_max;
	char **interfaces; /* NULL-terminated, possibly empty; g_strfreev */
	enum datapath_kind datapath;
	enum xdp_attach_mode xdp_mode;
	char *bpffs_dir;
	unsigned int tone_hz;
	unsigned int rtp_timeout;     /* seconds */
	unsigned int answer_delay_ms; /* between 180 Ringing and 200 OK */
	unsigned int max_calls;
	unsigned int max_calls_cap; /* what the open-file limit allows; 0: no cap */
	enum endpoint_learning endpoint_learning;
	uint32_t control_port; /* netlink port id */
	gid_t control_gid;     /* besides root, this group may send commands; (gid_t)-1: none */
	bool foreground;
	GLogLevelFlags log_level; /* log this level and the more severe ones */
	GHashTable *routes;	  /* Request-URI user -> "sip:target" (both char *) */
	char *default_route;	  /* the user part of calls no route matches */
	/* Where each option's value came from, by its index in the option table. */
	enum config_source sources[CONFIG_OPTION_COUNT];
	/* What the command line gave (NULL: nothing), kept for a reload: it still overrides the file. */
	char *command_line[CONFIG_OPTION_COUNT];
	char **command_line_routes; /* USER=URI */
	struct config_drain drain;
};

/*
 * Fill cfg from the built-in defaults, the config file (--config FILE, or
 * RTPRELAY_CONFIG_PATH if it exists) and the command line, in that order of
 * precedence from lowest to highest; then find the media address and
 * interfaces when none were given. Removes the options from argc/argv;
 * `--help` prints the options and exits. On failure returns false with err
 * set and cfg left empty.
 */
bool config_load(struct config *cfg, int *argc, char ***argv, GError **err);
/* The same with another default config file path (tests; NULL: none). */
bool config_load_from(struct config *cfg, int *argc, char ***argv, const char *default_path, GError **err);
/* Release what cfg holds; cfg is left zeroed and may be freed again. */
void config_free(struct config *cfg);

/* The built-in defaults, without looking at the network. */
void config_set_defaults(struct config *cfg);
/*
 * Apply one option by its long name ("rtp-ports", "foreground", ...) as the
 * file and the command line do. The error names the option and the value.
 */
bool config_set_option(struct config *cfg, const char *name, const char *value, GError **err);
/* Read a config file's [rtprelay] and [routes] groups into cfg (sources: file). */
bool config_load_file(struct config *cfg, const char *path, GError **err);
/* Re-apply what the command line gave, as config_load_from() did after the file. */
bool config_apply_command_line(struct config *cfg, const struct config *from, GError **err);
/* Fill in media-ip and interface from the host when they were not configured. */
void config_resolve_host_defaults(struct config *cfg);

/*
 * The option table, for listing the settings in force: count, name, whether
 * it can change while the daemon runs (config_runtime.h), and its value as
 * text that the option's parser takes back (g_free).
 */
const char *config_option_name(unsigned int i);
bool config_option_runtime(unsigned int i);
char *config_option_value(const struct config *cfg, unsigned int i);
/* The index of option name, -1 if there is none. */
int config_option_index(const char *name);
/* Apply option i from a source, recording it; the error names the option. */
bool config_option_apply(struct config *cfg, unsigned int i, const char *value, enum config_source source,
			 GError **err);
const char *config_source_name(enum config_source source);

/* Add or replace one route after checking it. */
bool config_add_route(struct config *cfg, const char *user, const char *target, GError **err);

/*
 * Pure parsers: each checks one value and explains what is wrong with it
 * (the caller prefixes the option name).
 */
bool config_parse_hostport(const char *s, struct config_hostport *out, GError **err);
/* "MIN-MAX": MIN even, MIN < MAX, both in 1024..65535. */
bool config_parse_port_range(const char *s, uint16_t *min, uint16_t *max, GError **err);
/* "eth0,eth1" -> NULL-terminated vector (g_strfreev); NULL on error. */
char **config_parse_interfaces(const char *s, GError **err);
/* error|warning|message|info|debug */
bool config_parse_log_level(const char *s, GLogLevelFlags *out, GError **err);
const char *config_log_level_name(GLogLevelFlags level);

/* "192.0.2.1:5060" or "[2001:db8::1]:5060" into buf (of CONFIG_HOSTPORT_TEXT_MAX bytes); returns buf. */
#define CONFIG_HOSTPORT_TEXT_MAX (INET6_ADDRSTRLEN + 8)
const char *config_hostport_format(const struct config_hostport *hp, char *buf, size_t len);

/*
 * The media address with `port` (host order) as a socket address, what the
 * relay's media sockets bind to: its length, or 0 (out zeroed but for the
 * family) when media_ip is empty.
 */
socklen_t config_media_sockaddr(const struct config *cfg, uint16_t port, struct sockaddr_storage *out);
/* The named media address (--media-address), NULL if there is none of that name. */
const struct config_media_address *config_media_address_find(const struct config *cfg, const char *name);
/* A named media address and port (host order) as a socket address; its length. */
socklen_t config_media_address_sockaddr(const struct config_media_address *a, uint16_t port,
					struct sockaddr_storage *out);

/*
 * Network lookups behind the defaults. config_default_media_ip: the IPv4
 * source address of the default route, "" when there is none.
 * config_interface_of: the name of the interface holding ip, NULL if none.
 */
void config_default_media_ip(char out[INET6_ADDRSTRLEN]);
char *config_interface_of(const char *ip);

const char *endpoint_learning_name(enum endpoint_learning mode);

#endif
