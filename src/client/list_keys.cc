// Client::ListKeys: `lru_crawler metadump all` where the server has it, else `stats items`
// followed by `stats cachedump <class> 0` per slab class. Always ASCII, on a connection of its
// own, since memcached fixes a connection's protocol at its first byte.
#include <charconv>
#include <set>

#include "client_core.h"

namespace mnemo::client {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// metadump prints keys URL-encoded ("key=a%20b exp=...").
std::string UrlDecode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexDigit(s[i + 1]) >= 0 && HexDigit(s[i + 2]) >= 0) {
      out += static_cast<char>(HexDigit(s[i + 1]) * 16 + HexDigit(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::vector<std::string> MetadumpKeys(const std::vector<std::string>& lines) {
  std::vector<std::string> keys;
  for (std::string_view line : lines) {
    if (!line.starts_with("key=")) continue;
    line.remove_prefix(4);
    keys.push_back(UrlDecode(line.substr(0, line.find(' '))));
  }
  return keys;
}

// "ITEM <key> [<n> b; <t> s]" lines of stats cachedump.
void AddCachedumpKeys(const std::vector<std::string>& lines, std::vector<std::string>& keys) {
  for (std::string_view line : lines) {
    if (!line.starts_with("ITEM ")) continue;
    line.remove_prefix(5);
    keys.emplace_back(line.substr(0, line.find(' ')));
  }
}

// The slab classes that hold items, from "items:<class>:number" stats.
std::set<int> SlabClasses(const Stats& stats) {
  std::set<int> classes;
  for (const auto& [name, value] : stats) {
    std::string_view n = name;
    if (!n.starts_with("items:") || !n.ends_with(":number")) continue;
    n = n.substr(6, n.size() - 6 - 7);
    int slab = 0;
    if (std::from_chars(n.data(), n.data() + n.size(), slab).ec == std::errc()) {
      classes.insert(slab);
    }
  }
  return classes;
}

Result<std::vector<std::string>> Cachedump(ClientCore& impl, std::size_t server) {
  Op items{OpKind::kStats};
  items.text = "items";
  auto stats = impl.RunOne({server, items, &AsciiCodec()});
  if (!stats) return stats.error();
  if (stats->code != Code::kOk) return impl.ServerError(server, stats->message);
  std::vector<std::string> keys;
  for (int slab : SlabClasses(stats->stats)) {
    const std::string args = "cachedump " + std::to_string(slab) + " 0";
    Op dump{OpKind::kStats};
    dump.text = args;
    auto lines = impl.RunOne({server, dump, &AsciiCodec()});
    if (!lines) return lines.error();
    if (lines->code != Code::kOk) return impl.ServerError(server, lines->message);
    AddCachedumpKeys(lines->lines, keys);
  }
  return keys;
}

}  // namespace

std::vector<PerServer<std::vector<std::string>>> Client::ListKeys() {
  Op op{OpKind::kLines};
  op.text = "lru_crawler metadump all";
  std::vector<Task> tasks;
  for (std::size_t i = 0; i < impl_->options().servers.size(); ++i) {
    tasks.push_back({i, op, &AsciiCodec()});
  }
  auto results = impl_->Run(tasks);
  std::vector<PerServer<std::vector<std::string>>> out;
  for (std::size_t i = 0; i < results.size(); ++i) {
    PerServer<std::vector<std::string>> entry{i, impl_->Label(i), Error{}};
    if (!results[i]) {
      entry.result = results[i].error();
    } else if (results[i]->code == Code::kOk) {
      entry.result = MetadumpKeys(results[i]->lines);
    } else {
      entry.result = Cachedump(*impl_, i);
    }
    out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace mnemo::client
