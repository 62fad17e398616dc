/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The control commands that read and change the daemon's settings while it
 * runs: routes, set, config, reload, drain (config/config_runtime.h says
 * what can change). Each change is logged with the uid that asked for it.
 */
#ifndef RTPRELAY_CONTROL_SETTINGS_H
#define RTPRELAY_CONTROL_SETTINGS_H

#include "control_commands.h"

/* The handler of a settings command, NULL if cmd is not one. */
const struct control_command *control_settings_find(uint8_t cmd);

#endif
