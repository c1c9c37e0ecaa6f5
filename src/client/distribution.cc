// Continuum construction for the two ketama flavours and the modula lookup.
#include "distribution.h"

#include <algorithm>
#include <cmath>

#include "hashing/hashing.h"

namespace mnemo::client {
namespace {

constexpr std::uint32_t kPointsPerServer = 100;          // libmemcached KETAMA
constexpr std::uint32_t kWeightedPointsPerServer = 160;  // KETAMA_WEIGHTED and twemproxy

std::string PointName(const std::string& base, std::uint32_t i) {
  return base + "-" + std::to_string(i);
}

// Non-weighted: each point is the configured key hash of "<name>-<i>".
void AddKetamaPoints(Hash hash, std::uint32_t server, const std::string& base,
                     std::vector<Distributor::Point>& points) {
  for (std::uint32_t i = 0; i < kPointsPerServer; ++i) {
    points.push_back({hashing::HashKey(hash, PointName(base, i)), server});
  }
}

// Points for one server in weighted mode. The share is computed in float32, as both originals
// do, and the tiny epsilon is theirs too: it decides cases such as 1/6 x 40 x 3.
std::uint32_t WeightedPointCount(std::uint32_t weight, std::uint64_t total, std::size_t live) {
  const float share = static_cast<float>(weight) / static_cast<float>(total);
  const float quarter =
      share * static_cast<float>(kWeightedPointsPerServer) / 4.0f * static_cast<float>(live);
  return static_cast<std::uint32_t>(std::floor(static_cast<double>(quarter) + 0.0000000001)) * 4;
}

// Weighted: each MD5 of "<name>-<i>" gives four points, one per digest word.
void AddWeightedPoints(std::uint32_t server, const std::string& base, std::uint32_t count,
                       std::vector<Distributor::Point>& points) {
  for (std::uint32_t i = 0; i < count / 4; ++i) {
    for (std::uint32_t word : hashing::Md5Words(PointName(base, i))) {
      points.push_back({word, server});
    }
  }
}

}  // namespace

std::string Distributor::HashedName(const ServerSpec& server) {
  if (!server.name.empty()) return server.name;
  if (!server.is_unix && server.port == 11211) return server.host;
  return server.host + ":" + std::to_string(server.port);
}

Distributor Distributor::Build(Distribution distribution, Hash hash,
                               const std::vector<ServerSpec>& servers,
                               const std::vector<bool>& live) {
  Distributor d;
  d.hash_ = hash;
  std::uint64_t total_weight = 0;
  bool any_weight = false;
  for (std::size_t i = 0; i < servers.size(); ++i) {
    if (!live[i]) continue;
    d.live_.push_back(i);
    total_weight += servers[i].weight;
    any_weight = any_weight || servers[i].weight != 1;
  }
  if (distribution == Distribution::kModula || d.live_.size() <= 1) return d;
  d.consistent_ = true;
  // libmemcached switches KETAMA to the weighted algorithm as soon as a server has a weight.
  const bool weighted = distribution == Distribution::kKetamaWeighted || any_weight;
  for (std::size_t i : d.live_) {
    const auto index = static_cast<std::uint32_t>(i);
    const std::string base = HashedName(servers[i]);
    if (weighted) {
      const std::uint32_t count =
          WeightedPointCount(servers[i].weight, total_weight, d.live_.size());
      AddWeightedPoints(index, base, count, d.points_);
    } else {
      AddKetamaPoints(hash, index, base, d.points_);
    }
  }
  std::sort(d.points_.begin(), d.points_.end(), [](const Point& a, const Point& b) {
    return a.value != b.value ? a.value < b.value : a.server < b.server;
  });
  return d;
}

std::optional<std::size_t> Distributor::Pick(std::string_view key) const {
  if (live_.empty()) return std::nullopt;
  if (live_.size() == 1) return live_.front();
  const std::uint32_t h = hashing::HashKey(hash_, key);
  if (!consistent_) return live_[h % live_.size()];
  auto it = std::lower_bound(points_.begin(), points_.end(), h,
                             [](const Point& p, std::uint32_t v) { return p.value < v; });
  if (it == points_.end()) it = points_.begin();
  return it->server;
}

}  // namespace mnemo::client
