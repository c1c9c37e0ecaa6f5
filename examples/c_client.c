/* A C program using mnemo's client through its C interface: store, read, count and delete a
 * few keys. Usage: c_client [SERVERS]; SERVERS defaults to $MEMCACHED_SERVERS, then
 * 127.0.0.1:11211. Exits 0 when every step gave the expected answer. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mnemo/client.h"

static int check(mnemo_status got, mnemo_status want, const char* what) {
  if (got == want) return 1;
  fprintf(stderr, "c_client: %s: status %d, want %d: %s\n", what, (int)got, (int)want,
          mnemo_last_error());
  return 0;
}

static void print_hit(const mnemo_item* item, void* context) {
  int* hits = context;
  ++*hits;
  printf("multi-get: %s = %s\n", item->key, item->value);
}

int main(int argc, char** argv) {
  mnemo_options options;
  memset(&options, 0, sizeof(options));
  options.servers = argc > 1 ? argv[1] : getenv("MEMCACHED_SERVERS");
  if (options.servers == NULL || options.servers[0] == '\0') options.servers = "127.0.0.1:11211";

  mnemo_client* client = NULL;
  if (!check(mnemo_client_new(&options, &client), MNEMO_OK, "connect")) return 1;

  int ok = 1;
  const char* value = "hello from C";
  ok &= check(mnemo_store(client, MNEMO_SET, "c:greeting", 10, value, strlen(value), 42, 0, 0),
              MNEMO_OK, "set");
  mnemo_item* item = NULL;
  if (check(mnemo_get(client, "c:greeting", 10, &item), MNEMO_OK, "get")) {
    printf("get: %s (flags %" PRIu32 ")\n", item->value, item->flags);
    ok &= item->flags == 42 && strcmp(item->value, value) == 0;
    mnemo_item_free(item);
  } else {
    ok = 0;
  }
  ok &= check(mnemo_get(client, "c:absent", 8, &item), MNEMO_NOT_FOUND, "get miss");

  uint64_t counter = 0;
  ok &= check(mnemo_store(client, MNEMO_SET, "c:counter", 9, "41", 2, 0, 0, 0), MNEMO_OK, "set");
  ok &= check(mnemo_incr(client, "c:counter", 9, 1, &counter), MNEMO_OK, "incr");
  printf("incr: %" PRIu64 "\n", counter);
  ok &= counter == 42;

  const char* keys[] = {"c:greeting", "c:counter", "c:absent"};
  const size_t lengths[] = {10, 9, 8};
  int hits = 0;
  ok &=
      check(mnemo_get_multi(client, keys, lengths, 3, 0, print_hit, &hits), MNEMO_OK, "multi-get");
  ok &= hits == 2;

  ok &= check(mnemo_delete(client, "c:greeting", 10), MNEMO_OK, "delete");
  ok &= check(mnemo_delete(client, "c:greeting", 10), MNEMO_NOT_FOUND, "delete again");
  mnemo_client_free(client);
  printf("%s\n", ok ? "all good" : "FAILED");
  return ok ? 0 : 1;
}
