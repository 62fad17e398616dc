#!/usr/bin/env bash
# Bridged calls through rtprelayd's XDP datapath, driven by SIPp: rooms of
# two (kernel bridge) and three (mix), members joining and leaving,
# PCMU<->PCMA, B2BUA routes. Every mode of sipp_scenarios/run_bridge_tests.sh
# (which says what each one proves), in one TAP stream.
# Usage: BUILD=build tests/bridge_sipp.sh
exec bash "$(dirname "$0")/../sipp_scenarios/run_bridge_tests.sh" all
