// Server-list parsing and the name tables of hashes, distributions and protocols.
#include "mnemo/client/options.h"

#include <array>
#include <charconv>
#include <utility>

namespace mnemo::client {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

template <class T>
bool ParseNumber(std::string_view text, T min, T max, T& out) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    return false;
  }
  out = value;
  return true;
}

Error BadServer(std::string_view text, std::string_view why) {
  return Error{"bad server \"" + std::string(text) + "\": " + std::string(why)};
}

// "port[:weight]" after the host; either may be absent.
Result<void> ParsePortWeight(std::string_view whole, std::string_view rest, ServerSpec& spec) {
  if (rest.empty()) return {};
  const auto colon = rest.find(':');
  const std::string_view port = rest.substr(0, colon);
  if (!ParseNumber<std::uint16_t>(port, 1, 65535, spec.port)) return BadServer(whole, "port");
  if (colon == std::string_view::npos) return {};
  if (!ParseNumber<std::uint32_t>(rest.substr(colon + 1), 1, 1u << 20, spec.weight)) {
    return BadServer(whole, "weight");
  }
  return {};
}

constexpr std::array<std::pair<std::string_view, Hash>, 11> kHashNames = {{
    {"one_at_a_time", Hash::kOneAtATime},
    {"md5", Hash::kMd5},
    {"crc32", Hash::kCrc32},
    {"fnv1_32", Hash::kFnv1_32},
    {"fnv1a_32", Hash::kFnv1a_32},
    {"fnv1_64", Hash::kFnv1_64},
    {"fnv1a_64", Hash::kFnv1a_64},
    {"murmur", Hash::kMurmur},
    {"jenkins", Hash::kJenkins},
    {"default", Hash::kOneAtATime},  // aliases after the canonical names
    {"crc", Hash::kCrc32},
}};

}  // namespace

std::string ServerSpec::Label() const { return is_unix ? host : host + ":" + std::to_string(port); }

Result<ServerSpec> ParseServer(std::string_view text) {
  const std::string_view whole = Trim(text);
  std::string_view s = whole;
  ServerSpec spec;
  if (const auto space = s.find_first_of(" \t"); space != std::string_view::npos) {
    spec.name = std::string(Trim(s.substr(space)));
    s = s.substr(0, space);
  }
  if (s.empty()) return BadServer(whole, "empty");
  if (s.front() == '/') {
    spec.is_unix = true;
    spec.port = 0;
    const auto colon = s.rfind(':');
    if (colon != std::string_view::npos &&
        ParseNumber<std::uint32_t>(s.substr(colon + 1), 1, 1u << 20, spec.weight)) {
      s = s.substr(0, colon);
    }
    spec.host = std::string(s);
    return spec;
  }
  std::string_view rest;
  if (s.front() == '[') {
    const auto close = s.find(']');
    if (close == std::string_view::npos) return BadServer(whole, "missing ]");
    spec.host = std::string(s.substr(1, close - 1));
    rest = s.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return BadServer(whole, "junk after ]");
    if (!rest.empty()) rest.remove_prefix(1);
  } else {
    const auto colon = s.find(':');
    spec.host = std::string(s.substr(0, colon));
    if (colon != std::string_view::npos) rest = s.substr(colon + 1);
    if (rest.find(':') != rest.rfind(':')) return BadServer(whole, "IPv6 needs [brackets]");
  }
  if (spec.host.empty()) return BadServer(whole, "empty host");
  if (auto r = ParsePortWeight(whole, rest, spec); !r) return r.error();
  return spec;
}

Result<std::vector<ServerSpec>> ParseServerList(std::string_view text) {
  std::vector<ServerSpec> servers;
  while (true) {
    const auto comma = text.find(',');
    auto server = ParseServer(text.substr(0, comma));
    if (!server) return server.error();
    servers.push_back(std::move(server.value()));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return servers;
}

Result<Hash> HashFromName(std::string_view name) {
  for (const auto& [text, hash] : kHashNames) {
    if (text == name) return hash;
  }
  return Error{"unknown hash \"" + std::string(name) + "\""};
}

std::string_view HashName(Hash hash) {
  for (const auto& [text, value] : kHashNames) {
    if (value == hash) return text;
  }
  return "?";
}

Result<Distribution> DistributionFromName(std::string_view name) {
  if (name == "modula") return Distribution::kModula;
  if (name == "ketama" || name == "consistent") return Distribution::kKetama;
  if (name == "ketama_weighted") return Distribution::kKetamaWeighted;
  return Error{"unknown distribution \"" + std::string(name) + "\""};
}

std::string_view DistributionName(Distribution distribution) {
  switch (distribution) {
    case Distribution::kModula:
      return "modula";
    case Distribution::kKetama:
      return "ketama";
    case Distribution::kKetamaWeighted:
      return "ketama_weighted";
  }
  return "?";
}

Result<Protocol> ProtocolFromName(std::string_view name) {
  if (name == "ascii") return Protocol::kAscii;
  if (name == "meta") return Protocol::kMeta;
  if (name == "binary") return Protocol::kBinary;
  return Error{"unknown protocol \"" + std::string(name) + "\""};
}

}  // namespace mnemo::client
