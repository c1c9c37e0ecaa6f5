#include "engines/proxy/proxy_spec.h"

#include <charconv>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mnemo/protocol/domains.h"

namespace mnemo::proxy {
namespace {

Error Bad(std::string_view what) { return Error{"proxy: " + std::string(what)}; }

// A decimal number in [min, max]; nullopt otherwise.
std::optional<std::uint64_t> Number(std::string_view text, std::uint64_t min,
                                    std::uint64_t max) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || value < min || value > max) {
    return std::nullopt;
  }
  return value;
}

Result<void> ApplyNumber(std::string_view name, std::string_view value,
                         client::Options& options) {
  // Upper bounds keep durations and counts in ranges where they still mean something.
  const bool is_pool = name == "pool";
  const std::optional<std::uint64_t> number =
      Number(value, is_pool || name == "timeout_ms" || name == "connect_ms" ? 1 : 0,
             is_pool ? 1024 : 3600000);
  if (!number) return Bad("bad value \"" + std::string(value) + "\" for " + std::string(name));
  const std::chrono::milliseconds ms(static_cast<std::int64_t>(*number));
  if (name == "eject") {
    options.failure_limit = static_cast<std::uint32_t>(*number);
  } else if (name == "retry_ms") {
    options.retry_interval = ms;
  } else if (name == "timeout_ms") {
    options.io_timeout = ms;
  } else if (name == "connect_ms") {
    options.connect_timeout = ms;
  } else {
    options.pool_size = static_cast<std::size_t>(*number);
  }
  return {};
}

Result<void> ApplyOption(std::string_view option, client::Options& options) {
  const std::size_t eq = option.find('=');
  if (eq == std::string_view::npos) {
    return Bad("option \"" + std::string(option) + "\" is not NAME=VALUE");
  }
  const std::string_view name = option.substr(0, eq);
  const std::string_view value = option.substr(eq + 1);
  if (name == "distribution") {
    Result<client::Distribution> d = client::DistributionFromName(value);
    if (!d) return Bad(d.error().message);
    options.distribution = *d;
  } else if (name == "hash") {
    Result<client::Hash> h = client::HashFromName(value);
    if (!h) return Bad(h.error().message);
    options.hash = *h;
  } else if (name == "protocol") {
    Result<Protocol> p = client::ProtocolFromName(value);
    if (!p) return Bad(p.error().message);
    options.protocol = *p;
  } else if (name == "eject" || name == "retry_ms" || name == "timeout_ms" ||
             name == "connect_ms" || name == "pool") {
    return ApplyNumber(name, value, options);
  } else {
    return Bad("unknown option \"" + std::string(name) + "\"");
  }
  return {};
}

}  // namespace

Result<client::Options> ParseProxySpec(std::string_view text) {
  const std::size_t semicolon = text.find(';');
  client::Options options;
  options.distribution = client::Distribution::kKetama;
  Result<std::vector<client::ServerSpec>> servers =
      client::ParseServerList(text.substr(0, semicolon));
  if (!servers) return Bad(servers.error().message);
  options.servers = std::move(*servers);
  std::string_view rest =
      semicolon == std::string_view::npos ? std::string_view() : text.substr(semicolon + 1);
  while (semicolon != std::string_view::npos) {
    const std::size_t next = rest.find(';');
    Result<void> applied = ApplyOption(rest.substr(0, next), options);
    if (!applied) return applied.error();
    if (next == std::string_view::npos) break;
    rest.remove_prefix(next + 1);
  }
  return options;
}

Result<ProxyTarget> ParseProxyTarget(std::string_view text) {
  constexpr std::string_view kDomain = "domain=";
  if (!text.starts_with(kDomain)) {
    Result<client::Options> options = ParseProxySpec(text);
    if (!options) return options.error();
    return ProxyTarget{"", std::move(*options)};
  }
  text.remove_prefix(kDomain.size());
  const std::size_t at = text.find('@');
  const std::size_t semicolon = text.find(';');
  if (at == std::string_view::npos || (semicolon != std::string_view::npos && semicolon < at)) {
    return Bad("domain=NAME@SEEDS expected");
  }
  const std::string name(text.substr(0, at));
  if (!domains::ValidName(name)) return Bad("invalid domain name \"" + name + "\"");
  Result<client::Options> options = ParseProxySpec(text.substr(at + 1));
  if (!options) return options.error();
  return ProxyTarget{name, std::move(*options)};
}

}  // namespace mnemo::proxy
