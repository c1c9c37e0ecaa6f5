// -l: "host", "host:port", "[v6]:port", "[v6]" or a bare IPv6 address, several separated by
// ',' or ';' (memcached splits on both and skips empty items), each optionally prefixed by
// "notls:" (memcached 1.6.18) or "mtls:" (later memcached) for TLS listeners.

#include <string>

#include "server/config_tables.h"
#include "server/value_parse.h"

namespace mnemo::server {
namespace {

Error InvalidPort(std::string_view text) {
  return Error{"Invalid port number: \"" + std::string(text) + "\""};
}

Result<ListenAddress> ParseOne(std::string_view item) {
  ListenAddress address;
  if (item.starts_with("notls:")) {
    address.tls = ListenTls::kOff;
    item.remove_prefix(6);
  } else if (item.starts_with("mtls:")) {
    address.tls = ListenTls::kMutual;
    item.remove_prefix(5);
  }
  std::string_view host = item;
  std::optional<std::string_view> port;
  if (item.starts_with('[')) {
    std::size_t close = item.find(']');
    if (close == std::string_view::npos) {
      return Error{"Invalid IPv6 address in -l: \"" + std::string(item) + "\""};
    }
    host = item.substr(1, close - 1);
    std::string_view rest = item.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return InvalidPort(rest);
      port = rest.substr(1);
    }
  } else if (std::size_t colon = item.find(':');
             colon != std::string_view::npos &&
             item.find(':', colon + 1) == std::string_view::npos) {
    host = item.substr(0, colon);  // exactly one ':': host:port; more: a bare IPv6 address
    port = item.substr(colon + 1);
  }
  if (host.empty()) return Error{"Missing address in -l: \"" + std::string(item) + "\""};
  address.host = std::string(host);
  if (port) {
    std::optional<std::int64_t> number = ParseInt(*port);
    if (!number || *number < 0 || *number > 65535) return InvalidPort(*port);
    address.port = static_cast<int>(*number);
  }
  return address;
}

}  // namespace

Result<std::vector<ListenAddress>> ParseListen(std::string_view spec) {
  std::vector<ListenAddress> addresses;
  while (!spec.empty()) {
    std::size_t end = spec.find_first_of(",;");
    std::string_view item = spec.substr(0, end);
    spec.remove_prefix(end == std::string_view::npos ? spec.size() : end + 1);
    if (item.empty()) continue;
    Result<ListenAddress> address = ParseOne(item);
    if (!address) return address.error();
    addresses.push_back(std::move(address).value());
  }
  if (addresses.empty()) return Error{"Missing address in -l"};
  return addresses;
}

}  // namespace mnemo::server
