/* The C interface of mnemo's memcached client, for C programs that embed a cache client (mail
 * servers, databases). It wraps the C++ client (mnemo/client/client.h): the same protocols,
 * distributions, key hashes and auto-eject rules, with opaque handles and status codes. No C++
 * exception crosses it.
 *
 * Ownership: every mnemo_item a call hands out is the caller's, to release with
 * mnemo_item_free(). Strings passed in are only read during the call.
 * Errors: a call returning MNEMO_ERROR or MNEMO_INVALID leaves a one-line message, naming the
 * server where there is one, for mnemo_last_error() on the same thread.
 * Thread safety: a mnemo_client may be used by several threads at once. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mnemo_client mnemo_client;

typedef enum mnemo_status {
  MNEMO_OK = 0,          /* hit, stored, deleted, touched, counted */
  MNEMO_NOT_FOUND = 1,   /* a miss; cas/delete/incr/decr/touch on a missing key */
  MNEMO_NOT_STORED = 2,  /* add on a present key; replace/append/prepend on a missing one */
  MNEMO_EXISTS = 3,      /* cas: the item changed since it was read */
  MNEMO_NON_NUMERIC = 4, /* incr/decr of a value that is not a number */
  MNEMO_TOO_LARGE = 5,
  MNEMO_NO_MEMORY = 6,
  MNEMO_ERROR = 10,  /* server unreachable or answering with an error: mnemo_last_error() */
  MNEMO_INVALID = 11 /* bad argument (key, option): mnemo_last_error() */
} mnemo_status;

typedef enum mnemo_store_mode {
  MNEMO_SET,
  MNEMO_ADD,
  MNEMO_REPLACE,
  MNEMO_APPEND,
  MNEMO_PREPEND,
  MNEMO_CAS
} mnemo_store_mode;

/* Zero or NULL fields take the defaults shown. */
typedef struct mnemo_options {
  const char* servers;      /* "host:port[:weight][ name],/unix/path,..." (required) */
  const char* protocol;     /* "ascii" | "meta" | "binary" */
  const char* distribution; /* "modula" | "ketama" | "ketama_weighted" */
  const char* hash;         /* "one_at_a_time" (md5 with ketama_weighted), "md5", ... */
  int connect_timeout_ms;   /* 1000 */
  int io_timeout_ms;        /* 2000 */
  unsigned failure_limit;   /* 0: never eject */
  int retry_interval_ms;    /* 2000 */
} mnemo_options;

typedef struct mnemo_item {
  char* key; /* NUL-terminated copies; the lengths count the bytes before the NUL */
  size_t key_length;
  char* value;
  size_t value_length;
  uint32_t flags;
  uint64_t cas; /* with MNEMO_GET_CAS only */
} mnemo_item;

/* Bits for mnemo_get_ex's `options`. */
#define MNEMO_GET_CAS 1u   /* gets: fill item->cas */
#define MNEMO_GET_TOUCH 2u /* gat: set the item's exptime to `exptime` as well */

/* The message of this thread's last failed call ("" when none). */
const char* mnemo_last_error(void);

/* TLS to servers started with -Z. NULL fields take the defaults: the system's CAs, no client
 * certificate, the key in cert_file. The server's certificate must chain to the CAs and name
 * the host as written in `servers`. */
typedef struct mnemo_tls_options {
  const char* ca_file;
  const char* cert_file; /* sent when the server asks (ssl_verify_mode >= 1) */
  const char* key_file;
} mnemo_tls_options;

/* MNEMO_OK with a client in *out, or MNEMO_INVALID. */
mnemo_status mnemo_client_new(const mnemo_options* options, mnemo_client** out);
/* The same, every connection over TLS. Files are read when connecting: a file that cannot be
 * loaded fails the operation (MNEMO_ERROR, "tls: FILE: ..." in mnemo_last_error()). */
mnemo_status mnemo_client_new_tls(const mnemo_options* options, const mnemo_tls_options* tls,
                                  mnemo_client** out);
void mnemo_client_free(mnemo_client* client);

/* MNEMO_OK with a new item in *item, or MNEMO_NOT_FOUND (then *item is NULL). */
mnemo_status mnemo_get(mnemo_client* client, const char* key, size_t key_length, mnemo_item** item);
mnemo_status mnemo_get_ex(mnemo_client* client, const char* key, size_t key_length,
                          unsigned options, int64_t exptime, mnemo_item** item);
void mnemo_item_free(mnemo_item* item);

/* Fetches `count` keys, each server's share in one go; `callback` sees every hit (the item is
 * valid during the call only). MNEMO_ERROR when any server failed (its keys count as misses;
 * the hits of the others are still delivered). */
typedef void (*mnemo_item_callback)(const mnemo_item* item, void* context);
mnemo_status mnemo_get_multi(mnemo_client* client, const char* const* keys,
                             const size_t* key_lengths, size_t count, unsigned options,
                             mnemo_item_callback callback, void* context);

/* `cas` is used by MNEMO_CAS only. */
mnemo_status mnemo_store(mnemo_client* client, mnemo_store_mode mode, const char* key,
                         size_t key_length, const char* value, size_t value_length, uint32_t flags,
                         int64_t exptime, uint64_t cas);
mnemo_status mnemo_delete(mnemo_client* client, const char* key, size_t key_length);
/* MNEMO_OK with the new value in *value (may be NULL). */
mnemo_status mnemo_incr(mnemo_client* client, const char* key, size_t key_length, uint64_t delta,
                        uint64_t* value);
mnemo_status mnemo_decr(mnemo_client* client, const char* key, size_t key_length, uint64_t delta,
                        uint64_t* value);
mnemo_status mnemo_touch(mnemo_client* client, const char* key, size_t key_length, int64_t exptime);

/* On every server; `delay` < 0 means none. MNEMO_ERROR when any server failed. */
mnemo_status mnemo_flush_all(mnemo_client* client, int64_t delay);
/* Each server's statistics of `group` (NULL or "" = general), one callback per stat. */
typedef void (*mnemo_stat_callback)(const char* server, const char* name, const char* value,
                                    void* context);
mnemo_status mnemo_stats(mnemo_client* client, const char* group, mnemo_stat_callback callback,
                         void* context);
/* The first server's version, NUL-terminated and truncated to `size` bytes. */
mnemo_status mnemo_version(mnemo_client* client, char* buffer, size_t size);

#ifdef __cplusplus
}
#endif
