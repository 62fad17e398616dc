/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* rtprelayctl route, set, config, reload and drain: the daemon's settings while it runs. */
#ifndef RTPRELAY_RTPRELAYCTL_SETTINGS_H
#define RTPRELAY_RTPRELAYCTL_SETTINGS_H

struct client;
struct out;

int cmd_route(struct client *cl, struct out *o, int argc, char **argv);
int cmd_set(struct client *cl, struct out *o, int argc, char **argv);
int cmd_config(struct client *cl, struct out *o, int argc, char **argv);
int cmd_reload(struct client *cl, struct out *o, int argc, char **argv);
int cmd_drain(struct client *cl, struct out *o, int argc, char **argv);

#endif
