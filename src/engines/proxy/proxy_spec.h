// The text after `--engine proxy:`: which upstream servers the proxy engine forwards to and how
// keys are spread over them. Grammar (docs/scale-out.md):
//
//   SERVERS[;NAME=VALUE]...
//
// SERVERS is mnemo_client's server list (host:port[:weight], comma-separated). Options:
// distribution (modula, ketama, ketama_weighted, consistent), hash (md5, crc32, fnv1a_32, ...,
// one_at_a_time), protocol (ascii, meta, binary: what is spoken upstream), eject (failures in a
// row before a server is ejected; 0 = never), retry_ms (how long an ejected server stays out),
// timeout_ms (per wait for an upstream), connect_ms, pool (idle connections kept per upstream).
// The defaults are mnemo_client's, except distribution, which defaults to ketama so that adding
// an upstream moves only its share of the keys.
//
// In place of SERVERS, `domain=NAME@SEEDS` follows the domain NAME (docs/domains.md) that the
// seed servers SEEDS (a server list) keep: the upstreams are the domain's list, and change when
// it does (mcadmin). The options apply to the upstreams as with a fixed list.
//
// Thread safety: a pure function.
#pragma once

#include <string>
#include <string_view>

#include "mnemo/client/options.h"
#include "mnemo/result.h"

namespace mnemo::proxy {

Result<client::Options> ParseProxySpec(std::string_view text);

struct ProxyTarget {
  std::string domain;       // empty: options.servers are the upstreams
  client::Options options;  // with a domain, options.servers are its seeds
};
// A fixed server list or a domain, as above.
Result<ProxyTarget> ParseProxyTarget(std::string_view text);

}  // namespace mnemo::proxy
