// Every command-line flag, in each form getopt_long users type: -p1234, -p 1234, --port=1234,
// --port 1234, unambiguous prefixes and bundles.

#include "server/config.h"

#include <gtest/gtest.h>

#include <functional>
#include <thread>

#include "server/config_test_util.h"

namespace mnemo::server {
namespace {

using Check = std::function<void(const ServerConfig&)>;

// A flag with a value, in its four spellings (three when it has no long name).
void ExpectAllForms(char letter, const char* long_name, const std::string& value,
                    const Check& check) {
  std::vector<std::vector<std::string>> forms = {
      {std::string("-") + letter + value},
      {std::string("-") + letter, value},
  };
  if (long_name != nullptr) {
    forms.push_back({std::string("--") + long_name + "=" + value});
    forms.push_back({std::string("--") + long_name, value});
  }
  for (const std::vector<std::string>& form : forms) {
    SCOPED_TRACE(form[0]);
    check(ParseOk(form));
  }
}

// A flag without a value, short and long.
void ExpectSwitch(char letter, const char* long_name, const Check& check) {
  for (std::string form : {std::string("-") + letter, std::string("--") + long_name}) {
    SCOPED_TRACE(form);
    check(ParseOk({form}));
  }
}

TEST(ServerConfigDefaults, AreMemcachedsExceptListenAndThreads) {
  ServerConfig c = ParseOk({});
  EXPECT_EQ(c.port, 11211);
  EXPECT_EQ(c.udp_port, 0);
  EXPECT_EQ(c.listen, std::vector<ListenAddress>{{"127.0.0.1"}});
  EXPECT_EQ(c.listen_text, "127.0.0.1");
  unsigned cores = std::thread::hardware_concurrency();
  EXPECT_EQ(c.threads, cores == 0 ? 4 : static_cast<int>(cores));
  EXPECT_EQ(c.max_bytes, 64u << 20);
  EXPECT_EQ(c.max_connections, 1024);
  EXPECT_EQ(c.item_size_max, 1024u * 1024);
  EXPECT_EQ(c.protocol, ProtocolMode::kAuto);
  EXPECT_EQ(c.unix_mask, 0700);
  EXPECT_EQ(c.engine.kind, EngineKind::kMemory);
  EXPECT_TRUE(c.cas_enabled && c.flush_enabled && c.dump_enabled && c.evictions);
}

TEST(ServerConfigFlags, Network) {
  ExpectAllForms('p', "port", "1234", [](const ServerConfig& c) { EXPECT_EQ(c.port, 1234); });
  ExpectAllForms('p', "port", "-1", [](const ServerConfig& c) { EXPECT_EQ(c.port, -1); });
  ExpectAllForms('U', "udp-port", "5000", [](const ServerConfig& c) {
    EXPECT_EQ(c.udp_port, 5000);
    EXPECT_EQ(c.port, 5000);  // memcached: -U without -p moves TCP too
  });
  EXPECT_EQ(ParseOk({"-U", "5000", "-p", "6000"}).port, 6000);
  EXPECT_EQ(ParseOk({"-p", "6000", "-U", "5000"}).port, 6000);
  ExpectAllForms('s', "unix-socket", "/tmp/m.sock",
                 [](const ServerConfig& c) { EXPECT_EQ(c.unix_socket, "/tmp/m.sock"); });
  ExpectAllForms('a', "unix-mask", "644",
                 [](const ServerConfig& c) { EXPECT_EQ(c.unix_mask, 0644); });
  ExpectAllForms('b', "listen-backlog", "512",
                 [](const ServerConfig& c) { EXPECT_EQ(c.backlog, 512); });
  ExpectAllForms('c', "conn-limit", "100",
                 [](const ServerConfig& c) { EXPECT_EQ(c.max_connections, 100); });
  ExpectAllForms('N', "napi-ids", "1", [](const ServerConfig& c) { EXPECT_EQ(c.napi_ids, 1); });
}

TEST(ServerConfigFlags, ListenAddresses) {
  ExpectAllForms('l', "listen", "0.0.0.0", [](const ServerConfig& c) {
    EXPECT_EQ(c.listen, std::vector<ListenAddress>{{"0.0.0.0"}});
  });
  ServerConfig c = ParseOk({"-l", "127.0.0.1,[::1]:11300", "-l", "10.0.0.1:11400;::1", "-Z", "-l",
                            "notls:localhost", "-l", "mtls:[fe80::1]"});
  std::vector<ListenAddress> expected = {{"127.0.0.1"},
                                         {"::1", 11300},
                                         {"10.0.0.1", 11400},
                                         {"::1"},
                                         {"localhost", std::nullopt, ListenTls::kOff},
                                         {"fe80::1", std::nullopt, ListenTls::kMutual}};
  EXPECT_EQ(c.listen, expected);
  EXPECT_EQ(c.listen_text,
            "127.0.0.1,[::1]:11300,10.0.0.1:11400;::1,notls:localhost,mtls:[fe80::1]");
  EXPECT_EQ(ParseOk({"-l", ",127.0.0.2,,"}).listen, std::vector<ListenAddress>{{"127.0.0.2"}});
  // memcached ignores an -l it already has.
  ServerConfig repeated = ParseOk({"-l", "127.0.0.1", "-l", "127.0.0.1", "-l", "127.0.0.10"});
  EXPECT_EQ(repeated.listen, (std::vector<ListenAddress>{{"127.0.0.1"}, {"127.0.0.10"}}));
  EXPECT_EQ(repeated.listen_text, "127.0.0.1,127.0.0.10");
}

TEST(ServerConfigFlags, Process) {
  ExpectSwitch('d', "daemon", [](const ServerConfig& c) { EXPECT_TRUE(c.daemonize); });
  ExpectSwitch('r', "enable-coredumps",
               [](const ServerConfig& c) { EXPECT_TRUE(c.enable_coredumps); });
  ExpectSwitch('k', "lock-memory", [](const ServerConfig& c) { EXPECT_TRUE(c.lock_memory); });
  ExpectSwitch('L', "enable-largepages", [](const ServerConfig& c) { EXPECT_TRUE(c.large_pages); });
  ExpectAllForms('u', "user", "nobody", [](const ServerConfig& c) { EXPECT_EQ(c.user, "nobody"); });
  ExpectAllForms('P', "pidfile", "/run/m.pid",
                 [](const ServerConfig& c) { EXPECT_EQ(c.pid_file, "/run/m.pid"); });
  ExpectAllForms('t', "threads", "2", [](const ServerConfig& c) { EXPECT_EQ(c.threads, 2); });
  ExpectAllForms('R', "max-reqs-per-event", "10",
                 [](const ServerConfig& c) { EXPECT_EQ(c.reqs_per_event, 10); });
}

TEST(ServerConfigFlags, VerbosityCounts) {
  EXPECT_EQ(ParseOk({"-v"}).verbosity, 1);
  EXPECT_EQ(ParseOk({"-vv"}).verbosity, 2);
  EXPECT_EQ(ParseOk({"-vvv"}).verbosity, 3);
  EXPECT_EQ(ParseOk({"-v", "-v"}).verbosity, 2);
  EXPECT_EQ(ParseOk({"--verbose"}).verbosity, 1);
  EXPECT_EQ(ParseOk({"--verbose", "-v"}).verbosity, 2);
  EXPECT_EQ(ParseOk({"--verbose=3"}).verbosity, 3);
}

TEST(ServerConfigFlags, MemoryAndItems) {
  ExpectAllForms('m', "memory-limit", "128",
                 [](const ServerConfig& c) { EXPECT_EQ(c.max_bytes, 128ull << 20); });
  ExpectSwitch('M', "disable-evictions", [](const ServerConfig& c) { EXPECT_FALSE(c.evictions); });
  ExpectAllForms('f', "slab-growth-factor", "1.5",
                 [](const ServerConfig& c) { EXPECT_EQ(c.slab.growth_factor, 1.5); });
  ExpectAllForms('n', "slab-min-size", "64",
                 [](const ServerConfig& c) { EXPECT_EQ(c.slab.min_chunk, 64); });
  ExpectAllForms('I', "max-item-size", "2m",
                 [](const ServerConfig& c) { EXPECT_EQ(c.item_size_max, 2u << 20); });
  EXPECT_EQ(ParseOk({"-I", "2M"}).item_size_max, 2u << 20);
  EXPECT_EQ(ParseOk({"-I", "512k"}).item_size_max, 512u << 10);
  EXPECT_EQ(ParseOk({"-I", "3145728"}).item_size_max, 3u << 20);
  ServerConfig small = ParseOk({"-I", "16K", "-o", "slab_chunk_max=16384"});
  EXPECT_EQ(small.item_size_max, 16u << 10);
  EXPECT_EQ(ParseOk({"-m", "2048", "-I", "1024m"}).item_size_max, 1u << 30);
  ExpectAllForms('e', "memory-file", "/dev/shm/m",
                 [](const ServerConfig& c) { EXPECT_EQ(c.memory_file, "/dev/shm/m"); });
}

TEST(ServerConfigFlags, ProtocolAndCommands) {
  ExpectAllForms('B', "protocol", "ascii",
                 [](const ServerConfig& c) { EXPECT_EQ(c.protocol, ProtocolMode::kAscii); });
  EXPECT_EQ(ParseOk({"-B", "binary"}).protocol, ProtocolMode::kBinary);
  EXPECT_EQ(ParseOk({"-B", "auto"}).protocol, ProtocolMode::kAuto);
  ExpectSwitch('A', "enable-shutdown",
               [](const ServerConfig& c) { EXPECT_TRUE(c.shutdown_enabled); });
  ExpectSwitch('C', "disable-cas", [](const ServerConfig& c) { EXPECT_FALSE(c.cas_enabled); });
  ExpectSwitch('F', "disable-flush-all",
               [](const ServerConfig& c) { EXPECT_FALSE(c.flush_enabled); });
  ExpectSwitch('X', "disable-dumping", [](const ServerConfig& c) { EXPECT_FALSE(c.dump_enabled); });
  ExpectSwitch('W', "disable-watch", [](const ServerConfig& c) { EXPECT_FALSE(c.watch_enabled); });
  ExpectSwitch('Z', "enable-ssl", [](const ServerConfig& c) { EXPECT_TRUE(c.tls.enabled); });
  ExpectSwitch('S', "enable-sasl", [](const ServerConfig& c) {
    EXPECT_TRUE(c.sasl);
    EXPECT_EQ(c.protocol, ProtocolMode::kBinary);  // -S without -B means binary
  });
  ExpectAllForms('Y', "auth-file", "/etc/m.auth", [](const ServerConfig& c) {
    EXPECT_EQ(c.auth_file, "/etc/m.auth");
    EXPECT_EQ(c.protocol, ProtocolMode::kAscii);  // -Y without -B means ascii
  });
  ExpectAllForms('D', nullptr, "#", [](const ServerConfig& c) {
    EXPECT_EQ(c.stat_key_delimiter, '#');
    EXPECT_TRUE(c.detail_enabled);
  });
  ExpectAllForms('o', "extended", "track_sizes",
                 [](const ServerConfig& c) { EXPECT_TRUE(c.track_sizes); });
}

TEST(ServerConfigFlags, MnemoOwn) {
  auto engine = [](const std::string& spec) { return ParseOk({"--engine", spec}).engine; };
  EXPECT_EQ(engine("memory").kind, EngineKind::kMemory);
  EXPECT_EQ(engine("sqlite:/var/lib/m.db").kind, EngineKind::kSqlite);
  EXPECT_EQ(engine("sqlite:/var/lib/m.db").target, "/var/lib/m.db");
  EXPECT_EQ(engine("proxy:a:11211,[::1]:11212").kind, EngineKind::kProxy);
  EXPECT_EQ(engine("proxy:a:11211,[::1]:11212").target, "a:11211,[::1]:11212");
  // Options after ';' are the proxy engine's to check (engines/proxy/proxy_spec.h).
  EXPECT_EQ(engine("proxy:a:1,b:2;hash=md5;x=y").target, "a:1,b:2;hash=md5;x=y");
  EXPECT_EQ(ParseOk({"--engine=sqlite:x.db"}).engine.target, "x.db");
  EXPECT_EQ(ParseOk({"--snapshot", "/s/m.snap"}).snapshot_file, "/s/m.snap");
  EXPECT_EQ(ParseOk({"--snapshot=/s/m.snap"}).snapshot_file, "/s/m.snap");
  EXPECT_EQ(ParseOk({"--state-dir", "/var/lib/mnemo"}).state_dir, "/var/lib/mnemo");
  EXPECT_EQ(ParseOk({"--state-dir=/v"}).state_dir, "/v");
}

TEST(ServerConfigFlags, BundlesPrefixesAndOrder) {
  ServerConfig c = ParseOk({"-dMCvvp1234"});
  EXPECT_TRUE(c.daemonize);
  EXPECT_FALSE(c.evictions);
  EXPECT_FALSE(c.cas_enabled);
  EXPECT_EQ(c.verbosity, 2);
  EXPECT_EQ(c.port, 1234);
  EXPECT_EQ(ParseOk({"--memory-l=32"}).max_bytes, 32ull << 20);
  EXPECT_EQ(ParseOk({"--thr", "3"}).threads, 3);
  EXPECT_EQ(ParseOk({"-p", "1", "-p", "2"}).port, 2);  // the last one wins, as memcached
}

TEST(ServerConfigFlags, HelpVersionAndLicenseStopParsing) {
  for (std::string flag : {"-h", "--help", "--he"}) {
    Result<CommandLine> parsed = Parse({"-p", "1", flag, "-m", "not-a-number"});
    ASSERT_TRUE(parsed.ok()) << flag;
    EXPECT_EQ(parsed->print_and_exit, HelpText()) << flag;
  }
  Result<CommandLine> version = Parse({"-V"});
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(version->print_and_exit, VersionText() + "\n");
  EXPECT_EQ(Parse({"--version"})->print_and_exit, VersionText() + "\n");
  Result<CommandLine> license = Parse({"--license"});
  ASSERT_TRUE(license.ok());
  EXPECT_NE(license->print_and_exit->find("Mnemo"), std::string::npos);
  // An error before -h wins, as in memcached, whose options are read in order.
  EXPECT_EQ(ParseError({"-c", "0", "-h"}), "Maximum connections must be greater than 0");
}

TEST(ServerConfigFlags, LeavesArgvAlone) {
  std::vector<std::string> words = {"mnemod", "extra", "-p", "1"};
  std::vector<char*> argv;
  for (std::string& word : words) argv.push_back(word.data());
  std::vector<char*> before = argv;
  EXPECT_FALSE(ParseCommandLine(static_cast<int>(argv.size()), argv.data()).ok());
  EXPECT_EQ(argv, before);  // getopt_long permuted a copy
}

TEST(ServerConfigFlags, WarnsAboutManyThreads) {
  Result<CommandLine> parsed = Parse({"-t", "65"});
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->warnings.size(), 1u);
  EXPECT_TRUE(parsed->warnings[0].starts_with("WARNING: Setting a high number of workerthreads"));
  EXPECT_TRUE(Parse({"-t", "64"})->warnings.empty());
}

TEST(ServerConfigSession, CarriesWhatSessionsNeed) {
  SessionConfig session =
      ToSessionConfig(ParseOk({"-B", "binary", "-I", "2m", "-C", "-F", "-X", "-A", "-S"}));
  EXPECT_EQ(session.protocol, ProtocolMode::kBinary);
  EXPECT_EQ(session.item_size_max, 2u << 20);
  EXPECT_FALSE(session.cas_enabled);
  EXPECT_FALSE(session.flush_enabled);
  EXPECT_FALSE(session.dump_enabled);
  EXPECT_TRUE(session.shutdown_enabled);
  EXPECT_TRUE(session.sasl_required);
  EXPECT_EQ(session.version, "1.6.18");
  SessionConfig defaults = ToSessionConfig(ParseOk({}));
  EXPECT_TRUE(defaults.cas_enabled && defaults.flush_enabled && defaults.dump_enabled);
  EXPECT_FALSE(defaults.shutdown_enabled || defaults.sasl_required);
  EXPECT_EQ(defaults.protocol, ProtocolMode::kAuto);
}

}  // namespace
}  // namespace mnemo::server
