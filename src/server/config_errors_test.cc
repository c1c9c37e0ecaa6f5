// Every refusal of a command line, with its exact message. Lines marked "memcached" were checked
// against memcached 1.6.18 (stderr of the same command line); the others are values memcached
// misreads with atoi() or takes without a word, which mnemod refuses.

#include <gtest/gtest.h>

#include "server/config_test_util.h"

namespace mnemo::server {
namespace {

struct ErrorCase {
  std::vector<std::string> words;
  std::string message;
};

void ExpectErrors(const std::vector<ErrorCase>& cases) {
  for (const ErrorCase& c : cases) {
    SCOPED_TRACE(testing::PrintToString(c.words));
    EXPECT_EQ(ParseError(c.words), c.message);
  }
}

TEST(ServerConfigErrors, GetoptMessages) {
  ExpectErrors({
      {{"-P"}, "mnemod: option requires an argument -- 'P'"},  // memcached
      {{"-x"}, "mnemod: invalid option -- 'x'"},               // memcached
      {{"-vx"}, "mnemod: invalid option -- 'x'"},
      {{"--bogus"}, "mnemod: unrecognized option '--bogus'"},  // memcached
      {{"--bogus=1"}, "mnemod: unrecognized option '--bogus=1'"},
      {{"--port"}, "mnemod: option '--port' requires an argument"},
      {{"--po"}, "mnemod: option '--port' requires an argument"},
      {{"--help=1"}, "mnemod: option '--help' doesn't allow an argument"},
      {{"--hel=1"}, "mnemod: option '--help' doesn't allow an argument"},
      {{"--mem=100"},  // memcached
       "mnemod: option '--mem=100' is ambiguous; possibilities: '--memory-limit' "
       "'--memory-file'"},
      {{"-p", "1", "extra"}, "unexpected argument \"extra\" (every setting is a flag; see --help)"},
      {{"--", "-m", "5"}, "unexpected argument \"-m\" (every setting is a flag; see --help)"},
  });
}

TEST(ServerConfigErrors, FlagValuesMemcachedChecks) {
  ExpectErrors({
      {{"-c", "0"}, "Maximum connections must be greater than 0"},           // memcached
      {{"-c", "abc"}, "Maximum connections must be greater than 0"},         // memcached
      {{"-c", "-5"}, "Maximum connections must be greater than 0"},          // memcached
      {{"-t", "0"}, "Number of threads must be greater than 0"},             // memcached
      {{"-t", "abc"}, "Number of threads must be greater than 0"},           // memcached
      {{"-f", "1.0"}, "Factor must be greater than 1"},                      // memcached
      {{"-f", "0.5"}, "Factor must be greater than 1"},                      // memcached
      {{"-f", "abc"}, "Factor must be greater than 1"},                      // memcached
      {{"-n", "0"}, "Chunk size must be greater than 0"},                    // memcached
      {{"-n", "abc"}, "Chunk size must be greater than 0"},                  // memcached
      {{"-R", "0"}, "Number of requests per event must be greater than 0"},  // memcached
      {{"-N", "0"}, "Maximum number of NAPI IDs must be greater than 0"},    // memcached
      {{"-N", "abc"}, "Maximum number of NAPI IDs must be greater than 0"},  // memcached
      {{"-B", "foo"},                                                        // memcached
       "Invalid value for binding protocol: foo\n -- should be one of auto, binary, or ascii"},
      {{"-B", "ASCII"},  // memcached
       "Invalid value for binding protocol: ASCII\n -- should be one of auto, binary, or ascii"},
      {{"-D", ""}, "No delimiter specified"},                  // memcached
      {{"-p", "70000"}, "ERROR: Invalid port number 70000."},  // memcached
      {{"-p", "-2"}, "ERROR: Invalid port number -2."},
      {{"-U", "70000"}, "ERROR: Invalid port number 70000."},
      {{"-U", "-1"}, "ERROR: Invalid port number -1."},
      {{"-p", "abc"}, "Invalid port number: \"abc\""},
      {{"-l", "127.0.0.1:abc"}, "Invalid port number: \"abc\""},        // memcached
      {{"-l", "tag:127.0.0.1"}, "Invalid port number: \"127.0.0.1\""},  // memcached
      {{"-l", "127.0.0.1:99999"}, "Invalid port number: \"99999\""},
      {{"-l", "[::1"}, "Invalid IPv6 address in -l: \"[::1\""},
      {{"-l", "[::1]x"}, "Invalid port number: \"x\""},
      {{"-l", ":11211"}, "Missing address in -l: \":11211\""},
      {{"-l", ","}, "Missing address in -l"},
      {{"-l", "notls:127.0.0.1"}, "'notls' option is valid only when SSL is enabled"},  // memcached
      {{"-l", "mtls:127.0.0.1"}, "'mtls' option is valid only when SSL is enabled"},
  });
}

TEST(ServerConfigErrors, FlagValuesMemcachedMisreads) {
  ExpectErrors({
      {{"-m", "1g"}, "Invalid value \"1g\" for -m: expected a whole number of megabytes"},
      {{"-m", "-1"}, "Invalid value \"-1\" for -m: expected a whole number of megabytes"},
      {{"-m", "99999999999999999"},
       "Invalid value \"99999999999999999\" for -m: expected a whole number of megabytes"},
      {{"-a", "999"}, "Invalid value \"999\" for -a: expected an octal mode such as 700"},
      {{"-a", "1000"}, "Invalid value \"1000\" for -a: expected an octal mode such as 700"},
      {{"-b", "abc"}, "Invalid value \"abc\" for -b: expected a queue length, 0 or more"},
      {{"-b", "-5"}, "Invalid value \"-5\" for -b: expected a queue length, 0 or more"},
      {{"-D", "ab"}, "Invalid value \"ab\" for -D: expected a single character"},
      {{"-c", "100x"}, "Maximum connections must be greater than 0"},
      {{"-I", "2g"},
       "Invalid value \"2g\" for -I: expected bytes, or a size with a k or m suffix (1k..1024m)"},
      {{"-I", "k"},
       "Invalid value \"k\" for -I: expected bytes, or a size with a k or m suffix (1k..1024m)"},
      {{"--verbose=9"}, "Invalid value \"9\" for --verbose: expected 0 to 3"},
      {{"-s", ""}, "Missing value: an empty file name"},
      {{"--engine", "disk"},
       "Invalid value \"disk\" for --engine: expected memory, sqlite:<file> or "
       "proxy:<host>:<port>[,...]"},
      {{"--engine", "sqlite:"},
       "Invalid value \"sqlite:\" for --engine: expected memory, sqlite:<file> or "
       "proxy:<host>:<port>[,...]"},
      {{"--engine", "proxy:host"},
       "Invalid value \"proxy:host\" for --engine: expected "
       "proxy:<host>:<port>[,<host>:<port>...] or proxy:domain=<name>@<host>:<port>[,...]"},
      {{"--engine", "proxy:host:0"},
       "Invalid value \"proxy:host:0\" for --engine: expected "
       "proxy:<host>:<port>[,<host>:<port>...] or proxy:domain=<name>@<host>:<port>[,...]"},
      {{"--engine", "proxy:;hash=md5"},
       "Invalid value \"proxy:;hash=md5\" for --engine: expected "
       "proxy:<host>:<port>[,<host>:<port>...] or proxy:domain=<name>@<host>:<port>[,...]"},
      {{"--engine", "proxy:domain=app"},
       "Invalid value \"proxy:domain=app\" for --engine: expected "
       "proxy:<host>:<port>[,<host>:<port>...] or proxy:domain=<name>@<host>:<port>[,...]"},
      {{"--engine", "proxy:domain=app@host"},
       "Invalid value \"proxy:domain=app@host\" for --engine: expected "
       "proxy:<host>:<port>[,<host>:<port>...] or proxy:domain=<name>@<host>:<port>[,...]"},
      {{"--engine", "proxy:host;hash=md5"},
       "Invalid value \"proxy:host;hash=md5\" for --engine: expected "
       "proxy:<host>:<port>[,<host>:<port>...] or proxy:domain=<name>@<host>:<port>[,...]"},
  });
}

TEST(ServerConfigErrors, ItemSizeChecksAfterParsing) {
  ExpectErrors({
      {{"-I", "512"}, "Item max size cannot be less than 1024 bytes."},                // memcached
      {{"-I", "0"}, "Item max size cannot be less than 1024 bytes."},                  // memcached
      {{"-m", "0"}, "Cannot set item size limit higher than 1/2 of memory max."},      // memcached
      {{"-I", "1025m"}, "Cannot set item size limit higher than 1/2 of memory max."},  // memcached
      {{"-I", "2000m"}, "Cannot set item size limit higher than 1/2 of memory max."},  // memcached
      {{"-m", "4096", "-I", "1025m"}, "Cannot set item size limit higher than a gigabyte."},
      {{"-I", "100k"},  // memcached
       "slab_chunk_max (bytes: 524288) cannot be larger than -I (item_size_max 102400)"},
      {{"-I", "1k"},  // memcached
       "slab_chunk_max (bytes: 524288) cannot be larger than -I (item_size_max 1024)"},
      {{"-I", "1500k"},  // memcached
       "-I (item_size_max: 1536000) must be evenly divisible by slab_chunk_max (bytes: 524288)"},
      {{"-o", "slab_chunk_max=300"},  // memcached
       "-I (item_size_max: 1048576) must be evenly divisible by slab_chunk_max (bytes: 300)"},
      {{"-I", "3m", "-o", "slab_chunk_max=196608"},
       "slab_chunk_max (bytes: 196608) must divide evenly into 1048576 (slab_page_size)"},
      {{"-N", "8", "-t", "4"},  // memcached
       "Number of napi_ids(8) cannot be greater than number of threads(4)"},
  });
}

TEST(ServerConfigErrors, ProtocolAndAuthentication) {
  ExpectErrors({
      {{"-S", "-B", "ascii"}, "ERROR: You cannot allow the ASCII protocol while using SASL."},
      {{"-S", "-B", "auto"}, "ERROR: You cannot allow the ASCII protocol while using SASL."},
      {{"-S", "-U", "5000"},  // memcached
       "ERROR: Cannot enable UDP while using binary SASL authentication."},
      {{"-Y", "/a", "-U", "5000"},  // memcached
       "Cannot use UDP with ascii authentication enabled (-U 0 to disable)"},
      {{"-Y", "/a", "-B", "binary"},  // memcached
       "ERROR: You cannot allow the BINARY protocol while using ascii authentication tokens."},
      {{"-B", "auto", "-Y", "/a"},  // memcached
       "ERROR: You cannot allow the BINARY protocol while using ascii authentication tokens."},
  });
  EXPECT_EQ(ParseOk({"-S", "-B", "binary"}).protocol, ProtocolMode::kBinary);
  EXPECT_EQ(ParseOk({"-Y", "/a", "-B", "ascii"}).protocol, ProtocolMode::kAscii);
}

}  // namespace
}  // namespace mnemo::server
