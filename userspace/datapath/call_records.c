// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <bpf/bpf.h>
#include <errno.h>
#include <glib.h>
#include <string.h>
#include <unistd.h>

#include "call_records.h"

struct call_records {
	int fd;
	uint64_t next_id;
};

static uint64_t highest_id(int fd)
{
	uint64_t key, next, highest = 0;
	void *prev = NULL;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		highest = MAX(highest, key);
	}
	return highest;
}

struct call_records *call_records_open(const char *bpffs_dir)
{
	g_autofree char *path = g_strdup_printf("%s/%s", bpffs_dir, PIN_CALL_RECORDS);
	int fd = bpf_obj_get(path);
	struct call_records *r;

	if (fd < 0) {
		g_warning("call records: cannot open %s (%s): calls will not survive a crash", path, strerror(errno));
		return NULL;
	}
	r = g_new0(struct call_records, 1);
	r->fd = fd;
	r->next_id = highest_id(fd) + 1;
	return r;
}

void call_records_close(struct call_records *r)
{
	if (!r)
		return;
	close(r->fd);
	g_free(r);
}

uint64_t call_records_new_id(struct call_records *r)
{
	return r ? r->next_id++ : 0;
}

bool call_records_put(struct call_records *r, uint64_t id, const struct call_record *rec)
{
	if (!r || !id)
		return true;
	if (bpf_map_update_elem(r->fd, &id, rec, BPF_ANY) == 0)
		return true;
	g_warning("call record %" G_GUINT64_FORMAT ": cannot write it (%s): this call will not survive a crash", id,
		  strerror(errno));
	return false;
}

void call_records_delete(struct call_records *r, uint64_t id)
{
	if (r && id)
		bpf_map_delete_elem(r->fd, &id);
}

void call_records_foreach(struct call_records *r, enum call_record_kind kind,
			  void (*cb)(uint64_t id, const struct call_record *rec, void *user), void *user)
{
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	struct call_record *rec = g_new(struct call_record, 1);
	uint64_t key, next;
	void *prev = NULL;

	if (!r)
		goto out;
	/* The ids first: a callback deleting its record would break the walk. */
	while (bpf_map_get_next_key(r->fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		g_array_append_val(ids, key);
	}
	for (guint i = 0; i < ids->len; i++) {
		key = g_array_index(ids, uint64_t, i);
		if (bpf_map_lookup_elem(r->fd, &key, rec) == 0 && rec->kind == (__u32)kind)
			cb(key, rec, user);
	}
out:
	g_free(rec);
	g_array_free(ids, TRUE);
}

bool call_record_text(char *dst, size_t len, const char *src)
{
	if (g_strlcpy(dst, src ? src : "", len) < len)
		return true;
	dst[0] = '\0';
	return false;
}
