/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Durable call records: struct call_record (bpf/flow_abi.h) in the pinned
 * map call_records next to the flows. A record is written before the reply
 * that commits its call (the ng offer or answer reply, the SIP 200 OK),
 * rewritten when the call changes and deleted when it ends; each write is
 * one bpf() map update, which the kernel applies whole or not at all, so a
 * crash at any point leaves every record as it was before or after. A
 * daemon started after a crash reads them back (call_records_foreach) to
 * take its calls over. Only the XDP datapath pins maps: with the userspace
 * one, flows and calls die with the process and nothing is recorded.
 */
#ifndef RTPRELAY_CALL_RECORDS_H
#define RTPRELAY_CALL_RECORDS_H

#include <stdbool.h>
#include <stdint.h>

#include "bpf/flow_abi.h"

struct call_records;

/* The pinned map under bpffs_dir (which the XDP datapath created); NULL, and logged, if there is none. */
struct call_records *call_records_open(const char *bpffs_dir);
void call_records_close(struct call_records *r);

/* A new record id, above every id found in the map when it was opened; 0 when r is NULL. */
uint64_t call_records_new_id(struct call_records *r);
/* Writes (creates or replaces) record id; false, logged, when it cannot. No-op (true) for r NULL or id 0. */
bool call_records_put(struct call_records *r, uint64_t id, const struct call_record *rec);
void call_records_delete(struct call_records *r, uint64_t id);
/* Calls cb for every record of that kind, in no order; cb may delete the record it is given. */
void call_records_foreach(struct call_records *r, enum call_record_kind kind,
			  void (*cb)(uint64_t id, const struct call_record *rec, void *user), void *user);
/* Copies src into a record's text field of size len; false (dst emptied) when it does not fit. */
bool call_record_text(char *dst, size_t len, const char *src);

#endif
