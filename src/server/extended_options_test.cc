// -o: every key memcached 1.6.18 (TLS + extstore build) accepts, the list syntax of getsubopt(),
// and the errors, checked against that memcached's stderr where marked.

#include <gtest/gtest.h>

#include "server/config_test_util.h"

namespace mnemo::server {
namespace {

ServerConfig WithO(const std::string& list) { return ParseOk({"-o", list}); }
std::string ErrorO(const std::string& list) { return ParseError({"-o", list}); }

TEST(ExtendedOptions, ListSyntaxIsGetsubopts) {
  EXPECT_TRUE(WithO("track_sizes,").track_sizes);                // one trailing comma ends the list
  EXPECT_TRUE(ParseOk({"-o", ""}).maxconns_fast);                // an empty list sets nothing
  EXPECT_EQ(ErrorO("track_sizes,,"), "Illegal suboption \"\"");  // memcached
  EXPECT_EQ(ErrorO(",,"), "Illegal suboption \"\"");             // memcached
  EXPECT_EQ(ErrorO("bogus"), "Illegal suboption \"bogus\"");     // memcached
  EXPECT_EQ(ErrorO("bogus=1"), "Illegal suboption \"bogus=1\"");                // memcached
  EXPECT_EQ(ErrorO("=5"), "Illegal suboption \"=5\"");                          // memcached
  EXPECT_EQ(ErrorO("proxy_config=x"), "Illegal suboption \"proxy_config=x\"");  // memcached
  EXPECT_EQ(ErrorO("no_ext_drop_unread"), "Illegal suboption \"no_ext_drop_unread\"");
  ServerConfig c = ParseOk({"-o", "hashpower=20,track_sizes", "-o", "idle_timeout=5"});
  EXPECT_EQ(c.hashpower, 20);
  EXPECT_TRUE(c.track_sizes);
  EXPECT_EQ(c.idle_timeout, 5u);
  EXPECT_TRUE(WithO("track_sizes=1").track_sizes);  // a switch ignores a value, as memcached
}

TEST(ExtendedOptions, CoreKeysSetTheirFields) {
  ServerConfig c = WithO(
      "no_maxconns_fast,hashpower=20,no_hashexpand,no_slab_reassign,slab_automove=2,"
      "slab_automove_ratio=0.5,slab_automove_window=10,tail_repair_time=60,hash_algorithm=xxh3,"
      "no_lru_crawler,lru_crawler_sleep=50,lru_crawler_tocrawl=7,hot_lru_pct=10,warm_lru_pct=30,"
      "hot_max_factor=0.3,warm_max_factor=1.5,temporary_ttl=30,idle_timeout=600,"
      "watcher_logbuf_size=128,worker_logbuf_size=32,slab_sizes=96-120-200,"
      "slab_chunk_max=262144,track_sizes,no_drop_privileges,read_buf_mem_limit=10,"
      "sock_cookie_id=42,modern,inline_ascii_resp,no_inline_ascii_resp");
  EXPECT_FALSE(c.maxconns_fast);
  EXPECT_EQ(c.hashpower, 20);
  EXPECT_FALSE(c.hash_expand);
  EXPECT_FALSE(c.slab.reassign);
  EXPECT_EQ(c.slab.automove, 2);
  EXPECT_EQ(c.slab.automove_ratio, 0.5);
  EXPECT_EQ(c.slab.automove_window, 10u);
  EXPECT_EQ(c.lru.tail_repair_time, 60);
  EXPECT_EQ(c.hash_algorithm, HashAlgorithm::kXxh3);
  EXPECT_FALSE(c.lru.crawler);
  EXPECT_EQ(c.lru.crawler_sleep_us, 50);
  EXPECT_EQ(c.lru.crawler_tocrawl, 7u);
  EXPECT_EQ(c.lru.hot_pct, 10);
  EXPECT_EQ(c.lru.warm_pct, 30);
  EXPECT_EQ(c.lru.hot_max_factor, 0.3);
  EXPECT_EQ(c.lru.warm_max_factor, 1.5);
  EXPECT_TRUE(c.lru.temp_lru);
  EXPECT_EQ(c.lru.temporary_ttl, 30u);
  EXPECT_EQ(c.idle_timeout, 600u);
  EXPECT_EQ(c.watcher_logbuf_size, 128u * 1024);
  EXPECT_EQ(c.worker_logbuf_size, 32u * 1024);  // memcached 1.6.18 misreads this one as slabs
  EXPECT_EQ(c.slab.sizes, (std::vector<std::uint32_t>{96, 120, 200}));
  EXPECT_EQ(c.slab.chunk_max, 262144u);
  EXPECT_TRUE(c.track_sizes);
  EXPECT_FALSE(c.drop_privileges);
  EXPECT_EQ(c.read_buf_mem_limit, 10u << 20);
  EXPECT_EQ(c.sock_cookie_id, 42u);
}

TEST(ExtendedOptions, TwinsAndPresets) {
  ServerConfig on = WithO(
      "no_maxconns_fast,maxconns_fast,no_slab_reassign,slab_reassign,"
      "no_lru_crawler,lru_crawler,no_lru_maintainer,lru_maintainer,"
      "no_drop_privileges,drop_privileges,no_slab_automove,slab_automove");
  EXPECT_TRUE(on.maxconns_fast && on.slab.reassign && on.lru.crawler && on.drop_privileges);
  EXPECT_TRUE(on.lru.maintainer && on.lru.segmented);
  EXPECT_EQ(on.slab.automove, 1);
  ServerConfig off = WithO("no_lru_maintainer");
  EXPECT_FALSE(off.lru.maintainer || off.lru.segmented);
  EXPECT_EQ(WithO("no_chunked_items").slab.chunk_max, kSlabPageSize);
  ServerConfig old = WithO("no_modern");  // memcached 1.6.18's `stats settings` after no_modern
  EXPECT_FALSE(old.maxconns_fast || old.slab.reassign || old.lru.crawler);
  EXPECT_FALSE(old.lru.maintainer || old.lru.segmented);
  EXPECT_EQ(old.slab.automove, 0);
  EXPECT_EQ(old.slab.chunk_max, kSlabPageSize);
  EXPECT_EQ(old.hash_algorithm, HashAlgorithm::kJenkins);
  // memcached 1.6.18: -I over 1 MB brings the chunk size back to half a page.
  EXPECT_EQ(ParseOk({"-I", "2m", "-o", "no_chunked_items"}).slab.chunk_max, kSlabPageSize / 2);
  EXPECT_EQ(ParseOk({"-I", "4m", "-o", "no_modern"}).slab.chunk_max, kSlabPageSize / 2);
  EXPECT_EQ(ParseOk({"-I", "4m", "-o", "slab_chunk_max=1048576"}).slab.chunk_max, kSlabPageSize);
  Result<CommandLine> deprecated = Parse({"-o", "resp_obj_mem_limit=5"});
  ASSERT_TRUE(deprecated.ok());
  EXPECT_EQ(deprecated->warnings,
            std::vector<std::string>{
                "DEPRECATED: resp_obj_mem_limit no longer used. See read_buf_mem_limit,"});
}

// -o lists and memcached 1.6.18's answer to each; where memcached reads a number with atoi()
// and says nothing (abc, missing slab_sizes, sock_cookie_id), its "could not parse" or
// "Missing" wording is used.
const std::pair<std::string, std::string> kCoreKeyErrors[] = {
    {"hashpower", "Missing numeric argument for hashpower"},
    {"hashpower=11", "Initial hashtable multiplier of 11 is too low"},
    {"hashpower=33",
     "Initial hashtable multiplier of 33 is too high\nChoose a value based on "
     "\"STAT hash_power_level\" from a running instance"},
    {"hashpower=abc", "could not parse argument to hashpower"},
    {"slab_automove=5", "slab_automove must be between 0 and 2"},
    {"slab_automove=-1", "slab_automove must be between 0 and 2"},
    {"slab_automove_ratio", "Missing slab_automove_ratio argument"},
    {"slab_automove_ratio=0", "slab_automove_ratio must be > 0 and < 1"},
    {"slab_automove_ratio=1.01", "slab_automove_ratio must be > 0 and < 1"},
    {"slab_automove_window=2", "slab_automove_window must be > 2"},
    {"tail_repair_time", "Missing numeric argument for tail_repair_time"},
    {"tail_repair_time=5", "Cannot set tail_repair_time to less than 10 seconds"},
    {"hash_algorithm", "Missing hash_algorithm argument"},
    {"hash_algorithm=MURMUR3", "Unknown hash_algorithm option (jenkins, murmur3, xxh3)"},
    {"lru_crawler_sleep", "Missing lru_crawler_sleep value"},
    {"lru_crawler_sleep=1000001", "LRU crawler sleep must be between 0 and 1 second"},
    {"lru_crawler_tocrawl", "Missing lru_crawler_tocrawl value"},
    {"lru_crawler_tocrawl=-1", "lru_crawler_tocrawl takes a numeric 32bit value"},
    {"lru_crawler_tocrawl=4294967296", "lru_crawler_tocrawl takes a numeric 32bit value"},
    {"hot_lru_pct", "Missing hot_lru_pct argument"},
    {"hot_lru_pct=0", "hot_lru_pct must be > 1 and < 80"},
    {"hot_lru_pct=80", "hot_lru_pct must be > 1 and < 80"},
    {"warm_lru_pct=80", "warm_lru_pct must be > 1 and < 80"},
    {"hot_lru_pct=50,warm_lru_pct=40",
     "hot_lru_pct + warm_lru_pct cannot be more than 80% combined"},
    {"hot_max_factor=0", "hot_max_factor must be > 0"},
    {"warm_max_factor=-1", "warm_max_factor must be > 0"},
    {"temporary_ttl", "Missing temporary_ttl argument"},
    {"no_lru_maintainer,temporary_ttl=5", "temporary_ttl requires lru_maintainer to be enabled"},
    {"idle_timeout", "Missing numeric argument for idle_timeout"},
    {"idle_timeout=abc", "could not parse argument to idle_timeout"},
    {"watcher_logbuf_size=abc", "could not parse argument to watcher_logbuf_size"},
    {"worker_logbuf_size=4194304", "could not parse argument to worker_logbuf_size"},
    {"read_buf_mem_limit=abc", "could not parse argument to read_buf_mem_limit"},
    {"slab_chunk_max=16k", "could not parse argument to slab_chunk_max"},
    {"slab_chunk_max=0", "could not parse argument to slab_chunk_max"},
    {"slab_sizes", "Missing slab_sizes argument"},
    {"slab_sizes=abc", "could not parse argument to slab_sizes"},
    {"slab_sizes=47", "slab size 47 is out of valid range"},
    {"slab_sizes=524289", "slab size 524289 is out of valid range"},
    {"slab_sizes=96-200-100",
     "slab size 100 cannot be lower than or equal to a previous class size"},
    {"slab_sizes=96-104", "slab size 104 must be at least 8 bytes larger than previous class"},
    {"sock_cookie_id", "Missing sock_cookie_id argument"},
};

TEST(ExtendedOptions, CoreKeyErrorsAreMemcacheds) {
  for (const auto& [list, message] : kCoreKeyErrors) EXPECT_EQ(ErrorO(list), message) << list;
  EXPECT_EQ(ParseError({"-n", "100", "-o", "slab_sizes=60"}), "slab size 60 is out of valid range");
  EXPECT_EQ(WithO("slab_sizes=96-105").slab.sizes.size(), 2u);
  EXPECT_EQ(WithO("hot_lru_pct=1,warm_lru_pct=1").lru.hot_pct, 1);  // memcached accepts 1
  EXPECT_EQ(WithO("slab_automove_ratio=1").slab.automove_ratio, 1.0);
  std::string classes;
  for (int size = 100; size <= 6200; size += 100) classes += std::to_string(size) + "-";
  EXPECT_EQ(WithO("slab_sizes=" + classes.substr(0, classes.size() - 1)).slab.sizes.size(), 62u);
  EXPECT_EQ(ErrorO("slab_sizes=" + classes + "6300"), "too many slab classes specified");
}

TEST(ExtendedOptions, TlsKeys) {
  ServerConfig c = WithO(
      "ssl_chain_cert=/c.pem,ssl_key=/k.pem,ssl_verify_mode=2,ssl_keyformat=2,ssl_ciphers=HIGH,"
      "ssl_ca_cert=/ca.pem,ssl_wbuf_size=32,ssl_session_cache,ssl_kernel_tls,ssl_min_version=3");
  EXPECT_EQ(c.tls.chain_cert, "/c.pem");
  EXPECT_EQ(c.tls.key, "/k.pem");
  EXPECT_EQ(c.tls.verify_mode, 2);
  EXPECT_EQ(c.tls.key_format, 2);
  EXPECT_EQ(c.tls.ciphers, "HIGH");
  EXPECT_EQ(c.tls.ca_cert, "/ca.pem");
  EXPECT_EQ(c.tls.wbuf_size, 32u * 1024);
  EXPECT_TRUE(c.tls.session_cache && c.tls.kernel_tls);
  EXPECT_EQ(c.tls.min_version, 3);
  const std::pair<std::string, std::string> cases[] = {
      {"ssl_chain_cert", "Missing ssl_chain_cert argument"},
      {"ssl_key", "Missing ssl_key argument"},
      {"ssl_ciphers", "Missing ssl_ciphers argument"},
      {"ssl_ca_cert", "Missing ssl_ca_cert argument"},
      {"ssl_verify_mode=abc", "could not parse argument to ssl_verify_mode"},
      {"ssl_verify_mode=4", "Invalid ssl_verify_mode. Use help to see valid options."},
      {"ssl_verify_mode=-1", "Invalid ssl_verify_mode. Use help to see valid options."},
      {"ssl_keyformat=abc", "could not parse argument to ssl_keyformat"},
      {"ssl_wbuf_size=abc", "could not parse argument to ssl_wbuf_size"},
      {"ssl_min_version", "Missing ssl_min_version argument"},
      {"ssl_min_version=abc", "could not parse argument to ssl_min_version"},
      {"ssl_min_version=4", "Invalid ssl_min_version. Use help to see valid options."},
  };
  for (const auto& [list, message] : cases) EXPECT_EQ(ErrorO(list), message) << list;
}

TEST(ExtendedOptions, ExtstoreKeys) {
  ServerConfig c = WithO(
      "ext_page_size=8,ext_wbuf_size=8,ext_threads=2,ext_io_depth=3,ext_item_size=1024,"
      "ext_item_age=60,ext_low_ttl=10,ext_recache_rate=100,ext_max_sleep=500,ext_max_frag=0.5,"
      "slab_automove_freeratio=0.02,ext_drop_unread,ext_path=/ssd/a:1G,ext_path=/ssd/b:2g:default");
  EXPECT_EQ(c.ext.page_size, 8u << 20);
  EXPECT_EQ(c.ext.wbuf_size, 8u << 20);
  EXPECT_EQ(c.ext.threads, 2u);
  EXPECT_EQ(c.ext.io_depth, 3u);
  EXPECT_EQ(c.ext.item_size, 1024u);
  EXPECT_EQ(c.ext.item_age, 60u);
  EXPECT_EQ(c.ext.low_ttl, 10u);
  EXPECT_EQ(c.ext.recache_rate, 100u);
  EXPECT_EQ(c.ext.max_sleep, 500u);
  EXPECT_EQ(c.ext.max_frag, 0.5);
  EXPECT_EQ(c.ext.automove_freeratio, 0.02);
  EXPECT_TRUE(c.ext.drop_unread);
  EXPECT_EQ(c.ext.paths,
            (std::vector<ExtstorePath>{{"/ssd/a", 1ull << 30}, {"/ssd/b", 2ull << 30}}));
  EXPECT_EQ(c.ext.compact_under, 32u);  // a quarter of the first path's pages, as memcached
  EXPECT_EQ(c.ext.drop_under, 32u);
  ServerConfig given = WithO("ext_path=/ssd/a:640M,ext_compact_under=1");
  EXPECT_EQ(given.ext.compact_under, 1u);  // memcached then leaves drop_under at 0
  EXPECT_EQ(given.ext.drop_under, 0u);
  const std::pair<std::string, std::string> cases[] = {
      {"ext_path", "missing argument to ext_path, ie: ext_path=/d/file:5G"},
      {"ext_path=/ssd/a",
       "must supply size to ext_path, ie: ext_path=/f/e:64m (M|G|T|P "
       "supported)\nfailed to parse ext_path argument"},
      {"ext_path=/ssd/a:1G:foo", "Unknown extstore bucket: foo\nfailed to parse ext_path argument"},
      {"ext_path=/ssd/a:1G:lowttl",
       "ext_path only presently supports the default bucket\nfailed to parse ext_path argument"},
      {"ext_path=/ssd/a:1G,ext_page_size=8",
       "Must specify ext_page_size before any ext_path "
       "arguments"},
      {"ext_page_size", "Missing ext_page_size argument"},
      {"ext_threads=abc", "could not parse argument to ext_threads"},
      {"ext_max_frag=abc", "could not parse argument to ext_max_frag"},
      {"slab_automove_freeratio", "Missing slab_automove_freeratio argument"},
  };
  for (const auto& [list, message] : cases) EXPECT_EQ(ErrorO(list), message) << list;
  EXPECT_EQ(ParseError({"-m", "1024", "-I", "8m", "-o", "ext_path=/ssd/a:1G"}),
            "-I (item_size_max: 8388608) cannot be larger than ext_wbuf_size: 4194304");
  EXPECT_EQ(ParseError({"-U", "5000", "-o", "ext_path=/ssd/a:1G"}),
            "Cannot use UDP with extstore enabled (-U 0 to disable)");
}

}  // namespace
}  // namespace mnemo::server
