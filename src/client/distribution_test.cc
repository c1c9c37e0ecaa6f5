// Key-for-key agreement with libmemcached and twemproxy: every vector file in tests/data maps
// each of its 1000 keys to the same server index here, and the continuum files match point for
// point. The server list of each file is taken from its third column, as configured there.
#include "distribution.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "test_data.h"

namespace mnemo::client {
namespace {

struct VectorCase {
  const char* file;
  Distribution distribution;
  Hash hash;
};

std::ostream& operator<<(std::ostream& os, const VectorCase& c) { return os << c.file; }

class VectorTest : public ::testing::TestWithParam<VectorCase> {};

// The servers in index order, parsed from the "server" column.
std::vector<ServerSpec> ServersOf(const std::vector<testdata::Row>& rows) {
  std::map<int, std::string> by_index;
  for (const auto& row : rows) by_index[std::stoi(row[1])] = row[2];
  std::vector<ServerSpec> servers;
  for (const auto& [index, text] : by_index) {
    auto spec = ParseServer(text);
    EXPECT_TRUE(spec.ok()) << text;
    if (spec.ok()) servers.push_back(spec.value());
  }
  return servers;
}

TEST_P(VectorTest, EveryKeyOnTheSameServer) {
  const VectorCase& c = GetParam();
  const auto rows = testdata::ReadTsv(c.file);
  ASSERT_EQ(rows.size(), 1000u);
  const auto servers = ServersOf(rows);
  ASSERT_EQ(servers.size(), 3u);
  const auto d = Distributor::Build(c.distribution, c.hash, servers, {true, true, true});
  int mismatches = 0;
  for (const auto& row : rows) {
    const auto index = d.Pick(row[0]);
    ASSERT_TRUE(index.has_value());
    if (*index != std::stoul(row[1])) {
      ++mismatches;
      ADD_FAILURE() << c.file << ": " << row[0] << " -> " << *index << ", want " << row[1];
    }
    if (mismatches > 5) break;
  }
  EXPECT_EQ(mismatches, 0);
}

INSTANTIATE_TEST_SUITE_P(
    AllFiles, VectorTest,
    ::testing::Values(
        VectorCase{"libmemcached_ketama_md5.tsv", Distribution::kKetama, Hash::kMd5},
        VectorCase{"libmemcached_ketama_default_hash.tsv", Distribution::kKetama,
                   Hash::kOneAtATime},
        VectorCase{"libmemcached_ketama_fnv1a_64.tsv", Distribution::kKetama, Hash::kFnv1a_64},
        VectorCase{"libmemcached_ketama_md5_localhost.tsv", Distribution::kKetama, Hash::kMd5},
        VectorCase{"libmemcached_ketama_weighted_md5.tsv", Distribution::kKetamaWeighted,
                   Hash::kMd5},
        // KETAMA_WEIGHTED also switches the key hash to md5.
        VectorCase{"libmemcached_ketama_weighted_w123.tsv", Distribution::kKetamaWeighted,
                   Hash::kMd5},
        // Plain ketama with weights turns weighted, as in libmemcached.
        VectorCase{"libmemcached_ketama_md5_w123_pylibmc.tsv", Distribution::kKetama, Hash::kMd5},
        VectorCase{"libmemcached_modula_default.tsv", Distribution::kModula, Hash::kOneAtATime},
        VectorCase{"offline_libmemcached_ketama_md5_port11211.tsv", Distribution::kKetama,
                   Hash::kMd5},
        VectorCase{"offline_libmemcached_ketama_weighted_port11211_w112.tsv",
                   Distribution::kKetamaWeighted, Hash::kMd5},
        VectorCase{"twemproxy_ketama_md5.tsv", Distribution::kKetamaWeighted, Hash::kMd5},
        VectorCase{"twemproxy_ketama_fnv1a_64.tsv", Distribution::kKetamaWeighted, Hash::kFnv1a_64},
        VectorCase{"twemproxy_ketama_md5_w123.tsv", Distribution::kKetamaWeighted, Hash::kMd5},
        VectorCase{"twemproxy_ketama_md5_named.tsv", Distribution::kKetamaWeighted, Hash::kMd5}));

struct ContinuumCase {
  const char* file;
  Distribution distribution;
  std::vector<std::uint32_t> weights;
};

void ExpectContinuum(const ContinuumCase& c) {
  const auto rows = testdata::ReadTsv(c.file);
  std::vector<ServerSpec> servers;
  for (int i = 0; i < 3; ++i) {
    auto spec =
        ParseServer("127.0.0.1:2400" + std::to_string(i + 1) + ":" + std::to_string(c.weights[i]));
    ASSERT_TRUE(spec.ok());
    servers.push_back(spec.value());
  }
  const auto d = Distributor::Build(c.distribution, Hash::kMd5, servers, {true, true, true});
  ASSERT_EQ(d.points().size(), rows.size()) << c.file;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    ASSERT_EQ(d.points()[i].value, std::stoul(rows[i][0])) << c.file << " point " << i;
    ASSERT_EQ(d.points()[i].server, std::stoul(rows[i][1])) << c.file << " point " << i;
  }
}

TEST(ContinuumTest, KetamaMd5) {
  ExpectContinuum({"continuum_libmemcached_ketama_md5.tsv", Distribution::kKetama, {1, 1, 1}});
}

TEST(ContinuumTest, WeightedEqualWeights) {
  ExpectContinuum({"continuum_weighted_md5_w111.tsv", Distribution::kKetamaWeighted, {1, 1, 1}});
}

TEST(ContinuumTest, Weighted123) {
  ExpectContinuum({"continuum_weighted_md5_w123.tsv", Distribution::kKetamaWeighted, {1, 2, 3}});
}

TEST(DistributorTest, HashedNameDropsDefaultPortAndWeight) {
  EXPECT_EQ(Distributor::HashedName(ParseServer("cache1:11211:5").value()), "cache1");
  EXPECT_EQ(Distributor::HashedName(ParseServer("10.0.0.3:11212:2").value()), "10.0.0.3:11212");
  EXPECT_EQ(Distributor::HashedName(ParseServer("h:1:1 server1").value()), "server1");
}

TEST(DistributorTest, EjectingAServerMovesOnlyItsKeys) {
  const auto servers = ParseServerList("127.0.0.1:24001,127.0.0.1:24002,127.0.0.1:24003");
  ASSERT_TRUE(servers.ok());
  for (auto mode : {Distribution::kKetama, Distribution::kKetamaWeighted}) {
    const auto all = Distributor::Build(mode, Hash::kMd5, servers.value(), {true, true, true});
    const auto two = Distributor::Build(mode, Hash::kMd5, servers.value(), {true, false, true});
    int moved = 0;
    for (int i = 0; i < 1000; ++i) {
      const std::string key = "key:" + std::to_string(i);
      const auto before = *all.Pick(key);
      const auto after = *two.Pick(key);
      EXPECT_NE(after, 1u);
      if (before != 1u) {
        EXPECT_EQ(before, after) << key;
      }
      moved += before == 1u ? 1 : 0;
    }
    EXPECT_GT(moved, 100);
  }
}

TEST(DistributorTest, NoLiveServerPicksNothingAndOneServerSkipsHashing) {
  const auto servers = ParseServerList("a:1,b:2");
  ASSERT_TRUE(servers.ok());
  EXPECT_FALSE(
      Distributor::Build(Distribution::kKetama, Hash::kMd5, servers.value(), {false, false})
          .Pick("k")
          .has_value());
  const auto one =
      Distributor::Build(Distribution::kModula, Hash::kMd5, servers.value(), {false, true});
  EXPECT_EQ(one.Pick("anything"), 1u);
}

}  // namespace
}  // namespace mnemo::client
